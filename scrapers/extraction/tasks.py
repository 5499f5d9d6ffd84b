"""Thin Celery task: takes an announcement id, calls the extraction service.

Re-running is safe: the service keys the candidate deal on the announcement, so a
redelivered message (acks_late) updates the same rows instead of duplicating them.
"""

from celery import shared_task

from scrapers.extraction.service import announcement_extract


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def extract_announcement(announcement_id: int) -> int | None:
    """Return the id of the candidate deal, or None when the text is not a deal."""
    deal = announcement_extract(announcement_id=announcement_id)
    return deal.pk if deal is not None else None
