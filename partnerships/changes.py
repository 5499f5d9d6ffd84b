"""What changed in a deal's material terms, as data: clauses added, removed and changed (old → new).

Alert events keep the deal's terms as a snapshot (``services.alerts.events.deal_snapshot``) when
they are fanned out; the next change is compared with it. This module turns two snapshots into
the structured change that webhooks, Slack messages and the API's deal history carry. Clauses
pair up the way ``partnerships.diff.clause_diff`` pairs them (kind and subject); a pair counts as
changed when any compared field differs, direction and certainty included. Pure: no database.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from partnerships.diff import clause_diff
from partnerships.formatting import amount, clause_value, decimal_plain

CLAUSE_FIELDS = ("amount", "unit", "qualifier", "effect", "basis", "certainty", "grantor", "beneficiary")
DEAL_FIELDS = (
    ("value_min", "minimum value"),
    ("value_max", "headline value"),
    ("predecessor", "previous phase"),
)
_DEFAULTS = {"subject": "", "effect": "granted", "amount": "", "unit": "", "qualifier": ""}


def _clause(raw: dict) -> SimpleNamespace:
    clause = SimpleNamespace(**{**_DEFAULTS, **{name: "" for name in CLAUSE_FIELDS}, **raw})
    if clause.amount not in ("", None):  # snapshots write 1E+9; people and machines want 1000000000
        clause.amount = decimal_plain(Decimal(str(clause.amount)))
    return clause


def clause_state(clause: SimpleNamespace) -> dict:
    """A snapshot clause as the API and webhooks write it."""
    number = clause.amount if clause.amount not in ("", None) else None
    shown = SimpleNamespace(amount=number, unit=clause.unit, qualifier=clause.qualifier, effect=clause.effect)
    return {
        "kind": clause.kind,
        "subject": clause.subject,
        "effect": clause.effect,
        "amount": number,
        "unit": clause.unit,
        "qualifier": clause.qualifier,
        "value_text": clause_value(shown),
        "basis": clause.basis or "",
        "certainty": clause.certainty or "",
        "grantor": clause.grantor or None,
        "beneficiary": clause.beneficiary or None,
    }


def _text(value) -> str | None:
    return None if value in ("", None) else str(value)


def _deal_changes(before: dict, after: dict) -> list[dict]:
    currency = after.get("currency") or "USD"
    changes = []
    for name, label in DEAL_FIELDS:
        old, new = before.get(name), after.get(name)
        if _text(old) == _text(new):
            continue
        if name.startswith("value_"):
            old = amount(old, currency) if old not in ("", None) else None
            new = amount(new, currency) if new not in ("", None) else None
        changes.append({"field": label, "before": _text(old), "after": _text(new)})
    return changes


def change_set(before: dict | None, after: dict) -> dict:
    """From snapshot ``before`` (None: nothing was known, everything is new) to ``after``."""
    before = before or {}
    old = [_clause(c) for c in before.get("clauses", [])]
    new = [_clause(c) for c in after.get("clauses", [])]
    diff = clause_diff(old, new)
    earlier = {}
    for clause in old:
        earlier.setdefault((clause.kind, clause.subject), clause)
    pairs = [(change.before, change.after) for change in diff.changed]
    pairs += [(earlier[(c.kind, c.subject)], c) for c in diff.unchanged if (c.kind, c.subject) in earlier]
    changed = []
    for prior, later in pairs:
        fields = [
            {"field": name, "before": _text(getattr(prior, name)), "after": _text(getattr(later, name))}
            for name in CLAUSE_FIELDS
            if _text(getattr(prior, name)) != _text(getattr(later, name))
        ]
        if fields:
            changed.append(
                {
                    "kind": later.kind,
                    "subject": later.subject,
                    "changes": fields,
                    "before": clause_state(prior),
                    "after": clause_state(later),
                }
            )
    return {
        "added": [clause_state(c) for c in diff.added],
        "removed": [clause_state(c) for c in diff.removed],
        "changed": changed,
        "deal": _deal_changes(before, after) if before else [],
    }


def is_empty(changes: dict) -> bool:
    return not (changes["added"] or changes["removed"] or changes["changed"] or changes["deal"])
