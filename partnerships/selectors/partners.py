"""A company's side of the ledger, read from the rollups: its totals and its counterparties.

What a company gives and receives (``CompanyFlowYear``) and who it deals with, grouped by
relationship (``CompanyPartner``, ``CompanyPartnerFlow``: investors, what it invested in,
compute providers, chip suppliers, customers, licensors, licensees, partners in rights,
other partners). The rollups are kept by ``partnerships.services.rollups``; the busiest
counterparties of a relationship are one range of an index, so a page that lists the first
few reads the same number of rows for a lab with ten counterparties or ten thousand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from partnerships.models import Company, CompanyFlowYear, CompanyPartner, CompanyPartnerFlow
from partnerships.models.rollups import GIVES, RECEIVES
from partnerships.selectors.ledger import CERTAINTIES, RELATIONSHIPS, Amounts, Side, amounts_of


@dataclass
class Counterparty:
    """Another company seen from one company's ledger, in one relationship."""

    company: Side
    given: dict[tuple[str, str], Amounts] = field(default_factory=dict)  # what the company gives it
    received: dict[tuple[str, str], Amounts] = field(default_factory=dict)  # what the company gets from it
    deal_count: int = 0  # deals behind the relationship


@dataclass
class CompanyLedger:
    """What one company gives and receives, and its counterparties by relationship."""

    company: Company
    gives: dict[tuple[str, str], Amounts]  # (flow, unit) → amounts
    receives: dict[tuple[str, str], Amounts]
    relationships: list[tuple[str, str, list[Counterparty]]]  # (key, label, counterparties)
    # Relationship keys whose list was cut to the busiest counterparties (there are more).
    cut: set[str] = field(default_factory=set)

    def counterparties(self, key: str) -> list[Counterparty]:
        return next((found for k, _label, found in self.relationships if k == key), [])


_SIDE_VALUES = ("counterparty_id", "counterparty__slug", "counterparty__name", "counterparty__kind")
_FLOW_VALUES = (
    "company_id",
    "counterparty_id",
    "relationship",
    "direction",
    "flow",
    "unit",
    "deals",
    *CERTAINTIES,
)


def _busiest(company_id: int, key: str, limit: int) -> Q:
    """Rows of the ``limit + 1`` busiest counterparties in one relationship (most deals, then first recorded).

    The (limit + 1)-th counterparty is read off ``CompanyPartner``'s index (a constant-size
    scan), and the flows at or above it are one range of ``CompanyPartnerFlow``'s index.
    """
    edge = CompanyPartner.objects.filter(company_id=company_id, relationship=key).order_by(
        "-deals", "counterparty_id"
    )[limit : limit + 1]
    deals, other = Subquery(edge.values("deals")), Subquery(edge.values("counterparty_id"))
    above = Q(deals__gt=Coalesce(deals, Value(-1))) | Q(deals=deals, counterparty_id__lte=other)
    return Q(company_id=company_id, relationship=key) & above


def _partner_flows(ids: list[int], limit: int | None) -> list[dict]:
    """Flows between the companies and their counterparties (the ``limit + 1`` busiest per relationship): 1 query."""
    qs = CompanyPartnerFlow.objects.filter(company_id__in=ids)
    if limit is not None:
        condition = Q(pk__in=[])
        for company_id in ids:
            for key, _label in RELATIONSHIPS:
                condition |= _busiest(company_id, key, limit)
        qs = qs.filter(condition)
    return list(qs.values(*_FLOW_VALUES, *_SIDE_VALUES))


def _cut(flows: list[dict], limit: int) -> tuple[list[dict], set[str]]:
    """The rows of the ``limit`` busiest counterparties per relationship, and the relationships that had more."""
    ranked: dict[str, list[tuple]] = defaultdict(list)
    for row in flows:
        ranked[row["relationship"]].append((-row["deals"], row["counterparty_id"]))
    kept, cut = set(), set()
    for key, partners in ranked.items():
        order = sorted(set(partners))
        cut.update([key] if len(order) > limit else [])
        kept.update((key, other) for _deals, other in order[:limit])
    return [row for row in flows if (row["relationship"], row["counterparty_id"]) in kept], cut


def _totals(ids: list[int]) -> dict[int, dict[str, dict]]:
    """Each company's gives / receives per (flow, unit), all years, from its rollup rows: 1 query."""
    books: dict[int, dict[str, dict]] = {pk: {GIVES: {}, RECEIVES: {}} for pk in ids}
    rows = (
        CompanyFlowYear.objects.filter(company_id__in=ids)
        .values("company_id", "direction", "flow", "unit")
        .annotate(**{name: Sum(name) for name in CERTAINTIES})
        .order_by()
    )
    for row in rows:
        books[row["company_id"]][row["direction"]][row["flow"], row["unit"]] = amounts_of(row)
    return books


def _book(company: Company, flows: list[dict], totals: dict | None, cut: set[str]) -> CompanyLedger:
    """One company's ledger from its partner flows; totals are their sums unless given."""
    own = totals if totals is not None else {GIVES: defaultdict(Amounts), RECEIVES: defaultdict(Amounts)}
    found: dict[str, dict[int, Counterparty]] = defaultdict(dict)
    for row in flows:
        side = Side(*(row[name] for name in _SIDE_VALUES))
        party = found[row["relationship"]].setdefault(side.id, Counterparty(side, deal_count=row["deals"]))
        amounts = amounts_of(row)
        (party.given if row["direction"] == GIVES else party.received)[row["flow"], row["unit"]] = amounts
        if totals is None:
            total = own[row["direction"]][row["flow"], row["unit"]]
            for name in CERTAINTIES:
                total.add(name, getattr(amounts, name))
    relationships = [
        (key, label, sorted(found[key].values(), key=lambda c: (-c.deal_count, c.company.name)))
        for key, label in RELATIONSHIPS
    ]
    return CompanyLedger(company, dict(own[GIVES]), dict(own[RECEIVES]), relationships, cut)


def company_ledgers(
    *, companies: list[Company], limit: int | None = None, totals: bool = True
) -> dict[int, CompanyLedger]:
    """Several companies' sides of the ledger, read from the rollups: 1 query for all of them.

    ``limit`` lists only the busiest counterparties of each relationship (most deals, then
    the first recorded; ``CompanyLedger.cut`` names the relationships that have more), in 2
    queries reading a constant number of rows whatever the company's size; totals are never cut (``totals=False``: left empty, one query
    fewer, for a page that reads them from ``company_years_and_totals``).
    """
    ids = [c.pk for c in companies]
    flows = _partner_flows(ids, limit)
    found = _totals(ids) if limit is not None and totals else {}
    empty = {GIVES: {}, RECEIVES: {}} if limit is not None else None
    result = {}
    for c in companies:
        mine, cut = [row for row in flows if row["company_id"] == c.pk], set()
        if limit is not None:
            mine, cut = _cut(mine, limit)
        result[c.pk] = _book(c, mine, found.get(c.pk, empty), cut)
    return result


def company_ledger(*, company: Company, limit: int | None = None) -> CompanyLedger:
    """One company's side of the ledger (``company_ledgers``): 1 query, 2 with a ``limit``."""
    return company_ledgers(companies=[company], limit=limit)[company.pk]
