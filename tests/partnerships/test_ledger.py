"""The ledger: the counting rule on its own, and its rows kept true by every curation write."""

import datetime
from decimal import Decimal

import pytest

from partnerships import ledger, selectors
from partnerships.ledger import Entry, count_chains, count_deal, flow_kind, investor_first, normalise
from partnerships.models import Clause, Deal, LedgerEntry
from partnerships.services.deals import (
    deal_link_phase,
    deal_publish,
    deal_reject,
    deal_retract,
    deal_review_clauses,
    deal_update,
)
from partnerships.services.ledger import ledger_rebuild, ledger_refresh
from partnerships.services.merges import company_merge, deal_merge
from tests.factories import AnnouncementFactory, ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

B = Decimal(10) ** 9


def entry(
    pk, amount, *, basis="incremental", tranche=False, unit="USD", flow="investment", sides=(1, 2), **kw
):
    return Entry(
        pk, sides[0], sides[1], flow, unit, None if amount is None else Decimal(amount), basis, tranche, **kw
    )


# --- the rule --------------------------------------------------------------------------------------


def test_it_counts_another_four_billion_with_eight_in_total_as_four():
    counted, own = count_deal(
        [entry(1, 4 * B), entry(2, 8 * B, basis="total")], {(1, 2, "investment", "USD"): 4 * B}
    )
    assert counted == {1: 4 * B, 2: 0} and own == {(1, 2, "investment", "USD"): 4 * B}


def test_it_counts_a_total_only_for_what_is_new_whatever_the_clause_order():
    counted, _ = count_deal([entry(1, 13 * B, basis="total"), entry(2, 1 * B)])
    assert counted == {1: 12 * B, 2: 1 * B}


def test_it_counts_tranches_and_units_that_do_not_add_as_nothing():
    entries = [
        entry(1, 6, unit="GW", flow="supply"),
        entry(2, 1, unit="GW", flow="supply", tranche=True),
        entry(3, 27, unit="percent"),
        entry(4, 160_000_000, unit="shares"),
        entry(5, 2030, unit="until_year", flow="other"),
        entry(6, None),
        entry(7, 10 * B, effect="removed"),
    ]
    counted, _ = count_deal(entries)
    assert counted == {1: 6, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0}


def test_it_counts_several_totals_of_one_flow_as_the_largest():
    counted, _ = count_deal([entry(1, 5 * B, basis="total"), entry(2, 8 * B, basis="total")], {})
    assert sum(counted.values()) == 8 * B


def test_it_keeps_totals_of_different_pairs_units_and_kinds_apart():
    counted, _ = count_deal(
        [
            entry(1, 4 * B),
            entry(2, 4 * B, basis="total", sides=(3, 2)),
            entry(3, 4 * B, basis="total", flow="spend"),
        ]
    )
    assert counted == {1: 4 * B, 2: 4 * B, 3: 4 * B}


def test_it_lets_each_phase_see_every_phase_before_it():
    deals = {
        10: [entry(1, Decimal("11.9") * B)],
        11: [entry(2, 4 * B), entry(3, 4 * B, tranche=True)],
        12: [entry(4, Decimal("6.5") * B), entry(5, Decimal("22.4") * B, basis="total")],
    }
    counted = count_chains(deals, {10: None, 11: 10, 12: 11})
    assert counted[5] == 0 and sum(counted.values()) == Decimal("22.4") * B
    # Without the chain the total stands alone and counts what its own deal had not.
    assert count_chains({12: deals[12]}, {12: None})[5] == Decimal("15.9") * B


@pytest.mark.parametrize(
    ("kind", "unit", "role", "expected"),
    [
        ("investment", "USD", "investor", "investment"),
        ("convertible_note", "USD", "investor", "investment"),
        ("warrant", "shares", "provider", "investment"),
        ("compute_commitment", "USD", "customer", "spend"),
        ("compute_commitment", "USD", "venture", "supply"),
        ("compute_commitment", "GW", "provider", "supply"),
        ("compute_commitment", "MW", "provider", "supply"),
        ("compute_commitment", "", "customer", "spend"),
        ("compute_commitment", "", "investor", "supply"),
        ("chips_supply", "chips", "provider", "supply"),
        ("cloud_spend_back", "", "investee", "spend"),
        ("ip_license", "", "licensor", "licence"),
        ("model_distribution", "", "provider", "licence"),
        ("exclusivity", "", "customer", "right"),
        ("right_of_first_refusal", "", "customer", "right"),
        ("board_rights", "", "investee", "right"),
        ("research_collaboration", "", "partner", "other"),
        ("other", "USD", "licensee", "other"),
    ],
)
def test_it_names_the_flow_of_each_clause_kind(kind, unit, role, expected):
    assert flow_kind(kind, unit, role) == expected


def test_it_writes_investments_from_the_investor_whatever_way_the_clause_words_them():
    assert investor_first("equity_stake", "percent", "investor", "investee")  # Microsoft holds 27% of OpenAI
    assert not investor_first(
        "equity_stake", "shares", "investee", "investor"
    )  # Intel issues shares to NVIDIA
    assert not investor_first("warrant", "shares", "provider", "customer")  # AMD grants OpenAI warrants
    assert investor_first("investment", "USD", "customer", "venture")


def test_it_converts_megawatts_and_keeps_currencies():
    assert normalise(Decimal(750), "MW") == (Decimal("0.75"), "GW")
    assert normalise(Decimal(15), "EUR") == (Decimal(15), "EUR")
    assert (
        {"USD", "EUR", "GBP", "GW", "chips"} <= ledger.ADDITIVE_UNITS
        and "percent" not in ledger.ADDITIVE_UNITS
    )


# --- kept by every write ----------------------------------------------------------------------------


