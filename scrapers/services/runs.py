"""A newsroom run: fetch the listing, parse it, store its items, record the run and the health.

``newsroom_scrape`` is the scheduled path and the admin's "Scrape now"; ``newsroom_preview``
is the dry run (``manage.py scrape --dry-run``), a separate path that writes nothing. Each
step that can meet hostile input (fetching, parsing, storing) runs under one guard: any
exception ends the run as failed with a readable error (``health.newsroom_record_failure``).
HTTP never happens inside a transaction, and follow-up tasks are enqueued on commit.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from scrapers.adapters import ListingItem, ParseError, canonical_url, get_adapter
from scrapers.fetch import FetchError, FetchResult, fetch
from scrapers.models import Announcement, Newsroom, ScrapeRun
from scrapers.services.health import (
    failure_of,
    freshness_health,
    newsroom_record_failure,
    newsroom_set_health,
    scrape_run_finish,
)
from scrapers.services.ingest import IngestResult, announcement_ingest, listing_item_clean

logger = logging.getLogger(__name__)

ARTICLE_BURST = 5  # new pages fetched right after a scrape; the rest are spread out


@dataclass
class Listing:
    """A fetched and parsed listing: its response, its items, and the entries the adapter skipped."""

    result: FetchResult
    items: list[ListingItem]
    skipped: int = 0


def listing_parse(newsroom: Newsroom, result: FetchResult) -> Listing:
    """Parse a fetched listing with the newsroom's adapter and selectors."""
    adapter = get_adapter(newsroom.kind)
    # Feeds get the raw bytes (feedparser honours the XML declaration); pages get our decoded text.
    payload = result.body if newsroom.kind == Newsroom.Kind.FEED else result.text
    try:
        items = adapter.parse(payload, base_url=result.url, newsroom=newsroom)
    except ParseError as exc:
        raise FetchError(
            f"Could not parse {result.url} as {newsroom.kind}: {exc}", permanent=False, status=result.status
        ) from exc
    return Listing(result, items, adapter.skipped)


class RunStep:
    """What a run is doing, so an unexpected exception can say where it happened."""

    def __init__(self, url: str):
        self.name, self.url = "fetching", url

    def failure(self, exc: BaseException) -> FetchError:
        return failure_of(exc, step=self.name, url=self.url)


def _run_start(newsroom: Newsroom, run_id: int | None) -> ScrapeRun:
    """The run queued by "Scrape now" when this task was asked for one, else a new run."""
    now = timezone.now()
    if run_id is not None:
        queued = ScrapeRun.objects.filter(pk=run_id, newsroom=newsroom, status=ScrapeRun.Status.QUEUED)
        if queued.update(status=ScrapeRun.Status.RUNNING, started_at=now):
            return ScrapeRun.objects.get(pk=run_id)
    return ScrapeRun.objects.create(newsroom=newsroom, started_at=now)


def newsroom_scrape(
    *, newsroom: Newsroom, fetch_articles: bool = True, run_id: int | None = None
) -> ScrapeRun:
    """Fetch and parse a newsroom, ingest its items, and record the run and the health.

    An EDGAR filer or the CMA's cases feed is read by ``scrapers.services.filings`` instead
    of a listing adapter, with the same run, failure and health rules.
    """
    run = _run_start(newsroom, run_id)
    if newsroom.is_filings_source:
        from scrapers.services.filings import filings_source_scrape

        return filings_source_scrape(newsroom=newsroom, run=run)
    step = RunStep(newsroom.url)
    try:
        result = fetch(newsroom.url, etag=newsroom.etag, last_modified=newsroom.last_modified)
        run.http_status, run.bytes_received = result.status, len(result.body)
        if result.not_modified:
            return newsroom_record_not_modified(newsroom, run)
        step.name, step.url = "parsing", result.url
        listing = listing_parse(newsroom, result)
        step.name = "storing the items of"
        return _record_listing(newsroom, run, listing, fetch_articles=fetch_articles)
    except Exception as exc:  # noqa: BLE001 - every failure of one newsroom is recorded as its outcome
        if not isinstance(exc, FetchError):
            logger.warning("Scraping newsroom %s failed while %s", newsroom.pk, step.name, exc_info=True)
        return newsroom_record_failure(newsroom=newsroom, run=run, error=step.failure(exc))


