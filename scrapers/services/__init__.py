"""Writes for scraping, by step of the pipeline.

- ``runs``: a newsroom run (fetch, parse, store, record) and the dry run;
- ``ingest``: listing items into the archive, cleaned and upserted by their address key;
- ``articles``: each announcement's page, archived with a revision per edit;
- ``health``: a newsroom's health and how every failure is recorded;
- ``dispatch``: beat's claims, and runs left behind by killed workers;
- ``selector_tests``: the admin's "Test selectors now" and "Scrape now", run by workers;
- ``submissions``: announcements supplied by hand (saved files, the admin's "Add announcement").

HTTP never happens inside a transaction: each service fetches first, then writes, and
enqueues follow-up tasks on commit. Every write is an upsert by a natural key (the
address key ``url_key``, the revision's content hash), so any service can be re-run after
a crash or a redelivered Celery message without creating duplicates.
"""

from scrapers.services.articles import ARTICLE_MAX_ATTEMPTS, announcement_fetch
from scrapers.services.dispatch import (
    RUN_ORPHAN_AFTER,
    announcements_claim_due,
    newsrooms_claim_due,
    scrape_runs_close_orphans,
    scrape_work_dispatch,
)
from scrapers.services.health import (
    BACKOFF_BASE,
    backoff_delay,
    newsroom_record_failure,
    newsroom_set_health,
    scrape_run_finish,
)
from scrapers.services.ingest import CLAIM_LEASE, IngestResult, announcement_ingest
from scrapers.services.runs import (
    ARTICLE_BURST,
    newsroom_preview,
    newsroom_scrape,
    newsrooms_scrape_concurrently,
)
from scrapers.services.selector_tests import (
    newsroom_scrapes_request,
    selector_test_run,
    selector_tests_request,
)
from scrapers.services.submissions import (
    Submitted,
    announcement_submission_request,
    announcement_submission_run,
    announcement_submit,
)

__all__ = [
    "ARTICLE_BURST",
    "ARTICLE_MAX_ATTEMPTS",
    "BACKOFF_BASE",
    "CLAIM_LEASE",
    "RUN_ORPHAN_AFTER",
    "IngestResult",
    "Submitted",
    "announcement_fetch",
    "announcement_ingest",
    "announcement_submission_request",
    "announcement_submission_run",
    "announcement_submit",
    "announcements_claim_due",
    "backoff_delay",
    "newsroom_preview",
    "newsroom_record_failure",
    "newsroom_scrape",
    "newsroom_scrapes_request",
    "newsroom_set_health",
    "newsrooms_claim_due",
    "newsrooms_scrape_concurrently",
    "scrape_run_finish",
    "scrape_runs_close_orphans",
    "scrape_work_dispatch",
    "selector_test_run",
    "selector_tests_request",
]
