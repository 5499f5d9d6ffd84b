"""Celery tasks for alerts and extraction: thin wrappers that take ids and call the service they are named after.

Each task is ``<service>_task`` and imports its service inside the function, so services can
enqueue tasks (``from partnerships import tasks``) without an import cycle. Task *names* (what
the broker stores and the beat schedule in ``config/settings.py`` refers to) keep their
original spelling, so messages queued before a deploy still find their task.

Every task here is idempotent (unique rows and conditional claims, see
``partnerships.services.alerts``), so they run with ``acks_late``: a worker killed mid-task
leaves the message to be redelivered rather than lost, and ``task_reject_on_worker_lost``
(settings) makes that true for a killed child process as well. Redelivery after a hard kill
can take the visibility timeout, so the beat-driven reaper re-dispatches stuck work well
before that.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)


@shared_task(name="partnerships.tasks.fan_out_deal_event", acks_late=True)
def alert_fan_out_task(*, deal_id: int, event: str) -> int:
    from partnerships.services.alerts.delivery import alert_fan_out

    matched = alert_fan_out(deal_id=deal_id, event=event)
    logger.info("alerts: deal %s event %s matched %d instant subscriptions", deal_id, event, matched)
    return matched


@shared_task(name="partnerships.tasks.deliver_deal_event", acks_late=True)
def alert_deliver_task(*, deal_id: int, event: str) -> dict:
    from partnerships.services.alerts.delivery import alert_deliver

    report = alert_deliver(deal_id=deal_id, event=event)
    logger.info("alerts: deal %s event %s delivery %s", deal_id, event, report)
    return report.__dict__


@shared_task(name="partnerships.tasks.check_deal_changes", acks_late=True)
def deal_detect_change_task(*, deal_id: int) -> str | None:
    """Nothing enqueues this any more: curation services detect changes in their own
    transaction. It stays registered so messages queued by an older release are still
    handled; remove it one release after that one is gone."""
    from partnerships.services.alerts.events import deal_detect_change

    event = deal_detect_change(deal_id=deal_id)
    return event.key if event else None


@shared_task(name="partnerships.tasks.send_subscription_notice", acks_late=True)
def subscription_notice_send_task(*, subscription_id: int, notice: str, prefill: str = "") -> bool:
    from partnerships.services.alerts.subscriptions import subscription_notice_send

    return subscription_notice_send(subscription_id=subscription_id, notice=notice, prefill=prefill)


@shared_task(name="partnerships.tasks.send_digests", acks_late=True)
def digests_send_task(*, frequency: str) -> dict:
    from partnerships.services.alerts.digests import digests_send

    run = digests_send(frequency=frequency)
    logger.info("alerts: %s digests for %s: %s", frequency, run.period, run.report)
    return {"period": run.period, **run.report.__dict__}


@shared_task(name="partnerships.tasks.deliver_digests", acks_late=True)
def digests_deliver_task(*, period: str) -> dict:
    from partnerships.services.alerts.digests import digests_deliver

    return digests_deliver(period=period).__dict__


@shared_task(name="partnerships.tasks.reap_stuck_deliveries", acks_late=True)
def deliveries_reap_task(*, claim_timeout: int | None = None) -> dict:
    from partnerships.services.alerts.reaper import deliveries_reap

    report = deliveries_reap(claim_timeout=claim_timeout)
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
    from partnerships.services.candidates import announcement_extract

    deal = announcement_extract(announcement_id=announcement_id)
    return deal.pk if deal is not None else None


@shared_task(**_EXTRACT_OPTIONS)
def regulatory_case_ingest_task(announcement_id: int) -> int | None:
    """A CMA case page the scraper archived, read into its regulatory review (then extracted).

    Enqueued by name from ``scrapers.services.filings.cma``; safe to re-run (the review is
    upserted by its case page and events by stage and day). Returns the review's id.
    """
    from partnerships.services.regulatory import regulatory_case_ingest

    review = regulatory_case_ingest(announcement_id=announcement_id)
    return review.pk if review is not None else None


@shared_task(name="scrapers.extraction.tasks.extract_announcement", **_EXTRACT_OPTIONS)
def extract_announcement(announcement_id: int) -> int | None:
    """Deprecated name of ``announcement_extract_task``, kept for messages queued before the rename.

    Remove once no worker or queue can still hold a message under the old name.
    """
    return announcement_extract_task(announcement_id)
