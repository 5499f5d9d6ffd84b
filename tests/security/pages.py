"""The public pages, computed from whatever data is loaded, shared by the security, fuzz and
browser tests so that every one of them covers every page.

A page whose URL does not resolve yet is reported as missing (the tests skip it with the
path in the reason) instead of silently dropping out of the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management import call_command, get_commands
from django.urls import NoReverseMatch, Resolver404, resolve

from partnerships.models import Company, Deal
from scrapers.models import Announcement


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    status: int = 200  # what the page answers (the not-found page answers 404)

    @property
    def exists(self) -> bool:
        try:
            resolve(self.path.split("?")[0])
        except Resolver404:
            return False
        return True


# Names of every public page the dashboard and alerts issues define; the paths are filled in
# from the data by ``public_pages``.
PAGE_NAMES = [
    "home",
    "timeline",
    "timeline-filtered",
    "deal",
    "partnership",
    "company",
    "compare",
    "compare-companies",
    "search",
    "network",
    "flows",
    "announcements",
    "announcement",
    "sources",
    "exports",
    "glossary",
    "subscribe",
]


def load_data() -> str:
    """Load the shipped dataset when its command exists; otherwise a small linked set."""
    if "load_dataset" in get_commands():
        call_command("load_dataset", verbosity=0)
        _archive_one_announcement()
        return "dataset"
    from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

    microsoft = CompanyFactory(name="Microsoft", slug="microsoft", kind=Company.Kind.CLOUD)
    openai = CompanyFactory(name="OpenAI", slug="openai")
    amazon = CompanyFactory(name="Amazon", slug="amazon", kind=Company.Kind.CLOUD)
    anthropic = CompanyFactory(name="Anthropic", slug="anthropic")
    previous = None
    for year in (2019, 2023, 2025):
        deal = DealFactory(
            title=f"Microsoft and OpenAI partnership {year}",
            slug=f"microsoft-openai-{year}",
            predecessor=previous,
        )
        DealPartyFactory(deal=deal, company=microsoft, role="investor")
        DealPartyFactory(deal=deal, company=openai, role="investee")
        ClauseFactory(deal=deal, kind="exclusivity" if year < 2025 else "right_of_first_refusal")
        previous = deal
    deal = DealFactory(title="Amazon invests in Anthropic", slug="amazon-anthropic-2023")
    DealPartyFactory(deal=deal, company=amazon, role="investor")
    DealPartyFactory(deal=deal, company=anthropic, role="investee")
    return "factories"


def _archive_one_announcement() -> None:
    """The dataset ships deals, not scraped posts: add one archived post so the archive pages
    have something to show (its title tries to inject markup, which must render inert)."""
    if Announcement.objects.exists():
        return
    from tests.factories import AnnouncementFactory, NewsroomFactory

    newsroom = NewsroomFactory(
        name="Proof newsroom", slug="proof-newsroom", url="https://example.com/feed.xml"
    )
    AnnouncementFactory(
        newsroom=newsroom,
        url="https://example.com/news/expanded-partnership",
        title="Expanded partnership <script>alert(1)</script>",
        text="Example Corp and Sample Labs expand their partnership with a new compute commitment.",
    )


def _pair_slugs(deal) -> tuple[str, str]:
    slugs = sorted(party.company.slug for party in deal.deal_parties.all())
    return slugs[0], slugs[1]


def _deal_url(deal) -> str:
    try:
        return deal.get_absolute_url()
    except NoReverseMatch:
        return f"/deals/{deal.slug}/"


def public_pages() -> list[Page]:
    deals = list(
        Deal.objects.filter(status=Deal.Status.PUBLISHED)
        .prefetch_related("deal_parties__company")
        .order_by("-announced_on")
    )
    chained = [d for d in deals if d.predecessor_id] or deals
    deal = chained[0]
    a, b = _pair_slugs(deal)
    company = Company.objects.get(slug=a)
    three = ",".join(d.slug for d in deals[:3])
    companies = ",".join(
        sorted({party.company.slug for d in deals[:4] for party in d.deal_parties.all()})[:2]
    )
    announcement = Announcement.objects.order_by("pk").first()
    pages = {
        "home": "/",
        "timeline": "/deals/",
        "timeline-filtered": f"/deals/?company={a}&kind={deal.kind}&year_from=2019",
        "deal": _deal_url(deal),
        "partnership": f"/partnerships/{a}/{b}/",
        "company": f"/companies/{company.slug}/",
        "compare": f"/compare/?deals={three}",
        "compare-companies": f"/compare/companies/?companies={companies}",
        "search": "/search/?q=microsoft",
        "network": "/network/",
        "flows": "/flows/",
        "announcements": "/announcements/",
        "announcement": f"/announcements/{announcement.pk}/" if announcement else "/announcements/0/",
        "sources": "/sources/",
        "exports": "/exports/",
        "glossary": "/glossary/",
        "subscribe": "/alerts/",
    }
    return [Page(name, pages[name]) for name in PAGE_NAMES]


def forget_cached_pages() -> None:
    """Make every cached page stale (the dashboard's version key).

    Test transactions roll back but the page cache (Redis in CI) does not: without this, a
    page cached while the dataset was loaded could be served to a later test in the run.
    """
    from partnerships.cache import bump_content_version

    bump_content_version()


def _longest_partnership() -> str:
    """The partnership page with the most phases: its clause matrix is the widest table."""
    from collections import Counter

    pairs = Counter()
    for deal in Deal.objects.filter(status=Deal.Status.PUBLISHED).prefetch_related("deal_parties__company"):
        slugs = sorted(party.company.slug for party in deal.deal_parties.all())
        for i, a in enumerate(slugs):
            for b in slugs[i + 1 :]:
                pairs[(a, b)] += 1
    (a, b), _ = pairs.most_common(1)[0]
    return f"/partnerships/{a}/{b}/"


def reader_pages() -> list[Page]:
    """Every page a reader can reach: the public pages, the pages behind the links in alert
    emails (for a subscription made here), a bad alert link and the not-found page."""
    from partnerships.services.alerts.links import subscription_token
    from tests.factories import SubscriptionFactory

    subscription = SubscriptionFactory(email="layout-reader@example.org")
    token = {
        purpose: subscription_token(subscription=subscription, purpose=purpose)
        for purpose in ("confirm", "manage", "unsubscribe")
    }
    return [
        *public_pages(),
        Page("partnership-longest", _longest_partnership()),
        Page("alert-confirm", f"/alerts/confirm/{token['confirm']}/"),
        Page("alert-manage", f"/alerts/manage/{token['manage']}/"),
        Page("alert-unsubscribe", f"/alerts/unsubscribe/{token['unsubscribe']}/"),
        Page("alert-bad-link", "/alerts/manage/not-a-real-token/", 400),
        Page("not-found", "/no-such-page/", 404),
    ]
