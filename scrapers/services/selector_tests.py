"""The admin's "Test selectors now" and "Scrape now": queued rows, run by a worker, shown back.

The web process only writes the rows and enqueues tasks after commit; fetching happens in
a Celery worker, so a hostile newsroom can never tie up a gunicorn worker. The admin's
progress page reads the rows and refreshes until every one has finished.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from scrapers.fetch import fetch
from scrapers.models import Newsroom, ScrapeRun, SelectorTest
from scrapers.services.health import scrape_run_finish
from scrapers.services.runs import RunStep, listing_parse
from scrapers.untrusted import db_text

logger = logging.getLogger(__name__)

BROKER_DOWN = "Could not be queued: the task broker is unavailable. Try again in a minute."


def _enqueue_or_fail(send, on_failure) -> None:
    try:
        send()
    except BrokerError:
        logger.warning("Broker unavailable; an admin request could not be queued")
        on_failure()


def selector_tests_request(*, newsrooms: list[Newsroom], user=None) -> list[SelectorTest]:
    """One queued test per newsroom; the worker task starts after commit."""
    from scrapers.tasks import selector_test_run_task

    tests = [SelectorTest.objects.create(newsroom=newsroom, requested_by=user) for newsroom in newsrooms]
    for test in tests:
        transaction.on_commit(
            lambda pk=test.pk: _enqueue_or_fail(
                lambda: selector_test_run_task.delay(pk),
                lambda: SelectorTest.objects.filter(pk=pk).update(
                    status=SelectorTest.Status.FAILED, error=BROKER_DOWN, finished_at=timezone.now()
                ),
            )
        )
    return tests


def newsroom_scrapes_request(*, newsrooms: list[Newsroom]) -> list[ScrapeRun]:
    """One queued run per newsroom for "Scrape now"; the worker fills it in."""
    from scrapers.tasks import newsroom_scrape_task

    runs = [ScrapeRun.objects.create(newsroom=n, status=ScrapeRun.Status.QUEUED) for n in newsrooms]
    for run in runs:
        transaction.on_commit(
            lambda run=run: _enqueue_or_fail(
                lambda: newsroom_scrape_task.delay(run.newsroom_id, run.pk),
                lambda: scrape_run_finish(run, ScrapeRun.Status.FAILED, error=BROKER_DOWN),
            )
        )
    return runs


def _preview_items(items) -> list[dict]:
    return [
        {key: db_text(value) if isinstance(value, str) else value for key, value in item.as_json().items()}
        for item in items[: SelectorTest.PREVIEW_ITEMS]
    ]


def selector_test_run(*, selector_test_id: int) -> SelectorTest | None:
    """Fetch and parse the newsroom with its current selectors; store what came back, nothing else."""
    queued = SelectorTest.objects.filter(pk=selector_test_id, status=SelectorTest.Status.QUEUED)
    if not queued.update(status=SelectorTest.Status.RUNNING, started_at=timezone.now()):
        return None  # already run (a redelivered message) or gone
    test = SelectorTest.objects.select_related("newsroom").get(pk=selector_test_id)
    newsroom = test.newsroom
    step = RunStep(newsroom.url)
    try:
        result = fetch(newsroom.url)
        test.http_status = result.status
        step.name, step.url = "parsing", result.url
        listing = listing_parse(newsroom, result)
    except Exception as exc:  # noqa: BLE001 - the test's outcome is whatever went wrong
        error = step.failure(exc)
        test.status, test.http_status, test.error = (
            SelectorTest.Status.FAILED,
            error.status,
            db_text(str(error), 5000),
        )
    else:
        test.status, test.items_seen, test.items_skipped = (
            SelectorTest.Status.OK,
            len(listing.items),
            listing.skipped,
        )
        test.items = _preview_items(listing.items)
    test.finished_at = timezone.now()
    test.save()
    return test
