"""Thin Celery tasks: ids in, services do the work.

``scrape_newsroom`` and ``fetch_announcement`` are ``acks_late`` with
``reject_on_worker_lost``: a killed worker's message is redelivered and re-run, which is
safe because the services upsert by canonical URL and content hash. Their time limits
sit far below the broker's visibility timeout, and no task uses a countdown: waits are
stored as ``next_fetch_at`` and picked up by the per-minute dispatcher.
"""

from celery import shared_task
from django.conf import settings

from scrapers import services
from scrapers.models import Newsroom

# Worst case for one request: connect + read timeouts on each redirect hop and robots.txt.
_REQUEST_BUDGET = settings.SCRAPER_CONNECT_TIMEOUT + 3 * settings.SCRAPER_READ_TIMEOUT
TIME_LIMIT = int(min(settings.CELERY_VISIBILITY_TIMEOUT / 4, max(120, _REQUEST_BUDGET * 4)))
SOFT_TIME_LIMIT = TIME_LIMIT - 30


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def dispatch_due_newsrooms() -> int:
    """Every minute from beat: hand due newsrooms and announcement pages to workers."""
    newsroom_ids = services.newsrooms_claim_due()
    for pk in newsroom_ids:
        scrape_newsroom.delay(pk)
    announcement_ids = services.announcements_claim_due()
    for pk in announcement_ids:
        fetch_announcement.delay(pk)
    return len(newsroom_ids) + len(announcement_ids)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def scrape_newsroom(newsroom_id: int) -> None:
    newsroom = Newsroom.objects.filter(pk=newsroom_id, is_active=True).first()
    if newsroom is not None:
        services.newsroom_scrape(newsroom=newsroom)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def fetch_announcement(announcement_id: int) -> None:
    services.announcement_fetch(announcement_id=announcement_id)
