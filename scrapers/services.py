"""Writes for scraping: run a newsroom, ingest its items, archive article pages, keep health.

HTTP never happens inside a transaction: each service fetches first, then writes, and
enqueues follow-up tasks on commit. Every write is an upsert by a natural key (the
canonical URL, the revision's content hash), so any service can be re-run after a
crash or a redelivered Celery message without creating duplicates.
"""

from __future__ import annotations

import difflib
import logging
import queue
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import mail_admins
from django.db import connections, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from scrapers.adapters import ListingItem, ParseError, get_adapter
from scrapers.fetch import FetchError, fetch
from scrapers.models import Announcement, AnnouncementRevision, Newsroom, ScrapeRun
from scrapers.parsing import extract_article

logger = logging.getLogger(__name__)

# How long a dispatched newsroom or announcement is held before the dispatcher may hand it out
# again: longer than a task can run (hard time limit), far shorter than the visibility timeout.
CLAIM_LEASE = timedelta(minutes=15)
# A run still "running" after this long was cut short by a killed worker.
RUN_ORPHAN_AFTER = timedelta(minutes=10)
ARTICLE_MAX_ATTEMPTS = 5
ARTICLE_BURST = 5  # new pages fetched right after a scrape; the rest are spread out
BACKOFF_BASE = 60.0  # seconds, doubled per consecutive failure


def backoff_delay(failures: int, *, cap: float) -> float:
    """Exponential backoff with jitter, so many failing sources do not retry in lockstep."""
    delay = min(cap, BACKOFF_BASE * (2 ** max(0, failures - 1)))
    return delay * random.uniform(0.75, 1.25)


# --- Health ----------------------------------------------------------------------------


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
    detail = detail[:500]
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


def _freshness_health(newsroom: Newsroom, now: datetime) -> tuple[str, str]:
    last = newsroom.last_new_item_at
    if last is None or now - last > newsroom.expected_cadence:
        since = f"since {last:%Y-%m-%d}" if last else "ever"
        return (
            Newsroom.Health.STALE,
            f"No new item {since}; expected one every {newsroom.expected_cadence.days} days.",
        )
    return Newsroom.Health.OK, ""


# --- Ingest ----------------------------------------------------------------------------


@dataclass
class IngestResult:
    new_ids: list[int] = field(default_factory=list)
    updated: int = 0


