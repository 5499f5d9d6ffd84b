"""Reads over the ledger: every total, relationship and flow on the site comes from here.

The rows are ``LedgerEntry`` (one per flow a published clause states, kept by
``partnerships.services.ledger``); these selectors only filter and group them, in SQL, in a
fixed number of queries. A company's own totals and counterparties are read from the
rollups the ledger keeps (``partnerships.selectors.partners``), and so are the years. Amounts are ``counted`` amounts (the counting rule is in
``partnerships.ledger``), split by certainty: confirmed, reported, unconfirmed are never
added together here, so a page can say "$X confirmed + $Y reported".

A relationship between two companies exists only where a clause names one as grantor and
the other as beneficiary; being parties of the same deal makes none. A company's
counterparties are grouped by what flows and which way: who invested in it and what it
invested in, its compute providers and chip suppliers, its customers, its licensors and
licensees, and other partners (rights, research, everything else).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from partnerships import ledger
from partnerships.filters import DealFilter
from partnerships.models import (
    Company,
    CompanyFlowYear,
    Deal,
    LedgerEntry,
)
from partnerships.models.deals import Certainty
from partnerships.models.rollups import GIVES
from partnerships.services.dataset import dataset_as_of

# Money the home page adds up: invested, spent on compute, or compute supplied in dollars
# (Stargate's $500B). Licence fees, contract ceilings and other payments are ledger rows
# too, shown on their own.
HEADLINE_MONEY_FLOWS = (ledger.INVESTMENT, ledger.SPEND, ledger.SUPPLY)
CERTAINTIES = tuple(Certainty.values)  # an enum's ``values`` builds a new list at every call
RELATIONSHIPS = [
    ("investors", "Investors"),
    ("invested_in", "Invested in"),
    ("compute_providers", "Cloud and compute providers"),
    ("chip_suppliers", "Chip suppliers"),
    ("customers", "Customers"),
    ("licensors", "Licensors"),
    ("licensees", "Licensees"),
    ("rights", "Partners in rights"),
    ("partners", "Other partners"),
]


@dataclass(frozen=True)
class Side:
    """A company as the ledger names it."""

    id: int
    slug: str
    name: str
    kind: str = ""


@dataclass
class Amounts:
    confirmed: Decimal = Decimal(0)
    reported: Decimal = Decimal(0)
    unconfirmed: Decimal = Decimal(0)

    def add(self, certainty: str, value) -> None:
        name = certainty if certainty in CERTAINTIES else Certainty.UNCONFIRMED
        setattr(self, name, getattr(self, name) + Decimal(value or 0))

    @property
    def total(self) -> Decimal:
        return self.confirmed + self.reported + self.unconfirmed

    @property
    def is_zero(self) -> bool:
        return not self.total


def _sums(prefix: str = "") -> dict:
    """confirmed / reported / unconfirmed sums of counted amounts, for ``annotate``."""
    return {
        value: Sum(f"{prefix}counted", filter=Q(**{f"{prefix}certainty": value})) for value in CERTAINTIES
    }


def amounts_of(row: dict) -> Amounts:
    """A grouped row's sums by certainty (a certainty with no rows sums to NULL: read as zero)."""
    return Amounts(*(row[value] or Decimal(0) for value in CERTAINTIES))


@dataclass
class LedgerRow:
    """One grantor → beneficiary flow of one kind and unit, summed by certainty."""

    grantor: Side
    beneficiary: Side
    flow: str
    unit: str
    amounts: Amounts
    clauses: int
    mutual: bool
    deals: list[str] = field(default_factory=list)  # slugs, oldest first
    clause_kinds: list[str] = field(default_factory=list)  # the kinds of the clauses behind it

    @property
    def confirmed(self) -> Decimal:
        return self.amounts.confirmed

    @property
    def reported(self) -> Decimal:
        return self.amounts.reported

    @property
    def unconfirmed(self) -> Decimal:
        return self.amounts.unconfirmed


_GROUP = (
    "grantor_id",
    "grantor__slug",
    "grantor__name",
    "grantor__kind",
    "beneficiary_id",
    "beneficiary__slug",
    "beneficiary__name",
    "beneficiary__kind",
)


def _side(row: dict, side: str) -> Side:
    return Side(row[f"{side}_id"], row[f"{side}__slug"], row[f"{side}__name"], row[f"{side}__kind"])


