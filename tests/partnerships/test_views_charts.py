import re
from decimal import Decimal

import pytest

from partnerships.models import Clause, DealParty
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def circular():
    ms = CompanyFactory(name="Microsoft", slug="microsoft", kind="cloud")
    oa = CompanyFactory(name="OpenAI", slug="openai", kind="lab")
    stake = DealFactory(slug="stake", kind="investment", value_min=None, value_max=Decimal("1e10"))
    DealPartyFactory(deal=stake, company=ms, role=DealParty.Role.INVESTOR)
    DealPartyFactory(deal=stake, company=oa, role=DealParty.Role.INVESTEE)
    azure = DealFactory(slug="azure", kind="cloud", value_min=Decimal("2.5e11"), value_max=Decimal("2.5e11"))
    DealPartyFactory(deal=azure, company=oa, role=DealParty.Role.CUSTOMER)
    DealPartyFactory(deal=azure, company=ms, role=DealParty.Role.PROVIDER)
    ClauseFactory(
        deal=azure, kind=Clause.Kind.COMPUTE_COMMITMENT, amount=Decimal("1.5"), unit="GW", qualifier="up_to"
    )
    return ms, oa


def test_it_draws_the_flows_both_ways_and_marks_them_circular(client, circular):
    html = client.get("/flows/").content.decode()
    assert "<svg" in html and "flow-circular" in html
    assert "Microsoft → OpenAI: up to $10B (equity invested" in html
    assert "OpenAI → Microsoft: $250B (cloud / chip spend committed" in html
    assert 'href="/deals/?company=microsoft&amp;counterparty=openai"' in html
    # Power stays apart from money, with its qualifier.
    power = html[html.index('id="power-h"') :]
    assert "up to 1.5 GW" in power


def test_it_draws_the_network_with_edges_coloured_by_kind_and_linked(client, circular):
    html = client.get("/network/").content.decode()
    assert "<svg" in html
    assert re.search(r'class="edge k-investment"', html) and re.search(r'class="edge k-cloud"', html)
    assert "/deals/?company=" in html
    assert client.get("/network/?year=1999").status_code == 200


def test_it_draws_the_same_network_every_time(client, circular):
    assert client.get("/network/").content == client.get("/network/").content


def test_it_has_no_inline_style_or_script_on_any_chart(client, circular):
    for url in ("/", "/network/", "/flows/", "/companies/openai/"):
        html = client.get(url).content.decode()
        assert " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url


def test_it_shows_recent_years_by_default_and_everything_on_request(client, circular):
    import datetime

    from partnerships.models import Deal

    Deal.objects.filter(slug="stake").update(announced_on=datetime.date(2010, 5, 1))
    recent = client.get("/flows/").content.decode()
    assert "Microsoft → OpenAI" not in recent and "OpenAI → Microsoft" in recent
    everything = client.get("/flows/?year=all").content.decode()
    assert "Microsoft → OpenAI" in everything
    assert "/deals/?company=" in client.get("/network/?year=2010").content.decode()
