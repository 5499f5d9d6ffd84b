"""Listing items into the archive: upserted by address key, cleaned, one bad item at a time.

Every item is cleaned before it reaches the database (NUL and other control characters
removed, only http(s) links, a date PostgreSQL can store) and an item that still cannot
be stored is skipped and counted while the rest of the listing goes in.

The link is stored as the listing gave it; ``url_key`` (``canonical_url``) finds the
announcement it already is, so a post listed as ``/a/`` by one feed and ``/a?utm_source=x``
by another is one announcement, keeping the first spelling seen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from scrapers.adapters import ListingItem, canonical_url
from scrapers.models import Announcement, Newsroom
from scrapers.untrusted import db_text, http_url

logger = logging.getLogger(__name__)

# How long a new announcement is held for its first fetch before the dispatcher may hand it
# out again: longer than a task can run (hard time limit), far shorter than the visibility timeout.
CLAIM_LEASE = timedelta(minutes=15)
URL_MAX_LENGTH = 1000


@dataclass
class IngestResult:
    new_ids: list[int] = field(default_factory=list)
    updated: int = 0
    skipped: int = 0  # items that could not be stored (no http(s) link, a value the database refused)


def _storable_date(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value.astimezone(UTC)  # 9999-12-31T23:00-05:00 overflows on the way to UTC
    except OverflowError:
        return None
    return value


def listing_item_clean(item: ListingItem) -> ListingItem | None:
    """The item as the archive stores it, or None when it has no link worth storing."""
    url = http_url(item.url)
    if not url or len(url) > URL_MAX_LENGTH or len(canonical_url(url)) > URL_MAX_LENGTH:
        return None
    return replace(
        item,
        url=url,
        title=db_text(item.title).strip()[:500],
        summary=db_text(item.summary),
        published_at=_storable_date(item.published_at),
    )


def _insert(rows: list[Announcement]) -> int:
    """``INSERT ... ON CONFLICT DO NOTHING`` for all rows; on a refused value, row by row. Returns skips."""
    try:
        with transaction.atomic():
            Announcement.objects.bulk_create(rows, ignore_conflicts=True)
        return 0
    except (DataError, IntegrityError):
        logger.warning("A batch of %s announcements was refused; inserting one by one", len(rows))
    skipped = 0
    for row in rows:
        try:
            with transaction.atomic():
                Announcement.objects.bulk_create([row], ignore_conflicts=True)
        except (DataError, IntegrityError):
            logger.warning("Skipped announcement %s: the database refused it", row.url, exc_info=True)
            skipped += 1
    return skipped


def _changes(item: ListingItem, current: Announcement, newsroom: Newsroom | None) -> dict:
    changes = {}
    if item.title and item.title != current.title and item.title != item.url:
        changes["title"] = item.title
    if item.published_at and item.published_at != current.published_at:
        changes["published_at"] = item.published_at
        changes["published_precision"] = item.precision
    if item.summary and item.summary != current.summary:
        changes["summary"] = item.summary
    if current.newsroom_id is None and newsroom is not None:
        changes["newsroom"] = newsroom
    return changes


def _update(item: ListingItem, current: Announcement, newsroom: Newsroom | None, now: datetime) -> str:
    changes = _changes(item, current, newsroom)
    if not changes:
        return "same"
    try:
        with transaction.atomic():
            Announcement.objects.filter(pk=current.pk).update(**changes, updated_at=now)
    except (DataError, IntegrityError):
        logger.warning("Skipped the update of announcement %s", current.pk, exc_info=True)
        return "skipped"
    return "updated"


def announcement_ingest(*, newsroom: Newsroom | None, items: list[ListingItem]) -> IngestResult:
    """Upsert listing items by address key; only real changes are written.

    New rows go in with one ``INSERT ... ON CONFLICT DO NOTHING`` under the unique key, so two
    runs racing on the same item cannot duplicate it; a row counts as new for this run when
    it was created after the insert began.
    """
    result = IngestResult()
    cleaned: dict[str, ListingItem] = {}
    for item in items:
        clean = listing_item_clean(item)
        if clean is None:
            result.skipped += 1
        else:
            cleaned.setdefault(canonical_url(clean.url), clean)  # the listing's first spelling
    existing = {a.url_key: a for a in Announcement.objects.filter(url_key__in=list(cleaned))}
    now = timezone.now()
    fresh = [
        Announcement(
            newsroom=newsroom,
            url=item.url,
            url_key=key,
            title=item.title,
            published_at=item.published_at,
            published_precision=item.precision,
            summary=item.summary,
            # A lease: the on-commit task fetches it now; if that task is lost, the dispatcher does later.
            next_fetch_at=now + CLAIM_LEASE,
        )
        for key, item in cleaned.items()
        if key not in existing
    ]
    if fresh:
        result.skipped += _insert(fresh)
        result.new_ids = list(
            Announcement.objects.filter(url_key__in=[a.url_key for a in fresh], created_at__gte=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for key, current in existing.items():
        outcome = _update(cleaned[key], current, newsroom, now)
        result.updated += outcome == "updated"
        result.skipped += outcome == "skipped"
    return result