_BY_NAME = ("grantor__name", "beneficiary__name", "flow", "unit")
KEY = ("grantor_id", "beneficiary_id", "flow", "unit")  # a row's identity, and the keyset order


def _grouped(qs, *, order=_BY_NAME, limit: int | None = None) -> list[LedgerRow]:
    """Rows of ``qs`` grouped by (grantor, beneficiary, flow, unit): 2 queries.

    With ``limit``, only the first rows in ``order``; the clauses behind them are then read
    for those rows' pairs only, so a page costs its own rows, not the whole ledger's.
    """
    groups = (
        qs.values(*_GROUP, "flow", "unit")
        .annotate(**_sums(), clauses=Count("id"), mutual_count=Count("id", filter=Q(mutual=True)))
        .order_by(*order)
    )
    if limit is not None:
        groups = groups[:limit]
    rows, index = [], {}
    for group in groups:
        row = LedgerRow(
            _side(group, "grantor"),
            _side(group, "beneficiary"),
            group["flow"],
            group["unit"],
            amounts_of(group),
            group["clauses"],
            group["mutual_count"] > 0,
        )
        rows.append(row)
        index[group["grantor_id"], group["beneficiary_id"], group["flow"], group["unit"]] = row
    if limit is not None:
        if not rows:
            return rows
        qs = qs.filter(grantor_id__in={key[0] for key in index}, beneficiary_id__in={key[1] for key in index})
    behind = (
        qs.values_list(
            "grantor_id", "beneficiary_id", "flow", "unit", "deal__slug", "deal__announced_on", "clause_kind"
        )
        .distinct()
        .order_by("deal__announced_on", "deal__slug", "clause_kind")
    )
    seen: set[tuple] = set()  # (row key, slug) and (row key, kind) already listed: no quadratic scans
    for grantor, beneficiary, flow, unit, slug, _on, kind in behind:
        key = (grantor, beneficiary, flow, unit)
        row = index.get(key)
        if row is None:
            continue
        if (key, "deal", slug) not in seen:
            seen.add((key, "deal", slug))
            row.deals.append(slug)
        if (key, "kind", kind) not in seen:
            seen.add((key, "kind", kind))
            row.clause_kinds.append(kind)
    return rows


def ledger_rows(
    *,
    deal_filter: DealFilter | None = None,
    company: Company | None = None,
    flow: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    certainty: str | None = None,
) -> list[LedgerRow]:
    """The ledger grouped per (grantor, beneficiary, flow kind, unit), for exports and the API.

    ``deal_filter`` is the timeline's filter (which published deals count); the other
    arguments narrow the rows: a company on either side, one flow kind, one unit, one year
    of announcement, one certainty. 2 queries.
    """
    return _grouped(
        _entries(
            deal_filter=deal_filter, company=company, flow=flow, unit=unit, year=year, certainty=certainty
        )
    )


def ledger_page(
    *, after: tuple | None = None, limit: int, **narrowing
) -> tuple[list[LedgerRow], tuple | None]:
    """``limit`` rows of ``ledger_rows(**narrowing)`` in ``KEY`` order after the key ``after``,
    and the key the next page starts after (None on the last page): 2 queries.

    The order is the ids' (grantor, beneficiary, flow, unit), not the names', so a page is a
    keyset read (``ledger_pair_idx``) and a row keeps its place while others are added.
    """
    qs = _entries(**narrowing)
    if after is not None:
        grantor, beneficiary, flow, unit = after
        qs = qs.filter(grantor_id__gte=grantor).filter(
            Q(grantor_id__gt=grantor)
            | Q(grantor_id=grantor, beneficiary_id__gt=beneficiary)
            | Q(grantor_id=grantor, beneficiary_id=beneficiary, flow__gt=flow)
            | Q(grantor_id=grantor, beneficiary_id=beneficiary, flow=flow, unit__gt=unit)
        )
    rows = _grouped(qs, order=KEY, limit=limit + 1)
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], (last.grantor.id, last.beneficiary.id, last.flow, last.unit)


def _entries(*, deal_filter=None, company=None, flow=None, unit=None, year=None, certainty=None):
    """The ledger entries the narrowing arguments of ``ledger_rows`` keep."""
    qs = LedgerEntry.objects.all()
    if deal_filter is not None and not deal_filter.is_empty:
        qs = qs.filter(deal_id__in=deal_filter.deals().values("pk"))
    if company is not None:
        qs = qs.filter(Q(grantor=company) | Q(beneficiary=company))
    for name, value in (("flow", flow), ("unit", unit), ("year", year), ("certainty", certainty)):
        if value:
            qs = qs.filter(**{name: value})
    return qs


