"""A newsroom's health, and how every failed run is recorded: error, backoff, staff mail.

Any exception while fetching, parsing or storing a newsroom ends up here as a
``FetchError`` with a readable message, so a hostile listing can only ever produce a
failed run: the failure is counted, the next attempt backs off, and the newsroom turns
broken (mailing staff once) after ``SCRAPER_BROKEN_AFTER_FAILURES`` failures in a row.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from scrapers.fetch import FetchError
from scrapers.models import Newsroom, ScrapeRun
from scrapers.untrusted import db_text

logger = logging.getLogger(__name__)

BACKOFF_BASE = 60.0  # seconds, doubled per consecutive failure
BLOCKED_BACKOFF = 6 * 3600.0


def backoff_delay(failures: int, *, cap: float) -> float:
    """Exponential backoff with jitter, so many failing sources do not retry in lockstep."""
    delay = min(cap, BACKOFF_BASE * (2 ** max(0, failures - 1)))
    return delay * random.uniform(0.75, 1.25)


def failure_of(exc: BaseException, *, step: str, url: str) -> FetchError:
    """Any exception raised while ``step`` ("fetching", "parsing"...) ``url``, as a readable FetchError."""
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, SoftTimeLimitExceeded):
        message = f"Stopped at the task's time limit while {step}."
    elif isinstance(exc, MemoryError):
        message = f"Ran out of memory while {step} {url}."
    elif isinstance(exc, RecursionError):
        message = f"{url} nests too deeply to read (while {step})."
    else:
        message = f"Unexpected {type(exc).__name__} while {step} {url}: {exc}"
    return FetchError(db_text(message, 1000), permanent=False, url=url)


def _notify_staff(newsroom: Newsroom, health: str, detail: str) -> None:
    subject = f"Newsroom {newsroom.name} is {health}"
    message = (
        f"The newsroom {newsroom.name} ({newsroom.url}) changed to {health}.\n\n"
        f"{detail}\n\nYou get this once per change; check its recent runs in the admin."
    )
    try:
        mail_admins(subject, message)
    except OSError:
        logger.exception("Could not mail staff about newsroom %s turning %s", newsroom.pk, health)


def newsroom_set_health(*, newsroom: Newsroom, health: str, detail: str = "") -> bool:
    """Store a health state; a change to broken or blocked mails staff once (after commit).

    The conditional UPDATE is the "once": of two workers seeing the same failure, only the
    one whose UPDATE changed the row sends mail.
    """
    now = timezone.now()
    detail = db_text(detail, 500)
    if newsroom.health == health and newsroom.health_detail == detail:
        return False  # the next run re-evaluates; the conditional UPDATE below still guards the mail
    changed = (
        Newsroom.objects.filter(pk=newsroom.pk)
        .exclude(health=health)
        .update(health=health, health_detail=detail, health_changed_at=now)
    )
    if not changed and newsroom.health_detail != detail:
        Newsroom.objects.filter(pk=newsroom.pk).update(health_detail=detail)
    newsroom.health, newsroom.health_detail = health, detail
    if changed:
        newsroom.health_changed_at = now
        if health in (Newsroom.Health.BROKEN, Newsroom.Health.BLOCKED):
            transaction.on_commit(lambda: _notify_staff(newsroom, health, detail))
    return bool(changed)


def freshness_health(newsroom: Newsroom, now: datetime) -> tuple[str, str]:
    last = newsroom.last_new_item_at
    if last is None or now - last > newsroom.expected_cadence:
        since = f"since {last:%Y-%m-%d}" if last else "ever"
        return (
            Newsroom.Health.STALE,
            f"No new item {since}; expected one every {newsroom.expected_cadence.days} days.",
        )
    return Newsroom.Health.OK, ""


RUN_FIELDS = [
    "status",
    "finished_at",
    "http_status",
    "items_seen",
    "items_new",
    "items_updated",
    "items_skipped",
    "bytes_received",
    "error",
    "note",
]


def scrape_run_finish(run: ScrapeRun, status: str, **fields) -> ScrapeRun:
    """Close a run with its outcome; an unsaved run (a dry run) is only filled in."""
    run.status = status
    run.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    run.error = db_text(run.error, 5000)
    run.note = db_text(run.note, 5000)
    if run.pk:
        run.save(update_fields=RUN_FIELDS)
    return run


def _failure_delay(newsroom: Newsroom, error: FetchError, failures: int) -> float:
    interval = newsroom.fetch_interval.total_seconds()
    if error.retry_after is not None:
        return max(error.retry_after, 1.0)
    if error.blocked:
        return max(interval, BLOCKED_BACKOFF)
    if error.permanent:
        return interval
    return backoff_delay(failures, cap=interval)


def newsroom_record_failure(*, newsroom: Newsroom, run: ScrapeRun, error: FetchError) -> ScrapeRun:
    """End ``run`` as failed (or blocked), back the newsroom off and update its health."""
    status = ScrapeRun.Status.BLOCKED if error.blocked else ScrapeRun.Status.FAILED
    scrape_run_finish(run, status, http_status=error.status, error=str(error))
    failures = newsroom.consecutive_failures + 1
    delay = _failure_delay(newsroom, error, failures)
    Newsroom.objects.filter(pk=newsroom.pk).update(
        consecutive_failures=F("consecutive_failures") + 1,
        next_fetch_at=timezone.now() + timedelta(seconds=delay),
    )
    newsroom.consecutive_failures = failures
    if error.blocked:
        newsroom_set_health(newsroom=newsroom, health=Newsroom.Health.BLOCKED, detail=str(error))
    elif error.permanent:
        newsroom_set_health(newsroom=newsroom, health=Newsroom.Health.BROKEN, detail=str(error))
    elif failures >= settings.SCRAPER_BROKEN_AFTER_FAILURES:
        newsroom_set_health(
            newsroom=newsroom,
            health=Newsroom.Health.BROKEN,
            detail=f"{failures} failures in a row; last: {error}",
        )
    return run
