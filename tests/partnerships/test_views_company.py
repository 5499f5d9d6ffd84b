import pytest

from partnerships.models import Company, DealParty
from scrapers.models import Newsroom, ScrapeRun
from tests.factories import CompanyFactory, DealFactory, DealPartyFactory, NewsroomFactory
from tests.partnerships.story import build_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def test_it_groups_partners_by_kind_and_shows_totals(client):
    build_story()
    oa = Company.objects.get(slug="openai")
    nvidia = CompanyFactory(name="NVIDIA", slug="nvidia", kind=Company.Kind.CHIPMAKER)
    chips = DealFactory(slug="oa-nvidia-chips", kind="chips", value_max=10**11)
    DealPartyFactory(deal=chips, company=oa, role=DealParty.Role.CUSTOMER)
    DealPartyFactory(deal=chips, company=nvidia, role=DealParty.Role.PROVIDER)
    html = client.get("/companies/openai/").content.decode()
    investors = html.index('id="pg-investors"')
    chip_group = html.index('id="pg-chips"')
    assert html.index("/partnerships/openai/microsoft/") > investors
    assert html.index("/partnerships/openai/nvidia/") > chip_group
    assert "Published deals" in html and ">5<" in html


def test_it_shows_the_company_newsrooms_and_their_health(client):
    company = CompanyFactory(slug="openai")
    newsroom = NewsroomFactory(company=company, name="OpenAI News", health=Newsroom.Health.BROKEN)
    ScrapeRun.objects.create(newsroom=newsroom, status=ScrapeRun.Status.FAILED)
    html = client.get("/companies/openai/").content.decode()
    assert "OpenAI News" in html and "health-broken" in html and "(failed)" in html


def test_it_offers_a_feed_and_the_subscribe_form(client):
    CompanyFactory(slug="openai", name="OpenAI")
    html = client.get("/companies/openai/").content.decode()
    assert 'href="/feeds/companies/openai/"' in html
    assert 'data-hx-get="/alerts/?company=openai"' in html


def test_it_hides_proposed_companies(client):
    CompanyFactory(slug="maybe", is_proposed=True)
    assert client.get("/companies/maybe/").status_code == 404


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/companies/aws/", "/companies/amazon/"),
        ("/companies/amazon-web-services/", "/companies/amazon/"),
        ("/companies/AWS/", "/companies/amazon/"),
        ("/partnerships/aws/anthropic/", "/partnerships/amazon/anthropic/"),
        ("/partnerships/anthropic/aws/", "/partnerships/amazon/anthropic/"),
    ],
)
def test_every_alias_answers_with_its_company_page(client, path, target):
    amazon = CompanyFactory(name="Amazon", slug="amazon")
    CompanyFactory(name="Anthropic", slug="anthropic")
    amazon.aliases.create(name="AWS")
    amazon.aliases.create(name="Amazon Web Services")
    response = client.get(path)
    assert response.status_code == 301 and response["Location"] == target


def test_an_unknown_or_proposed_company_is_still_a_404(client):
    CompanyFactory(name="Shadow", slug="shadow", is_proposed=True)
    shadow = Company.objects.get(slug="shadow")
    shadow.aliases.create(name="Shady")
    assert client.get("/companies/nobody/").status_code == 404
    assert client.get("/companies/shady/").status_code == 404
