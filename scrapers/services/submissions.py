"""Announcements supplied by a person rather than found by a newsroom run.

``announcement_submit`` is the one write for them, used by ``manage.py ingest`` (saved
files) and by the admin's "Add announcement" (pasted text, or a page a worker fetched):
an upsert by the address's key (``Announcement.url_key``), so a second submission of the
same page, however its address is spelled, updates or leaves the first one and never
adds another. The link is stored as the person gave it.

What the archive holds is recorded honestly: text alone is stored as text, not fetched
(``fetch_status`` "skipped", no archived page); only a page's own HTML (a saved article
page, or the page fetched here) becomes its archive, with a revision as for any scrape.
An archived page keeps its archived text when text is supplied for it later.

``announcement_submission_request`` and ``announcement_submission_run`` are the admin's
flow: the web process stores pasted text at once (no network) or queues the page for a
worker, which fetches it through the guarded client; either way extraction of the
candidate deal is enqueued after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from extraction.vocabulary import DatePrecision
from scrapers.adapters import canonical_url
from scrapers.fetch import fetch
from scrapers.models import Announcement, AnnouncementSubmission, Newsroom
from scrapers.parsing import extract_article
from scrapers.services import articles
from scrapers.services.health import failure_of
from scrapers.supplied import SuppliedPage, day_start
from scrapers.untrusted import db_text, http_url

logger = logging.getLogger(__name__)

URL_MAX_LENGTH = 1000
BROKER_DOWN = "Could not be queued: the task broker is unavailable. Try again in a minute."


@dataclass
class Submitted:
    announcement: Announcement
    outcome: str  # AnnouncementSubmission.Outcome
    note: str = ""


def submitted_address(url: str) -> tuple[str, str]:
    """The address as given and its key; ValueError when it cannot be stored as a link."""
    link = http_url(url)
    key = canonical_url(link) if link else ""
    if not key:
        raise ValueError("not an absolute http(s) address")
    if len(link) > URL_MAX_LENGTH or len(key) > URL_MAX_LENGTH:
        raise ValueError(f"longer than {URL_MAX_LENGTH} characters")
    return link, key


def _is_archived(announcement: Announcement) -> bool:
    return announcement.fetch_status == Announcement.FetchStatus.FETCHED and bool(announcement.content_hash)


def _archive(announcement: Announcement, page: SuppliedPage, now) -> None:
    """The supplied page becomes the archive: its HTML, text, hash and a revision."""
    announcement.set_raw_html(page.html or b"")
    announcement.text = db_text(page.text)
    announcement.content_hash = page.content_hash
    announcement.fetch_status = Announcement.FetchStatus.FETCHED
    announcement.fetch_error = ""
    announcement.fetched_at = now
    announcement.next_fetch_at = None


def _create(page: SuppliedPage, link: str, key: str, newsroom: Newsroom | None, now) -> Announcement:
    announcement = Announcement(
        newsroom=newsroom,
        url=link,
        url_key=key,
        title=db_text(page.title).strip()[:500],
        published_at=page.published_at,
        published_precision=page.precision,
        text=db_text(page.text),
        fetch_status=Announcement.FetchStatus.SKIPPED,
        next_fetch_at=None,
    )
    if page.html is not None:
        _archive(announcement, page, now)
    announcement.save()
    if page.html is not None:
        articles.announcement_revision_add(
            announcement=announcement,
            title=announcement.title,
            text=announcement.text,
            content_hash=page.content_hash,
            now=now,
        )
    return announcement


def _update(current: Announcement, page: SuppliedPage, newsroom: Newsroom | None, now) -> Submitted:
    changed, note = [], ""
    title = db_text(page.title).strip()[:500]
    if title and title != current.title:
        current.title = title
        changed.append("title")
    if page.published_at and page.published_at != current.published_at:
        current.published_at, current.published_precision = page.published_at, page.precision
        changed.append("date")
    if newsroom is not None and current.newsroom_id is None:
        current.newsroom = newsroom
        changed.append("newsroom")
    text = db_text(page.text)
    if page.html is not None and page.content_hash != current.content_hash:
        _archive(current, page, now)
        articles.announcement_revision_add(
            announcement=current,
            title=current.title,
            text=current.text,
            content_hash=page.content_hash,
            now=now,
        )
        changed.append("archived page")
    elif page.html is None and text and text != current.text:
        if _is_archived(current):
            note = "The archived page's text was kept; the supplied text was not stored."
        else:
            current.text = text
            changed.append("text")
    if not changed:
        return Submitted(current, AnnouncementSubmission.Outcome.UNCHANGED, note)
    current.save()
    return Submitted(
        current, AnnouncementSubmission.Outcome.UPDATED, note or f"Changed: {', '.join(changed)}."
    )


def announcement_submit(*, page: SuppliedPage, newsroom: Newsroom | None = None) -> Submitted:
    """Store a supplied page as an announcement, or update the one with the same address key.

    Raises ValueError when the address cannot be stored as a link. Runs no extraction:
    the caller runs or enqueues it (a command counts candidates; the admin queues them).
    """
    link, key = submitted_address(page.url)
    now = timezone.now()
    for attempt in range(2):
        try:
            with transaction.atomic():
                current = Announcement.objects.select_for_update().filter(url_key=key).first()
                if current is None:
                    return Submitted(
                        _create(page, link, key, newsroom, now), AnnouncementSubmission.Outcome.NEW
                    )
                return _update(current, page, newsroom, now)
        except IntegrityError:
            if attempt:  # a second conflict is not a race with another submission of the page
                raise
            logger.info("Another writer stored %s first; updating it instead", key)
    raise AssertionError("unreachable")  # pragma: no cover


# --- the admin's "Add announcement" ---------------------------------------------------------


def _finish(submission: AnnouncementSubmission, submitted: Submitted) -> None:
    submission.status = AnnouncementSubmission.Status.OK
    submission.announcement = submitted.announcement
    submission.outcome = submitted.outcome
    submission.note = db_text(submitted.note, 500)
    submission.finished_at = timezone.now()
    submission.save()
    pk = submitted.announcement.pk
    transaction.on_commit(lambda: articles._enqueue_extraction(pk))


def announcement_submission_request(
    *,
    url: str,
    newsroom: Newsroom | None = None,
    user=None,
    page: SuppliedPage | None = None,
    title: str = "",
    published_on: date | None = None,
) -> AnnouncementSubmission:
    """Pasted text (``page``) is stored now; an address alone is queued for a worker to fetch.

    ``title`` and ``published_on`` replace a fetched page's own when given.
    """
    from scrapers.tasks import announcement_submission_run_task

    mode = AnnouncementSubmission.Mode.TEXT if page is not None else AnnouncementSubmission.Mode.FETCH
    with transaction.atomic():
        submission = AnnouncementSubmission.objects.create(
            url=url[:URL_MAX_LENGTH],
            mode=mode,
            newsroom=newsroom,
            requested_by=user,
            title=db_text(title, 500),
            published_on=published_on,
        )
        if page is not None:
            submission.started_at = timezone.now()
            _finish(submission, announcement_submit(page=page, newsroom=newsroom))
            return submission

        def enqueue(pk=submission.pk):
            try:
                announcement_submission_run_task.delay(pk)
            except BrokerError:
                logger.warning("Broker unavailable; announcement submission %s not queued", pk)
                AnnouncementSubmission.objects.filter(pk=pk).update(
                    status=AnnouncementSubmission.Status.FAILED, error=BROKER_DOWN, finished_at=timezone.now()
                )

        transaction.on_commit(enqueue)
    return submission


def _fetched_page(submission: AnnouncementSubmission) -> tuple[SuppliedPage, int]:
    result = fetch(submission.url)
    content = extract_article(result.text, url=result.url)
    if not content.text.strip():
        raise ValueError(f"No main text found on {result.url}; paste the text instead.")
    given_date = day_start(submission.published_on)
    page = SuppliedPage(
        url=submission.url,
        title=submission.title or content.title,
        text=content.text,
        published_at=given_date or content.published_at,
        precision=DatePrecision.DAY if given_date else content.precision,
        html=result.body,
        content_hash=content.content_hash,
    )
    return page, result.status


def announcement_submission_run(*, submission_id: int) -> AnnouncementSubmission | None:
    """The worker's half: fetch the page through the guarded client, then store it."""
    queued = AnnouncementSubmission.objects.filter(
        pk=submission_id, status=AnnouncementSubmission.Status.QUEUED
    )
    if not queued.update(status=AnnouncementSubmission.Status.RUNNING, started_at=timezone.now()):
        return None  # already run (a redelivered message) or gone
    submission = AnnouncementSubmission.objects.select_related("newsroom").get(pk=submission_id)
    step = "fetching"
    try:
        page, status = _fetched_page(submission)
        submission.http_status = status
        step = "storing"
        with transaction.atomic():
            _finish(submission, announcement_submit(page=page, newsroom=submission.newsroom))
    except Exception as exc:  # noqa: BLE001 - the submission's outcome is whatever went wrong
        if isinstance(exc, ValueError):  # no main text, a page nested too deep: said as it is
            message = str(exc)
        else:
            error = failure_of(exc, step=step, url=submission.url)
            submission.http_status = error.status
            message = str(error)
        submission.status = AnnouncementSubmission.Status.FAILED
        submission.error = db_text(message, 5000)
        submission.finished_at = timezone.now()
        submission.save()
    return submission
