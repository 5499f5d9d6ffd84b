"""Deal changes worth an alert: first publication and material changes, recorded as outbox rows."""

import hashlib
import json
import logging
from decimal import Decimal

from django.db import transaction

from partnerships.models import AlertEvent, Clause, Deal

logger = logging.getLogger(__name__)

PUBLISHED = "published"


def deal_event_notify(*, deal_id: int, event: str) -> None:
    """Record an alert-worthy event for a deal and fan it out once the transaction commits."""
    from partnerships import tasks

    kind = AlertEvent.Kind.PUBLISHED if event == PUBLISHED else AlertEvent.Kind.CHANGED
    AlertEvent.objects.get_or_create(deal_id=deal_id, key=event, defaults={"kind": kind})
    # robust: with the broker down the publish still succeeds (no 500 for the curator); the
    # event row above is the outbox, and the reaper fans it out once the broker is back.
    transaction.on_commit(lambda: tasks.fan_out_deal_event.delay(deal_id=deal_id, event=event), robust=True)


def deal_saved(*, deal: Deal, previous: dict | None) -> None:
    """post_save hook: ``previous`` is the row as it was in the database before this save."""
    if deal.status != Deal.Status.PUBLISHED:
        return
    if previous is None or previous["status"] != Deal.Status.PUBLISHED:
        deal_event_notify(deal_id=deal.pk, event=PUBLISHED)
        return
    material = ("predecessor_id", "value_min", "value_max", "currency")
    if any(_norm(previous.get(name)) != _norm(getattr(deal, name)) for name in material):
        _schedule_change_check(deal.pk)


def deal_terms_touched(*, deal_id: int) -> None:
    """A clause was saved or deleted: a published deal may have changed materially."""
    if Deal.objects.filter(pk=deal_id, status=Deal.Status.PUBLISHED).exists():
        _schedule_change_check(deal_id)


def _schedule_change_check(deal_id: int) -> None:
    transaction.on_commit(lambda: _queue_or_run_change_check(deal_id))


def _queue_or_run_change_check(deal_id: int) -> None:
    """Queue the check; with the broker down, run it here (a few queries) so a material change
    is never lost and the curator's save does not fail. Any event it records waits in the
    outbox for the reaper. (tests/faults/test_broker_down_publish.py)"""
    from kombu.exceptions import OperationalError

    from partnerships import tasks

    try:
        tasks.check_deal_changes.delay(deal_id=deal_id)
    except OperationalError as exc:
        logger.warning("alerts: broker unavailable (%s); checking deal %s for changes in-process", exc, deal_id)
        tasks.check_deal_changes.apply(kwargs={"deal_id": deal_id})


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


def terms_fingerprint(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()


def deal_detect_change(*, deal_id: int) -> AlertEvent | None:
    """Create a "changed" event when a published deal's material terms differ from the last alert."""
    deal = Deal.objects.filter(pk=deal_id, status=Deal.Status.PUBLISHED).first()
    if deal is None:
        return None
    last = AlertEvent.objects.filter(deal=deal).exclude(fingerprint="").order_by("-created_at", "-id").first()
    if last is None:
        return None  # the publish fan-out has not snapshotted yet; it will see these terms
    snapshot = deal_snapshot(deal)
    fingerprint = terms_fingerprint(snapshot)
    if fingerprint == last.fingerprint:
        return None
    key = f"changed-{fingerprint[:24]}"
    with transaction.atomic():
        event, created = AlertEvent.objects.get_or_create(
            deal=deal,
            key=key,
            defaults={
                "kind": AlertEvent.Kind.CHANGED,
                "snapshot": snapshot,
                "fingerprint": fingerprint,
                "previous_snapshot": last.snapshot,
            },
        )
        if created:
            deal_event_notify(deal_id=deal.pk, event=key)
    return event if created else None
