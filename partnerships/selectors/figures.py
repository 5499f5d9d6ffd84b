"""Figures the pages state, read from the ledger: a company's totals by direction, the home
page's year figures, and the companies' years side by side.

Every amount here is a sum of the ledger's ``counted`` amounts (the counting rule is
``partnerships.ledger``), kept apart by certainty so a page writes "$X confirmed + $Y
reported". What a company gives and what it receives are never added together: "received
$530B, committed $251B" says nothing, "invested $13B in OpenAI" does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear

from partnerships import ledger
from partnerships.models import Company, CompanyFlowYear, Deal
from partnerships.selectors.ledger import (
    CERTAINTIES,
    HEADLINE_MONEY_FLOWS,
    Amounts,
    FlowTotal,
    amounts_of,
    ledger_totals_by_year,
)
from partnerships.selectors.partners import Counterparty

GIVES, RECEIVES = "gives", "receives"  # as ``partnerships.models.rollups`` stores them
# What a line says, by (direction, flow kind): the company gives / receives ...
LINE_LABELS = {
    (RECEIVES, ledger.INVESTMENT): "Invested in it",
    (GIVES, ledger.INVESTMENT): "It invested",
    (GIVES, ledger.SPEND): "It committed to spend (cloud, compute, chips)",
    (RECEIVES, ledger.SPEND): "Customers committed to spend with it",
    (GIVES, ledger.SUPPLY): "Compute or chips it supplies",
    (RECEIVES, ledger.SUPPLY): "Compute or chips supplied to it",
    (GIVES, ledger.LICENCE): "Licence fees it pays",
    (RECEIVES, ledger.LICENCE): "Licence fees paid to it",
    (GIVES, ledger.OTHER): "Other payments it makes (licences, contracts, hires)",
    (RECEIVES, ledger.OTHER): "Other payments it receives (licences, contracts, hires)",
}
_UNIT_ORDER = {"USD": 0, "EUR": 1, "GBP": 2, "GW": 3, "chips": 4}
_FLOW_ORDER = {flow: i for i, (flow, _label) in enumerate(ledger.FLOWS)}


@dataclass(frozen=True)
class FigureLine:
    """One total of a company: which way, what flows, in which unit, by certainty."""

    direction: str  # gives / receives
    flow: str
    unit: str
    label: str
    amounts: Amounts


def _lines(book: dict, direction: str) -> list[FigureLine]:
    lines = []
    for (flow, unit), amounts in book.items():
        label = LINE_LABELS.get((direction, flow))
        if label and unit in ledger.ADDITIVE_UNITS and not amounts.is_zero:
            lines.append(FigureLine(direction, flow, unit, label, amounts))
    return lines


def company_figures(book) -> list[FigureLine]:
    """A company's totals, one line per direction, flow kind and unit (no line for nothing).

    ``book`` has ``gives`` and ``receives``: (flow, unit) → Amounts (a ``CompanyLedger``).
    """
    lines = _lines(book.receives, RECEIVES) + _lines(book.gives, GIVES)
    return sorted(
        lines,
        key=lambda x: (_FLOW_ORDER.get(x.flow, 9), x.direction != RECEIVES, _UNIT_ORDER.get(x.unit, 9)),
    )


def counterparty_lines(party: Counterparty) -> list[FigureLine]:
    """What flows between a company and one counterparty (in one relationship), by unit."""
    lines = _lines(party.received, RECEIVES) + _lines(party.given, GIVES)
    return sorted(lines, key=lambda x: (_FLOW_ORDER.get(x.flow, 9), _UNIT_ORDER.get(x.unit, 9)))


@dataclass
class YearFigures:
    """The home page's figures for one year of announcements."""

    year: int
    deals: int
    money: Amounts  # USD invested, committed to spend, or compute supplied in dollars
    gigawatts: Amounts
    flows: list[FlowTotal] = field(default_factory=list)  # per flow kind, in USD
    other_currencies: list[FlowTotal] = field(default_factory=list)


def home_figures(*, years: list[int]) -> list[YearFigures]:
    """Money, gigawatts and deal counts for each year asked: ``ledger_totals`` of each year, 2 queries.

    Tranches count inside their parent and running totals only for what earlier phases had
    not counted (the ledger's rule), so nothing is added twice; MW are in the GW.
    """
    deals = dict(
        Deal.objects.published()
        .filter(announced_on__year__in=years)
        .annotate(year=ExtractYear("announced_on"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by()
    )
    result = []
    by_year = ledger_totals_by_year(years=years)
    for year in years:
        totals = by_year[year]
        money = [f for f in totals.flows if f.flow in HEADLINE_MONEY_FLOWS and f.unit in ledger.MONEY_UNITS]
        result.append(
            YearFigures(
                year,
                deals.get(year, 0),
                totals.money("USD"),
                totals.gigawatts,
                [f for f in money if f.unit == "USD"],
                [f for f in money if f.unit != "USD"],
            )
        )
    return result


@dataclass
class CompanyYear:
    """One company's figures for one year: what it gave and received, per flow and unit."""

    year: int
    lines: list[FigureLine]


def company_years(*, companies: list[Company]) -> dict[int, list[CompanyYear]]:
    """Each company's totals per year of announcement (compare-companies' timeline): 1 query."""
    return company_years_and_totals(companies=companies)[0]


def company_years_and_totals(*, companies: list[Company]) -> tuple[dict[int, list[CompanyYear]], dict]:
    """Each company's totals per year and over all years (``company_figures`` lines): 1 query.

    Read from the rollups (``CompanyFlowYear``): a few rows per company and year.
    """
    ids = [c.pk for c in companies]
    rows = CompanyFlowYear.objects.filter(company_id__in=ids, unit__in=ledger.ADDITIVE_UNITS).values(
        "company_id", "year", "direction", "flow", "unit", *CERTAINTIES
    )
    books: dict[int, dict[int, dict[str, dict]]] = {pk: {} for pk in ids}
    overall = {pk: _Book({}, {}) for pk in ids}
    for row in rows:
        key, amounts = (row["flow"], row["unit"]), amounts_of(row)
        books[row["company_id"]].setdefault(row["year"], {GIVES: {}, RECEIVES: {}})[row["direction"]][key] = (
            amounts
        )
        side = getattr(overall[row["company_id"]], row["direction"])
        total = side.setdefault(key, Amounts())
        for name in CERTAINTIES:
            total.add(name, getattr(amounts, name))
    years = {
        pk: [
            CompanyYear(year, company_figures(_Book(sides[GIVES], sides[RECEIVES])))
            for year, sides in sorted(found.items(), reverse=True)
        ]
        for pk, found in books.items()
    }
    return years, {pk: company_figures(book) for pk, book in overall.items()}


@dataclass
class _Book:
    gives: dict
    receives: dict


def year_window(today: datetime.date, *, years: int) -> list[int]:
    """This year and the ones before it, newest first: ``[2026, 2025]``."""
    return [today.year - i for i in range(years)]
