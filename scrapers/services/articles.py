"""An announcement's own page: fetched, its main text archived, a revision kept per edit.

Any exception while fetching or reading a page is a failed attempt: counted, retried with
backoff, and given up after ``ARTICLE_MAX_ATTEMPTS``. The attempt is counted when the page
is claimed, so even a crash that kills the worker outright (which nothing can catch) uses
one up, and a page that keeps killing workers is not handed out forever.
"""

from __future__ import annotations

import difflib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from scrapers.fetch import FetchError, FetchResult, fetch
from scrapers.models import Announcement, AnnouncementRevision
from scrapers.parsing import ArticleContent, extract_article
from scrapers.services.health import backoff_delay, failure_of
from scrapers.services.ingest import CLAIM_LEASE
from scrapers.untrusted import db_text

logger = logging.getLogger(__name__)

ARTICLE_MAX_ATTEMPTS = 5
ARTICLE_MAX_BACKOFF = 6 * 3600


def _recheck_at(announcement: Announcement, now: datetime) -> datetime | None:
    """Recent posts are re-fetched daily for a while: vendors edit posts after publishing."""
    born = announcement.published_at or announcement.created_at or now
    if now - born > timedelta(days=settings.SCRAPER_ARTICLE_RECHECK_DAYS):
        return None
    return now + timedelta(hours=settings.SCRAPER_ARTICLE_RECHECK_HOURS)


def text_diff(old: str, new: str) -> str:
    """A short unified diff of two texts, line by line, as revisions store it for curators."""
    return "\n".join(
        difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2)
    )


def announcement_revision_add(
    *, announcement: Announcement, title: str, text: str, content_hash: str, now: datetime
) -> None:
    """Keep this version of the page, with its diff against the previous one (once per hash)."""
    previous = announcement.revisions.order_by("-fetched_at", "-id").first()
    AnnouncementRevision.objects.get_or_create(
        announcement=announcement,
        content_hash=content_hash,
        defaults={
            "title": title,
            "text": text,
            "diff": text_diff(previous.text, text) if previous else "",
            "fetched_at": now,
        },
    )


def _article_failure(
    announcement: Announcement, exc: FetchError, *, now: datetime, was_fetched: bool
) -> Announcement:
    """Record a failed page fetch: retry transient errors with backoff, give up on permanent ones."""
    attempts = announcement.fetch_attempts  # this attempt was counted when it was claimed
    gave_up = exc.permanent or attempts >= ARTICLE_MAX_ATTEMPTS
    if gave_up:
        next_at = _recheck_at(announcement, now) if was_fetched else None
    else:
        delay = (
            exc.retry_after
            if exc.retry_after is not None
            else backoff_delay(attempts, cap=ARTICLE_MAX_BACKOFF)
        )
        next_at = now + timedelta(seconds=delay)
    Announcement.objects.filter(pk=announcement.pk).update(
        fetch_error=db_text(str(exc), 1000),
        http_status=exc.status,
        next_fetch_at=next_at,
        fetch_status=(
            announcement.fetch_status if was_fetched or not gave_up else Announcement.FetchStatus.FAILED
        ),
        updated_at=now,
    )
    announcement.refresh_from_db()
    return announcement


def _claim(announcement_id: int, now: datetime) -> Announcement | None:
    """Hold the page for this attempt (a lease) and count the attempt before anything can crash."""
    claimed = Announcement.objects.filter(pk=announcement_id).update(
        next_fetch_at=now + CLAIM_LEASE, fetch_attempts=F("fetch_attempts") + 1
    )
    return Announcement.objects.filter(pk=announcement_id).first() if claimed else None


def _give_up_after_crashes(announcement: Announcement, now: datetime) -> Announcement:
    error = FetchError(
        f"Gave up after {ARTICLE_MAX_ATTEMPTS} attempts that ended without a result (the worker stopped).",
        permanent=True,
    )
    return _article_failure(
        announcement,
        error,
        now=now,
        was_fetched=announcement.fetch_status == Announcement.FetchStatus.FETCHED,
    )


