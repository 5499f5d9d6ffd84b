"""Scraped text is untrusted: a <script> in a title renders inert on every page it reaches."""

import re

import pytest

from partnerships.models import Clause, DealParty
from partnerships.search.index import search_index_install
from partnerships.services.ledger import ledger_rebuild
from scrapers.models import AnnouncementRevision, ScrapeRun
from tests.factories import (
    AnnouncementFactory,
    ClauseFactory,
    CompanyFactory,
    DealFactory,
    DealPartyFactory,
    NewsroomFactory,
)

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("pw")</script>'


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def evil():
    a = CompanyFactory(name=f"Evil {EVIL} Corp", slug="evil")
    b = CompanyFactory(name="Victim", slug="victim")
    newsroom = NewsroomFactory(name=f"News {EVIL}", health_detail=EVIL, company=a)
    ScrapeRun.objects.create(newsroom=newsroom, status="failed", error=EVIL)
    source = AnnouncementFactory(
        newsroom=newsroom, title=f"Scraped {EVIL} title", text=f"Scripted {EVIL} body"
    )
    AnnouncementRevision.objects.create(announcement=source, title=EVIL, text="one", content_hash="1")
    AnnouncementRevision.objects.create(
        announcement=source, title="two", text=f"one\n{EVIL}", content_hash="2"
    )
    deal = DealFactory(
        slug="evil-deal", title=f"Scripted {EVIL} deal", summary=f"Scripted {EVIL}", value_max=10**9
    )
    DealPartyFactory(deal=deal, company=a, role=DealParty.Role.INVESTOR)
    DealPartyFactory(deal=deal, company=b, role=DealParty.Role.INVESTEE)
    ClauseFactory(
        deal=deal, kind=Clause.Kind.EXCLUSIVITY, subject=EVIL, quote=f"Scripted {EVIL}", source=source
    )
    # A clause that moves money puts both names on the network and the flows.
    ClauseFactory(deal=deal, kind=Clause.Kind.INVESTMENT, grantor=a, beneficiary=b, amount=10**9, unit="USD")
    deal.sources.add(source)
    ledger_rebuild()
    search_index_install()  # factories write rows directly; SQLite's search index is rebuilt
    return source


PAGES = [
    "/",
    "/deals/",
    "/deals/evil-deal/",
    "/partnerships/evil/victim/",
    "/companies/evil/",
    "/compare/?deals=evil-deal,evil-deal-2",
    "/compare/companies/?companies=evil,victim",
    "/search/?q=scripted",
    "/network/",
    "/flows/",
    "/announcements/",
    "ANNOUNCEMENT",
    "/sources/",
]


@pytest.mark.parametrize("url", PAGES)
def test_it_renders_a_scraped_script_tag_inert(client, evil, url):
    DealFactory(slug="evil-deal-2", title=f"Second {EVIL}")
    if url == "ANNOUNCEMENT":
        url = evil.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert(" in html, f"{url} does not show the scraped text at all"
    assert "<script>alert" not in html
    # The only script elements are the site's own, loaded by src.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


@pytest.mark.parametrize("url", ["/feeds/deals/", "/feeds/companies/evil/", "/feeds/clauses/exclusivity/"])
def test_it_escapes_scraped_text_in_feeds(client, evil, url):
    body = client.get(url).content.decode()
    assert "Scripted" in body and "<script>" not in body


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>"]
)
def test_it_never_renders_a_non_http_source_as_a_link(client, url):
    from tests.factories import AnnouncementFactory, ClauseFactory, DealFactory

    source = AnnouncementFactory(url=url, title="Hostile source")
    deal = DealFactory(slug="hostile-source")
    deal.sources.add(source)
    ClauseFactory(deal=deal, source=source, quote="A quote.")
    for page in (f"/deals/{deal.slug}/", source.get_absolute_url()):
        html = client.get(page).content.decode()
        assert "Hostile source" in html or url in html
        assert 'href="javascript:' not in html and 'href="data:text' not in html
