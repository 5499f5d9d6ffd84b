"""Public dashboard pages. Each view is short: get the object → call a selector → build the
template context → render; display decisions are made here in Python, not by template tags.

Anonymous GETs are served from the page cache (``partnerships.cache``); an htmx request
gets the same partial the full page includes.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerships import charts, selectors
from partnerships.cache import cached_response, wants_fragment
from partnerships.filters import DealFilter
from partnerships.glossary import entry_url
from partnerships.models import Clause, Company, Deal
from partnerships.names import companies_named
from partnerships.search import search as run_search
from partnerships.selectors import Cursor
from partnerships.views.citations import deal_citation, source_rows
from partnerships.views.compare import CompareTray, slug_list

TIMELINE_PAGE_SIZE = 25
CHART_YEARS = 8


def _is_staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


def home(request):
    def build():
        today = datetime.date.today()
        start = datetime.date(today.year - CHART_YEARS + 1, 1, 1)
        ctx = {
            "figures": selectors.home_figures(year=today.year),
            "latest_deals": selectors.deal_latest(limit=10),
            "active": selectors.most_active_companies(since=today - datetime.timedelta(days=365)),
            "chart": charts.quarter_chart(selectors.deals_per_quarter(since=start), start=start, end=today),
            "legend": charts.legend(),
        }
        return render(request, "partnerships/home.html", ctx)

    return cached_response(request, build)


KIND_CHOICES = [("", "Any kind"), *Deal.Kind.choices]
CLAUSE_CHOICES = [("", "Any clause"), *Clause.Kind.choices]


def _timeline_feed(deal_filter: DealFilter) -> tuple[str, str]:
    """The Atom feed closest to the timeline's filters: one clause kind, one company, or all."""
    if len(deal_filter.clauses) == 1:
        return reverse("partnerships:feed_clause", args=deal_filter.clauses), "Atom feed for this clause kind"
    if len(deal_filter.companies) == 1:
        return reverse("partnerships:feed_company", args=deal_filter.companies), "Atom feed for this company"
    return reverse("partnerships:feed_deals"), "Atom feed"


SORT_CHOICES = [
    ("" if sort is selectors.SORTS["newest"] else name, sort.label) for name, sort in selectors.SORTS.items()
]


def _company_hints(query, parsed) -> dict[str, str]:
    """ "Amazon" under a company box where the reader typed "aws": what the filter understood."""
    hints = {}
    for name in ("company", "counterparty"):
        typed = [v.strip() for v in query.getlist(name) if v.strip()]
        shown = [parsed.named[v] for v in typed if v in parsed.named and parsed.named[v].lower() != v.lower()]
        if shown:
            hints[name] = "Showing " + ", ".join(dict.fromkeys(shown))
    return hints


def _kind_help(deal_filter: DealFilter) -> list[tuple[str, str]]:
    """Glossary links for the deal and clause kinds the timeline is filtered on."""
    links = [(Deal.Kind(kind).label, entry_url("deal", kind)) for kind in deal_filter.kinds]
    return links + [(Clause.Kind(kind).label, entry_url("clause", kind)) for kind in deal_filter.clauses]


def _mark_compare_links(deals, tray: CompareTray) -> None:
    """Each listed deal's "Add to compare" link, and its page link carrying the chosen deals."""
    suffix = "?" + urlencode({"compare": tray.joined}) if tray else ""
    for deal in deals:
        deal.compare_add_url = tray.add_url(deal.slug)
        deal.in_tray = deal.slug in tray
        deal.page_url = deal.get_absolute_url() + suffix


