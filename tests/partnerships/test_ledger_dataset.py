"""The ledger of the shipped dataset, checked against facts of the fact sheet.

Each test names a figure a reader could check in the deal's sources: who pays whom, what a
round or a tranche adds, what a megawatt deal adds to the gigawatts, what is confirmed and
what only reported.
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction

from partnerships import selectors
from partnerships.models import Company, LedgerEntry
from partnerships.services.dataset import dataset_load
from partnerships.services.ledger import ledger_rebuild

B = Decimal(10) ** 9


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        dataset_load(use_evidence=False)
        yield
        transaction.set_rollback(True)


def company(slug: str) -> Company:
    return Company.objects.get(slug=slug)


def flow(grantor: str, beneficiary: str, kind: str, unit: str):
    rows = selectors.ledger_rows(flow=kind, unit=unit)
    return next((r for r in rows if (r.grantor.slug, r.beneficiary.slug) == (grantor, beneficiary)), None)


pytestmark = pytest.mark.django_db


def test_it_draws_the_october_2025_stake_to_openai_and_the_azure_commitment_to_microsoft(loaded):
    entries = LedgerEntry.objects.filter(deal__slug="microsoft-openai-2025-10").select_related(
        "grantor", "beneficiary"
    )
    by_key = {e.clause.dataset_key: e for e in entries}
    stake, azure = by_key["c1"], by_key["c3"]
    assert (stake.grantor.slug, stake.beneficiary.slug, stake.flow) == ("microsoft", "openai", "investment")
    assert (stake.stated_amount, stake.stated_unit, stake.counted) == (Decimal(27), "percent", 0)
    assert (azure.grantor.slug, azure.beneficiary.slug, azure.flow) == ("openai", "microsoft", "spend")
    assert azure.counted == 250 * B and azure.certainty == "confirmed"
    assert flow("microsoft", "openai", "spend", "USD") is None  # nothing of the $250B runs the other way


def test_it_counts_microsofts_thirteen_billion_total_once_across_the_phases(loaded):
    row = flow("microsoft", "openai", "investment", "USD")
    assert row.confirmed == 13 * B  # $1B in 2019, the running total of October 2025 adds the other $12B
    assert row.deals == ["microsoft-openai-2019", "microsoft-openai-2023", "microsoft-openai-2025-10"]


def test_it_draws_stargate_from_its_partners_to_the_venture_and_never_between_partners(loaded):
    partners = {"softbank", "openai", "oracle", "mgx", "arm", "microsoft", "nvidia"}
    stargate = [r for r in selectors.ledger_rows() if "stargate-2025" in r.deals]
    pairs = {(r.grantor.slug, r.beneficiary.slug) for r in stargate}
    assert pairs == {
        ("softbank", "stargate-llc"), ("openai", "stargate-llc"), ("arm", "stargate-llc"),
        ("microsoft", "stargate-llc"), ("nvidia", "stargate-llc"), ("oracle", "stargate-llc"),
        ("stargate-llc", "openai"),
    }  # fmt: skip
    assert not [p for p in pairs if p[0] in partners and p[1] in partners]
    # MGX is a party with no clause of its own: a party, not a relationship.
    assert not LedgerEntry.objects.filter(deal__slug="stargate-2025", grantor__slug="mgx").exists()
    openai = selectors.company_ledger(company=company("openai"))
    assert "microsoft" not in {c.company.slug for c in openai.counterparties("invested_in")}
    assert "stargate-llc" in {c.company.slug for c in openai.counterparties("compute_providers")}
    buildout = flow("stargate-llc", "openai", "supply", "USD")
    assert buildout.confirmed == 500 * B  # the $100B initial deployment is a tranche of the $500B


def test_it_credits_a_funding_round_once_not_to_each_investor(loaded):
    rows = [
        r
        for r in selectors.ledger_rows(flow="investment", unit="USD")
        if "anthropic-series-f-2025-09" in r.deals
    ]
    assert [(r.grantor.slug, r.confirmed) for r in rows] == [("iconiq", 13 * B)]
    anthropic = selectors.company_ledger(company=company("anthropic"))
    investors = {c.company.slug for c in anthropic.counterparties("investors")}
    assert "iconiq" in investors and not {"fidelity"} & investors  # a co-lead without a stated amount
    fidelity = selectors.company_ledger(company=company("fidelity"))
    assert fidelity.gives == {} and fidelity.receives == {}


def test_it_counts_a_tranche_inside_its_parent_not_on_top(loaded):
    amd = flow("amd", "openai", "supply", "GW")
    assert amd.confirmed == 6 and amd.deals == [
        "amd-openai-2025-10"
    ]  # not 7: the first gigawatt is part of six
    amazon = flow("amazon", "anthropic", "investment", "USD")
    assert (amazon.confirmed, amazon.reported) == (
        8 * B,
        25 * B,
    )  # $4B + $4B ("$8B in total" adds 0), then 2026


def test_it_counts_a_running_total_only_for_what_earlier_phases_had_not(loaded):
    coreweave = flow("openai", "coreweave", "spend", "USD")
    # March $11.9B, May $4B (two reports of one add-on), September $6.5B: "$22.4B in total" adds nothing.
    assert coreweave.reported == Decimal("22.4") * B
    oracle = flow("oracle", "openai", "supply", "GW")
    # July: 4.5 GW new and "more than 5 GW" in total; September's 4.5 GW repeats July.
    assert (oracle.confirmed, oracle.reported) == (5, Decimal("5.5"))
    google = flow("google", "anthropic", "investment", "USD")
    assert google.reported == 3 * B  # $2B of notes, then $1B more: "more than $3B in total" adds 0


def test_it_converts_megawatts_into_the_gigawatt_totals(loaded):
    cerebras = flow("cerebras", "openai", "supply", "GW")
    assert cerebras.confirmed == Decimal("0.75")
    entry = LedgerEntry.objects.get(deal__slug="cerebras-openai-2026-01", clause__dataset_key="c1")
    assert (entry.stated_amount, entry.stated_unit, entry.amount, entry.unit) == (
        750,
        "MW",
        Decimal("0.75"),
        "GW",
    )
    assert selectors.ledger_totals(year=2026).gigawatts.confirmed == Decimal("6.95")  # 5 + 0.75 + 1.2


def test_it_keeps_reported_figures_out_of_the_confirmed_totals(loaded):
    nebius = flow("microsoft", "nebius", "spend", "USD")
    assert (nebius.confirmed, nebius.reported) == (0, Decimal("19.4") * B)
    totals = selectors.ledger_totals(year=2025).money("USD")
    confirmed = sum(
        e.counted for e in LedgerEntry.objects.filter(year=2025, certainty="confirmed", unit="USD")
        if e.flow in ("investment", "spend", "supply")
    )  # fmt: skip
    assert totals.confirmed == confirmed
    assert totals.reported > 0 and totals.confirmed + totals.reported == totals.total - totals.unconfirmed


def test_it_sums_money_in_its_own_currency(loaded):
    mistral = selectors.company_ledger(company=company("mistral-ai"))
    assert mistral.receives[("investment", "EUR")].reported == Decimal("1715000000")  # €15M + €1.7B
    assert ("investment", "USD") not in mistral.receives


def test_it_balances_every_company_against_its_counterparties(loaded):
    """Double entry: per flow kind and unit, what a company gives equals what its counterparties get from it."""
    books = {c.pk: selectors.company_ledger(company=c) for c in Company.objects.all()}
    for pk, book in books.items():
        received_from_it: dict = defaultdict(Decimal)
        for other in books.values():
            for _key, _label, parties in other.relationships:
                for party in (p for p in parties if p.company.id == pk):
                    for key, amounts in party.received.items():
                        received_from_it[key] += amounts.total
        given: dict = defaultdict(Decimal)
        for key, amounts in book.gives.items():
            given[key] += amounts.total
        assert {u: v for u, v in given.items() if v} == {u: v for u, v in received_from_it.items() if v}, (
            book.company
        )
    assert sum(b.gives.get(("spend", "USD"), selectors.Amounts()).total for b in books.values()) > 0


def test_it_rebuilds_to_the_rows_the_load_wrote(loaded):
    before = list(LedgerEntry.objects.order_by("clause_id").values())
    assert not ledger_rebuild().changed
    assert list(LedgerEntry.objects.order_by("clause_id").values()) == before


def test_it_exports_a_reported_flow_as_reported_and_never_as_confirmed(loaded, client):
    import json

    body = b"".join(client.get("/exports/ledger.json?company=nebius").streaming_content)
    rows = json.loads(body)["ledger"]
    nebius = next(
        r for r in rows if (r["grantor"], r["beneficiary"], r["flow"]) == ("microsoft", "nebius", "spend")
    )
    assert (nebius["confirmed"], nebius["reported"]) == ("0", "19400000000")
    assert nebius["deals"] == ["microsoft-nebius-2025-09"]
    assert {r["grantor"] for r in rows} | {r["beneficiary"] for r in rows} >= {"nebius", "meta", "microsoft"}


def test_it_says_the_data_is_as_of_the_dataset_check_until_a_curator_changes_a_deal(loaded):
    import datetime

    assert selectors.data_as_of() == datetime.date(2026, 12, 1)
