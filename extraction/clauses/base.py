"""What a clause is, and the reading of one sentence that every clause family shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extraction.vocabulary import ClauseBasis, ClauseEffect


@dataclass(frozen=True)
class ExtractedClause:
    """One term of a deal, read from one sentence (its ``quote``).

    Direction is read once the parties are known (``extraction.direction``): ``grantor`` gives,
    pays, supplies or grants, ``beneficiary`` receives; both are party names or None when the
    text names no one on that side; ``mutual`` marks a two-sided term (a research
    collaboration), whose sides are then nominal. ``basis`` says whether an amount is new in
    this deal (``incremental``) or a position after it (``total``); ``part_of`` is the index, in
    the same extraction's clauses, of the clause this one is a tranche of.
    """

    kind: str
    quote: str
    amount: Decimal | None = None
    unit: str = ""
    qualifier: str = ""
    subject: str = ""
    effect: str = ClauseEffect.GRANTED
    confidence: float = 0.7
    grantor: str | None = None
    beneficiary: str | None = None
    mutual: bool = False
    basis: str = ClauseBasis.UNKNOWN
    part_of: int | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "amount": _plain(self.amount),
            "unit": self.unit or None,
            "qualifier": self.qualifier,
            "subject": self.subject,
            "effect": self.effect,
            "quote": self.quote,
            "grantor": self.grantor,
            "beneficiary": self.beneficiary,
            "mutual": self.mutual,
            "basis": self.basis or None,
            "part_of": self.part_of,
        }


def _plain(amount: Decimal | None):
    if amount is None:
        return None
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


REMOVED = re.compile(
    r"\b(?:no\s+longer|will\s+not\s+have|won['’]t\s+have|lose[sd]?|losing|removed?|removes|eliminat\w+|"
    r"ends?|ended|expire[sd]?|terminat\w+|relinquish\w*|gives?\s+up|waive[sd]?|drop(?:s|ped)?)\b",
    re.I,
)
REVENUE_SHARE = re.compile(
    r"\brevenue[- ]shar\w+|\bshare\s+(?:of\s+)?(?:the\s+)?revenue|\brevenue\s+split\b", re.I
)
# Cheap substring gates: most sentences state no clause, and skipping their regexes keeps
# the extractor above 100 announcements a second.
CHIP_TRIGGERS = (
    "tpu",
    "gpu",
    "chip",
    "accelerator",
    "trainium",
    "h100",
    "h200",
    "b200",
    "gb200",
    "gb300",
    "mi3",
    "mi4",
)


@dataclass(frozen=True)
class Sentence:
    """One sentence as every clause family reads it: its text, lower-cased copy and quote."""

    text: str
    low: str
    quote: str
    # A right or a revenue share that this sentence takes away ("no longer has a ROFR").
    removed: bool

    @classmethod
    def read(cls, sentence: str) -> Sentence:
        low = sentence.lower()
        removed = ("refusal" in low or "rofr" in low or "revenue" in low) and bool(REMOVED.search(sentence))
        return cls(text=sentence, low=low, quote=sentence.strip()[:600], removed=removed)
