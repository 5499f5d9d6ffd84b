"""Recovery from dead workers and lost broker messages."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from partnerships import tasks
from partnerships.models import AlertDelivery, AlertEvent, Digest
from partnerships.services.alerts.delivery import deliveries_due


@dataclass
class ReapReport:
    released: int = 0
    failed: int = 0
    events: int = 0
    dispatched: list = field(default_factory=list)
    digest_periods: list = field(default_factory=list)


def deliveries_reap(*, claim_timeout: int | None = None, dispatch: bool = True) -> ReapReport:
    """Recover from dead workers and lost broker messages; safe to run at any time.

    - rows "sending" for longer than the claim timeout go back to "pending" (or "failed"
      once they used every attempt, so a message that kills workers cannot loop forever);
    - events whose fan-out never finished are fanned out again;
    - every (deal, event) and digest period with due pending rows gets a sender task.
    """
    report = ReapReport()
    now = timezone.now()
    cutoff = now - timedelta(
        seconds=claim_timeout if claim_timeout is not None else settings.ALERTS_CLAIM_TIMEOUT
    )
    for model in (AlertDelivery, Digest):
        stuck = model.objects.filter(status=model.Status.SENDING, claimed_at__lt=cutoff)
        report.failed += stuck.filter(attempts__gte=settings.ALERTS_MAX_ATTEMPTS).update(
            status=model.Status.FAILED, error="worker stopped while sending; attempts exhausted"
        )
        report.released += stuck.update(status=model.Status.PENDING, error="worker stopped while sending")
    # An event younger than a minute is probably still on its way through the broker.
    unfanned = AlertEvent.objects.filter(
        fanned_out_at__isnull=True, created_at__lt=min(cutoff, now - timedelta(seconds=60))
    )
    if claim_timeout is not None:
        unfanned = AlertEvent.objects.filter(fanned_out_at__isnull=True, created_at__lt=cutoff)
    for deal_id, key in unfanned.values_list("deal_id", "key"):
        report.events += 1
        if dispatch:
            tasks.alert_fan_out_task.delay(deal_id=deal_id, event=key)
    pairs = deliveries_due(AlertDelivery.objects.all(), now).values_list("deal_id", "event").distinct()
    report.dispatched = list(pairs)
    report.digest_periods = list(
        deliveries_due(Digest.objects.all(), now).values_list("period", flat=True).distinct()
    )
    if dispatch:
        for deal_id, event in report.dispatched:
            tasks.alert_deliver_task.delay(deal_id=deal_id, event=event)
        for period in report.digest_periods:
            tasks.digests_deliver_task.delay(period=period)
    return report
