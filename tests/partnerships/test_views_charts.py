"""The network and flows pages draw the ledger: directions, widths, links, labels."""

import datetime
import re
from decimal import Decimal

import pytest

from partnerships import charts, selectors
from partnerships.charts import labels
from partnerships.charts.flows import COMPUTE, MONEY
from partnerships.charts.flows import label_boxes as flow_label_boxes
from partnerships.charts.network import label_boxes as network_label_boxes
from partnerships.models import Clause, Deal, DealParty
from partnerships.services.ledger import ledger_rebuild
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def _deal(slug, kind, roles, clauses, day=datetime.date(2025, 10, 28)):
    deal = DealFactory(slug=slug, kind=kind, announced_on=day)
    for company, role in roles:
        DealPartyFactory(deal=deal, company=company, role=role)
    for grantor, beneficiary, ckind, amount, unit, certainty in clauses:
        ClauseFactory(
            deal=deal, kind=ckind, grantor=grantor, beneficiary=beneficiary,
            amount=amount, unit=unit, certainty=certainty, basis="incremental",
        )  # fmt: skip
    return deal


@pytest.fixture
def world():
    ms = CompanyFactory(name="Microsoft", slug="microsoft", kind="cloud")
    oa = CompanyFactory(name="OpenAI", slug="openai", kind="lab")
    nv = CompanyFactory(name="NVIDIA", slug="nvidia", kind="chipmaker")
    sg = CompanyFactory(name="Stargate LLC", slug="stargate-llc", kind="venture")
    sb = CompanyFactory(name="SoftBank Group", slug="softbank", kind="investor")
    R = DealParty.Role
    K = Clause.Kind
    _deal("stake", "investment", [(ms, R.INVESTOR), (oa, R.INVESTEE)], [
        (ms, oa, K.INVESTMENT, Decimal("13e9"), "USD", "confirmed"),
        (oa, ms, K.COMPUTE_COMMITMENT, Decimal("2.5e11"), "USD", "confirmed"),
    ])  # fmt: skip
    _deal("nvidia-openai", "compute", [(nv, R.INVESTOR), (oa, R.INVESTEE)], [
        (nv, oa, K.INVESTMENT, Decimal("1e11"), "USD", "reported"),
        (nv, oa, K.COMPUTE_COMMITMENT, Decimal("750"), "MW", "confirmed"),
    ])  # fmt: skip
    _deal("venture", "compute", [(sb, R.INVESTOR), (oa, R.INVESTOR), (ms, R.PARTNER), (sg, R.VENTURE)], [
        (sb, sg, K.EQUITY_STAKE, None, "", "confirmed"),
        (oa, sg, K.EQUITY_STAKE, None, "", "confirmed"),
    ])  # fmt: skip
    ledger_rebuild()
    return ms, oa, nv, sg, sb


def test_it_draws_each_flow_the_way_it_goes(client, world):
    html = client.get("/flows/").content.decode()
    assert "<svg" in html
    assert "Microsoft → OpenAI: investment $13B confirmed" in html
    assert "OpenAI → Microsoft: spend commitment $250B confirmed" in html
    assert "NVIDIA → OpenAI: investment $100B reported" in html
    assert "OpenAI → NVIDIA" not in html and "OpenAI → Microsoft: investment" not in html
    compute = html[html.index('id="compute-h"') :]
    assert "NVIDIA → OpenAI: compute or chips supply 0.75 GW confirmed" in compute  # MW converted


def test_it_hatches_reported_amounts_and_keeps_the_arrowheads_small(client, world):
    html = client.get("/flows/").content.decode()
    assert re.search(
        r'class="band band-reported" d="[^"]+" stroke-width="[\d.]+" stroke="url\(#money-hatch-investment\)"',
        html,
    )
    marker = re.search(r'<marker id="money-arrow"[^>]*>', html).group(0)
    assert 'markerUnits="userSpaceOnUse"' in marker and 'markerWidth="7"' in marker


def test_it_links_every_band_and_box_to_the_deals_and_companies_behind_it(client, world):
    html = client.get("/flows/").content.decode()
    svg = html[html.index('<svg class="chart chart-flows') : html.index("</svg>")]
    links = re.findall(r'<a href="([^"]+)">', svg)
    assert len(links) == svg.count('class="sk-node"') + svg.count('class="spine"') > 0
    assert "/deals/stake/" in links and "/companies/microsoft/" in links


def test_it_links_only_companies_a_clause_links_and_never_partners_of_a_venture(client, world):
    net = selectors.ledger_network()
    pairs = {(e.a.slug, e.b.slug) for e in net.edges}
    assert {("microsoft", "openai"), ("openai", "nvidia"), ("openai", "stargate-llc")} <= {
        tuple(sorted(p, key=lambda s: s)) for p in pairs
    } | pairs
    slugs = {frozenset(p) for p in pairs}
    assert (
        frozenset({"softbank", "openai"}) not in slugs and frozenset({"microsoft", "softbank"}) not in slugs
    )
    html = client.get("/network/").content.decode()
    assert 'class="edge fl-investment"' in html and 'class="edge fl-spend"' in html
    assert client.get("/network/?year=1999").status_code == 200


def test_it_sizes_nodes_by_their_deals(world):
    net = selectors.ledger_network()
    deals = {node.company.slug: node.deals for node in net.nodes}
    assert deals["openai"] == 3 and deals["microsoft"] == 1


def test_it_draws_the_same_network_every_time(client, world):
    assert client.get("/network/").content == client.get("/network/").content


def test_it_has_no_inline_style_or_script_on_any_chart(client, world):
    for url in ("/", "/network/", "/flows/", "/companies/openai/", "/partnerships/microsoft/openai/"):
        html = client.get(url).content.decode()
        assert " style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url


def test_it_shows_recent_years_by_default_and_everything_on_request(client, world):
    Deal.objects.filter(slug="stake").update(announced_on=datetime.date(2010, 5, 1))
    ledger_rebuild()
    recent = client.get("/flows/").content.decode()
    assert "Microsoft → OpenAI" not in recent and "NVIDIA → OpenAI" in recent
    everything = client.get("/flows/?year=all").content.decode()
    assert "Microsoft → OpenAI" in everything
    assert "/deals/stake/" in client.get("/network/?year=2010").content.decode()
    as_of = client.get("/flows/?year=all&as_of=2011-01-01").content.decode()
    assert "Microsoft → OpenAI" in as_of and "NVIDIA → OpenAI" not in as_of


def test_it_places_no_label_over_another_on_the_shipped_dataset():
    from partnerships.services.dataset import dataset_load

    dataset_load(use_evidence=False)
    for window in (selectors.Window(), selectors.Window(year=2025)):
        net = selectors.ledger_network(window=window)
        boxes = network_label_boxes(net)
        assert len(boxes) == len(net.nodes) > 20
        assert labels.overlapping(boxes) == []
        flows = selectors.ledger_flows(window=window)
        for links, diagram in ((flows.money, MONEY), (flows.compute, COMPUTE)):
            boxes, height = flow_label_boxes(links, diagram)
            assert labels.overlapping(boxes) == []
            assert all(box.inside(1000, height) for box in boxes)


def test_it_offers_a_narrow_chart_with_text_that_stays_legible(client, world):
    html = client.get("/flows/").content.decode()
    bars = re.search(r'<svg class="chart chart-bars chart-narrow[^"]*" viewBox="0 0 360 ', html)
    assert bars  # drawn 360 units wide: at 390 px its 13-unit text stays ~13 px
    assert charts.DealLinks().deals("a", "b", ["one"], []) == "/deals/one/"
