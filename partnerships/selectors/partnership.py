"""The partnership page: every phase two companies share, and a clause-by-phase matrix."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch

from partnerships.diff import ClauseDiff, clause_diff
from partnerships.models import Clause, Company, Deal, DealParty
from partnerships.selectors.common import clauses_prefetch
from partnerships.selectors.deals import PhaseChange
from partnerships.selectors.regulatory import ChainEvent, chain_events, phase_chain

MAX_PHASES = 24


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
    cells: list = field(default_factory=list)

    @property
    def story(self) -> list:
        """The cells where something is said about this clause, in phase order."""
        return [cell for cell in self.cells if cell.state != "absent"]


@dataclass
class Partnership:
    a: Company
    b: Company
    phases: list
    changes: list  # PhaseChange for each phase with a public predecessor in the list
    rows: list
    # Dated events of the chain, oldest first: the phases and the stages of their regulatory
    # reviews (``ChainEvent``), for the phase line.
    timeline: list[ChainEvent] = field(default_factory=list)


def _base_for(deal, index, phases):
    """The phase a deal is compared with: its predecessor when on the page, else none."""
    by_pk = {p.pk: p for p in phases[:index]}
    return by_pk.get(deal.predecessor_id)


def _matrix_rows(phases) -> dict[tuple[str, str], MatrixRow]:
    """One row per clause (kind, subject) any phase mentions, in clause-kind order."""
    labels = dict(Clause.Kind.choices)
    rows: dict[tuple[str, str], MatrixRow] = {}
    for deal in phases:
        for clause in deal.clauses.all():
            if clause.diff_key not in rows:
                rows[clause.diff_key] = MatrixRow(
                    clause.kind, labels.get(clause.kind, clause.kind), clause.subject
                )
    kind_rank = {kind: i for i, kind in enumerate(Clause.Kind.values)}
    order = sorted(rows, key=lambda key: (kind_rank.get(key[0], 99), key[1]))
    return {key: rows[key] for key in order}


def _diff_cells(diff: ClauseDiff, mine: dict) -> dict[tuple[str, str], MatrixCell]:
    """Cells of a phase compared with the phase before it."""
    states = {clause.diff_key: MatrixCell(clause, "new") for clause in diff.added}
    for change in diff.changed:
        gave_up = "effect" in change.fields and change.after.effect == Clause.Effect.REMOVED
        states[change.after.diff_key] = MatrixCell(
            change.after, "removed" if gave_up else "changed", change.fields
        )
    for clause in diff.unchanged:
        states[clause.diff_key] = MatrixCell(clause, "same")
    for clause in diff.removed:
        key = clause.diff_key
        if key in mine:  # listed in this phase with effect "removed"
            states[key] = MatrixCell(mine[key], "removed")
        elif clause.effect != Clause.Effect.REMOVED:  # given up earlier and still gone: nothing to say
            states[key] = MatrixCell(None, "dropped")
    return states


def _phase_cells(deal: Deal, base: Deal | None) -> tuple[dict, PhaseChange | None]:
    """A phase's cells by clause key, and its change from ``base`` (None without a base)."""
    mine = {}
    for clause in deal.clauses.all():
        mine.setdefault(clause.diff_key, clause)
    change = None
    states = {}
    if base is not None:
        change = PhaseChange(base, deal, clause_diff(base.clauses.all(), deal.clauses.all()))
        states = _diff_cells(change.diff, mine)
    for key, clause in mine.items():
        if key not in states:
            states[key] = MatrixCell(clause, "removed" if clause.effect == Clause.Effect.REMOVED else "new")
    return states, change


def partnership(*, a: Company, b: Company) -> Partnership:
    """All public deals both companies are party to, oldest first, with a clause matrix and the
    dated regulatory events of the chain: 4 queries."""
    phases = list(
        Deal.objects.public()
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=a)))
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=b)))
        .prefetch_related(
            Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
            clauses_prefetch(),
        )
        .order_by("-announced_on", "-id")[:MAX_PHASES]
    )
    phases.reverse()
    rows = _matrix_rows(phases)
    changes = []
    for index, deal in enumerate(phases):
        states, change = _phase_cells(deal, _base_for(deal, index, phases))
        if change is not None:
            changes.append(change)
        for key, row in rows.items():
            cell = states.get(key, MatrixCell(None, "absent"))
            cell.phase = deal
            row.cells.append(cell)
    timeline = phase_chain(phases, chain_events(deal_ids=[deal.pk for deal in phases]))
    return Partnership(a, b, phases, changes, list(rows.values()), timeline)
