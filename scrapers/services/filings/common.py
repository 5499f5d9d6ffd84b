"""What the EDGAR and CMA runs share: where to fetch from, how to ask, what is tracked, how a run ends.

Stored addresses are always the real ones (``https://www.sec.gov/Archives/…``,
``https://www.gov.uk/cma-cases/…``): they are evidence links. ``mirrored`` turns one into
the address to fetch, through ``SEC_WWW_URL``, ``SEC_DATA_URL`` and ``GOVUK_URL`` (a mirror,
or the test suite's loopback server). EDGAR is always asked with SEC's policy (its declared
User-Agent, one slot for all its hosts, ``SEC_REQUEST_DELAY``), wherever it is fetched from.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from partnerships.models import Company
from scrapers.fetch import FetchError, FetchResult, fetch, sec_policy
from scrapers.filings import FilingParseError, TrackedCompany
from scrapers.models import Newsroom, ScrapeRun
from scrapers.services.health import freshness_health, newsroom_set_health, scrape_run_finish

logger = logging.getLogger(__name__)

ORIGINS = {
    "https://www.sec.gov": "SEC_WWW_URL",
    "https://data.sec.gov": "SEC_DATA_URL",
    "https://www.gov.uk": "GOVUK_URL",
}
# A filer with more new filings than a run reads is polled again this soon, until caught up.
BACKLOG_RECHECK = timedelta(minutes=2)


def mirrored(url: str) -> str:
    """The address to fetch ``url`` from (the configured base of sec.gov or gov.uk, else itself)."""
    for origin, setting in ORIGINS.items():
        if url == origin or url.startswith(origin + "/"):
            return getattr(settings, setting).rstrip("/") + url[len(origin) :]
    return url


def edgar_fetch(url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
    """GET an EDGAR address the way SEC asks; a permanent error when ``SEC_USER_AGENT`` is unset."""
    return fetch(mirrored(url), etag=etag, last_modified=last_modified, policy=sec_policy())


def govuk_fetch(url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
    return fetch(mirrored(url), etag=etag, last_modified=last_modified)


def parse_error(exc: FilingParseError, result: FetchResult, what: str) -> FetchError:
    """A body that is not what the source serves: permanent for that body, retried next run."""
    return FetchError(
        f"Could not read {result.url} as {what}: {exc}", permanent=False, status=result.status, url=result.url
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def day_start(day: date | None) -> datetime | None:
    """Midnight UTC of a day EDGAR or GOV.UK gives (a filing date, an opening date)."""
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


def tracked_companies(*, filer: Company | None) -> list[TrackedCompany]:
    """Every reviewed company with its aliases (one query pair), the filer itself left out."""
    companies = Company.objects.filter(is_proposed=False).prefetch_related("aliases").order_by("id")
    return [
        TrackedCompany(company.name, tuple(alias.name for alias in company.aliases.all()))
        for company in companies
        if filer is None or company.pk != filer.pk
    ]


def own_names(company: Company | None, *extra: str) -> list[str]:
    """The filer's own names, never counterparties in its own filings."""
    names = [name for name in extra if name]
    if company is not None:
        names += [company.name, *company.aliases.values_list("name", flat=True)]
    return names


@dataclass
class SourceOutcome:
    """What one run of a filings source did, for its ``ScrapeRun`` and the source's health."""

    seen: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    newest: datetime | None = None  # when the newest new item appeared (a filing date, a case update)
    backlog: int = 0  # new items left for the next run
    problems: list[str] = field(default_factory=list)  # items that could not be read: the run's error
    notes: list[str] = field(default_factory=list)  # what the run did and passed over: its note
    skipped_kinds: Counter = field(default_factory=Counter)  # why listed items were not read
    complete: bool = True  # everything listed was handled: safe to keep the listing's validators

    def problem(self, text: str) -> None:
        if text:
            self.problems.append(text)

    def summary(self) -> str:
        notes = list(self.notes)
        if self.skipped_kinds:
            top = ", ".join(f"{reason} ×{count}" for reason, count in self.skipped_kinds.most_common(5))
            more = len(self.skipped_kinds) - 5
            notes.append(
                f"Skipped {sum(self.skipped_kinds.values())} listed item(s) not read: {top}"
                + (f" and {more} other reason(s)." if more > 0 else ".")
            )
        if self.backlog:
            notes.append(f"{self.backlog} new item(s) wait for the next run.")
        return " ".join(notes)


def source_run_finish(
    newsroom: Newsroom, run: ScrapeRun, outcome: SourceOutcome, result: FetchResult
) -> ScrapeRun:
    """Close a successful run of a filings source and update the source's schedule and health."""
    scrape_run_finish(
        run,
        ScrapeRun.Status.OK,
        items_seen=outcome.seen,
        items_new=outcome.new,
        items_updated=outcome.updated,
        items_skipped=outcome.skipped,
        error=" ".join(outcome.problems),
        note=outcome.summary(),
    )
    now = run.started_at
    wait = BACKLOG_RECHECK if outcome.backlog else newsroom.fetch_interval
    updates: dict = {
        "next_fetch_at": timezone.now() + wait,
        "last_success_at": now,
        "consecutive_failures": 0,
    }
    if outcome.complete and (result.etag != newsroom.etag or result.last_modified != newsroom.last_modified):
        updates.update(etag=result.etag, last_modified=result.last_modified)
    elif not outcome.complete and (newsroom.etag or newsroom.last_modified):
        # Work is left: the next run must read the listing again, not hear "not modified".
        updates.update(etag="", last_modified="")
    if outcome.newest is not None:
        fresh = min(outcome.newest, now)
        if newsroom.last_new_item_at is None or fresh > newsroom.last_new_item_at:
            updates["last_new_item_at"] = fresh
    Newsroom.objects.filter(pk=newsroom.pk).update(**updates)
    for name, value in updates.items():
        setattr(newsroom, name, value)
    health, detail = freshness_health(newsroom, now)
    newsroom_set_health(newsroom=newsroom, health=health, detail=detail)
    return run


def source_preview_finish(run: ScrapeRun, outcome: SourceOutcome, *, new: int) -> ScrapeRun:
    """The dry run's unsaved run: what is listed, what would be new, nothing written."""
    return scrape_run_finish(
        run,
        ScrapeRun.Status.OK,
        items_seen=outcome.seen,
        items_new=new,
        items_skipped=outcome.skipped,
        error=" ".join(outcome.problems),
        note=outcome.summary(),
    )


def enqueue_by_name(task_name: str, announcement_id: int) -> None:
    """Queue a curation task by its registered name (scraping never imports curation code)."""
    from celery import current_app
    from kombu.exceptions import OperationalError as BrokerError

    try:
        current_app.signature(task_name, args=(announcement_id,)).delay()
    except BrokerError:
        logger.warning("Broker unavailable; %s for announcement %s not queued", task_name, announcement_id)