def deal_list(request):
    def build():
        parsed = DealFilter.from_query(request.GET)
        sort = selectors.sort_named(request.GET.get("sort"))
        page = selectors.deal_timeline(
            deal_filter=parsed.filter,
            before=Cursor.parse(request.GET.get("before"), sort),
            after=Cursor.parse(request.GET.get("after"), sort),
            limit=TIMELINE_PAGE_SIZE,
            sort=sort,
        )
        feed_url, feed_label = _timeline_feed(parsed.filter)
        tray = CompareTray.of(request)
        _mark_compare_links(page.deals, tray)
        ctx = {
            "query": request.GET,
            "filter_errors": parsed.errors,
            "hints": _company_hints(request.GET, parsed),
            "kind_help": _kind_help(parsed.filter),
            "kind_choices": KIND_CHOICES,
            "clause_choices": CLAUSE_CHOICES,
            "sort_choices": SORT_CHOICES,
            "page": page,
            "feed_url": feed_url,
            "feed_label": feed_label,
            "tray": tray,
        }
        if wants_fragment(request):
            return render(request, "partnerships/_timeline.html", ctx)
        ctx["company_datalist"] = selectors.company_datalist()
        return render(request, "partnerships/deal_list.html", ctx)

    return cached_response(request, build)


def deal_detail(request, slug):
    def build():
        deal = selectors.deal_detail(slug=slug)
        if deal is None:
            raise Http404("No such deal.")
        if deal.status == Deal.Status.MERGED:
            survivor = selectors.merge_survivor(deal)
            if survivor is not None and survivor.is_public:
                return redirect(survivor, permanent=True)
            raise Http404("This deal was merged into one that is not public.")
        if not deal.is_public and not _is_staff(request):
            raise Http404("No such deal.")
        previous, following = selectors.phase_changes(deal)
        tray = CompareTray.of(request)
        ctx = {
            "deal": deal,
            "previous": previous,
            "following": following,
            "tray": tray,
            "compare_add_url": tray.add_url(deal.slug),
            "in_tray": deal.slug in tray,
            "citation": deal_citation(deal, request=request),
            "sources": source_rows(deal.sources.all()),
            "reviews": selectors.deal_reviews(deal=deal),
        }
        return render(request, "partnerships/deal_detail.html", ctx)

    # Only 200s are cached, so a later merge or retraction shows at the next version bump.
    return cached_response(request, build)


def _company_or_alias(slug: str):
    """The slug of the company a URL names by alias or name ("aws" → "amazon"), or None."""
    company = companies_named([slug]).get(slug)
    return company.slug if company is not None and company.slug != slug else None


def partnership(request, a, b):
    canonical = [_company_or_alias(s) or s for s in (a, b)]
    if canonical != [a, b] and canonical[0] != canonical[1]:
        first, second = sorted(canonical)
        return redirect("partnerships:partnership", a=first, b=second, permanent=True)
    if a > b:
        return redirect("partnerships:partnership", a=b, b=a, permanent=True)
    if a == b:
        raise Http404("A partnership needs two different companies.")

    def build():
        companies = {c.slug: c for c in Company.objects.filter(slug__in=[a, b], is_proposed=False)}
        if len(companies) != 2:
            raise Http404("No such company.")
        ctx = {"p": selectors.partnership(a=companies[a], b=companies[b])}
        return render(request, "partnerships/partnership.html", ctx)

    return cached_response(request, build)


def company_detail(request, slug):
    def build():
        company = Company.objects.filter(slug=slug, is_proposed=False).first()
        if company is None:
            # Every alias and spelling of a company answers with its page: /companies/aws/ → Amazon.
            canonical = _company_or_alias(slug)
            if canonical is None:
                raise Http404("No such company.")
            return redirect("partnerships:company_detail", slug=canonical, permanent=True)
        overview = selectors.company_overview(company=company)
        groups = selectors.partners_by_group(companies=[company])[company.pk]
        pair_url = charts.slug_urls("partnerships:partnership", slugs=2)
        for _, _, partners, _ in groups:
            for partner in partners:
                partner["url"] = pair_url(company.slug, partner["slug"])
        ctx = {
            "company": company,
            "totals": overview.totals,
            "years_chart": charts.year_bars(overview.years, label=f"{company.name}: deals per year"),
            "latest": overview.latest,
            "newsrooms": overview.newsrooms,
            "groups": groups,
        }
        return render(request, "partnerships/company_detail.html", ctx)

    return cached_response(request, build)


