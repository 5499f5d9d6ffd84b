"""Thin Celery tasks: ids in, a service does the work; each task is named after its service.

``newsroom_scrape_task`` and ``announcement_fetch_task`` are ``acks_late`` with
``reject_on_worker_lost``: a killed worker's message is redelivered and re-run, which is
safe because the services upsert by canonical URL and content hash. Their time limits
(``SCRAPER_TASK_TIME_LIMIT``) sit far below the broker's visibility timeout, which the
settings refuse to set lower, and no task uses a countdown: waits are stored as
``next_fetch_at`` and picked up by beat's dispatcher.

The services record every failure of a newsroom or page as its outcome. Should memory or
the recursion limit still run out outside them, the task logs it and returns: with
``acks_late`` a crashing task would be redelivered and crash every worker that takes it.
"""

import functools
import logging

from celery import shared_task
from django.conf import settings

from scrapers import services
from scrapers.models import Newsroom

logger = logging.getLogger(__name__)

LONG_TASK = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "soft_time_limit": settings.SCRAPER_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.SCRAPER_TASK_TIME_LIMIT,
}


def contained(task):
    """Never let MemoryError or RecursionError escape a task and take the worker with it."""

    @functools.wraps(task)
    def run(*args, **kwargs):
        try:
            return task(*args, **kwargs)
        except (MemoryError, RecursionError):
            logger.exception("%s%r ran out of memory or recursion depth; dropped", task.__name__, args)
            return None

    return run


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def scrape_work_dispatch_task() -> int:
    """Every few seconds from beat: hand due newsrooms and announcement pages to workers."""
    dispatched = services.scrape_work_dispatch()
    return dispatched.newsrooms + dispatched.announcements


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def scrape_runs_close_orphans_task() -> int:
    """Every minute from beat: close the runs killed workers left open."""
    return services.scrape_runs_close_orphans()


@shared_task(**LONG_TASK)
@contained
def newsroom_scrape_task(newsroom_id: int, run_id: int | None = None) -> None:
    """A scheduled scrape, or with ``run_id`` the admin's "Scrape now" (which also runs paused newsrooms)."""
    newsroom = Newsroom.objects.filter(pk=newsroom_id).order_by().first()  # no ORDER BY name for one row
    if newsroom is not None and (newsroom.is_active or run_id is not None):
        services.newsroom_scrape(newsroom=newsroom, run_id=run_id)


@shared_task(**LONG_TASK)
@contained
def announcement_fetch_task(announcement_id: int) -> None:
    services.announcement_fetch(announcement_id=announcement_id)


@shared_task(**LONG_TASK)
@contained
def selector_test_run_task(selector_test_id: int) -> None:
    services.selector_test_run(selector_test_id=selector_test_id)


@shared_task(**LONG_TASK)
@contained
def announcement_submission_run_task(submission_id: int) -> None:
    """The admin's "Add announcement" from an address: fetch the page, store it, queue extraction."""
    services.announcement_submission_run(submission_id=submission_id)


# Deprecated names, kept for messages queued before the rename (a deploy with work in flight).
# Remove once no worker or queue can still hold a message under an old name.


@shared_task(
    name="scrapers.tasks.dispatch_due_newsrooms", ignore_result=True, soft_time_limit=50, time_limit=60
)
def dispatch_due_newsrooms() -> int:
    return scrape_work_dispatch_task()


@shared_task(name="scrapers.tasks.scrape_newsroom", **LONG_TASK)
def scrape_newsroom(newsroom_id: int) -> None:
    newsroom_scrape_task(newsroom_id)


@shared_task(name="scrapers.tasks.fetch_announcement", **LONG_TASK)
def fetch_announcement(announcement_id: int) -> None:
    announcement_fetch_task(announcement_id)
