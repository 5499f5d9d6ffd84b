"""Deal changes worth an alert: first publication, material changes and competition authorities'
decisions, recorded as outbox rows.

The curation services call these inside their own transaction, right after the write that
caused the event (``deal_publish``, ``deal_update``, ``deal_review_clauses``, ``deal_merge``,
``deal_link_phase``, and ``regulatory_case_ingest`` for a decision), so the event row commits
or rolls back with the change. The fan-out task
is enqueued only after commit; with the broker down the write still succeeds and the event
row waits for the reaper (see ``docs/operations.md``).
"""

import hashlib
import json
from decimal import Decimal

from django.db import transaction

from partnerships import tasks
from partnerships.models import AlertEvent, Clause, Deal

PUBLISHED = "published"


def alert_event_record(*, deal_id: int, event: str) -> tuple[AlertEvent, bool]:
    """Write the outbox row for an event (once per deal and key) and fan it out after commit.

    Returns the row and whether it is new. Re-running the fan-out of an existing event is
    harmless (deliveries are unique), so it is enqueued either way.
    """
    kind = AlertEvent.Kind.PUBLISHED if event == PUBLISHED else AlertEvent.Kind.CHANGED
    alert_event, created = AlertEvent.objects.get_or_create(
        deal_id=deal_id, key=event, defaults={"kind": kind}
    )
    # robust: with the broker down the curator's write still succeeds (no 500); the row above
    # is the outbox, and the reaper fans it out once the broker is back.
    transaction.on_commit(lambda: tasks.alert_fan_out_task.delay(deal_id=deal_id, event=event), robust=True)
    return alert_event, created


def deal_publication_record(*, deal_id: int) -> None:
    """A deal was just published: alert its subscribers once, however often it is published.

    Published again after a retraction, the deal keeps its first "published" event; if its
    terms moved meanwhile, subscribers hear about that as a change.
    """
    _event, created = alert_event_record(deal_id=deal_id, event=PUBLISHED)
    if not created:
        deal_detect_change(deal_id=deal_id)


def _norm(value):
    if value is None or value == "":
        return ""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    return str(value)


def deal_snapshot(deal: Deal) -> dict:
    """The terms whose change is worth an email: phase link, headline value and clauses."""
    clauses = sorted(
        (
            {
                "kind": c.kind,
                "subject": (c.subject or "").strip().lower(),
                "effect": c.effect,
                "amount": _norm(c.amount),
                "unit": c.unit,
                "qualifier": c.qualifier,
            }
            for c in Clause.objects.filter(deal=deal)
        ),
        key=lambda c: json.dumps(c, sort_keys=True),
    )
    return {
        "predecessor": deal.predecessor_id,
        "value_min": _norm(deal.value_min),
        "value_max": _norm(deal.value_max),
        "currency": deal.currency or "",
        "clauses": clauses,
    }


def deal_terms(*, deal_id: int | None) -> dict | None:
    """A published deal's material terms as stored now (None for any other deal).

    Read from the database, not from an instance a form has already edited: callers take
    this before they write and hand it to ``deal_detect_change`` afterwards.
    """
    deal = Deal.objects.filter(pk=deal_id, status=Deal.Status.PUBLISHED).first() if deal_id else None
    return deal_snapshot(deal) if deal is not None else None


def terms_fingerprint(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()


def _last_alerted(deal: Deal) -> AlertEvent | None:
    return (
        AlertEvent.objects.filter(deal=deal, kind__in=AlertEvent.TERMS_KINDS)
        .exclude(fingerprint="")
        .order_by("-created_at", "-id")
        .first()
    )


def deal_detect_change(*, deal_id: int, before: dict | None = None) -> AlertEvent | None:
    """Record a "changed" event when a published deal's material terms differ from the last alert.

    ``before`` is what ``deal_terms`` read at the start of the write: a write that left the
    terms as they were records nothing. The new terms are compared with what the last alert
    told (its snapshot), so the same change noticed twice is one event. A deal whose
    publication was never alerted (loaded from the dataset, say) is compared with ``before``.
    """
    deal = Deal.objects.filter(pk=deal_id, status=Deal.Status.PUBLISHED).first()
    if deal is None:
        return None
    snapshot = deal_snapshot(deal)
    if before is not None and snapshot == before:
        return None
    last = _last_alerted(deal)
    if last is None:
        if before is None or AlertEvent.objects.filter(deal=deal, kind__in=AlertEvent.TERMS_KINDS).exists():
            return None  # the publish fan-out has not snapshotted yet; it will see these terms
        previous = before
    else:
        previous = last.snapshot
    fingerprint = terms_fingerprint(snapshot)
    if last is not None and fingerprint == last.fingerprint:
        return None
    with transaction.atomic():
        event, created = AlertEvent.objects.get_or_create(
            deal=deal,
            key=f"changed-{fingerprint[:24]}",
            defaults={
                "kind": AlertEvent.Kind.CHANGED,
                "snapshot": snapshot,
                "fingerprint": fingerprint,
                "previous_snapshot": previous,
            },
        )
        if created:
            alert_event_record(deal_id=deal.pk, event=event.key)
    return event if created else None


def review_snapshot(review) -> dict:
    """What a regulatory-decision alert tells: the review's decision as stored."""
    events = sorted(
        (
            {"stage": e.stage, "on": e.on.isoformat(), "note": e.note}
            for e in review.events.all()
            if e.is_decision
        ),
        key=lambda e: (e["on"], e["stage"]),
    )
    return {
        "authority": review.get_authority_display(),
        "case": review.case,
        "outcome": review.outcome,
        "decided_on": review.decided_on.isoformat() if review.decided_on else "",
        "decision_url": review.decision_url,
        "url": review.link,
        "events": events,
    }


def regulatory_decision_record(*, review) -> list[AlertEvent]:
    """A competition authority decided: one ``regulatory.decision`` event per published deal it concerns.

    Keyed by the review and a fingerprint of the decision, so the same decision read twice is
    one event per deal; a later, different decision (phase 2 after phase 1) is a new one. The
    fingerprint is stored, so the fan-out keeps this event's snapshot (the review's decision)
    instead of taking the deal's terms.
    """
    snapshot = review_snapshot(review)
    fingerprint = terms_fingerprint(snapshot)
    key = f"regulatory-{review.pk}-{fingerprint[:16]}"
    recorded = []
    for deal_id in review.deals.filter(status=Deal.Status.PUBLISHED).values_list("pk", flat=True):
        event, created = AlertEvent.objects.get_or_create(
            deal_id=deal_id,
            key=key,
            defaults={
                "kind": AlertEvent.Kind.REGULATORY_DECISION,
                "review": review,
                "snapshot": snapshot,
                "fingerprint": fingerprint,
            },
        )
        if created:
            transaction.on_commit(
                lambda deal_id=deal_id: tasks.alert_fan_out_task.delay(deal_id=deal_id, event=key),
                robust=True,
            )
            recorded.append(event)
    return recorded