def compare_companies(request):
    def build():
        slugs = slug_list(request.GET.get("companies", ""), 4)
        found = {c.slug: c for c in Company.objects.filter(slug__in=slugs, is_proposed=False)}
        companies = [found[s] for s in slugs if s in found]
        groups = selectors.partners_by_group(companies=companies) if companies else {}
        company_url = charts.slug_urls("partnerships:company_detail")
        for company_groups in groups.values():
            for _, _, partners, _ in company_groups:
                for partner in partners:
                    partner["url"] = company_url(partner["slug"])
        rows = [
            (label, [groups[c.pk][i][2] for c in companies])
            for i, (_, label) in enumerate(selectors.PARTNER_GROUPS)
            if any(groups[c.pk][i][2] for c in companies)
        ]
        error = ""
        if request.GET.get("companies") is not None and len(companies) < 2:
            error = "Pick two to four companies (their slugs, separated by commas)."
        ctx = {
            "companies": companies,
            "rows": rows,
            "missing": [s for s in slugs if s not in found],
            "error": error,
            "raw": request.GET.get("companies", ""),
        }
        return render(request, "partnerships/compare_companies.html", ctx, status=400 if error else 200)

    return cached_response(request, build)


def search(request):
    def build():
        query = request.GET.get("q", "")
        ctx = {
            "query": query,
            "search_query": query,
            "results": run_search(query=query) if query.strip() else None,
        }
        template = (
            "partnerships/_search_results.html" if wants_fragment(request) else "partnerships/search.html"
        )
        return render(request, template, ctx)

    return cached_response(request, build)


RECENT_YEARS = 3


def _window(request):
    """(year, since, choice) from ``?year=``: one year, ``all``, or by default the last three years.

    At 20,000 deals an all-time drawing is unreadable and slow, so the default is recent.
    """
    raw = request.GET.get("year", "")
    if raw == "all":
        return None, None, "all"
    try:
        year = int(raw)
    except ValueError:
        year = None
    if year and 1990 <= year <= 2100:
        return year, None, str(year)
    today = datetime.date.today()
    return None, datetime.date(today.year - RECENT_YEARS + 1, 1, 1), "recent"


def network(request):
    def build():
        year, since, choice = _window(request)
        network = selectors.network_edges(year=year, since=since)
        companies, edges = network.companies, network.edges
        pair_url = charts.slug_urls("partnerships:partnership", slugs=2)
        ctx = {
            "year": year,
            "since": since,
            "choice": choice,
            "years": selectors.deal_years(),
            "svg": charts.network_svg(companies, edges, year=year),
            "legend": charts.legend(sorted({kind for _, _, kind, _ in edges})),
            "edges": [
                (
                    companies[a],
                    companies[b],
                    Deal.Kind(kind).label,
                    n,
                    pair_url(companies[a].slug, companies[b].slug),
                )
                for a, b, kind, n in edges[:60]
            ],
        }
        return render(request, "partnerships/network.html", ctx)

    return cached_response(request, build)


def flows(request):
    def build():
        year, since, choice = _window(request)
        flow_list = selectors.capital_flows(year=year, since=since)
        company_url = charts.slug_urls("partnerships:company_detail")
        rows = [(f, company_url(f.source.slug), company_url(f.target.slug)) for f in flow_list]
        ctx = {
            "year": year,
            "since": since,
            "choice": choice,
            "years": selectors.deal_years(),
            "svg": charts.flows_svg(flow_list),
            # Links made once per page here: a reverse() per table cell dominated the render.
            "money": [row for row in rows if row[0].category != "power"],
            "power": [row for row in rows if row[0].category == "power"],
            "timeline_url": reverse("partnerships:deal_list"),
            "labels": charts.FLOW_LABELS,
        }
        return render(request, "partnerships/flows.html", ctx)

    return cached_response(request, build)


def exports_doc(request):
    from partnerships.exports import CLAUSE_FIELDS, DEAL_FIELDS, LEDGER_FIELDS, SCHEMA_VERSION

    def build():
        ctx = {
            "version": SCHEMA_VERSION,
            "deal_fields": DEAL_FIELDS,
            "clause_fields": CLAUSE_FIELDS,
            "ledger_fields": LEDGER_FIELDS,
            "site_url": settings.SITE_URL,
            "example": reverse("partnerships:export", kwargs={"what": "deals", "fmt": "csv"})
            + "?company=openai&year_from=2025",
        }
        return render(request, "partnerships/exports.html", ctx)

    return cached_response(request, build)
