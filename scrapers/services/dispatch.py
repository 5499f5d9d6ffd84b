"""Handing work to Celery: claims with conditional UPDATEs, runs left behind by dead workers.

Beat's dispatcher (every ``SCRAPER_DISPATCH_SECONDS``) claims due newsrooms and announcement
pages, so overlapping beats never double-dispatch; once a minute beat also closes the runs a
killed worker left open. Enqueueing never fails a request or a run: with the broker down, the
database lease (``next_fetch_at``) hands the work out again later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.db.models.lookups import GreaterThan
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


def newsroom_next_due(now: datetime):
    """When a newsroom claimed at ``now`` is due again: one interval after it was due.

    Anchoring on the due time, not the claim time, keeps a 60 s interval at 60 s whatever
    the dispatcher's tick; a newsroom more than an interval behind (paused, backed off, a
    stopped beat) starts a fresh cadence from now instead of being handed out again at once.
    """
    anchored = F("next_fetch_at") + F("fetch_interval")
    return Case(
        When(GreaterThan(anchored, Value(now)), then=anchored),
        default=Value(now) + F("fetch_interval"),
        output_field=DateTimeField(),
    )


def _claim(queryset, *, limit: int, lease) -> list[int]:
    """Move ``next_fetch_at`` of up to ``limit`` due rows to ``lease``; the ids of the rows this call moved.

    Where the database skips locked rows (PostgreSQL), one locking read and one UPDATE claim
    them all: two dispatchers at once take disjoint rows. Elsewhere (SQLite, which runs one
    writer at a time) each row is claimed by a conditional UPDATE on the due time it was read with.
    """
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(queryset.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            if ids:
                queryset.model.objects.filter(pk__in=ids).update(next_fetch_at=lease)
        return ids
    claimed = []
    for pk, due_at in queryset.values_list("pk", "next_fetch_at")[:limit]:
        if queryset.model.objects.filter(pk=pk, next_fetch_at=due_at).update(next_fetch_at=lease):
            claimed.append(pk)
    return claimed


def newsrooms_claim_due(*, limit: int = 500, now: datetime | None = None) -> list[int]:
    """Claim due newsrooms so overlapping beats never double-dispatch.

    Claiming schedules the next check (``newsroom_next_due``), so a run that finds nothing
    new need not write the newsroom; a lost task is simply retried one interval later.
    """
    now = now or timezone.now()
    due = Newsroom.objects.filter(is_active=True, next_fetch_at__lte=now).order_by("next_fetch_at")
    return _claim(due, limit=limit, lease=newsroom_next_due(now))


def announcements_claim_due(*, limit: int = 500, now: datetime | None = None) -> list[int]:
    """Announcements whose first fetch was lost, whose retry is due, or whose edit check is due."""
    now = now or timezone.now()
    due = Announcement.objects.filter(next_fetch_at__lte=now).order_by("next_fetch_at")
    return _claim(due, limit=limit, lease=now + CLAIM_LEASE)


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
    """Every few seconds from beat: hand due newsrooms and announcement pages to workers."""
    from scrapers.tasks import newsroom_scrape_task

    newsroom_ids = newsrooms_claim_due()
    for pk in newsroom_ids:
        newsroom_scrape_task.delay(pk)
    announcement_ids = announcements_claim_due()
    announcement_fetches_enqueue(announcement_ids)
    return Dispatched(len(newsroom_ids), len(announcement_ids))
