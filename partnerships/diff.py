"""What changed between two phases of a partnership, clause by clause.

One function used by the deal and partnership pages, alert emails, extraction's phase
linking and the curation admin, so every place tells the same story.
"""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ClauseChange:
    kind: str
    subject: str
    before: object  # the earlier phase's clause
    after: object  # the later phase's clause
    fields: tuple[str, ...]  # which of amount/unit/qualifier/basis/effect changed


@dataclass
class ClauseDiff:
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list[ClauseChange] = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


_COMPARED = ("amount", "unit", "qualifier", "basis", "effect")


def _key(clause, directional: bool = True) -> tuple:
    """Clauses of two phases pair up on kind, subject, grantor and beneficiary.

    "OpenAI shares revenue with Microsoft" and "Microsoft shares revenue with OpenAI" are
    two terms, not one that changed direction.
    """
    base = (clause.kind, (clause.subject or "").strip().lower())
    if not directional:
        return base
    return (*base, getattr(clause, "grantor_id", None), getattr(clause, "beneficiary_id", None))


def clause_diff(before, after, *, directional: bool = True) -> ClauseDiff:
    """Compare two phases' clauses (any objects with kind, subject, amount, unit, qualifier, effect).

    Clauses pair up on (kind, subject, grantor, beneficiary). A clause whose ``effect`` is
    "removed" (a right of first refusal given up) in the later phase counts as a change of
    the earlier one, or as a removal when the earlier phase did not list it; a clause the
    earlier phase had already given up and the later one leaves out is no news, so a right
    is given up in one phase only. ``directional=False`` pairs on kind and subject alone
    (a merge telling duplicates of one deal).
    """
    diff = ClauseDiff()
    old = {}
    for clause in before:
        old.setdefault(_key(clause, directional), clause)
    seen = set()
    for clause in after:
        key = _key(clause, directional)
        if key in seen:
            continue
        seen.add(key)
        prior = old.get(key)
        if prior is None:
            (diff.removed if getattr(clause, "effect", "granted") == "removed" else diff.added).append(clause)
            continue
        changed = tuple(
            name
            for name in _COMPARED
            if _norm(getattr(prior, name, None)) != _norm(getattr(clause, name, None))
        )
        if changed:
            diff.changed.append(ClauseChange(clause.kind, key[1], prior, clause, changed))
        else:
            diff.unchanged.append(clause)
    # A right the earlier phase already gave up is not given up again by leaving it out.
    diff.removed.extend(
        clause
        for key, clause in old.items()
        if key not in seen and getattr(clause, "effect", "") != "removed"
    )
    return diff


def _norm(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return value.normalize()
    return value
