"""The glossary: an entry for every vocabulary member, example deals, and links from the pages."""

import datetime

import pytest

from extraction.vocabulary import ClauseKind, DealKind
from partnerships.glossary import CLAUSE_ENTRIES, DEAL_ENTRIES, search_terms
from partnerships.models import Deal
from tests.factories import ClauseFactory, DealFactory
from tests.partnerships.story import build_story


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def test_every_deal_kind_and_clause_kind_has_an_entry_and_nothing_else_does():
    assert [entry.kind for entry in DEAL_ENTRIES] == list(DealKind)
    assert [entry.kind for entry in CLAUSE_ENTRIES] == list(ClauseKind)
    for entry in (*DEAL_ENTRIES, *CLAUSE_ENTRIES):
        assert entry.meaning.strip(), entry.kind
        if entry.kind != "other":
            assert "FTC" in entry.concern or "CMA" in entry.concern, entry.kind


def test_the_regulator_grade_clause_kinds_are_explained():
    for kind in (
        "board_observer",
        "consultation_rights",
        "non_voting",
        "cloud_spend_back",
        "model_release_parity",
    ):
        entry = next(e for e in CLAUSE_ENTRIES if e.kind == kind)
        assert len(entry.meaning) > 30 and entry.concern


def test_synonyms_name_kinds_for_search():
    terms = search_terms()
    assert terms["rofr"] == {"clause": ("right_of_first_refusal",)}
    assert terms["exclusivity"] == {"clause": ("exclusivity",)}
    assert terms["acqui hire"]["deal"] == ("acquihire",)
    assert set(terms["investment"]) == {"deal", "clause"}


@pytest.mark.django_db
def test_it_lists_every_kind_with_example_deals_in_one_query_and_the_date(client, django_assert_max_num_queries):
    build_story()
    for i in range(12):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=i)
        ClauseFactory(
            deal=DealFactory(slug=f"x{i}", kind=Deal.Kind.CHIPS, announced_on=day), kind="exclusivity"
        )
    # The glossary in one query, plus the footer's "data as of" date.
    with django_assert_max_num_queries(2):
        response = client.get("/glossary/")
    html = response.content.decode()
    assert response.status_code == 200
    for member in (*DealKind, *ClauseKind):
        assert f'id="{"deal" if member in DealKind else "clause"}-{member.value}"' in html, member
    entry = html[html.index('id="clause-exclusivity"') : html.index('id="clause-preferred_provider"')]
    # The latest three deals with an exclusivity clause, each once.
    assert entry.count('href="/deals/x') == 3 and "/deals/x11/" in entry
    assert "/deals/?clause=exclusivity" in entry
    agi_entry = html[html.index('id="clause-agi_clause"') : html.index('id="clause-term"')]
    assert "/deals/ms-openai-2025-10/" in agi_entry


@pytest.mark.django_db
def test_it_never_offers_an_unpublished_deal_as_an_example(client):
    ClauseFactory(deal=DealFactory(slug="hidden", status=Deal.Status.CANDIDATE), kind="warrant")
    assert "/deals/hidden/" not in client.get("/glossary/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/deals/ms-openai-2019/",
        "/partnerships/microsoft/openai/",
        "/compare/?deals=ms-openai-2019,ms-openai-2023",
    ],
)
def test_clause_labels_link_to_their_glossary_entry(client, url):
    build_story()
    html = client.get(url).content.decode()
    assert 'href="/glossary/#clause-exclusivity">Exclusivity</a>' in html


@pytest.mark.django_db
def test_the_timeline_links_its_filters_to_the_glossary(client):
    build_story()
    html = client.get("/deals/?clause=exclusivity&kind=investment").content.decode()
    assert 'href="/glossary/#clause-exclusivity"' in html and 'href="/glossary/#deal-investment"' in html
    assert 'href="/glossary/"' in html
