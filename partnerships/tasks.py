"""Celery tasks for alerts and extraction: thin wrappers that take ids and call a service.

``partnerships.services.alerts`` for alerts, ``partnerships.services.candidates`` for the
candidate deal extracted from a stored announcement (at the end of this module).

Every task here is idempotent (unique rows and conditional claims, see the service's
docstring), so they run with ``acks_late``: a worker killed mid-task leaves the message
to be redelivered rather than lost, and ``task_reject_on_worker_lost`` (settings) makes
that true for a killed child process as well. Redelivery after a hard kill can take the
visibility timeout, so the beat-driven reaper re-dispatches stuck work well before that.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from partnerships.services import alerts
from partnerships.services.candidates import announcement_extract

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


# --- Extraction: a stored announcement becomes a candidate deal ---------------------------------
# Re-running is safe: the service keys the candidate deal on the announcement, so a
# redelivered message (acks_late) updates the same rows instead of duplicating them.
# Only a lost database connection is worth a retry; anything else is a bug to see.
# scrapers.services enqueues it by its registered name, so scraping never imports curation code.
_EXTRACT_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 60,
    "time_limit": 90,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(**_EXTRACT_OPTIONS)
def announcement_extract_task(announcement_id: int) -> int | None:
    """Return the id of the candidate deal, or None when the text is not a deal."""
    deal = announcement_extract(announcement_id=announcement_id)
    return deal.pk if deal is not None else None


@shared_task(name="scrapers.extraction.tasks.extract_announcement", **_EXTRACT_OPTIONS)
def extract_announcement(announcement_id: int) -> int | None:
    """Deprecated name of ``announcement_extract_task``, kept for messages queued before the rename.

    Remove once no worker or queue can still hold a message under the old name.
    """
    return announcement_extract_task(announcement_id)
