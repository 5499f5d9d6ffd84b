"""The UK CMA's cases feed: each new or updated merger case page archived as a regulator's page.

A ``cma`` newsroom's URL is GOV.UK's ``cma-cases.atom`` feed filtered to mergers. A run reads
the feed (conditionally), picks the cases it has not archived or that GOV.UK updated since
they were fetched, and fetches up to ``CMA_CASES_PER_RUN`` of them through the Content API
(``/api/content/cma-cases/<slug>``). Each case page is checked by ``parse_cma_case`` and
archived as an announcement of kind "regulator" (publisher "UK CMA") whose text lists the
case's outcome and dated events, with the Content API's JSON kept as its raw page. When the
text changed, the curation side reads it into a regulatory review
(``partnerships.tasks.regulatory_case_ingest_task``, named, not imported: scraping stays free of
curation code).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scrapers.fetch import FetchError, FetchResult
from scrapers.filings import CaseStub, FilingParseError, long_date, parse_cma_atom, parse_cma_case
from scrapers.filings import RegulatoryReview as Case
from scrapers.models import Announcement, AnnouncementRevision, Newsroom, ScrapeRun
from scrapers.services.filings.common import (
    SourceOutcome,
    day_start,
    enqueue_by_name,
    govuk_fetch,
    parse_error,
    source_preview_finish,
    source_run_finish,
    text_hash,
)
from scrapers.untrusted import db_text

logger = logging.getLogger(__name__)

CASE_INGEST_TASK = "partnerships.tasks.regulatory_case_ingest_task"
PUBLISHER = "UK CMA"


def cases_read(result: FetchResult) -> tuple[CaseStub, ...]:
    try:
        return parse_cma_atom(result.body)
    except FilingParseError as exc:
        raise parse_error(exc, result, "a CMA cases Atom feed") from exc


def due_cases(stubs: tuple[CaseStub, ...], outcome: SourceOutcome) -> list[CaseStub]:
    """Cases never archived, or updated on GOV.UK after Pactwatch last fetched them."""
    fetched = dict(
        Announcement.objects.filter(url__in=[s.url for s in stubs]).values_list("url", "fetched_at")
    )
    outcome.seen = len(stubs)
    due = []
    for stub in stubs:
        when = fetched.get(stub.url)
        if (
            stub.url not in fetched
            or when is None
            or (stub.updated_at is not None and stub.updated_at > when)
        ):
            due.append(stub)
    return due


def case_text(case: Case) -> str:
    """What the archive keeps as the case page's text: its summary, where it stands, its dated events."""
    lines = [case.title]
    if case.summary:
        lines.append(case.summary)
    standing = f"Stage: {case.stage.replace('_', ' ')}."
    if case.outcome:
        standing += f" Outcome: {case.outcome}."
    if case.decided_on:
        standing += f" Decided on {long_date(case.decided_on)}."
    lines.append(standing)
    lines += [f"{long_date(event.on)}: {event.note}" for event in case.events]
    lines += [f"Document: {document.title} ({document.url})" for document in case.decision_documents]
    return "\n\n".join(lines)


def _first_day(case: Case):
    return case.opened_on or min((event.on for event in case.events), default=None)


def case_store(*, newsroom: Newsroom, case: Case, result: FetchResult) -> str:
    """Archive one case page; "new", "updated" or "same" (only the fetch time recorded)."""
    from scrapers.services.articles import text_diff

    text = db_text(case_text(case))
    digest, now = text_hash(text), timezone.now()
    with transaction.atomic():
        page = Announcement.objects.select_for_update().filter(url=case.url).first()
        if page is not None and page.content_hash == digest:
            Announcement.objects.filter(pk=page.pk).update(fetched_at=now, http_status=result.status)
            return "same"
        outcome = "new" if page is None else "updated"
        previous = page.text if page is not None else ""
        page = page or Announcement(url=case.url, newsroom=newsroom)
        page.newsroom = page.newsroom or newsroom
        page.title = db_text(case.title, 500)
        page.publisher, page.source_kind = PUBLISHER, Announcement.SourceKind.REGULATOR
        page.summary = db_text(case.summary)
        page.published_at = page.published_at or day_start(_first_day(case)) or now
        page.text, page.content_hash = text, digest
        page.set_raw_html(result.body)
        page.fetch_status, page.fetched_at, page.http_status = (
            Announcement.FetchStatus.FETCHED,
            now,
            result.status,
        )
        page.fetch_error, page.next_fetch_at = "", None
        page.save()
        AnnouncementRevision.objects.get_or_create(
            announcement=page,
            content_hash=digest,
            defaults={
                "title": page.title,
                "text": text,
                "diff": text_diff(previous, text) if previous else "",
            },
        )
        transaction.on_commit(lambda pk=page.pk: enqueue_by_name(CASE_INGEST_TASK, pk))
    return outcome


def _read_due(newsroom: Newsroom, due: list[CaseStub], outcome: SourceOutcome) -> None:
    limit = settings.CMA_CASES_PER_RUN
    outcome.backlog = max(0, len(due) - limit)
    for position, stub in enumerate(due[:limit]):
        try:
            result = govuk_fetch(stub.content_url)
            try:
                case = parse_cma_case(result.body)
            except FilingParseError as exc:
                raise FetchError(f"{result.url} is not a CMA case page: {exc}", permanent=True) from exc
        except FetchError as exc:
            if not exc.permanent:
                outcome.backlog += len(due[:limit]) - position
                outcome.problem(f"Stopped at {stub.url}: {exc}")
                break
            outcome.skipped += 1
            outcome.problem(f"{stub.url} could not be read: {exc}")
            continue
        stored = case_store(newsroom=newsroom, case=case, result=result)
        outcome.new += stored == "new"
        outcome.updated += stored == "updated"
        if stored != "same":
            fresh = stub.updated_at or case.updated_at
            outcome.newest = max(filter(None, [outcome.newest, fresh]), default=None)
    outcome.complete = outcome.backlog == 0


def cma_cases_scrape(*, newsroom: Newsroom, run: ScrapeRun, step) -> ScrapeRun:
    """One run of the cases feed (the caller records any exception as the run's failure)."""
    result = govuk_fetch(newsroom.url, etag=newsroom.etag, last_modified=newsroom.last_modified)
    run.http_status, run.bytes_received = result.status, len(result.body)
    if result.not_modified:
        from scrapers.services.runs import newsroom_record_not_modified

        return newsroom_record_not_modified(newsroom, run)
    step.name, step.url = "parsing", result.url
    outcome = SourceOutcome()
    due = due_cases(cases_read(result), outcome)
    step.name = "reading the case pages listed in"
    _read_due(newsroom, due, outcome)
    outcome.notes.insert(
        0, f"{outcome.new} new and {outcome.updated} updated case page(s) of {outcome.seen} listed."
    )
    return source_run_finish(newsroom, run, outcome, result)


def cma_cases_preview(*, newsroom: Newsroom, run: ScrapeRun) -> ScrapeRun:
    result = govuk_fetch(newsroom.url)
    run.http_status, run.bytes_received = result.status, len(result.body)
    outcome = SourceOutcome()
    due = due_cases(cases_read(result), outcome)
    return source_preview_finish(run, outcome, new=len(due))
