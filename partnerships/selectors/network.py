"""The network and flows pages, read from the ledger: who gives what to whom.

A link between two companies exists only where a clause names one as grantor and the other
as beneficiary (or both as mutual parties): being parties of the same deal makes none, so
Stargate's partners are linked to Stargate LLC, never to each other. Both pages read
``ledger_edges`` (2 queries) and only group its rows here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from partnerships import ledger
from partnerships.selectors.ledger import Amounts, LedgerRow, Side, ledger_edges

MONEY_FLOWS = (ledger.INVESTMENT, ledger.SPEND)


@dataclass(frozen=True)
class Window:
    """Which announcements a chart counts: one year, from a day on, up to a day (or all)."""

    year: int | None = None
    since: datetime.date | None = None
    as_of: datetime.date | None = None

    def rows(self, **narrow) -> list[LedgerRow]:
        return ledger_edges(year=self.year, since=self.since, as_of=self.as_of, **narrow)


@dataclass
class NetworkNode:
    company: Side
    deals: int  # deals behind its links in the window


@dataclass
class NetworkEdge:
    """What links two companies in one flow kind, either way (``a`` sorts before ``b``)."""

    a: Side
    b: Side
    flow: str
    directions: set[str] = field(default_factory=set)  # "ab", "ba", "mutual"
    deals: list[str] = field(default_factory=list)
    clause_kinds: list[str] = field(default_factory=list)


@dataclass
class Network:
    nodes: list[NetworkNode]  # the most connected companies, most deals first
    edges: list[NetworkEdge]  # only between the nodes kept
    left_out: int  # companies with links that were not kept


def _pair_edges(rows: list[LedgerRow]) -> dict[tuple[int, int, str], NetworkEdge]:
    edges: dict[tuple[int, int, str], NetworkEdge] = {}
    for row in rows:
        a, b = sorted((row.grantor, row.beneficiary), key=lambda side: side.id)
        edge = edges.setdefault((a.id, b.id, row.flow), NetworkEdge(a, b, row.flow))
        edge.directions.add("mutual" if row.mutual else ("ab" if row.grantor.id == a.id else "ba"))
        edge.deals = list(dict.fromkeys([*edge.deals, *row.deals]))
        edge.clause_kinds = list(dict.fromkeys([*edge.clause_kinds, *row.clause_kinds]))
    return edges


def ledger_network(*, window: Window = Window(), limit_nodes: int = 45, limit_edges: int = 150) -> Network:
    """Companies linked by clauses in the window, sized by their deals: 2 queries.

    Limited to the ``limit_nodes`` companies with the most deals and their ``limit_edges``
    strongest links (most deals) so the drawing stays legible; the table beside it lists
    the same links.
    """
    edges = _pair_edges(window.rows())
    deals: dict[int, set[str]] = defaultdict(set)
    sides: dict[int, Side] = {}
    for edge in edges.values():
        for side in (edge.a, edge.b):
            deals[side.id].update(edge.deals)
            sides[side.id] = side
    degree: dict[int, set[int]] = defaultdict(set)
    for edge in edges.values():
        degree[edge.a.id].add(edge.b.id)
        degree[edge.b.id].add(edge.a.id)
    ranked = sorted(sides, key=lambda pk: (-len(deals[pk]), -len(degree[pk]), sides[pk].name))
    kept = set(ranked[:limit_nodes])
    kept_edges = [e for e in edges.values() if e.a.id in kept and e.b.id in kept]
    kept_edges.sort(key=lambda e: (-len(e.deals), e.a.name, e.b.name, e.flow))
    kept_edges = kept_edges[:limit_edges]
    linked = {pk for e in kept_edges for pk in (e.a.id, e.b.id)}  # no company drawn without a line
    nodes = [NetworkNode(sides[pk], len(deals[pk])) for pk in ranked[:limit_nodes] if pk in linked]
    return Network(nodes, kept_edges, len(ranked) - len(nodes))


@dataclass
class FlowLink:
    """One grantor → beneficiary flow drawn in a diagram, with its amounts by certainty."""

    source: Side
    target: Side
    flow: str
    unit: str
    amounts: Amounts
    deals: list[str]
    clause_kinds: list[str]

    @property
    def drawn(self):
        """What the diagram's width shows: confirmed plus reported (unconfirmed stays in the table)."""
        return self.amounts.confirmed + self.amounts.reported


@dataclass
class Flows:
    money: list[FlowLink]  # USD invested (investor → investee) or committed to spend (customer → provider)
    compute: list[FlowLink]  # GW supplied (supplier → customer), MW converted
    other: list[FlowLink]  # money in other currencies, compute valued in dollars, chips: table only


def _link(row: LedgerRow) -> FlowLink:
    return FlowLink(
        row.grantor, row.beneficiary, row.flow, row.unit, row.amounts, row.deals, row.clause_kinds
    )


def ledger_flows(*, window: Window = Window()) -> Flows:
    """Money and compute flows between companies, the way they go: 2 queries.

    Equity and investments run investor → investee, spend commitments customer → provider
    (OpenAI → Microsoft for Azure), compute supply supplier → customer. Rows without any
    amount stated are left out (the network shows them as links).
    """
    money, compute, other = [], [], []
    for row in window.rows(flows=(*MONEY_FLOWS, ledger.SUPPLY), units=tuple(ledger.ADDITIVE_UNITS)):
        if row.amounts.is_zero:
            continue
        if row.flow in MONEY_FLOWS and row.unit == "USD":
            money.append(_link(row))
        elif row.flow == ledger.SUPPLY and row.unit == "GW":
            compute.append(_link(row))
        elif row.flow in (*MONEY_FLOWS, ledger.SUPPLY) and row.unit in ledger.ADDITIVE_UNITS:
            other.append(_link(row))
    for links in (money, compute, other):
        links.sort(key=lambda x: (-x.amounts.total, x.source.name, x.target.name))
    return Flows(money, compute, other)