def _read_page(announcement: Announcement, was_fetched: bool) -> tuple[FetchResult, ArticleContent | None]:
    if was_fetched:
        result = fetch(announcement.url, etag=announcement.etag, last_modified=announcement.last_modified)
    else:
        result = fetch(announcement.url)
    if result.not_modified:
        return result, None
    try:
        content = extract_article(result.text, url=result.url)
    except ValueError as exc:  # TooDeep and friends: the page cannot be read
        raise FetchError(
            f"Could not read {result.url}: {exc}.", permanent=True, status=result.status
        ) from exc
    if not content.text.strip():
        raise FetchError(f"No main text found on {result.url}.", permanent=True, status=result.status)
    return result, content


def announcement_fetch(*, announcement_id: int) -> Announcement | None:
    """Fetch an announcement's page; store raw HTML, main text and a revision when it changed."""
    now = timezone.now()
    announcement = _claim(announcement_id, now)
    if announcement is None:
        return None
    was_fetched = announcement.fetch_status == Announcement.FetchStatus.FETCHED
    if announcement.fetch_attempts > ARTICLE_MAX_ATTEMPTS:
        return _give_up_after_crashes(announcement, now)
    step = "fetching"
    try:
        result, content = _read_page(announcement, was_fetched)
        step = "storing"
        return _article_store(announcement, result, content, now=now, was_fetched=was_fetched)
    except Exception as exc:  # noqa: BLE001 - every failure of one page is recorded as its outcome
        if not isinstance(exc, FetchError):
            logger.warning("Fetching announcement %s failed while %s", announcement.pk, step, exc_info=True)
        error = failure_of(exc, step=step, url=announcement.url)
        return _article_failure(announcement, error, now=now, was_fetched=was_fetched)


def _article_store(
    announcement: Announcement,
    result: FetchResult,
    content: ArticleContent | None,
    *,
    now: datetime,
    was_fetched: bool,
) -> Announcement:
    if content is None:  # 304 Not Modified
        Announcement.objects.filter(pk=announcement.pk).update(
            next_fetch_at=_recheck_at(announcement, now), fetch_attempts=0, fetch_error=""
        )
        announcement.refresh_from_db()
        return announcement
    if content.content_hash == announcement.content_hash and was_fetched:
        # Same words as archived: bookkeeping only, so the row's updated_at keeps meaning "content changed".
        Announcement.objects.filter(pk=announcement.pk).update(
            fetched_at=now,
            next_fetch_at=_recheck_at(announcement, now),
            http_status=result.status,
            etag=db_text(result.etag, 500),
            last_modified=db_text(result.last_modified, 100),
            fetch_error="",
            fetch_attempts=0,
        )
        announcement.refresh_from_db()
        return announcement
    return _article_write(announcement.pk, result, content, now=now)


def _article_write(pk: int, result: FetchResult, content: ArticleContent, *, now: datetime) -> Announcement:
    title, text = db_text(content.title, 500), db_text(content.text)
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=pk)
        changed = content.content_hash != announcement.content_hash
        announcement.fetch_status = Announcement.FetchStatus.FETCHED
        announcement.fetch_error = ""
        announcement.fetch_attempts = 0
        announcement.http_status = result.status
        announcement.fetched_at = now
        announcement.etag, announcement.last_modified = (
            db_text(result.etag, 500),
            db_text(result.last_modified, 100),
        )
        announcement.next_fetch_at = _recheck_at(announcement, now)
        if changed:
            announcement_revision_add(
                announcement=announcement,
                title=title or announcement.title,
                text=text,
                content_hash=content.content_hash,
                now=now,
            )
            announcement.set_raw_html(result.body)
            announcement.text = text
            announcement.content_hash = content.content_hash
            if title and not announcement.title:
                announcement.title = title
            if content.published_at and announcement.published_at is None:
                announcement.published_at = content.published_at
                announcement.published_precision = content.precision
            transaction.on_commit(lambda: _enqueue_extraction(pk))
        announcement.save()
    return announcement


# Extraction writes candidate deals, which are curation data, so its task lives in
# partnerships; scrapers name it rather than import it and stay free of curation code.
ANNOUNCEMENT_EXTRACT_TASK = "partnerships.tasks.announcement_extract_task"


def _enqueue_extraction(announcement_id: int) -> None:
    from celery import current_app
    from kombu.exceptions import OperationalError as BrokerError

    try:
        current_app.signature(ANNOUNCEMENT_EXTRACT_TASK, args=(announcement_id,)).delay()
    except BrokerError:
        logger.warning("Broker unavailable; extraction of announcement %s not queued", announcement_id)