def snapshot() -> list[dict]:
    return list(LedgerEntry.objects.order_by("clause_id").values())


def assert_matches_rebuild():
    incremental = snapshot()
    assert not ledger_rebuild().changed, "a refresh missed a change"
    assert snapshot() == incremental


def candidate(investor, investee, *, amount, basis="incremental", day=1, **kwargs):
    source = AnnouncementFactory(text=f"{investor.name} invests in {investee.name}.")
    deal = DealFactory(status=Deal.Status.CANDIDATE, announced_on=datetime.date(2025, 3, day), **kwargs)
    deal.sources.add(source)
    DealPartyFactory(deal=deal, company=investor, role="investor")
    DealPartyFactory(deal=deal, company=investee, role="investee")
    ClauseFactory(
        deal=deal, kind=Clause.Kind.INVESTMENT, amount=amount, unit="USD", basis=basis,
        grantor=investor, beneficiary=investee, source=source, certainty="confirmed",
        quote=f"{investor.name} invests in {investee.name}.",
    )  # fmt: skip
    return deal


@pytest.mark.django_db
def test_it_keeps_the_ledger_equal_to_a_rebuild_through_every_kind_of_write():
    lab, cloud, fund = CompanyFactory(name="Lab"), CompanyFactory(name="Cloud"), CompanyFactory(name="Fund")
    first = candidate(cloud, lab, amount=4 * B, day=1)
    second = candidate(cloud, lab, amount=8 * B, basis="total", day=20)

    deal_publish(deal=first)
    assert LedgerEntry.objects.get().counted == 4 * B
    deal_publish(deal=second)
    assert sorted(LedgerEntry.objects.values_list("counted", flat=True)) == [4 * B, 8 * B]  # not chained yet
    assert_matches_rebuild()

    deal_link_phase(deal=second, predecessor=first)
    assert sorted(LedgerEntry.objects.values_list("counted", flat=True)) == [4 * B, 4 * B]
    assert_matches_rebuild()

    clause = first.clauses.get()
    clause.amount = 5 * B
    deal_update(deal=first, clauses=[clause], save_deal=False)
    assert LedgerEntry.objects.get(clause__deal=second).counted == 3 * B  # the later total follows
    assert_matches_rebuild()

    deal_retract(deal=first, reason="checking the source")
    assert LedgerEntry.objects.get().counted == 8 * B
    assert_matches_rebuild()
    deal_publish(deal=first)
    assert_matches_rebuild()

    third = candidate(fund, lab, amount=1 * B, day=25)
    deal_reject(deal=third, reason="a rumour")
    assert not LedgerEntry.objects.filter(deal=third).exists()
    duplicate = candidate(cloud, lab, amount=2 * B, day=21)
    deal_review_clauses(deal=duplicate, confirm=[], drop=[])
    deal_merge(deal=duplicate, into=second)
    assert not LedgerEntry.objects.filter(deal=duplicate).exists()
    assert_matches_rebuild()

    company_merge(company=fund, into=cloud)
    assert_matches_rebuild()


@pytest.mark.django_db
def test_it_drops_a_clause_between_two_companies_merged_into_one():
    a, b = CompanyFactory(name="Alpha"), CompanyFactory(name="Beta")
    deal = candidate(a, b, amount=1 * B)
    deal_publish(deal=deal)
    assert LedgerEntry.objects.count() == 1
    company_merge(company=a, into=b)
    assert LedgerEntry.objects.count() == 0
    assert_matches_rebuild()


@pytest.mark.django_db
def test_it_refuses_a_clause_whose_grantor_is_not_a_party():
    a, b, stranger = CompanyFactory(), CompanyFactory(), CompanyFactory()
    deal = candidate(a, b, amount=1 * B)
    clause = deal.clauses.get()
    clause.grantor = stranger
    with pytest.raises(Exception, match="is not a party"):
        deal_update(deal=deal, clauses=[clause], save_deal=False)
    assert Clause.objects.get(pk=clause.pk).grantor == a


@pytest.mark.django_db
def test_it_refreshes_only_the_chains_it_is_given():
    a, b = CompanyFactory(), CompanyFactory()
    one, other = candidate(a, b, amount=1 * B), candidate(a, b, amount=2 * B, day=5)
    Deal.objects.filter(pk__in=[one.pk, other.pk]).update(status=Deal.Status.PUBLISHED)
    ledger_refresh(deal_ids=[one.pk])
    assert list(LedgerEntry.objects.values_list("deal_id", flat=True)) == [one.pk]
    assert ledger_refresh(deal_ids=[one.pk]).changed is False


# --- reads, in fixed queries ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("deals", [3, 12])
def test_it_reads_the_ledger_in_a_fixed_number_of_queries(deals, django_assert_num_queries):
    lab = CompanyFactory(name="Lab")
    for day in range(1, deals + 1):
        deal = candidate(CompanyFactory(), lab, amount=day * B, day=day)
        Deal.objects.filter(pk=deal.pk).update(status=Deal.Status.PUBLISHED)
    ledger_rebuild()
    with django_assert_num_queries(2):
        rows = selectors.ledger_rows()
    assert len(rows) == deals and all(len(row.deals) == 1 for row in rows)
    with django_assert_num_queries(1):
        book = selectors.company_ledger(company=lab)
    assert book.receives[("investment", "USD")].confirmed == sum(range(1, deals + 1)) * B
    assert len(book.counterparties("investors")) == deals
    with django_assert_num_queries(1):
        totals = selectors.ledger_totals(year=2025)
    assert totals.money().confirmed == sum(range(1, deals + 1)) * B
    with django_assert_num_queries(2):
        assert len(selectors.ledger_edges(year=2025)) == deals
