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
    for label in ("Equity stake", "Exclusivity", "AGI clause", "Right of first refusal"):
        assert f'<th scope="row">{label}</th>' in html
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
