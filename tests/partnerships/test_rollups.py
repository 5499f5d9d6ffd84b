"""The rollups: kept equal to a rebuild through any sequence of curation writes, read in fixed queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships import selectors
from partnerships.models import Clause, Company, CompanyFlowYear, CompanyPartner, CompanyPartnerFlow, Deal
from partnerships.services.deals import deal_publish, deal_retract, deal_update
from partnerships.services.ledger import ledger_rebuild
from partnerships.services.merges import company_merge, deal_merge
from partnerships.services.rollups import rollups_rebuild
from tests.factories import AnnouncementFactory, ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

B = Decimal(10) ** 9


def snapshot() -> tuple[list, list, list]:
    fields = ("company_id", "direction", "flow", "unit", "year", "confirmed", "reported", "unconfirmed")
    partners = ("company_id", "counterparty_id", "relationship", "deals")
    partner = (
        "company_id", "counterparty_id", "relationship", "direction", "flow", "unit", "deals", "confirmed",
        "reported", "unconfirmed",
    )  # fmt: skip
    return (
        sorted(CompanyFlowYear.objects.values_list(*fields)),
        sorted(CompanyPartnerFlow.objects.values_list(*partner)),
        sorted(CompanyPartner.objects.values_list(*partners)),
    )


def candidate(
    grantor, beneficiary, *, amount, year, basis="incremental", kind=Clause.Kind.INVESTMENT, second=None
):
    """A candidate deal: ``grantor`` → ``beneficiary``, and ``second`` → ``beneficiary`` when given."""
    text = f"{grantor.name} and {beneficiary.name}."
    source = AnnouncementFactory(text=text)
    deal = DealFactory(status=Deal.Status.CANDIDATE, announced_on=datetime.date(year, 3, 1))
    deal.sources.add(source)
    DealPartyFactory(deal=deal, company=grantor, role="investor")
    DealPartyFactory(deal=deal, company=beneficiary, role="investee")
    certainty = "confirmed" if amount % 2 else "reported"
    ClauseFactory(
        deal=deal, kind=kind, amount=amount, unit="USD", basis=basis, grantor=grantor, beneficiary=beneficiary,
        source=source, certainty=certainty, quote=text,
    )  # fmt: skip
    if second is not None:
        DealPartyFactory(deal=deal, company=second, role="investor")
        ClauseFactory(
            deal=deal, kind=Clause.Kind.INVESTMENT, amount=amount + B, unit="USD", grantor=second,
            beneficiary=beneficiary, source=source, certainty=certainty, quote=text, position=1,
        )  # fmt: skip
    return deal


def _publish(companies: list[Company], deals: list[Deal], i: int, j: int, amount: int) -> None:
    a, b = companies[i % len(companies)], companies[(i + 1 + j % 3) % len(companies)]
    third = next((c for c in companies if c.pk not in (a.pk, b.pk)), None)
    kind = Clause.Kind.INVESTMENT if amount % 3 else Clause.Kind.CHIPS_SUPPLY
    deal = candidate(
        a, b, amount=amount * B, year=2023 + amount % 3, basis="total" * (amount % 4 == 0), kind=kind,
        second=third if amount % 2 else None,
    )  # fmt: skip
    deal_publish(deal=deal)
    deals.append(deal)


def _apply(op: tuple, companies: list[Company], deals: list[Deal]) -> None:
    name, i, j, amount = op
    if name == "publish" or not deals:
        _publish(companies, deals, i, j, amount)
        return
    deal = Deal.objects.get(pk=deals[i % len(deals)].pk)
    if name == "edit":
        clause = deal.clauses.first()
        if clause is not None:
            clause.amount = amount * B
            deal_update(deal=deal, clauses=[clause], save_deal=False)
    elif name == "retract":
        deal_retract(deal=deal, reason="checking the source")
    elif name == "republish":
        deal_publish(deal=deal)
    elif name == "merge":
        deal_merge(deal=deal, into=Deal.objects.get(pk=deals[j % len(deals)].pk))
    elif name == "merge companies" and len(companies) > 3:
        company_merge(company=companies[i % len(companies)], into=companies[j % len(companies)])
        companies[:] = [c for c in companies if Company.objects.filter(pk=c.pk).exists()]


OPS = st.tuples(
    st.sampled_from(["publish", "publish", "edit", "retract", "republish", "merge", "merge companies"]),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(1, 9),
)


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=2, max_size=7))
def test_it_keeps_the_rollups_equal_to_a_rebuild_after_any_sequence_of_writes(ops):
    with transaction.atomic():
        companies = [CompanyFactory(name=f"Company {n}") for n in range(5)]
        deals: list[Deal] = []
        for op in ops:
            try:
                with transaction.atomic():
                    _apply(op, companies, deals)
            except ValidationError:
                pass  # a write the services refuse (merging into a merged deal...) changes nothing
        incremental = snapshot()
        assert not ledger_rebuild().changed, "a refresh missed a ledger change"
        rollups_rebuild()
        assert snapshot() == incremental
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_it_fills_the_rollups_from_the_ledger_on_a_publish_and_empties_them_on_a_retraction():
    lab, fund = CompanyFactory(name="Lab"), CompanyFactory(name="Fund")
    deal = candidate(fund, lab, amount=3 * B, year=2025)
    deal_publish(deal=deal)
    assert CompanyFlowYear.objects.get(company=fund, direction="gives").reported == 3 * B  # even: reported
    partner = CompanyPartnerFlow.objects.get(company=lab, counterparty=fund)
    assert (partner.relationship, partner.direction, partner.deals) == ("investors", "receives", 1)
    deal_retract(deal=deal, reason="a rumour")
    assert not CompanyFlowYear.objects.exists() and not CompanyPartnerFlow.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("deals", [3, 12])
def test_it_lists_the_busiest_counterparties_in_a_fixed_number_of_queries(deals, django_assert_num_queries):
    lab = CompanyFactory(name="Lab")
    for n in range(deals):
        deal_publish(deal=candidate(CompanyFactory(name=f"Fund {n:02d}"), lab, amount=(n + 1) * B, year=2025))
    with django_assert_num_queries(2):
        book = selectors.company_ledger(company=lab, limit=2)
    assert [c.company.name for c in book.counterparties("investors")] == ["Fund 00", "Fund 01"]
    assert book.cut == {"investors"}
    assert book.receives[("investment", "USD")].total == sum(range(1, deals + 1)) * B  # totals are never cut


@pytest.mark.django_db
def test_the_company_and_compare_pages_say_when_a_relationship_is_cut(client, settings, monkeypatch):
    from partnerships.views import pages

    settings.PAGE_CACHE_ENABLED = False
    monkeypatch.setattr(pages, "COUNTERPARTY_LIMIT", 2)
    lab, other = CompanyFactory(name="Lab"), CompanyFactory(name="Other lab")
    for n in range(3):
        deal_publish(deal=candidate(CompanyFactory(name=f"Fund {n:02d}"), lab, amount=(n + 1) * B, year=2025))
    deal_publish(deal=candidate(CompanyFactory(name="Fund 99"), other, amount=B, year=2025))
    note = "The 2 with the most deals"
    company = client.get(f"/companies/{lab.slug}/").content.decode()
    assert (
        note in company and "Fund 02" not in company.split("Relationships", 1)[1].split("Deals over time")[0]
    )
    compare = client.get(f"/compare/companies/?companies={lab.slug},{other.slug}").content.decode()
    assert compare.count(note) == 1  # the lab's column is cut, the other lab's is whole
