import pytest
from django.db import connection

from partnerships.search import highlight
from tests.factories import AnnouncementFactory, ClauseFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def test_it_finds_deals_clauses_and_announcements_with_highlights(client):
    deal = DealFactory(
        slug="gw", title="Gigawatt datacenters in Texas", summary="Ten gigawatt datacenters for training."
    )
    ClauseFactory(deal=deal, kind="compute_commitment", quote="The parties commit to datacenters of 10 GW.")
    AnnouncementFactory(title="Datacenters everywhere", text="We announce new datacenters today.")
    DealFactory(slug="other", title="Unrelated licence", summary="Nothing here.")
    html = client.get("/search/?q=datacenters").content.decode()
    assert "/deals/gw/" in html and "/deals/other/" not in html
    assert "<mark>" in html
    assert "Clauses" in html and "Announcements" in html


def test_it_ranks_title_matches_first_on_postgresql(client):
    if connection.vendor != "postgresql":
        pytest.skip("ranking needs PostgreSQL full-text search")
    DealFactory(slug="summary-only", title="A deal", summary="It mentions sovereign once.")
    DealFactory(slug="in-title", title="Sovereign cloud deal", summary="Sovereign sovereign.")
    html = client.get("/search/?q=sovereign").content.decode()
    assert html.index("/deals/in-title/") < html.index("/deals/summary-only/")


def test_it_never_shows_unpublished_deals(client):
    DealFactory(slug="secret", title="Datacenters candidate", status="candidate")
    assert "/deals/secret/" not in client.get("/search/?q=datacenters").content.decode()


def test_it_escapes_snippets_and_keeps_only_the_mark(client):
    assert (
        str(highlight("<img src=x onerror=alert(1)>\x02hit\x03"))
        == "&lt;img src=x onerror=alert(1)&gt;<mark>hit</mark>"
    )


def test_it_shows_an_empty_search_page_and_htmx_fragment(client):
    assert client.get("/search/").status_code == 200
    fragment = client.get("/search/?q=x", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="search-results"')


def test_it_does_not_let_marker_characters_in_scraped_text_forge_a_mark(client):
    AnnouncementFactory(title="Marked", text="\x02<b>forged</b>\x03 datacenters open \x02again\x03 today.")
    html = client.get("/search/?q=datacenters").content.decode()
    assert "<mark>datacenters</mark>" in html.lower() or "<mark>Datacenters</mark>" in html
    assert "<mark>&lt;b&gt;forged" not in html and "<mark>again</mark>" not in html
