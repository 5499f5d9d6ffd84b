import pytest

from partnerships.models import Clause, Company, DealParty
from partnerships.services.ledger import ledger_rebuild
from scrapers.models import Newsroom, ScrapeRun
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory, NewsroomFactory
from tests.partnerships.story import build_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def test_it_groups_counterparties_by_what_flows_and_which_way(client):
    ms, oa, _, _ = build_story()
    nvidia = CompanyFactory(name="NVIDIA", slug="nvidia", kind=Company.Kind.CHIPMAKER)
    chips = DealFactory(slug="oa-nvidia-chips", kind="chips")
    DealPartyFactory(deal=chips, company=oa, role=DealParty.Role.CUSTOMER)
    DealPartyFactory(deal=chips, company=nvidia, role=DealParty.Role.PROVIDER)
    ClauseFactory(
        deal=chips, kind=Clause.Kind.CHIPS_SUPPLY, grantor=nvidia, beneficiary=oa, amount=750, unit="MW",
        certainty="confirmed",
    )  # fmt: skip
    # A third party to a deal is no relationship of OpenAI's.
    DealPartyFactory(deal=chips, company=CompanyFactory(name="Bystander", slug="bystander"))
    ledger_rebuild()
    html = client.get("/companies/openai/").content.decode()

    def group(key):
        start = html.index(f'id="pg-{key}"')
        return html[start : html.index("</section>", start)]

    assert "/partnerships/microsoft/openai/" in group("investors")
    assert "/partnerships/microsoft/openai/" in group("compute_providers")  # the Azure commitment
    assert "/partnerships/microsoft/openai/" in group("rights")
    assert "/partnerships/nvidia/openai/" in group("chip_suppliers") and "0.75 GW confirmed" in group(
        "chip_suppliers"
    )
    assert "bystander" not in html.split('id="partners-h"')[1].split('id="years-h"')[0]
    totals = html[html.index('id="totals-h"') : html.index('id="partners-h"')]
    assert "Invested in it" in totals and "$11B reported" in totals
    assert "It committed to spend" in totals and "$250B reported" in totals
    assert "received" not in totals.lower().split("caption")[0]


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
