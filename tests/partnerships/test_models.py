from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from partnerships.diff import clause_diff
from partnerships.models import Clause, CompanyAlias, Deal, DealParty, normalize_name
from tests.factories import ClauseFactory, CompanyFactory, DealFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_the_same_company_twice_on_a_deal():
    deal = DealFactory()
    company = CompanyFactory()
    DealParty.objects.create(deal=deal, company=company, role=DealParty.Role.INVESTOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        DealParty.objects.create(deal=deal, company=company, role=DealParty.Role.PARTNER)
    assert deal.deal_parties.count() == 1


def test_it_refuses_negative_clause_amounts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClauseFactory(amount=Decimal("-1"), unit=Clause.Unit.USD)
    assert not Clause.objects.exists()


def test_it_refuses_an_amount_without_a_unit():
    with pytest.raises(IntegrityError), transaction.atomic():
        ClauseFactory(amount=Decimal("5"), unit="")


def test_it_refuses_negative_or_inverted_headline_values():
    with pytest.raises(IntegrityError), transaction.atomic():
        DealFactory(value_min=Decimal("-5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DealFactory(value_min=Decimal("10"), value_max=Decimal("5"))
    assert not Deal.objects.exists()


def test_it_refuses_duplicate_deal_slugs():
    DealFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        DealFactory(slug="same")


def test_it_refuses_a_merged_deal_without_a_survivor():
    with pytest.raises(IntegrityError), transaction.atomic():
        DealFactory(status=Deal.Status.MERGED)


def test_it_refuses_a_deal_that_is_its_own_predecessor():
    deal = DealFactory()
    deal.predecessor_id = deal.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        deal.save()


def test_it_refuses_one_alias_for_two_companies():
    a, b = CompanyFactory(), CompanyFactory()
    CompanyAlias.objects.create(company=a, name="AWS")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyAlias.objects.create(company=b, name="aws")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Microsoft Corp.", "microsoft"),
        ("Microsoft Corporation's", "microsoft"),
        ("NVIDIA, Inc.", "nvidia"),
        ("Amazon.com, Inc.", "amazon com"),
        ("Mistral AI", "mistral ai"),
        ("SoftBank Group Corp.", "softbank"),
        ("Japan\u2019s", "japan"),
    ],
)
def test_it_normalizes_company_names_for_matching(raw, expected):
    assert normalize_name(raw) == expected


def test_it_reports_added_removed_and_changed_clauses_between_phases():
    old, new = DealFactory(), DealFactory()
    ClauseFactory(deal=old, kind=Clause.Kind.EXCLUSIVITY, subject="cloud")
    ClauseFactory(deal=old, kind=Clause.Kind.EQUITY_STAKE, amount=Decimal("49"), unit="percent")
    ClauseFactory(deal=new, kind=Clause.Kind.RIGHT_OF_FIRST_REFUSAL, subject="compute")
    ClauseFactory(deal=new, kind=Clause.Kind.EQUITY_STAKE, amount=Decimal("27.0"), unit="percent")
    diff = clause_diff(old.clauses.all(), new.clauses.all())
    assert [c.kind for c in diff.added] == ["right_of_first_refusal"]
    assert [c.kind for c in diff.removed] == ["exclusivity"]
    assert [(c.kind, c.fields) for c in diff.changed] == [("equity_stake", ("amount",))]
