"""One formatter for every figure: pages, emails, feeds, charts and the admin write it the same way."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from partnerships import formatting


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "expected"),
    [
        (Decimal("4000000000"), "USD", "up_to", "up to $4B"),
        (Decimal("1500000000"), "EUR", "", "€1.5B"),
        (Decimal("250000"), "USD", "", "$250K"),
        (Decimal("27"), "percent", "", "27%"),
        (Decimal("1.2"), "GW", "approximately", "about 1.2 GW"),
        (Decimal("2030"), "until_year", "", "through 2030"),
        (None, "USD", "", ""),
    ],
)
def test_it_formats_amounts_for_people(value, unit, qualifier, expected):
    assert formatting.qualified_amount(value, unit, qualifier) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("1500000000"), "USD", "$1.5B"),
        (Decimal("1250000000"), "USD", "$1.25B"),
        (Decimal("250000000"), "USD", "$250M"),
        (Decimal("4000000000"), "USD", "$4B"),
        (Decimal("13750000000"), "USD", "$13.75B"),
        (Decimal("999999"), "USD", "$1M"),
        (Decimal("2500000000000"), "JPY", "¥2.5T"),
        (Decimal("2000000000"), "EUR", "€2B"),
        (Decimal("650000000"), "GBP", "£650M"),
        (Decimal("4.5"), "GW", "4.5 GW"),
        (Decimal("500"), "MW", "500 MW"),
        (Decimal("49"), "percent", "49%"),
        (Decimal("27.5"), "percent", "27.5%"),
        (Decimal("160000000"), "shares", "160M shares"),
        (Decimal("5"), "years", "5 years"),
    ],
)
def test_it_writes_each_unit_its_own_way(value, unit, expected):
    assert formatting.amount(value, unit) == expected


@pytest.mark.parametrize(
    ("qualifier", "expected"),
    [("up_to", "up to $4B"), ("at_least", "at least $4B"), ("approximately", "about $4B"), ("", "$4B")],
)
def test_it_keeps_the_qualifier(qualifier, expected):
    assert formatting.qualified_amount(Decimal("4e9"), "USD", qualifier) == expected


def _deal(value_min, value_max, currency="USD"):
    deal = SimpleNamespace(value_min=value_min, value_max=value_max, currency=currency)
    deal.headline_value = value_max if value_max is not None else value_min
    deal.headline_qualifier = (
        "up_to"
        if value_min is None and value_max is not None
        else "at_least"
        if value_max is None and value_min is not None
        else ""
    )
    return deal


@pytest.mark.parametrize(
    ("value_min", "value_max", "currency", "expected"),
    [
        (Decimal("1e9"), Decimal("1e9"), "USD", "$1B"),
        (None, Decimal("4e9"), "USD", "up to $4B"),
        (Decimal("5e8"), None, "EUR", "at least €500M"),
        (Decimal("1e9"), Decimal("2e9"), "USD", "$1B–$2B"),
        (None, None, "USD", ""),
        (Decimal("1.25e9"), Decimal("1.25e9"), "", "$1.25B"),
    ],
)
def test_it_writes_a_deal_headline(value_min, value_max, currency, expected):
    assert formatting.deal_value(_deal(value_min, value_max, currency)) == expected


def test_it_marks_a_removed_clause():
    clause = SimpleNamespace(
        amount=Decimal("27"), unit="percent", qualifier="approximately", effect="removed"
    )
    assert formatting.clause_value(clause) == "removed: about 27%"
    clause.amount = None
    assert formatting.clause_value(clause) == "removed"


def test_it_writes_plain_decimals_for_machines():
    assert formatting.decimal_plain(Decimal("4E+9")) == "4000000000"
    assert formatting.decimal_plain(Decimal("1.50")) == "1.5"


@pytest.mark.django_db
def test_the_admin_email_and_page_agree_on_a_figure(client, admin_user):
    from partnerships.admin.display import clause_value as admin_value
    from partnerships.services.alerts.content import deal_email_context
    from tests.factories import ClauseFactory, DealFactory

    deal = DealFactory(slug="four", value_max=Decimal("4000000000"), value_min=Decimal("4000000000"))
    clause = ClauseFactory(deal=deal, kind="investment", amount=Decimal("4000000000"), unit="USD")
    assert admin_value(clause) == "$4B"
    # The email says how sure the figure is, as the page does next to it.
    assert deal_email_context(deal)["headline_value"] == "$4B (reported)"
    assert "Investment $4B (reported)" in deal_email_context(deal)["key_clauses"]
    assert "$4B" in client.get("/deals/four/").content.decode()
    client.force_login(admin_user)
    listing = client.get("/admin/partnerships/deal/").content.decode()
    assert '<td class="field-headline">$4B</td>' in listing
    assert "4,000,000,000" not in listing


def test_it_writes_amounts_by_certainty_and_never_adds_them_together():
    amounts = SimpleNamespace(confirmed=Decimal("13e9"), reported=Decimal("25e9"), unconfirmed=Decimal(0))
    assert formatting.split_amount(amounts) == "$13B confirmed + $25B reported"
    amounts.unconfirmed = Decimal("2e9")
    assert formatting.split_amount(amounts) == "$13B confirmed + $25B reported ($2B unconfirmed)"
    nothing = SimpleNamespace(confirmed=0, reported=0, unconfirmed=0)
    assert formatting.split_amount(nothing, "GW") == "not disclosed"
    assert formatting.split_amount(
        SimpleNamespace(confirmed=0, reported=Decimal("0.75"), unconfirmed=0), "GW"
    ) == ("0.75 GW reported")


def test_it_writes_a_phase_amount_with_its_basis():
    def clause(amount, basis, qualifier="", unit="USD"):
        return SimpleNamespace(amount=amount, unit=unit, qualifier=qualifier, basis=basis, effect="granted")

    assert formatting.basis_value(clause(Decimal("4e9"), "incremental")) == "+$4B"
    assert formatting.basis_value(clause(Decimal("8e9"), "total")) == "$8B in total"
    assert formatting.basis_value(clause(Decimal("25e9"), "incremental", "up_to")) == "up to $25B more"
    assert formatting.basis_value(clause(None, "incremental")) == "amount not stated"
    change = SimpleNamespace(
        before=clause(Decimal("4e9"), "incremental", "up_to"), after=clause(Decimal("4e9"), "incremental")
    )
    assert formatting.change_text(change) == "up to $4B more → +$4B"
