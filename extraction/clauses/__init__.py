"""Clauses: each term of a deal, read from one sentence that is kept as its quote.

A sentence can state several terms ("$10 billion and 1 gigawatt"), so every clause family
reads it in turn, in a fixed order: the families that read figures (``amounts``) come
first, because some later ones only count when no figure was found (a chip named without
a count, a vague "billions"). Kinds, units and qualifiers come from
``extraction.vocabulary``, so the curation side can store them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from extraction.clauses import amounts, regulatory, rights
from extraction.clauses.base import ExtractedClause, Sentence
from extraction.figures import MULTI_YEAR, UNTIL_YEAR, YEARS, number
from extraction.vocabulary import ClauseKind, ClauseUnit

__all__ = ["ExtractedClause", "sentence_clauses", "term_clauses"]

Family = Callable[[Sentence, list[ExtractedClause]], list[ExtractedClause]]
FAMILIES: tuple[Family, ...] = (
    amounts.money,
    amounts.vague_money,
    amounts.named_investors,
    amounts.compute_commitment,
    amounts.power,
    amounts.chip_counts,
    amounts.equity_stake,
    amounts.warrant,
    rights.right_of_first_refusal,
    rights.exclusivity,
    rights.agi_clause,
    rights.preferred_provider,
    rights.model_distribution,
    rights.chip_use,
    rights.research_collaboration,
    rights.revenue_share,
    rights.ip_license,
    rights.board_rights,
    regulatory.product_integration,
    regulatory.talent,
    regulatory.discounted_compute,
    regulatory.cloud_spend_back,
    regulatory.convertible_note,
    regulatory.non_voting,
    regulatory.board_observer,
    regulatory.consultation_rights,
    regulatory.chip_codesign,
    regulatory.model_release_parity,
)
_NOT_A_TERM = re.compile(r"-year-old|\byears?\s+(?:ago|old)\b")


def sentence_clauses(sentence: str) -> list[ExtractedClause]:
    """Every clause one sentence states, family by family."""
    read = Sentence.read(sentence)
    found: list[ExtractedClause] = []
    for family in FAMILIES:
        found.extend(family(read, found))
    return found


def term_clauses(sentence: str) -> list[ExtractedClause]:
    """Duration and end year of an agreement, only in sentences about the agreement itself."""
    quote = sentence.strip()[:600]
    found = []
    until = UNTIL_YEAR.search(sentence)
    if until:
        year = Decimal(until.group("year") or until.group("year2"))
        found.append(ExtractedClause(ClauseKind.TERM, quote, year, ClauseUnit.UNTIL_YEAR, confidence=0.7))
    match = YEARS.search(sentence)
    if match:
        years = number(match.group("num") or match.group("num2"))
        if 1 <= years <= 30 and not _NOT_A_TERM.search(sentence[match.start() : match.end() + 8]):
            found.append(ExtractedClause(ClauseKind.TERM, quote, years, ClauseUnit.YEARS, confidence=0.7))
    if not found and MULTI_YEAR.search(sentence):
        found.append(ExtractedClause(ClauseKind.TERM, quote, confidence=0.6))
    return found
