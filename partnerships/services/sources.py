"""Archiving the pages deals cite, so every "archived copy" link leads to a page Pactwatch holds.

``deal_sources_archive`` fetches every source of a public deal that has no archive yet,
one page at a time, through the scraper's own article fetch (``announcement_fetch``): the
guarded fetcher (robots.txt, per-host politeness, SSRF guard, size and time caps), the main
text and a revision stored as for any scraped page. A page that cannot be fetched is
reported with the reason and left as it was; the next page is tried all the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from partnerships.models import Deal
from scrapers.models import Announcement
from scrapers.services import announcement_fetch

logger = logging.getLogger(__name__)


@dataclass
class ArchiveReport:
    archived: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, why)

    def line(self) -> str:
        failures = "; ".join(f"{url}: {why}" for url, why in self.failed)
        return f"archived {len(self.archived)}, failed {len(self.failed)}" + (
            f": {failures}" if failures else ""
        )


def sources_to_archive(*, deal_slugs=None):
    """Source pages of public deals that Pactwatch holds no copy of, oldest first."""
    deals = Deal.objects.public()
    if deal_slugs:
        deals = deals.filter(slug__in=deal_slugs)
    return (
        Announcement.objects.filter(deals__in=deals)
        .exclude(fetch_status=Announcement.FetchStatus.FETCHED, content_hash__gt="")
        .distinct()
        .order_by("id")
        .only("id", "url")
    )


def deal_sources_archive(
    *, deal_slugs=None, limit: int | None = None, on_each: Callable[[str, str], None] | None = None
) -> ArchiveReport:
    """Fetch and archive every unarchived source of the public deals (or of the given slugs).

    ``on_each(url, outcome)`` is told about each page as it is done (the command's progress).
    """
    report = ArchiveReport()
    pages = list(
        sources_to_archive(deal_slugs=deal_slugs)[:limit]
        if limit
        else sources_to_archive(deal_slugs=deal_slugs)
    )
    for page in pages:
        try:
            fetched = announcement_fetch(announcement_id=page.pk)
        except Exception as exc:  # one page's failure (any cause) must not stop the others
            logger.warning("archiving %s failed: %r", page.url, exc)
            fetched, why = None, f"{type(exc).__name__}: {exc}"
        else:
            why = (fetched.fetch_error if fetched is not None else "") or "no text was stored"
        if fetched is not None and fetched.has_archive:
            report.archived.append(page.url)
            outcome = "archived"
        else:
            report.failed.append((page.url, why[:300]))
            outcome = f"failed: {why[:120]}"
        if on_each is not None:
            on_each(page.url, outcome)
    return report
