"""What an alert or digest says about a deal, computed in Python before any template runs."""

from types import SimpleNamespace

from django.conf import settings

from partnerships.diff import clause_diff
from partnerships.emails import one_line
from partnerships.formatting import amount, qualified_amount
from partnerships.models import AlertEvent, Clause, Deal, DealParty
from partnerships.models.deals import headline_certainty
from partnerships.services.alerts.links import deal_url


def _clause_line(clause) -> str:
    label = dict(Clause.Kind.choices).get(clause.kind, clause.kind)
    parts = [str(label)]
    if getattr(clause, "subject", ""):
        parts.append(f"({clause.subject})")
    if getattr(clause, "amount", None) not in (None, ""):
        parts.append(qualified_amount(clause.amount, clause.unit, clause.qualifier))
        if getattr(clause, "certainty", ""):
            parts.append(f"({clause.certainty})")  # a reported figure never reads as a confirmed one
    if getattr(clause, "effect", "granted") == Clause.Effect.REMOVED:
        parts.append("— removed")
    return " ".join(parts)


def _diff_lines(diff) -> list[str]:
    lines = [f"New: {_clause_line(c)}" for c in diff.added]
    lines += [f"Removed: {_clause_line(c)}" for c in diff.removed]
    for change in diff.changed:
        lines.append(f"Changed: {_clause_line(change.before)} → {_clause_line(change.after)}")
    return lines


def _headline(deal: Deal, clauses) -> str:
    """The headline value with the deal's certainty: "$1B (confirmed)", or "" when undisclosed."""
    value = qualified_amount(deal.headline_value, deal.currency or "USD", deal.headline_qualifier)
    return f"{value} ({headline_certainty(clauses)})" if value else ""


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
        "headline_value": _headline(deal, clauses),
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
            old = amount(before[name], after.get("currency") or "USD") if before.get(name) else "none"
            new = amount(after[name], after.get("currency") or "USD") if after.get(name) else "none"
            lines.append(f"{label}: {old} → {new}")

    def clauses(snapshot):
        return [SimpleNamespace(**c) for c in snapshot.get("clauses", [])]

    lines += _diff_lines(clause_diff(clauses(before), clauses(after)))
    return lines or ["The deal's terms were revised"]


def regulatory_lines(alert_event: AlertEvent | None) -> list[str]:
    """What a ``regulatory.decision`` alert says about the decision, from the event's snapshot."""
    if alert_event is None or alert_event.kind != AlertEvent.Kind.REGULATORY_DECISION:
        return []
    facts = alert_event.snapshot or {}
    lines = [f"{facts.get('authority', '')}: {facts.get('case', '')}".strip(": ")]
    if facts.get("outcome"):
        lines.append(f"Outcome: {facts['outcome']}")
    if facts.get("decided_on"):
        lines.append(f"Decided on {facts['decided_on']}")
    for event in facts.get("events", []):
        lines.append(f"{event['on']}: {event['note'] or event['stage'].replace('_', ' ')}")
    if facts.get("decision_url"):
        lines.append(f"Decision document: {facts['decision_url']}")
    elif facts.get("url"):
        lines.append(f"Case page: {facts['url']}")
    return lines
