"""What the pages state for OpenAI, Microsoft, Anthropic, NVIDIA and Amazon, and on the home page,
checked against figures computed in the test from the shipped dataset file (``factsheet``),
not from the ledger code."""

import datetime
import html as html_lib
import re

import pytest
import time_machine
from django.db import transaction

from partnerships.formatting import split_amount
from partnerships.services.dataset import dataset_load
from tests.partnerships import factsheet

FIVE = ["openai", "microsoft", "anthropic", "nvidia", "amazon"]
LABELS = {
    ("beneficiary", "investment", "USD"): "Invested in it",
    ("grantor", "investment", "USD"): "It invested",
    ("grantor", "spend", "USD"): "It committed to spend (cloud, compute, chips)",
    ("beneficiary", "spend", "USD"): "Customers committed to spend with it",
    ("grantor", "supply", "GW"): "Compute or chips it supplies",
    ("beneficiary", "supply", "GW"): "Compute or chips supplied to it",
}
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        dataset_load(use_evidence=False)
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture(scope="module")
def records():
    return factsheet.counted()


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def _totals_rows(page: str) -> dict[str, str]:
    table = page[page.index('id="totals-h"') : page.index('id="partners-h"')]
    rows = re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', table, re.S)
    return {_text(label).strip(): _text(value).strip() for label, value in rows}


@pytest.mark.parametrize("slug", FIVE)
def test_it_states_each_companys_totals_by_direction_as_the_dataset_adds_them(client, loaded, records, slug):
    rows = _totals_rows(client.get(f"/companies/{slug}/").content.decode())
    for (side, flow, unit), label in LABELS.items():
        expected = factsheet.sums(records, **{side: slug}, flow=flow, unit=unit)
        shown = label if unit == "USD" else f"{label} ({unit})"
        if expected.confirmed or expected.reported or expected.unconfirmed:
            assert rows.get(shown) == split_amount(expected, unit), (slug, label)
        else:
            assert shown not in rows, (slug, label)
    assert not any("received" in label.lower() and "committed" in label.lower() for label in rows)


@pytest.mark.parametrize("slug", FIVE)
def test_it_groups_each_companys_counterparties_by_the_clauses_not_by_shared_deals(
    client, loaded, records, slug
):
    page = client.get(f"/companies/{slug}/").content.decode()

    def others(key):
        return {
            x
            for pair in re.findall(r'href="/partnerships/([^/]+)/([^/]+)/"', _section(page, key))
            for x in pair
        } - {slug}

    assert others("investors") == factsheet.investors_of(slug)
    invested = {r["beneficiary"] for r in records if r["grantor"] == slug and r["flow"] == "investment"}
    assert invested <= others("invested_in")
    providers = {r["beneficiary"] for r in records if r["grantor"] == slug and r["flow"] == "spend"}
    providers |= {r["grantor"] for r in records if r["beneficiary"] == slug and r["flow"] == "supply"}
    assert providers <= others("compute_providers") | others("chip_suppliers")
    customers = {r["grantor"] for r in records if r["beneficiary"] == slug and r["flow"] == "spend"}
    customers |= {r["beneficiary"] for r in records if r["grantor"] == slug and r["flow"] == "supply"}
    assert customers <= others("customers")


def _section(page: str, key: str) -> str:
    start = page.find(f'id="pg-{key}"')
    return page[start : page.index("</section>", start)] if start >= 0 else ""


def test_it_keeps_stargate_partners_out_of_each_others_relationships(client, loaded):
    microsoft = client.get("/companies/microsoft/").content.decode()
    assert "mgx" not in _section(microsoft, "investors") and "softbank" not in _section(
        microsoft, "investors"
    )
    openai = client.get("/companies/openai/").content.decode()
    assert "/partnerships/microsoft/openai/" not in _section(openai, "invested_in")


def _flow_rows(page: str) -> set[tuple[str, str, str, str]]:
    rows = set()
    for body in re.findall(r'<table class="compact cards flow-table">(.*?)</table>', page, re.S):
        for cells in re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td>", body, re.S):
            names, flow, value = (_text(c).strip() for c in cells)
            source, target = (n.strip() for n in names.split("→"))
            rows.add((source, target, flow, value))
    return rows


def test_it_draws_the_flows_of_the_five_companies_as_the_dataset_adds_them(client, loaded, records):
    names = {c["slug"]: c["name"] for c in factsheet.load()["companies"]}
    words = {"investment": "Investment", "spend": "Spend commitment", "supply": "Compute or chips supply"}
    shown = _flow_rows(client.get("/flows/?year=all").content.decode())
    keys = {(r["grantor"], r["beneficiary"], r["flow"], r["unit"]) for r in records}
    expected = set()
    for grantor, beneficiary, flow, unit in keys:
        if not {grantor, beneficiary} & set(FIVE):
            continue
        total = factsheet.sums(records, grantor=grantor, beneficiary=beneficiary, flow=flow, unit=unit)
        if total.confirmed or total.reported or total.unconfirmed:
            expected.add((names[grantor], names[beneficiary], words[flow], split_amount(total, unit)))
    assert expected <= shown
    assert ("Microsoft", "OpenAI", "Investment", "$13B confirmed") in shown
    assert ("OpenAI", "Microsoft", "Spend commitment", "$250B confirmed") in shown
    assert ("NVIDIA", "OpenAI", "Investment", "$100B confirmed") in shown
    assert not [row for row in shown if row[:2] == ("OpenAI", "NVIDIA") and row[2] == "Investment"]


@time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_it_states_the_home_figures_for_2025_and_2026_as_the_dataset_adds_them(client, loaded, records):
    page = _text(client.get("/").content.decode())
    for year, heading in ((2026, "2026 so far"), (2025, "2025")):
        money = factsheet.sums(records, year=year, unit="USD", flow=("investment", "spend", "supply"))
        power = factsheet.sums(records, year=year, unit="GW", flow="supply")
        assert f"{heading} {split_amount(money, 'USD')} invested or committed" in page
        assert f"{split_amount(power, 'GW')} of compute supplied" in page