def newsroom_record_not_modified(newsroom: Newsroom, run: ScrapeRun) -> ScrapeRun:
    """Unchanged source: the run record is the only write unless something really changed."""
    now = run.started_at
    scrape_run_finish(run, ScrapeRun.Status.NOT_MODIFIED)
    # The dispatcher already moved next_fetch_at when it claimed the newsroom; a run started
    # another way (the `scrape` command) moves it here if it was due.
    updates = {}
    if newsroom.next_fetch_at <= now:
        updates["next_fetch_at"] = timezone.now() + newsroom.fetch_interval
    if newsroom.consecutive_failures:
        updates.update(consecutive_failures=0, last_success_at=now)
    if updates:
        Newsroom.objects.filter(pk=newsroom.pk).update(**updates)
    # A newsroom broken by an item-count collapse stays broken while the source is unchanged.
    collapsed_before = newsroom.health == Newsroom.Health.BROKEN and not newsroom.consecutive_failures
    if not collapsed_before:
        health, detail = freshness_health(newsroom, now)
        if health != newsroom.health:
            newsroom_set_health(newsroom=newsroom, health=health, detail=detail)
    return run


def _collapse_error(newsroom: Newsroom, seen: int) -> str:
    typical = newsroom.typical_item_count
    if typical >= 5 and seen < max(1.0, typical * settings.SCRAPER_COLLAPSE_RATIO):
        return (
            f"Parsed {seen} items where the source usually lists about {typical}: the page or feed changed."
        )
    return ""


def _skipped_note(skipped: int, seen: int) -> str:
    if not skipped:
        return ""
    return f"Skipped {skipped} of {seen + skipped} listing entries that could not be read or stored."


def _record_listing(
    newsroom: Newsroom, run: ScrapeRun, listing: Listing, *, fetch_articles: bool
) -> ScrapeRun:
    now = run.started_at
    items = listing.items
    ingest = announcement_ingest(newsroom=newsroom, items=items)
    skipped = listing.skipped + ingest.skipped
    collapse = _collapse_error(newsroom, len(items))
    scrape_run_finish(
        run,
        ScrapeRun.Status.OK,
        items_seen=len(items),
        items_new=len(ingest.new_ids),
        items_updated=ingest.updated,
        items_skipped=skipped,
        error=" ".join(filter(None, [collapse, _skipped_note(skipped, len(items))])),
    )
    _newsroom_after_listing(newsroom, listing, ingest, collapsed=bool(collapse), now=now)
    if collapse:
        newsroom_set_health(newsroom=newsroom, health=Newsroom.Health.BROKEN, detail=collapse)
    else:
        health, detail = freshness_health(newsroom, now)
        newsroom_set_health(newsroom=newsroom, health=health, detail=detail)
    if fetch_articles and ingest.new_ids:
        from scrapers.services.dispatch import announcement_fetches_enqueue

        ids = _stagger_article_fetches(ingest.new_ids, now=now)
        transaction.on_commit(lambda: announcement_fetches_enqueue(ids))
    return run


def _newsroom_after_listing(
    newsroom: Newsroom, listing: Listing, ingest: IngestResult, *, collapsed: bool, now: datetime
) -> None:
    result, items = listing.result, listing.items
    typical = newsroom.typical_item_count
    updates: dict = {"last_success_at": now, "consecutive_failures": 0}
    # As for an unchanged source: the dispatcher's claim already set the next check.
    if newsroom.next_fetch_at <= now:
        updates["next_fetch_at"] = timezone.now() + newsroom.fetch_interval
    if result.etag != newsroom.etag or result.last_modified != newsroom.last_modified:
        updates.update(etag=result.etag, last_modified=result.last_modified)
    if not collapsed:
        updates["typical_item_count"] = (
            len(items) if typical == 0 else round(0.7 * typical + 0.3 * len(items))
        )
    if ingest.new_ids:
        dates = [
            clean.published_at for clean in map(listing_item_clean, items) if clean and clean.published_at
        ]
        newest = max(dates, default=None)
        fresh = min(newest, now) if newest else now
        if newsroom.last_new_item_at is None or fresh > newsroom.last_new_item_at:
            updates["last_new_item_at"] = fresh
    Newsroom.objects.filter(pk=newsroom.pk).update(**updates)
    for name, value in updates.items():
        setattr(newsroom, name, value)


