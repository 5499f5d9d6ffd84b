"""Values the loader works out from a deal's clauses rather than reading them from the file.

The headline value (``Deal.value_min``/``value_max``/``currency``) is what list pages, the
minimum-amount filter and alerts show for a deal; the file records amounts per clause only,
so the headline is derived with the ledger's rules: the largest money flow the deal itself
adds (its new money in one flow kind and currency), or, when it states only running totals,
the largest total. Tranches never add to it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from extraction.vocabulary import MONEY_UNITS, ClauseBasis, ClauseEffect, ClauseQualifier
from partnerships import ledger


def announced_at(day: date) -> datetime:
    """Midnight UTC of the announcement day: a dataset deal's published and last-changed time."""
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _group_qualifier(clauses: list[dict]) -> str:
    qualifiers = {c["qualifier"] for c in clauses}
    if len(clauses) == 1 or len(qualifiers) == 1:
        return clauses[0]["qualifier"]
    if ClauseQualifier.UP_TO in qualifiers:
        return ClauseQualifier.UP_TO
    return ClauseQualifier.APPROXIMATELY


def deal_headline(deal: dict) -> dict:
    """``value_min``, ``value_max`` and ``currency`` for a validated dataset deal."""
    roles = {p["company"]: p["role"] for p in deal["parties"]}
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for clause in deal["clauses"]:
        if clause["amount"] is None or clause["unit"] not in MONEY_UNITS or clause["part_of"] is not None:
            continue
        if clause["effect"] != ClauseEffect.GRANTED:
            continue
        flow = ledger.flow_kind(clause["kind"], clause["unit"], roles.get(clause["grantor"], ""))
        groups[flow, clause["unit"]].append(clause)
    best: tuple[Decimal, str, str] | None = None
    for (_flow, currency), clauses in sorted(groups.items()):
        new = [c for c in clauses if c["basis"] != ClauseBasis.TOTAL]
        if new:
            value, qualifier = sum((c["amount"] for c in new), Decimal(0)), _group_qualifier(new)
        else:
            top = max(clauses, key=lambda c: c["amount"])
            value, qualifier = top["amount"], top["qualifier"]
        if best is None or value > best[0]:
            best = (value, currency, qualifier)
    if best is None:
        return {"value_min": None, "value_max": None, "currency": "USD"}
    value, currency, qualifier = best
    if qualifier == ClauseQualifier.UP_TO:
        return {"value_min": None, "value_max": value, "currency": currency}
    if qualifier in (ClauseQualifier.AT_LEAST, ClauseQualifier.MORE_THAN):
        return {"value_min": value, "value_max": None, "currency": currency}
    return {"value_min": value, "value_max": value, "currency": currency}
