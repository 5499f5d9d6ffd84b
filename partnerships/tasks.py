"""Celery tasks for alerts: thin wrappers that take ids and call ``partnerships.services.alerts``.

Every task here is idempotent (unique rows and conditional claims, see the service's
docstring), so they run with ``acks_late``: a worker killed mid-task leaves the message
to be redelivered rather than lost, and ``task_reject_on_worker_lost`` (settings) makes
that true for a killed child process as well. Redelivery after a hard kill can take the
visibility timeout, so the beat-driven reaper re-dispatches stuck work well before that.
"""

import logging

from celery import shared_task

from partnerships.services import alerts

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def fan_out_deal_event(*, deal_id: int, event: str) -> int:
    matched = alerts.alert_fan_out(deal_id=deal_id, event=event)
    logger.info("alerts: deal %s event %s matched %d instant subscriptions", deal_id, event, matched)
    return matched


@shared_task(acks_late=True)
def deliver_deal_event(*, deal_id: int, event: str) -> dict:
    report = alerts.alert_deliver(deal_id=deal_id, event=event)
    logger.info("alerts: deal %s event %s delivery %s", deal_id, event, report)
    return report.__dict__


@shared_task(acks_late=True)
def check_deal_changes(*, deal_id: int) -> str | None:
    event = alerts.deal_detect_change(deal_id=deal_id)
    return event.key if event else None


@shared_task(acks_late=True)
def send_subscription_notice(*, subscription_id: int, notice: str, prefill: str = "") -> bool:
    return alerts.subscription_notice_send(subscription_id=subscription_id, notice=notice, prefill=prefill)


@shared_task(acks_late=True)
def send_digests(*, frequency: str) -> dict:
    period = alerts.digests_schedule(frequency=frequency)
    report = alerts.digests_deliver(period=period)
    logger.info("alerts: %s digests for %s: %s", frequency, period, report)
    return {"period": period, **report.__dict__}


@shared_task(acks_late=True)
def deliver_digests(*, period: str) -> dict:
    return alerts.digests_deliver(period=period).__dict__


@shared_task(acks_late=True)
def reap_stuck_deliveries(*, claim_timeout: int | None = None) -> dict:
    report = alerts.deliveries_reap(claim_timeout=claim_timeout)
    logger.info("alerts: reaper %s", report)
    return {"released": report.released, "failed": report.failed, "events": report.events}
