"""Basis and tranches: whether an amount is new in this deal or a total, and which amount it is part of.

"Another $4 billion, bringing its total investment to $8 billion": $4B is ``incremental``, $8B
is ``total``. "6 gigawatts, starting with an initial 1 gigawatt in 2026": the 1 GW clause is a
tranche (``part_of``) of the 6 GW clause, so a total never counts it twice. An equity stake
("holds a 27 percent stake") and an end year ("through 2030") state a position: ``total``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from extraction.clauses import ExtractedClause
from extraction.figures import MONEY, PERCENT, POWER, money_values, number
from extraction.vocabulary import MONEY_UNITS, POWER_UNITS, ClauseBasis, ClauseKind, ClauseUnit

K = ClauseKind
_TOTAL_BEFORE = re.compile(
    r"\b(?:total(?:ing|ling)?|totals?\s+(?:of|to)|in\s+total|bring(?:s|ing)?\s+(?:\w+\s+){0,4}to|cumulative\w*|"
    r"overall|altogether|aggregate|combined|holds?|owns?|up\s+from)\s+(?:\w+\s+){0,3}$",
    re.I,
)
_TOTAL_AFTER = re.compile(r"^\s*(?:in\s+total|total|overall|altogether|in\s+aggregate|combined)\b", re.I)
_NEW_BEFORE = re.compile(
    r"\b(?:another|additional|further|an\s+extra|new|incremental)\s+(?:\w+\s+){0,2}$", re.I
)
_TRANCHE_BEFORE = re.compile(
    r"\b(?:initial(?:ly)?|first|starting\s+with|beginning\s+with|begin\s+with|of\s+which|including|"
    r"first\s+phase\s+of|to\s+start|phase\s+one\s+of)\s+(?:\w+\s+){0,3}$",
    re.I,
)
_TRANCHE_AFTER = re.compile(
    r"^\s*(?:[\w-]+\s+){0,6}?(?:initially|to\s+start|in\s+the\s+first\s+phase)\b", re.I
)
_CAPACITY_KINDS = frozenset({K.COMPUTE_COMMITMENT, K.CHIPS_SUPPLY})
_FLOW_KINDS = frozenset({K.INVESTMENT, K.CONVERTIBLE_NOTE, K.COMPUTE_COMMITMENT, K.CHIPS_SUPPLY, K.OTHER})


def _figure_at(clause: ExtractedClause) -> tuple[int, int] | None:
    """Where the clause's own figure is written in its quote."""
    if clause.amount is None:
        return None
    if clause.unit in MONEY_UNITS:
        for match, amount, unit, _ in money_values(clause.quote):
            if amount == clause.amount and unit == clause.unit:
                return match.start(), match.end()
        return None
    pattern = {ClauseUnit.GW: POWER, ClauseUnit.MW: POWER, ClauseUnit.PERCENT: PERCENT}.get(clause.unit)
    for match in pattern.finditer(clause.quote) if pattern else ():
        try:
            if number(match.group("num")) == clause.amount:
                return match.start(), match.end()
        except (ArithmeticError, ValueError):
            continue
    return None


def _context(clause: ExtractedClause) -> tuple[str, str]:
    at = _figure_at(clause)
    if at is None:
        return clause.quote, ""
    start, end = at
    # The qualifier group of the figure patterns may have eaten the words just before the figure.
    match = MONEY.match(clause.quote, start) if clause.unit in MONEY_UNITS else None
    before = clause.quote[max(0, start - 80) : start]
    if match and match.group("qual"):
        before += match.group("qual")
    return before + " ", clause.quote[end : end + 60]


def basis_of(clause: ExtractedClause) -> str:
    """``total`` for a position after the deal, ``incremental`` for an amount new in it."""
    if clause.amount is None:
        return ClauseBasis.UNKNOWN
    if clause.unit == ClauseUnit.UNTIL_YEAR:
        return ClauseBasis.TOTAL
    before, after = _context(clause)
    if _NEW_BEFORE.search(before):
        return ClauseBasis.INCREMENTAL
    if _TOTAL_BEFORE.search(before) or _TOTAL_AFTER.search(after):
        return ClauseBasis.TOTAL
    if clause.kind == K.EQUITY_STAKE and clause.unit == ClauseUnit.PERCENT:
        return ClauseBasis.TOTAL
    return ClauseBasis.INCREMENTAL


def _is_tranche(clause: ExtractedClause) -> bool:
    before, after = _context(clause)
    return bool(_TRANCHE_BEFORE.search(before) or _TRANCHE_AFTER.search(after))


def _same_family(unit: str, other: ExtractedClause) -> bool:
    if unit in POWER_UNITS:
        return other.unit in POWER_UNITS
    return other.unit == unit


def _in_unit(amount: Decimal, unit: str) -> Decimal:
    return amount * 1000 if unit == ClauseUnit.GW else amount


def _whole_of(index: int, clauses: list[ExtractedClause]) -> int | None:
    """The larger clause of the same unit and flow that a tranche belongs to, if the deal states one."""
    part = clauses[index]
    if part.kind not in _FLOW_KINDS or part.amount is None:
        return None
    size = _in_unit(part.amount, part.unit)
    wholes = [
        (i, c)
        for i, c in enumerate(clauses)
        if i != index
        and c.amount is not None
        and c.kind in _FLOW_KINDS
        and _same_family(part.unit, c)
        and _in_unit(c.amount, c.unit) > size
    ]
    same_kind = [pair for pair in wholes if pair[1].kind == part.kind]
    chosen = same_kind or wholes
    return min(chosen, key=lambda pair: _in_unit(pair[1].amount, pair[1].unit))[0] if chosen else None


def with_basis_and_tranches(clauses: list[ExtractedClause]) -> list[ExtractedClause]:
    """Every clause with its basis; a tranche ("an initial 1 GW") pointing at the amount it is part of."""
    clauses = [replace(c, basis=basis_of(c)) for c in clauses]
    out = []
    for index, clause in enumerate(clauses):
        whole = _whole_of(index, clauses) if clause.amount is not None and _is_tranche(clause) else None
        if whole is None:
            out.append(clause)
            continue
        # "6 GW of GPUs, beginning with 1 GW": the tranche is of the same kind as its whole.
        kind = clauses[whole].kind if {clause.kind, clauses[whole].kind} <= _CAPACITY_KINDS else clause.kind
        out.append(replace(clause, part_of=whole, kind=kind))
    return out
