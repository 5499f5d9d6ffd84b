"""Thin Celery task: takes an announcement id, calls the extraction service.

Re-running is safe: the service keys the candidate deal on the announcement, so a
redelivered message (acks_late) updates the same rows instead of duplicating them.
Only a lost database connection is worth a retry; anything else is a bug to see.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from scrapers.extraction.service import announcement_extract


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=3,
)
def extract_announcement(announcement_id: int) -> int | None:
    """Return the id of the candidate deal, or None when the text is not a deal."""
    deal = announcement_extract(announcement_id=announcement_id)
    return deal.pk if deal is not None else None
