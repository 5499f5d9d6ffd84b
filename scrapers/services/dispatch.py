"""Handing work to Celery: claims with conditional UPDATEs, runs left behind by dead workers.

Beat's per-minute dispatcher claims due newsrooms and announcement pages, so overlapping
beats never double-dispatch, and closes runs a killed worker left open. Enqueueing never
fails a request or a run: with the broker down, the database lease (``next_fetch_at``)
hands the work out again later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from scrapers.fetch import FetchError
from scrapers.models import Announcement, Newsroom, ScrapeRun
from scrapers.services.health import newsroom_record_failure
from scrapers.services.ingest import CLAIM_LEASE

logger = logging.getLogger(__name__)

# A run still "running" after this long was cut short by a killed worker (the hard time limit is shorter).
RUN_ORPHAN_AFTER = timedelta(minutes=10)


def scrape_runs_close_orphans() -> int:
    """Runs left "running" by a killed worker end as failed and count against their newsroom.

    A "Scrape now" run still queued after the claim lease lost its message; it is closed
    the same way. Returns how many runs were closed.
    """
    now = timezone.now()
    stuck = ScrapeRun.objects.filter(
        status=ScrapeRun.Status.RUNNING, started_at__lt=now - RUN_ORPHAN_AFTER
    ) | ScrapeRun.objects.filter(status=ScrapeRun.Status.QUEUED, started_at__lt=now - CLAIM_LEASE)
    closed = 0
    for run in stuck.select_related("newsroom"):
        interrupted = run.status == ScrapeRun.Status.RUNNING
        message = (
            "Interrupted: the worker stopped mid-run." if interrupted else "Never started: the task was lost."
        )
        claimed = ScrapeRun.objects.filter(pk=run.pk, status=run.status).update(
            status=ScrapeRun.Status.FAILED
        )
        if claimed:
            newsroom_record_failure(
                newsroom=run.newsroom, run=run, error=FetchError(message, permanent=False)
            )
            closed += 1
    return closed


def newsrooms_claim_due(*, limit: int = 500) -> list[int]:
    """Claim due newsrooms with a conditional UPDATE so overlapping beats never double-dispatch."""
    scrape_runs_close_orphans()
    now = timezone.now()
    due = Newsroom.objects.filter(is_active=True, next_fetch_at__lte=now).order_by("next_fetch_at")
    claimed = []
    # Claiming schedules the next check, so a run that finds nothing new need not write the newsroom;
    # a lost task is simply retried one interval later.
    next_check = ExpressionWrapper(Value(now) + F("fetch_interval"), output_field=DateTimeField())
    for pk, due_at in due.values_list("pk", "next_fetch_at")[:limit]:
        if Newsroom.objects.filter(pk=pk, next_fetch_at=due_at).update(next_fetch_at=next_check):
            claimed.append(pk)
    return claimed


def announcements_claim_due(*, limit: int = 500) -> list[int]:
    """Announcements whose first fetch was lost, whose retry is due, or whose edit check is due."""
    now = timezone.now()
    due = Announcement.objects.filter(next_fetch_at__lte=now).order_by("next_fetch_at")
    claimed = []
    for pk, due_at in due.values_list("pk", "next_fetch_at")[:limit]:
        if Announcement.objects.filter(pk=pk, next_fetch_at=due_at).update(next_fetch_at=now + CLAIM_LEASE):
            claimed.append(pk)
    return claimed


def announcement_fetches_enqueue(ids: list[int]) -> None:
    from scrapers.tasks import announcement_fetch_task

    for pk in ids:
        try:
            announcement_fetch_task.delay(pk)
        except BrokerError:
            # The row keeps its next_fetch_at lease; the dispatcher will hand it out later.
            logger.warning("Broker unavailable; announcement %s waits for the dispatcher", pk)


@dataclass
class Dispatched:
    newsrooms: int
    announcements: int


def scrape_work_dispatch() -> Dispatched:
    """Every minute from beat: hand due newsrooms and announcement pages to workers."""
    from scrapers.tasks import newsroom_scrape_task

    newsroom_ids = newsrooms_claim_due()
    for pk in newsroom_ids:
        newsroom_scrape_task.delay(pk)
    announcement_ids = announcements_claim_due()
    announcement_fetches_enqueue(announcement_ids)
    return Dispatched(len(newsroom_ids), len(announcement_ids))