def ledger_edges(
    *,
    year: int | None = None,
    as_of: datetime.date | None = None,
    since: datetime.date | None = None,
    flows: tuple[str, ...] = (),
    units: tuple[str, ...] = (),
) -> list[LedgerRow]:
    """Who gives what to whom, for the network and the flows pages: 2 queries.

    ``year`` keeps one year of announcements; ``since`` what was announced from that day on,
    ``as_of`` what was announced by that day; ``flows`` and ``units`` narrow to some flow
    kinds and units (the flows page draws only amounts that add up). An edge is a clause
    naming both companies; mutual clauses are flagged (``mutual``).
    """
    qs = LedgerEntry.objects.all()
    if flows:
        qs = qs.filter(flow__in=flows)
    if units:
        qs = qs.filter(unit__in=units)
    if year:
        qs = qs.filter(year=year)
    if since:
        qs = qs.filter(announced_on__gte=since)
    if as_of:
        qs = qs.filter(announced_on__lte=as_of)
    return _grouped(qs)


@dataclass
class FlowTotal:
    flow: str
    unit: str
    amounts: Amounts


@dataclass
class LedgerTotals:
    """What the ledger adds up for one year (or all years): per flow kind and unit."""

    year: int | None
    flows: list[FlowTotal]

    def money(self, currency: str = "USD", flows=HEADLINE_MONEY_FLOWS) -> Amounts:
        """Money invested or committed, in one currency (currencies are never converted)."""
        total = Amounts()
        for item in self.flows:
            if item.flow in flows and item.unit == currency:
                for name in CERTAINTIES:
                    total.add(name, getattr(item.amounts, name))
        return total

    @property
    def gigawatts(self) -> Amounts:
        """Compute capacity supplied, in GW (MW converted)."""
        return next((i.amounts for i in self.flows if i.flow == ledger.SUPPLY and i.unit == "GW"), Amounts())

    @property
    def currencies(self) -> list[str]:
        return sorted(
            {i.unit for i in self.flows if i.flow in HEADLINE_MONEY_FLOWS and i.unit in ledger.MONEY_UNITS}
        )


def data_as_of() -> datetime.date | None:
    """The "data as of" date: the latest material change to a public deal, or the dataset's check.

    A change is a publication or a material change (``Deal.last_changed``); a dataset deal is
    published at its announcement, so a database holding only the dataset is as fresh as
    the dataset's ``as_of``, and a curator's later change moves the date on. 1 query.
    """
    found = Deal.objects.public().aggregate(
        published=Max("published_at"),
        changed=Max("alert_events__created_at", filter=Q(alert_events__kind="changed")),
    )
    dates = [moment.date() for moment in found.values() if moment is not None]
    dates += [d for d in (dataset_as_of(),) if d is not None]
    return max(dates) if dates else None


def ledger_totals(*, year: int | None = None) -> LedgerTotals:
    """Totals per flow kind and unit for a year of announcements (None: all years): 1 query."""
    if year:
        return ledger_totals_by_year(years=[year])[year]
    rows = (
        CompanyFlowYear.objects.filter(direction=GIVES, unit__in=ledger.ADDITIVE_UNITS)
        .values("flow", "unit")
        .annotate(**{name: Sum(name) for name in CERTAINTIES})
        .order_by("flow", "unit")
    )
    return LedgerTotals(None, [FlowTotal(row["flow"], row["unit"], amounts_of(row)) for row in rows])


def ledger_totals_by_year(*, years: list[int]) -> dict[int, LedgerTotals]:
    """``ledger_totals`` for several years at once (the home page's two years): 1 query.

    Every ledger row has one grantor: the "gives" side of every company's rollup is the whole
    ledger, a few rows per company and year instead of one per clause.
    """
    rows = (
        CompanyFlowYear.objects.filter(direction=GIVES, unit__in=ledger.ADDITIVE_UNITS, year__in=years)
        .values("year", "flow", "unit")
        .annotate(**{name: Sum(name) for name in CERTAINTIES})
        .order_by("year", "flow", "unit")
    )
    totals = {year: LedgerTotals(year, []) for year in years}
    for row in rows:
        totals[row["year"]].flows.append(FlowTotal(row["flow"], row["unit"], amounts_of(row)))
    return totals