def _stagger_article_fetches(ids: list[int], *, now: datetime) -> list[int]:
    """Fetch a few new pages now and spread the rest out, so a first scrape of a newsroom with
    hundreds of items does not queue hundreds of tasks all waiting on one host's slot."""
    immediate, later = ids[:ARTICLE_BURST], ids[ARTICLE_BURST:]
    if later:
        spacing = timedelta(seconds=max(2 * settings.SCRAPER_HOST_DELAY, 1.0))
        rows = [Announcement(pk=pk, next_fetch_at=now + spacing * (n + 1)) for n, pk in enumerate(later)]
        Announcement.objects.bulk_update(rows, ["next_fetch_at"], batch_size=500)
    return immediate


def newsroom_preview(*, newsroom: Newsroom) -> ScrapeRun:
    """The dry run: fetch and parse unconditionally, write nothing.

    Returns an unsaved run whose ``items_new`` counts items not yet in the archive.
    """
    run = ScrapeRun(newsroom=newsroom, started_at=timezone.now())
    if newsroom.is_filings_source:
        from scrapers.services.filings import filings_source_preview

        return filings_source_preview(newsroom=newsroom, run=run)
    step = RunStep(newsroom.url)
    try:
        result = fetch(newsroom.url)
        run.http_status, run.bytes_received = result.status, len(result.body)
        step.name, step.url = "parsing", result.url
        listing = listing_parse(newsroom, result)
    except Exception as exc:  # noqa: BLE001 - a preview reports every failure, like a run
        error = step.failure(exc)
        status = ScrapeRun.Status.BLOCKED if error.blocked else ScrapeRun.Status.FAILED
        return scrape_run_finish(run, status, http_status=error.status, error=str(error))
    keys = [canonical_url(clean.url) for clean in map(listing_item_clean, listing.items) if clean]
    known = set(Announcement.objects.filter(url_key__in=keys).values_list("url_key", flat=True))
    return scrape_run_finish(
        run,
        ScrapeRun.Status.OK,
        items_seen=len(listing.items),
        items_new=sum(1 for key in set(keys) if key not in known),
        items_skipped=listing.skipped + len(listing.items) - len(keys),
    )


class _Pool:
    """Threads taking newsrooms from one queue; each keeps one database connection for all of them."""

    def __init__(self, newsrooms: Iterable[Newsroom], run_one, on_done):
        self.pending: queue.SimpleQueue[Newsroom] = queue.SimpleQueue()
        for newsroom in newsrooms:
            self.pending.put(newsroom)
        self.run_one, self.on_done = run_one, on_done
        self.runs: list[ScrapeRun] = []
        self.lock = threading.Lock()

    def _one(self, newsroom: Newsroom) -> None:
        run, error = None, None
        try:
            run = self.run_one(newsroom=newsroom)
        except Exception as exc:  # noqa: BLE001 - reported per newsroom; the others go on
            logger.exception("Scraping newsroom %s crashed", newsroom.pk)
            error = exc
        with self.lock:
            if run is not None:
                self.runs.append(run)
            if self.on_done:
                self.on_done(newsroom, run, error)

    def work(self) -> None:
        try:
            while True:
                try:
                    newsroom = self.pending.get_nowait()
                except queue.Empty:
                    return
                self._one(newsroom)
        finally:
            connections.close_all()

    def run(self, workers: int) -> list[ScrapeRun]:
        threads = [
            threading.Thread(target=self.work, name=f"scrape-{i}", daemon=True)
            for i in range(min(workers, max(1, self.pending.qsize())))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.runs


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
    a PostgreSQL login each time). A dry run previews each newsroom instead.
    """

    def scrape(*, newsroom):
        return newsroom_scrape(newsroom=newsroom, fetch_articles=fetch_articles)

    pool = _Pool(newsrooms, newsroom_preview if dry_run else scrape, on_done)
    return pool.run(workers or settings.SCRAPER_CONCURRENCY)
