"""The partnership page: the phases two companies share, clause by clause, and their dated events.

Phases are consecutive deals of one partnership: deals chained by their predecessor links,
where at least one deal of the chain has the two companies as its only parties. A deal
with more parties that is not linked into such a chain (Stargate, with OpenAI, Microsoft
and five others) is a venture of its own: it is listed as another deal both are party to,
never compared with the phases.

Amounts come from the ledger: for each phase, what it adds per grantor → beneficiary, flow
kind and unit, and the running total of the chain, so "another $4B, $8B in total" reads
"+$4B in this phase, $8B in total (was $4B)".

``Partnership.events`` is the pair's dated story (phases and other deals). Other kinds of
event (a competition authority's review, say) join it through ``EVENT_SOURCES``: a list of
functions ``(a, b, deals) -> [TimelineEvent]`` that this selector calls; the competition
reviews' stages (``regulatory_events``) are the first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch

from partnerships.diff import ClauseDiff, clause_diff
from partnerships.formatting import deal_value
from partnerships.models import Clause, Company, Deal, DealParty, LedgerEntry
from partnerships.models.deals import Certainty
from partnerships.selectors.common import clauses_prefetch
from partnerships.selectors.deals import PhaseChange, states_terms
from partnerships.selectors.ledger import Amounts
from partnerships.selectors.regulatory import chain_events

MAX_DEALS = 40


@dataclass
class MatrixCell:
    clause: Clause | None
    state: str  # new, changed, same, removed (given up), dropped (no longer listed), absent
    fields: tuple = ()
    phase: object = None

    @property
    def label(self) -> str:
        return {
            "new": "new",
            "changed": "changed",
            "same": "unchanged",
            "removed": "given up",
            "dropped": "no longer listed",
            "absent": "not mentioned",
        }[self.state]


@dataclass
class MatrixRow:
    kind: str
    label: str
    subject: str
    direction: str  # "OpenAI → Microsoft"
    cells: list = field(default_factory=list)

    @property
    def story(self) -> list:
        """The cells where something is said about this clause, in phase order."""
        return [cell for cell in self.cells if cell.state != "absent"]


@dataclass
class PhaseAmount:
    """What one phase adds to one grantor → beneficiary flow, and the chain's total after it."""

    grantor: str
    beneficiary: str
    flow: str
    unit: str
    before: Amounts
    added: Amounts
    after: Amounts


@dataclass
class Chain:
    """One partnership's phases, oldest first, with the clause matrix and each phase's change."""

    phases: list[Deal]
    changes: list[PhaseChange]
    rows: list[MatrixRow]
    headers: list[str]  # a column label per phase; phases of the same day are told apart

    @property
    def columns(self) -> list[tuple[Deal, str]]:
        return list(zip(self.phases, self.headers, strict=True))


@dataclass(frozen=True)
class TimelineEvent:
    """A dated step of the pair's story: a phase, another deal, or an event another module adds.

    Read as "<date> <badge> <lead> <title><after>": "Dec 8, 2023 UK CMA Invitation to comment:
    Microsoft / OpenAI partnership merger inquiry", "Jul 22, 2019 Microsoft puts $1B… $1B".
    """

    date: datetime.date
    kind: str  # "phase", "deal", or the kind an event source gives ("review"...)
    title: str
    url: str  # may be empty: the title is then plain text
    precision: str = "day"
    badge: str = ""
    lead: str = ""
    after: str = ""


def regulatory_events(a: Company, b: Company, deals: list[Deal]) -> list[TimelineEvent]:
    """The dated stages of the competition reviews of these deals (1 query)."""
    events = []
    for event in chain_events(deal_ids=[deal.pk for deal in deals]):
        review = event.review
        outcome = f" — {review.outcome}" if event.is_decision and review.outcome else ""
        events.append(
            TimelineEvent(
                event.on,
                "review",
                review.case,
                review.link,
                event.precision,
                badge=review.get_authority_display(),
                lead=f"{event.get_stage_display()}:",
                after=outcome,
            )  # fmt: skip
        )
    return events


EVENT_SOURCES: list[Callable[[Company, Company, list[Deal]], list[TimelineEvent]]] = [regulatory_events]


