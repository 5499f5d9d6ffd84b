"""Filings and regulators as sources: an EDGAR filer's run and the CMA cases feed's run.

``filings_source_scrape`` is what ``newsroom_scrape`` calls for an ``edgar`` or ``cma``
newsroom, and ``filings_source_preview`` what the dry run calls. Both keep the newsroom
rules: any exception while fetching, parsing or storing ends the run as failed with a
readable error that says where (``health.newsroom_record_failure``), with backoff and health;
the SEC's declared User-Agent missing is such a failure, permanent, so the filer turns broken
and staff hear of it once.

- ``edgar``: the filer's new filings read into passages, archived as "filing" announcements;
- ``cma``: new or updated case pages archived as "regulator" announcements;
- ``common``: where to fetch from (mirrors), SEC's policy, tracked companies, run outcomes.
"""

from __future__ import annotations

import logging

from scrapers.fetch import FetchError
from scrapers.models import Newsroom, ScrapeRun
from scrapers.services.filings.cma import case_store, case_text, cma_cases_preview, cma_cases_scrape
from scrapers.services.filings.common import mirrored
from scrapers.services.filings.edgar import (
    edgar_filer_preview,
    edgar_filer_scrape,
    filing_read,
    filing_store,
    passage_title,
)
from scrapers.services.health import newsroom_record_failure, scrape_run_finish
from scrapers.services.runs import RunStep

logger = logging.getLogger(__name__)

__all__ = [
    "case_store",
    "case_text",
    "filing_read",
    "filing_store",
    "filings_source_preview",
    "filings_source_scrape",
    "mirrored",
    "passage_title",
]

_RUNS = {Newsroom.Kind.EDGAR: edgar_filer_scrape, Newsroom.Kind.CMA: cma_cases_scrape}
_PREVIEWS = {Newsroom.Kind.EDGAR: edgar_filer_preview, Newsroom.Kind.CMA: cma_cases_preview}


def filings_source_scrape(*, newsroom: Newsroom, run: ScrapeRun) -> ScrapeRun:
    """Run an EDGAR filer or the CMA cases feed, recording every failure as the run's outcome."""
    step = RunStep(newsroom.url)
    try:
        return _RUNS[newsroom.kind](newsroom=newsroom, run=run, step=step)
    except Exception as exc:  # noqa: BLE001 - every failure of one source is recorded as its outcome
        if not isinstance(exc, FetchError):
            logger.warning("Scraping source %s failed while %s", newsroom.pk, step.name, exc_info=True)
        return newsroom_record_failure(newsroom=newsroom, run=run, error=step.failure(exc))


def filings_source_preview(*, newsroom: Newsroom, run: ScrapeRun) -> ScrapeRun:
    """The dry run of a filings source: an unsaved run, nothing written."""
    step = RunStep(newsroom.url)
    try:
        return _PREVIEWS[newsroom.kind](newsroom=newsroom, run=run)
    except Exception as exc:  # noqa: BLE001 - a preview reports every failure, like a run
        error = step.failure(exc)
        status = ScrapeRun.Status.BLOCKED if error.blocked else ScrapeRun.Status.FAILED
        return scrape_run_finish(run, status, http_status=error.status, error=str(error))
