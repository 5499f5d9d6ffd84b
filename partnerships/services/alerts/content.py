"""What an alert or digest says about a deal, computed in Python before any template runs."""

from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings

from partnerships.diff import clause_diff
from partnerships.emails import one_line
from partnerships.models import AlertEvent, Clause, Deal, DealParty
from partnerships.services.alerts.links import deal_url

_SCALE = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K"))
_SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def format_amount(value, unit: str = "USD", qualifier: str = "") -> str:
    """Short human figure: "$4B", "up to €1.5B", "1.2 GW", "49 %"."""
    if value is None:
        return ""
    value = Decimal(value)
    prefix = {"up_to": "up to ", "at_least": "at least ", "approximately": "about "}.get(qualifier or "", "")
    if unit in _SYMBOL or unit in {"", None}:
        symbol = _SYMBOL.get(unit or "USD", "")
        for size, suffix in _SCALE:
            if value >= size:
                return f"{prefix}{symbol}{_trim(value / size)}{suffix}"
        return f"{prefix}{symbol}{_trim(value)}"
    labels = {"years": "years", "shares": "shares", "chips": "chips"}
    if unit == "until_year":
        return f"{prefix}through {int(value)}"
    if unit == "percent":
        return f"{prefix}{_trim(value)}%"
    return f"{prefix}{_trim(value)} {labels.get(unit, unit)}"


def _trim(value: Decimal) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def _clause_line(clause) -> str:
    label = dict(Clause.Kind.choices).get(clause.kind, clause.kind)
    parts = [str(label)]
    if getattr(clause, "subject", ""):
        parts.append(f"({clause.subject})")
    if getattr(clause, "amount", None) not in (None, ""):
        parts.append(format_amount(clause.amount, clause.unit, clause.qualifier))
    if getattr(clause, "effect", "granted") == Clause.Effect.REMOVED:
        parts.append("— removed")
    return " ".join(parts)


def _diff_lines(diff) -> list[str]:
    lines = [f"New: {_clause_line(c)}" for c in diff.added]
    lines += [f"Removed: {_clause_line(c)}" for c in diff.removed]
    for change in diff.changed:
        lines.append(f"Changed: {_clause_line(change.before)} → {_clause_line(change.after)}")
    return lines


def deal_email_context(deal: Deal) -> dict:
    """Everything an alert or digest shows about one deal, computed once in Python."""
    parties = list(DealParty.objects.filter(deal=deal).select_related("company").order_by("id"))
    clauses = list(Clause.objects.filter(deal=deal).order_by("position", "id"))
    phase_changes = []
    predecessor = None
    if deal.predecessor_id:
        predecessor = Deal.objects.filter(pk=deal.predecessor_id).first()
        if predecessor is not None:
            phase_changes = _diff_lines(clause_diff(list(Clause.objects.filter(deal=predecessor)), clauses))
    return {
        "deal": deal,
        "title": one_line(deal.title, limit=300),
        "parties": [f"{p.company.name} ({p.get_role_display().lower()})" for p in parties],
        "kind": deal.get_kind_display(),
        "headline_value": format_amount(deal.headline_value, deal.currency or "USD", deal.headline_qualifier),
        "key_clauses": [_clause_line(c) for c in clauses[:8]],
        "predecessor": predecessor,
        "phase_changes": phase_changes,
        "deal_url": deal_url(deal),
        "site_url": settings.SITE_URL,
    }


def event_changes(alert_event: AlertEvent | None) -> list[str]:
    """What changed since the previous alert about this deal, from the two snapshots."""
    if alert_event is None or not alert_event.snapshot or not alert_event.previous_snapshot:
        return []
    before, after = alert_event.previous_snapshot, alert_event.snapshot
    lines = []
    if before.get("predecessor") != after.get("predecessor") and after.get("predecessor"):
        lines.append("Linked as a new phase of an earlier deal")
    for name, label in (("value_min", "Minimum value"), ("value_max", "Headline value")):
        if before.get(name) != after.get(name):
            old = format_amount(before[name], after.get("currency") or "USD") if before.get(name) else "none"
            new = format_amount(after[name], after.get("currency") or "USD") if after.get(name) else "none"
            lines.append(f"{label}: {old} → {new}")

    def clauses(snapshot):
        return [SimpleNamespace(**c) for c in snapshot.get("clauses", [])]

    lines += _diff_lines(clause_diff(clauses(before), clauses(after)))
    return lines or ["The deal's terms were revised"]
