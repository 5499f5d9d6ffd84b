import pytest

from tests.factories import DealFactory
from tests.partnerships.story import build_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def test_it_compares_deals_clause_by_clause_in_the_order_asked(client):
    build_story()
    html = client.get("/compare/?deals=ms-openai-2025-10,ms-openai-2019").content.decode()
    assert html.index("/deals/ms-openai-2025-10/") < html.index("/deals/ms-openai-2019/")
    for kind, label in (
        ("equity_stake", "Equity stake"),
        ("exclusivity", "Exclusivity"),
        ("agi_clause", "AGI clause"),
        ("right_of_first_refusal", "Right of first refusal"),
    ):
        assert f'<th scope="row"><a href="/glossary/#clause-{kind}">{label}</a></th>' in html
    assert "about 27%" in html


def test_it_rejects_fewer_than_two_deals_with_a_clear_message(client):
    DealFactory(slug="only")
    response = client.get("/compare/?deals=only,missing")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Pick between two and six" in html and "missing" in html


def test_it_caps_the_comparison_at_six_deals(client):
    for i in range(8):
        DealFactory(slug=f"d{i}")
    html = client.get("/compare/?deals=" + ",".join(f"d{i}" for i in range(8))).content.decode()
    assert "/deals/d5/" in html and "/deals/d6/" not in html


def test_it_shows_the_empty_form_without_an_error(client):
    response = client.get("/compare/")
    assert response.status_code == 200 and "Pick between" not in response.content.decode()


def test_it_compares_companies_partners_side_by_side(client):
    build_story()
    response = client.get("/compare/companies/?companies=openai,microsoft")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Investors" in html and "Invested in" in html
    assert 'href="/companies/microsoft/"' in html and 'href="/companies/openai/"' in html
    figures = html[html.index('id="money-h"') : html.index('id="timeline-h"')]
    # One row per direction: OpenAI received what Microsoft invested; neither is a "received" total.
    assert "Invested in it" in figures and "It invested" in figures and "$11B reported" in figures
    years = html[html.index('id="timeline-h"') : html.index('id="partners-h"')]
    assert ">2025<" in years and ">2019<" in years
    assert client.get("/compare/companies/?companies=openai").status_code == 400


def test_it_offers_add_to_compare_on_deal_cards_and_keeps_the_choice_in_the_url(client):
    build_story()
    timeline = client.get("/deals/").content.decode()
    assert 'href="/compare/?deals=ms-openai-2019"' in timeline
    # The compare page with one deal links back to the timeline in "pick deals" mode...
    one = client.get("/compare/?deals=ms-openai-2019")
    assert one.status_code == 200
    html = one.content.decode()
    assert 'href="/deals/?compare=ms-openai-2019"' in html and "pick at least one more deal" in html
    # ...where every card adds to the same list, and the chosen one says so.
    picking = client.get("/deals/?compare=ms-openai-2019").content.decode()
    assert 'href="/compare/?deals=ms-openai-2019%2Cms-openai-2023"' in picking
    assert "Chosen to compare" in picking
    assert 'href="/deals/ms-openai-2023/?compare=ms-openai-2019"' in picking


def test_the_deal_page_adds_itself_to_the_chosen_deals(client):
    build_story()
    alone = client.get("/deals/ms-openai-2023/").content.decode()
    assert 'href="/compare/?deals=ms-openai-2023"' in alone
    picked = client.get("/deals/ms-openai-2023/?compare=ms-openai-2019").content.decode()
    assert 'href="/compare/?deals=ms-openai-2019%2Cms-openai-2023"' in picked


def test_it_lists_the_chosen_deals_with_remove_links(client):
    build_story()
    html = client.get("/compare/?deals=ms-openai-2019,ms-openai-2023,ms-openai-2025-10").content.decode()
    assert 'href="/compare/?deals=ms-openai-2023%2Cms-openai-2025-10">Remove' in html
    assert 'href="/compare/?deals=ms-openai-2019%2Cms-openai-2023">Remove' in html


def test_it_keeps_the_compare_page_query_count_flat(client, django_assert_max_num_queries):
    build_story()
    # 3 for the comparison, 1 for the footer's "data as of" date.
    with django_assert_max_num_queries(4):
        client.get("/compare/?deals=ms-openai-2019,ms-openai-2023,ms-openai-2025-10")
