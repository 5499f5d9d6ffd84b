"""Recovery for webhooks: rows of dead workers, lost fan-outs, retries that came due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from partnerships import tasks
from partnerships.models import AlertEvent, WebhookDelivery
from partnerships.services.alerts.delivery import deliveries_due


@dataclass
class WebhookReapReport:
    released: int = 0
    failed: int = 0
    events: int = 0
    dispatched: int = 0


def webhooks_reap(*, claim_timeout: int | None = None, dispatch: bool = True) -> WebhookReapReport:
    """Safe at any time (beat runs it every minute):

    - deliveries "sending" longer than the claim timeout go back to "pending" (or "failed" once
      their attempts are used up, so a payload that kills workers cannot loop forever);
    - events whose webhook fan-out never ran are fanned out;
    - every event with due deliveries (retries whose time came) gets a sender, and so do due
      one-off deliveries (verifications, tests).
    """
    report = WebhookReapReport()
    now = timezone.now()
    timeout = settings.WEBHOOKS_CLAIM_TIMEOUT if claim_timeout is None else claim_timeout
    stuck = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - timedelta(seconds=timeout)
    )
    report.failed = stuck.filter(attempts__gte=settings.WEBHOOKS_MAX_ATTEMPTS).update(
        status=WebhookDelivery.Status.FAILED, error="worker stopped while sending; attempts exhausted"
    )
    report.released = stuck.update(
        status=WebhookDelivery.Status.PENDING, error="worker stopped while sending"
    )
    grace = timedelta(seconds=min(60, timeout))
    unfanned = AlertEvent.objects.filter(webhooks_fanned_out_at__isnull=True, created_at__lt=now - grace)
    events = list(unfanned.values_list("id", flat=True)[:1000])
    due = deliveries_due(WebhookDelivery.objects.all(), now)
    event_ids = list(
        due.filter(alert_event__isnull=False).values_list("alert_event_id", flat=True).distinct()
    )
    one_offs = list(due.filter(alert_event__isnull=True).values_list("id", flat=True)[:1000])
    report.events = len(events)
    report.dispatched = len(event_ids) + (1 if one_offs else 0)
    if dispatch:
        for event_id in events:
            tasks.webhooks_fan_out_task.delay(event_id=event_id)
        for event_id in event_ids:
            tasks.webhooks_deliver_task.delay(event_id=event_id)
        if one_offs:
            tasks.webhooks_deliver_task.delay(delivery_ids=one_offs)
    return report