def announcement_ingest(*, newsroom: Newsroom | None, items: Iterable[ListingItem]) -> IngestResult:
    """Upsert listing items by canonical URL; only real changes are written.

    New rows go in with one ``INSERT ... ON CONFLICT DO NOTHING`` under the unique URL, so two
    runs racing on the same item cannot duplicate it; a row counts as new for this run when
    it was created after the insert began.
    """
    items = list({item.url: item for item in items if item.url}.values())
    result = IngestResult()
    existing = {a.url: a for a in Announcement.objects.filter(url__in=[i.url for i in items])}
    now = timezone.now()
    fresh = [
        Announcement(
            newsroom=newsroom,
            url=item.url,
            title=item.title[:500],
            published_at=item.published_at,
            published_precision=item.precision,
            summary=item.summary,
            # A lease: the on-commit task fetches it now; if that task is lost, the dispatcher does later.
            next_fetch_at=now + CLAIM_LEASE,
        )
        for item in items
        if item.url not in existing
    ]
    if fresh:
        Announcement.objects.bulk_create(fresh, ignore_conflicts=True)
        result.new_ids = list(
            Announcement.objects.filter(url__in=[a.url for a in fresh], created_at__gte=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for item in items:
        current = existing.get(item.url)
        if current is None:
            continue
        changes = {}
        if item.title and item.title[:500] != current.title and item.title != item.url:
            changes["title"] = item.title[:500]
        if item.published_at and item.published_at != current.published_at:
            changes["published_at"] = item.published_at
            changes["published_precision"] = item.precision
        if item.summary and item.summary != current.summary:
            changes["summary"] = item.summary
        if current.newsroom_id is None and newsroom is not None:
            changes["newsroom"] = newsroom
        if changes:
            Announcement.objects.filter(pk=current.pk).update(**changes, updated_at=now)
            result.updated += 1
    return result


def _enqueue_article_fetches(ids: list[int]) -> None:
    from scrapers.tasks import fetch_announcement

    for pk in ids:
        try:
            fetch_announcement.delay(pk)
        except BrokerError:
            # The row keeps its next_fetch_at lease; the dispatcher will hand it out later.
            logger.warning("Broker unavailable; announcement %s waits for the dispatcher", pk)


# Extraction writes candidate deals, which are curation data, so its task lives in
# partnerships; scrapers name it rather than import it and stay free of curation code.
ANNOUNCEMENT_EXTRACT_TASK = "partnerships.tasks.announcement_extract_task"


def _enqueue_extraction(announcement_id: int) -> None:
    from celery import current_app

    try:
        current_app.signature(ANNOUNCEMENT_EXTRACT_TASK, args=(announcement_id,)).delay()
    except BrokerError:
        logger.warning("Broker unavailable; extraction of announcement %s not queued", announcement_id)


# --- Newsroom runs ---------------------------------------------------------------------


def _finish_run(run: ScrapeRun, status: str, **fields) -> ScrapeRun:
    run.status = status
    run.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    if run.pk:
        run.save(
            update_fields=[
                "status",
                "finished_at",
                "http_status",
                "items_seen",
                "items_new",
                "items_updated",
                "bytes_received",
                "error",
            ]
        )
    return run


def _record_failure(newsroom: Newsroom, run: ScrapeRun, exc: FetchError, *, dry_run: bool) -> ScrapeRun:
    status = ScrapeRun.Status.BLOCKED if exc.blocked else ScrapeRun.Status.FAILED
    _finish_run(run, status, http_status=exc.status, error=str(exc)[:5000])
    if dry_run:
        return run
    now = timezone.now()
    failures = newsroom.consecutive_failures + 1
    interval = newsroom.fetch_interval.total_seconds()
    if exc.retry_after is not None:
        delay = max(exc.retry_after, 1.0)
    elif exc.blocked:
        delay = max(interval, 6 * 3600.0)
    elif exc.permanent:
        delay = interval
    else:
        delay = backoff_delay(failures, cap=interval)
    Newsroom.objects.filter(pk=newsroom.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, next_fetch_at=now + timedelta(seconds=delay)
    )
    newsroom.consecutive_failures = failures
    if exc.blocked:
        newsroom_set_health(newsroom=newsroom, health=Newsroom.Health.BLOCKED, detail=str(exc))
    elif exc.permanent:
        newsroom_set_health(newsroom=newsroom, health=Newsroom.Health.BROKEN, detail=str(exc))
    elif failures >= settings.SCRAPER_BROKEN_AFTER_FAILURES:
        newsroom_set_health(
            newsroom=newsroom,
            health=Newsroom.Health.BROKEN,
            detail=f"{failures} failures in a row; last: {exc}",
        )
    return run


def newsroom_scrape(*, newsroom: Newsroom, dry_run: bool = False, fetch_articles: bool = True) -> ScrapeRun:
    """Fetch and parse a newsroom, ingest its items, and record the run and the health.

    With ``dry_run`` nothing is written: the returned run is unsaved and ``items_new``
    counts items not yet in the archive.
    """
    now = timezone.now()
    if dry_run:
        run = ScrapeRun(newsroom=newsroom, started_at=now)
    else:
        run = ScrapeRun.objects.create(newsroom=newsroom, started_at=now)
    conditional = {} if dry_run else {"etag": newsroom.etag, "last_modified": newsroom.last_modified}
    try:
        result = fetch(newsroom.url, **conditional)
    except FetchError as exc:
        return _record_failure(newsroom, run, exc, dry_run=dry_run)
    except SoftTimeLimitExceeded:
        # Waiting for busy hosts and slow answers used up the task: record it, retry on schedule.
        stopped = FetchError("Stopped at the task's time limit while fetching.", permanent=False)
        return _record_failure(newsroom, run, stopped, dry_run=dry_run)
    run.http_status, run.bytes_received = result.status, len(result.body)
    next_fetch_at = timezone.now() + newsroom.fetch_interval

    if result.not_modified:
        _finish_run(run, ScrapeRun.Status.NOT_MODIFIED)
        if not dry_run:
            # Unchanged source: the run record is the only write unless something really changed.
            # The dispatcher already moved next_fetch_at when it claimed the newsroom; a run
            # started another way (the `scrape` command) moves it here if it was due.
            updates = {}
            if newsroom.next_fetch_at <= now:
                updates["next_fetch_at"] = next_fetch_at
            if newsroom.consecutive_failures:
                updates.update(consecutive_failures=0, last_success_at=now)
            if updates:
                Newsroom.objects.filter(pk=newsroom.pk).update(**updates)
            # A newsroom broken by an item-count collapse stays broken while the source is unchanged.
            collapsed_before = newsroom.health == Newsroom.Health.BROKEN and not newsroom.consecutive_failures
            if not collapsed_before:
                health, detail = _freshness_health(newsroom, now)
                if health != newsroom.health:
                    newsroom_set_health(newsroom=newsroom, health=health, detail=detail)
        return run

    try:
        # Feeds get the raw bytes (feedparser honours the XML declaration); pages get our decoded text.
        payload = result.body if newsroom.kind == Newsroom.Kind.FEED else result.text
        items = get_adapter(newsroom.kind).parse(payload, base_url=result.url, newsroom=newsroom)
    except ParseError as exc:
        error = FetchError(
            f"Could not parse {result.url} as {newsroom.kind}: {exc}", permanent=False, status=result.status
        )
        return _record_failure(newsroom, run, error, dry_run=dry_run)
    run.items_seen = len(items)

    if dry_run:
        known = set(Announcement.objects.filter(url__in=[i.url for i in items]).values_list("url", flat=True))
        return _finish_run(run, ScrapeRun.Status.OK, items_new=sum(1 for i in items if i.url not in known))

    ingest = announcement_ingest(newsroom=newsroom, items=items)
    typical = newsroom.typical_item_count
    collapsed = typical >= 5 and len(items) < max(1.0, typical * settings.SCRAPER_COLLAPSE_RATIO)
    error = ""
    if collapsed:
        error = f"Parsed {len(items)} items where the source usually lists about {typical}: the page or feed changed."
    _finish_run(
        run,
        ScrapeRun.Status.OK,
        items_new=len(ingest.new_ids),
        items_updated=ingest.updated,
        error=error,
    )

    updates: dict = {"next_fetch_at": next_fetch_at, "last_success_at": now, "consecutive_failures": 0}
    if result.etag != newsroom.etag or result.last_modified != newsroom.last_modified:
        updates.update(etag=result.etag, last_modified=result.last_modified)
    if not collapsed:
        updates["typical_item_count"] = (
            len(items) if typical == 0 else round(0.7 * typical + 0.3 * len(items))
        )
    if ingest.new_ids:
        newest = max((i.published_at for i in items if i.published_at), default=None)
        fresh = min(newest, now) if newest else now
        if newsroom.last_new_item_at is None or fresh > newsroom.last_new_item_at:
            updates["last_new_item_at"] = fresh
    Newsroom.objects.filter(pk=newsroom.pk).update(**updates)
    for name, value in updates.items():
        setattr(newsroom, name, value)

    if collapsed:
        newsroom_set_health(newsroom=newsroom, health=Newsroom.Health.BROKEN, detail=error)
    else:
        health, detail = _freshness_health(newsroom, now)
        newsroom_set_health(newsroom=newsroom, health=health, detail=detail)
    if fetch_articles and ingest.new_ids:
        ids = _stagger_article_fetches(ingest.new_ids, now=now)
        transaction.on_commit(lambda: _enqueue_article_fetches(ids))
    return run


def _stagger_article_fetches(ids: list[int], *, now: datetime) -> list[int]:
    """Fetch a few new pages now and spread the rest out, so a first scrape of a newsroom with
    hundreds of items does not queue hundreds of tasks all waiting on one host's slot."""
    immediate, later = ids[:ARTICLE_BURST], ids[ARTICLE_BURST:]
    if later:
        spacing = timedelta(seconds=max(2 * settings.SCRAPER_HOST_DELAY, 1.0))
        rows = [Announcement(pk=pk, next_fetch_at=now + spacing * (n + 1)) for n, pk in enumerate(later)]
        Announcement.objects.bulk_update(rows, ["next_fetch_at"], batch_size=500)
    return immediate


def newsrooms_scrape_concurrently(
    newsrooms: Iterable[Newsroom],
    *,
    workers: int | None = None,
    dry_run: bool = False,
    fetch_articles: bool = True,
    on_done: Callable[[Newsroom, ScrapeRun | None, BaseException | None], None] | None = None,
) -> list[ScrapeRun]:
    """Run many newsrooms at once from one process (the `scrape` command, the benchmark).

    Threads overlap network waits; the per-host slot in ``scrapers.fetch`` still keeps one
    request in flight per host. Each thread keeps one database connection for all its
    newsrooms and closes it when the queue is empty (a connection per newsroom would cost
    a PostgreSQL login each time).
    """
    pending: queue.SimpleQueue[Newsroom] = queue.SimpleQueue()
    for newsroom in newsrooms:
        pending.put(newsroom)
    runs: list[ScrapeRun] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            while True:
                try:
                    newsroom = pending.get_nowait()
                except queue.Empty:
                    return
                run, error = None, None
                try:
                    run = newsroom_scrape(newsroom=newsroom, dry_run=dry_run, fetch_articles=fetch_articles)
                except Exception as exc:  # noqa: BLE001 - reported per newsroom; the others go on
                    logger.exception("Scraping newsroom %s crashed", newsroom.pk)
                    error = exc
                with lock:
                    if run is not None:
                        runs.append(run)
                    if on_done:
                        on_done(newsroom, run, error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, name=f"scrape-{i}", daemon=True)
        for i in range(min(workers or settings.SCRAPER_CONCURRENCY, max(1, pending.qsize())))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs


# --- Articles --------------------------------------------------------------------------


def _recheck_at(announcement: Announcement, now: datetime) -> datetime | None:
    """Recent posts are re-fetched daily for a while: vendors edit posts after publishing."""
    born = announcement.published_at or announcement.created_at or now
    if now - born > timedelta(days=settings.SCRAPER_ARTICLE_RECHECK_DAYS):
        return None
    return now + timedelta(hours=settings.SCRAPER_ARTICLE_RECHECK_HOURS)


def _text_diff(old: str, new: str) -> str:
    return "\n".join(
        difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2)
    )


def _article_failure(
    announcement: Announcement, exc: FetchError, *, now: datetime, was_fetched: bool
) -> Announcement:
    """Record a failed page fetch: retry transient errors with backoff, give up on permanent ones."""
    attempts = announcement.fetch_attempts + 1
    gave_up = exc.permanent or attempts >= ARTICLE_MAX_ATTEMPTS
    if gave_up:
        next_at = _recheck_at(announcement, now) if was_fetched else None
    else:
        delay = exc.retry_after if exc.retry_after is not None else backoff_delay(attempts, cap=6 * 3600)
        next_at = now + timedelta(seconds=delay)
    Announcement.objects.filter(pk=announcement.pk).update(
        fetch_attempts=attempts,
        fetch_error=str(exc)[:1000],
        http_status=exc.status,
        next_fetch_at=next_at,
        fetch_status=(
            announcement.fetch_status if was_fetched or not gave_up else Announcement.FetchStatus.FAILED
        ),
        updated_at=now,
    )
    announcement.refresh_from_db()
    return announcement


def announcement_fetch(*, announcement_id: int) -> Announcement | None:
    """Fetch an announcement's page; store raw HTML, main text and a revision when it changed."""
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        return None
    now = timezone.now()
    Announcement.objects.filter(pk=announcement.pk).update(next_fetch_at=now + CLAIM_LEASE)
    was_fetched = announcement.fetch_status == Announcement.FetchStatus.FETCHED
    try:
        if was_fetched:
            result = fetch(announcement.url, etag=announcement.etag, last_modified=announcement.last_modified)
        else:
            result = fetch(announcement.url)
        content = None if result.not_modified else extract_article(result.text, url=result.url)
        if content is not None and not content.text.strip():
            raise FetchError(f"No main text found on {result.url}.", permanent=True, status=result.status)
    except SoftTimeLimitExceeded:
        exc = FetchError("Stopped at the task's time limit while fetching.", permanent=False)
        return _article_failure(announcement, exc, now=now, was_fetched=was_fetched)
    except FetchError as exc:
        return _article_failure(announcement, exc, now=now, was_fetched=was_fetched)

    if result.not_modified:
        Announcement.objects.filter(pk=announcement.pk).update(next_fetch_at=_recheck_at(announcement, now))
        announcement.refresh_from_db()
        return announcement

    if content.content_hash == announcement.content_hash and was_fetched:
        # Same words as archived: bookkeeping only, so the row's updated_at keeps meaning "content changed".
        Announcement.objects.filter(pk=announcement.pk).update(
            fetched_at=now,
            next_fetch_at=_recheck_at(announcement, now),
            http_status=result.status,
            etag=result.etag,
            last_modified=result.last_modified,
            fetch_error="",
            fetch_attempts=0,
        )
        announcement.refresh_from_db()
        return announcement

    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
        changed = content.content_hash != announcement.content_hash
        announcement.fetch_status = Announcement.FetchStatus.FETCHED
        announcement.fetch_error = ""
        announcement.fetch_attempts = 0
        announcement.http_status = result.status
        announcement.fetched_at = now
        announcement.etag, announcement.last_modified = result.etag, result.last_modified
        announcement.next_fetch_at = _recheck_at(announcement, now)
        if changed:
            previous = announcement.revisions.order_by("-fetched_at", "-id").first()
            AnnouncementRevision.objects.get_or_create(
                announcement=announcement,
                content_hash=content.content_hash,
                defaults={
                    "title": content.title or announcement.title,
                    "text": content.text,
                    "diff": _text_diff(previous.text, content.text) if previous else "",
                    "fetched_at": now,
                },
            )
            announcement.set_raw_html(result.body)
            announcement.text = content.text
            announcement.content_hash = content.content_hash
            if content.title and not announcement.title:
                announcement.title = content.title[:500]
            if content.published_at and announcement.published_at is None:
                announcement.published_at = content.published_at
                announcement.published_precision = content.precision
            pk = announcement.pk
            transaction.on_commit(lambda: _enqueue_extraction(pk))
        announcement.save()
    return announcement


# --- Dispatch --------------------------------------------------------------------------


def runs_close_orphans() -> int:
    """Runs left "running" by a killed worker are closed as failed, so health pages do not lie."""
    now = timezone.now()
    return ScrapeRun.objects.filter(
        status=ScrapeRun.Status.RUNNING, started_at__lt=now - RUN_ORPHAN_AFTER
    ).update(
        status=ScrapeRun.Status.FAILED, finished_at=now, error="Interrupted: the worker stopped mid-run."
    )


def newsrooms_claim_due(*, limit: int = 500) -> list[int]:
    """Claim due newsrooms with a conditional UPDATE so overlapping beats never double-dispatch."""
    runs_close_orphans()
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
