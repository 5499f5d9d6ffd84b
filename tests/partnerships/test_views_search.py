"""The search page, on whichever database the suite runs (SQLite FTS5 or PostgreSQL)."""

import pytest
from django.db import connection

from partnerships.models import Deal
from partnerships.search import search
from partnerships.search.index import search_index_install
from partnerships.services.deals import deal_publish
from tests.factories import (
    AnnouncementFactory,
    ClauseFactory,
    CompanyFactory,
    DealFactory,
    DealPartyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def _indexed():
    """Factories write rows directly: rebuild SQLite's index as ``load_dataset`` does (no-op on PostgreSQL)."""
    search_index_install()


def test_it_finds_deals_clauses_and_announcements_with_highlights(client):
    deal = DealFactory(
        slug="gw", title="Gigawatt datacenters in Texas", summary="Ten gigawatt datacenters for training."
    )
    ClauseFactory(deal=deal, kind="compute_commitment", quote="The parties commit to datacenters of 10 GW.")
    AnnouncementFactory(title="Datacenters everywhere", text="We announce new datacenters today.")
    DealFactory(slug="other", title="Unrelated licence", summary="Nothing here.")
    _indexed()
    html = client.get("/search/?q=datacenters").content.decode()
    assert "/deals/gw/" in html and "/deals/other/" not in html
    assert "<mark>datacenters</mark>" in html
    assert "Clauses" in html and "Announcements" in html


def test_it_ranks_title_matches_first(client):
    DealFactory(slug="summary-only", title="A deal", summary="It mentions sovereign once.")
    DealFactory(slug="in-title", title="Sovereign cloud deal", summary="Sovereign sovereign.")
    _indexed()
    html = client.get("/search/?q=sovereign").content.decode()
    assert html.index("/deals/in-title/") < html.index("/deals/summary-only/")


def test_it_matches_every_word_not_the_exact_string(client):
    DealFactory(slug="both", title="Compute deal", summary="A sovereign partnership for compute in Europe.")
    DealFactory(slug="one", title="Compute deal two", summary="Compute only.")
    _indexed()
    slugs = [d.slug for d in search(query="sovereign compute").deals]
    assert slugs == ["both"]
    assert [d.slug for d in search(query='"sovereign partnership"').deals] == ["both"]
    assert [d.slug for d in search(query="compute -sovereign").deals] == ["one"]


def test_it_finds_a_company_by_alias_and_a_clause_kind_by_label(client):
    amazon = CompanyFactory(name="Amazon", slug="amazon")
    amazon.aliases.create(name="AWS")
    lab = CompanyFactory(name="Sample Labs", slug="sample-labs")
    deal = DealFactory(slug="amzn", title="Sample Labs picks a cloud", summary="No company named here.")
    DealPartyFactory(deal=deal, company=amazon)
    DealPartyFactory(deal=deal, company=lab)
    ClauseFactory(deal=deal, kind="exclusivity", summary="Only one cloud.")
    DealFactory(slug="noise", title="Another deal")
    _indexed()
    assert [d.slug for d in search(query="aws").deals] == ["amzn"]
    assert [d.slug for d in search(query="exclusivity").deals] == ["amzn"]
    assert [d.slug for d in search(query="amazon sample labs").deals] == ["amzn"]
    response = client.get("/search/?q=aws")
    assert "the company Amazon" in response.content.decode()


def test_it_never_shows_unpublished_deals(client):
    DealFactory(slug="secret", title="Datacenters candidate", status="candidate")
    _indexed()
    assert "/deals/secret/" not in client.get("/search/?q=datacenters").content.decode()


def test_it_indexes_a_deal_when_it_is_published_without_a_rebuild(client):
    """SQLite's index follows the curation write (PostgreSQL's columns are generated)."""
    _indexed()
    deal = DealFactory(slug="fresh", title="Heliostat compute pact", status=Deal.Status.CANDIDATE)
    for name in ("Alpha", "Beta"):
        DealPartyFactory(deal=deal, company=CompanyFactory(name=name, slug=name.lower()))
    deal.sources.add(AnnouncementFactory())  # the publish gate asks for a source
    assert search(query="heliostat").deals == []
    deal_publish(deal=deal)
    assert [d.slug for d in search(query="heliostat").deals] == ["fresh"]


def test_it_escapes_scraped_snippets_and_keeps_only_the_mark(client):
    AnnouncementFactory(title="Hostile", text='<img src=x onerror="alert(1)"> hostile partnership text')
    _indexed()
    html = client.get("/search/?q=hostile").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<mark>hostile</mark>" in html


def test_it_shows_an_empty_search_page_and_htmx_fragment(client):
    assert client.get("/search/").status_code == 200
    fragment = client.get("/search/?q=x", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="search-results"')


def test_it_does_not_let_marker_characters_in_scraped_text_forge_a_mark(client):
    AnnouncementFactory(title="Marked", text="\x02<b>forged</b>\x03 datacenters open \x02again\x03 today.")
    _indexed()
    html = client.get("/search/?q=datacenters").content.decode()
    assert "<mark>datacenters</mark>" in html.lower() or "<mark>Datacenters</mark>" in html
    assert "<mark>&lt;b&gt;forged" not in html and "<mark>again</mark>" not in html


def test_it_answers_queries_of_only_syntax_without_an_error(client):
    _indexed()
    for query in ['"', "-", "or", "-x", '"" or ""', "AND OR NOT", "a*b", "'; DROP TABLE x; --", "NEAR(a b)"]:
        assert client.get("/search/", {"q": query}).status_code == 200, query


def test_it_keeps_the_query_count_flat(client, django_assert_max_num_queries):
    for i in range(30):
        deal = DealFactory(slug=f"d{i}", title=f"Sovereign deal {i}")
        ClauseFactory(deal=deal, quote="sovereign")
        DealPartyFactory(deal=deal)
    _indexed()
    # 6 for the search, 1 for the footer's "data as of" date.
    with django_assert_max_num_queries(7):
        assert client.get("/search/?q=sovereign").status_code == 200


def test_it_uses_the_database_full_text_search():
    """SQLite answers from FTS5 tables, PostgreSQL from its tsvector columns; never LIKE."""
    from django.test.utils import CaptureQueriesContext

    DealFactory(slug="x", title="Sovereign")
    _indexed()
    with CaptureQueriesContext(connection) as ctx:
        search(query="sovereign cloud")
    sql = " ".join(q["sql"] for q in ctx.captured_queries).upper()
    assert (" MATCH " in sql) if connection.vendor == "sqlite" else ("WEBSEARCH_TO_TSQUERY" in sql)
    assert " LIKE " not in sql