@dataclass
class Partnership:
    a: Company
    b: Company
    chains: list[Chain]
    others: list[Deal]  # deals both are party to outside the chains, each a venture of its own
    events: list[TimelineEvent]

    @property
    def phases(self) -> list[Deal]:
        return [deal for chain in self.chains for deal in chain.phases]

    @property
    def changes(self) -> list[PhaseChange]:
        return [change for chain in self.chains for change in chain.changes]


def _chains(deals: list[Deal], pair: set[int]) -> tuple[list[list[Deal]], list[Deal]]:
    """Deals grouped by predecessor links; chains with a two-party deal of the pair, and the rest."""
    by_pk = {deal.pk: deal for deal in deals}
    root = {pk: pk for pk in by_pk}

    def find(pk):
        while root[pk] != pk:
            root[pk] = root[root[pk]]
            pk = root[pk]
        return pk

    for deal in deals:
        if deal.predecessor_id in by_pk:
            root[find(deal.pk)] = find(deal.predecessor_id)
    groups: dict[int, list[Deal]] = {}
    for deal in deals:
        groups.setdefault(find(deal.pk), []).append(deal)
    chains, others = [], []
    for group in groups.values():
        bilateral = any({p.company_id for p in d.deal_parties.all()} == pair for d in group)
        if bilateral:
            chains.append(sorted(group, key=lambda d: (d.announced_on, d.pk)))
        else:
            others += group
    chains.sort(key=lambda chain: (chain[0].announced_on, chain[0].pk))
    return chains, sorted(others, key=lambda d: (d.announced_on, d.pk))


def _direction(clause: Clause, names: dict[int, str]) -> str:
    if clause.mutual:
        return "mutual"
    if clause.grantor_id and clause.beneficiary_id:
        return f"{names.get(clause.grantor_id, '?')} → {names.get(clause.beneficiary_id, '?')}"
    return ""


def _matrix_rows(phases, names) -> dict[tuple, MatrixRow]:
    """One row per clause (kind, subject, grantor, beneficiary) any phase mentions, in clause-kind order."""
    labels = dict(Clause.Kind.choices)
    rows: dict[tuple, MatrixRow] = {}
    for deal in phases:
        for clause in deal.clauses.all():
            if clause.phase_key not in rows:
                rows[clause.phase_key] = MatrixRow(
                    clause.kind,
                    labels.get(clause.kind, clause.kind),
                    clause.subject,
                    _direction(clause, names),
                )
    kind_rank = {kind: i for i, kind in enumerate(Clause.Kind.values)}
    order = sorted(rows, key=lambda key: (kind_rank.get(key[0], 99), key[1], rows[key].direction))
    return {key: rows[key] for key in order}


def _diff_cells(diff: ClauseDiff, mine: dict) -> dict[tuple, MatrixCell]:
    """Cells of a phase compared with the phase before it."""
    states = {clause.phase_key: MatrixCell(clause, "new") for clause in diff.added}
    for change in diff.changed:
        gave_up = "effect" in change.fields and change.after.effect == Clause.Effect.REMOVED
        states[change.after.phase_key] = MatrixCell(
            change.after, "removed" if gave_up else "changed", change.fields
        )
    for clause in diff.unchanged:
        states[clause.phase_key] = MatrixCell(clause, "same")
    for clause in diff.removed:
        key = clause.phase_key
        if key in mine:  # listed in this phase with effect "removed": given up here
            states[key] = MatrixCell(mine[key], "removed")
        elif clause.effect != Clause.Effect.REMOVED:  # given up earlier and still gone: nothing to say
            states[key] = MatrixCell(None, "dropped")
    return states


def _phase_cells(deal: Deal, base: Deal | None) -> tuple[dict, PhaseChange | None]:
    """A phase's cells by clause key, and its change from ``base`` (None without a base)."""
    mine = {}
    for clause in deal.clauses.all():
        mine.setdefault(clause.phase_key, clause)
    change = None
    states = {}
    if base is not None:
        change = PhaseChange(base, deal, clause_diff(base.clauses.all(), deal.clauses.all()))
        states = _diff_cells(change.diff, mine)
    for key, clause in mine.items():
        if key not in states:
            states[key] = MatrixCell(clause, "removed" if clause.effect == Clause.Effect.REMOVED else "new")
    return states, change


def _headers(phases: list[Deal]) -> list[str]:
    days = [deal.announced_on for deal in phases]
    return [
        f"{deal.announced_on:%b %Y}" + (f": {deal.title}" if days.count(deal.announced_on) > 1 else "")
        for deal in phases
    ]


def _ledger_rows(deal_ids: list[int]) -> list[dict]:
    return list(
        LedgerEntry.objects.filter(deal_id__in=deal_ids, unit__in=("USD", "EUR", "GBP", "GW", "chips"))
        .values("deal_id", "grantor__name", "beneficiary__name", "flow", "unit", "certainty", "counted")
        .order_by("deal_id", "clause_id")
    )


def _phase_amounts(phases: list[Deal], rows: list[dict]) -> dict[int, list[PhaseAmount]]:
    """Per phase, what it adds to each flow and the running total of the chain after it."""
    running: dict[tuple, Amounts] = {}
    result: dict[int, list[PhaseAmount]] = {}
    for deal in phases:
        added: dict[tuple, Amounts] = {}
        for row in (r for r in rows if r["deal_id"] == deal.pk):
            key = (row["grantor__name"], row["beneficiary__name"], row["flow"], row["unit"])
            added.setdefault(key, Amounts()).add(row["certainty"], row["counted"])
        lines = []
        for key, amounts in added.items():
            before = running.get(key, Amounts())
            after = Amounts(*(getattr(before, n) + getattr(amounts, n) for n in Certainty.values))
            running[key] = after
            lines.append(PhaseAmount(*key, before=before, added=amounts, after=after))
        result[deal.pk] = lines
    return result


def _chain(phases: list[Deal], names: dict[int, str], amounts: dict[int, list[PhaseAmount]]) -> Chain:
    rows = _matrix_rows(phases, names)
    in_chain = {deal.pk: deal for deal in phases}
    changes = []
    stated: dict[int, Deal | None] = {}  # per phase, the latest phase up to it that stated terms
    for deal in phases:
        before = in_chain.get(deal.predecessor_id)
        base = before if before is None or states_terms(before) else stated.get(before.pk)
        stated[deal.pk] = deal if states_terms(deal) else base
        if states_terms(deal):
            states, change = _phase_cells(deal, base)
        else:  # a statement without terms: nothing it says is a change (see states_terms)
            states, change = _phase_cells(deal, None)
            change = PhaseChange(before, deal, None) if before is not None else None
        if change is not None:
            change.amounts = amounts.get(deal.pk, [])
            changes.append(change)
        for key, row in rows.items():
            cell = states.get(key, MatrixCell(None, "absent"))
            cell.phase = deal
            row.cells.append(cell)
    return Chain(phases, changes, list(rows.values()), _headers(phases))


def _deal_event(deal: Deal, kind: str) -> TimelineEvent:
    value = deal_value(deal)
    return TimelineEvent(
        deal.announced_on, kind, deal.title, deal.get_absolute_url(), deal.announced_precision,
        after=f" {value}" if value else "",
    )  # fmt: skip


def _events(a, b, chains, others) -> list[TimelineEvent]:
    events = [_deal_event(d, "phase") for chain in chains for d in chain]
    events += [_deal_event(d, "deal") for d in others]
    deals = [d for chain in chains for d in chain] + others
    for source in EVENT_SOURCES:
        events += source(a, b, deals)
    return sorted(events, key=lambda e: (e.date, e.kind != "phase", e.title))


def partnership(*, a: Company, b: Company) -> Partnership:
    """The pair's phases (chains), other shared deals and dated events: 5 queries.

    Deals, their parties, their clauses, the chains' ledger rows, the reviews' stages.
    """
    deals = list(
        Deal.objects.public()
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=a)))
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=b)))
        .prefetch_related(
            Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
            clauses_prefetch(),
        )
        .order_by("-announced_on", "-id")[:MAX_DEALS]
    )
    chains, others = _chains(deals, {a.pk, b.pk})
    names = {p.company_id: p.company.name for d in deals for p in d.deal_parties.all()}
    phases = [d for chain in chains for d in chain]
    amounts = _phase_amounts(phases, _ledger_rows([d.pk for d in phases])) if phases else {}
    return Partnership(
        a, b, [_chain(chain, names, amounts) for chain in chains], others, _events(a, b, chains, others)
    )
