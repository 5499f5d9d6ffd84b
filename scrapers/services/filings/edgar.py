"""An EDGAR filer's run: its new 10-K, 10-Q and agreement 8-K filings, read passage by passage.

One ``edgar`` newsroom is one watched filer. A run fetches the filer's submissions JSON
(conditionally), keeps the filings of the forms Pactwatch reads (``READ_FORMS``; 8-Ks only
with an agreement item, ``AGREEMENT_ITEMS``) filed on or after ``SEC_EDGAR_SINCE`` whose
accession number it has not read yet, and reads at most ``SEC_EDGAR_DOCUMENTS_PER_RUN`` of
them, newest first: the primary document (found through the filing's ``index.json`` when the
listing does not name it), its text, and the passages that name a tracked company other than
the filer. Each passage becomes an announcement of kind "filing" keyed by the filing and the
passage's offsets, and goes to extraction. Every other listed filing is counted by the reason
it was skipped (its form, its 8-K items) in the run's note; nothing is dropped unreported.

A filing whose document is gone or unreadable is stored as failed, with the reason, and not
tried again; a transient error stops the run's reading, and the filing is tried next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scrapers.adapters.base import canonical_url
from scrapers.fetch import FetchError, FetchResult
from scrapers.filings import (
    FilingBatch,
    FilingParseError,
    FilingRecord,
    PassageScan,
    filing_document_text,
    find_passages,
    parse_filing_index,
    parse_submissions,
)
from scrapers.models import Announcement, AnnouncementRevision, Filing, Newsroom, ScrapeRun
from scrapers.services import articles
from scrapers.services.filings.common import (
    SourceOutcome,
    day_start,
    edgar_fetch,
    own_names,
    parse_error,
    source_preview_finish,
    source_run_finish,
    text_hash,
    tracked_companies,
)
from scrapers.untrusted import db_text

logger = logging.getLogger(__name__)


def submissions_read(newsroom: Newsroom, result: FetchResult) -> FilingBatch:
    try:
        return parse_submissions(result.body, cik=newsroom.cik)
    except FilingParseError as exc:
        raise parse_error(exc, result, "EDGAR submissions JSON") from exc


def due_filings(newsroom: Newsroom, batch: FilingBatch, outcome: SourceOutcome) -> list[FilingRecord]:
    """New filings of the forms read, filed since ``SEC_EDGAR_SINCE``, newest first."""
    for skipped in batch.skipped:
        outcome.skipped_kinds[skipped.reason] += 1
    since = settings.SEC_EDGAR_SINCE
    recent = [f for f in batch.filings if f.filing_date is not None and f.filing_date >= since]
    known = set(
        Filing.objects.filter(accession_number__in=[f.accession_number for f in recent]).values_list(
            "accession_number", flat=True
        )
    )
    outcome.seen = len(recent)
    outcome.skipped = len(batch.skipped)
    due = [f for f in recent if f.accession_number not in known]
    return sorted(due, key=lambda f: (f.filing_date, f.accession_number), reverse=True)


@dataclass
class ReadFiling:
    record: FilingRecord
    document_url: str
    scan: PassageScan


def _document_url(record: FilingRecord) -> str:
    if record.document_url:
        return record.document_url
    result = edgar_fetch(record.index_url)
    try:
        index = parse_filing_index(result.body)
    except FilingParseError as exc:
        raise FetchError(f"Could not read {result.url} as a filing index: {exc}", permanent=True) from exc
    if not index.primary_document:
        raise FetchError(f"The filing index {record.index_url} names no primary document.", permanent=True)
    return replace(record, primary_document=index.primary_document).document_url


def filing_read(record: FilingRecord, *, tracked, exclude: list[str]) -> ReadFiling:
    """Fetch one filing's primary document and find the passages naming a tracked company."""
    url = _document_url(record)
    result = edgar_fetch(url)
    try:
        text = filing_document_text(result.body)
        scan = find_passages(text, tracked, exclude=exclude)
    except FilingParseError as exc:
        raise FetchError(f"Could not read {url} as a filing document: {exc}", permanent=True) from exc
    return ReadFiling(record, url, scan)


def passage_title(label: str, companies: tuple[str, ...]) -> str:
    """ "Amazon’s 10-K for the year ended December 31, 2024: passage naming Anthropic"."""
    return db_text(f"{label}: passage naming {', '.join(companies)}", 500)


def _passage_rows(newsroom: Newsroom, filing: Filing, read: ReadFiling) -> list[Announcement]:
    now = timezone.now()
    published = day_start(filing.filed_on)
    rows = []
    document_key = canonical_url(read.document_url)
    for passage in read.scan.passages:
        text = db_text(passage.text)
        anchor = f"#passage-{passage.start}-{passage.end}"
        rows.append(
            Announcement(
                newsroom=newsroom,
                url=f"{read.document_url}{anchor}",
                # The canonical key drops fragments, but each passage of one document is its own
                # announcement: its anchor stays in the key (bulk_create does not call save()).
                url_key=f"{document_key}{anchor}",
                title=passage_title(filing.label, passage.companies),
                publisher=db_text(f"{filing.filer} ({filing.form})", 200),
                source_kind=Announcement.SourceKind.FILING,
                published_at=published,
                summary=db_text(" › ".join(passage.section)),
                text=text,
                content_hash=text_hash(text),
                fetch_status=Announcement.FetchStatus.FETCHED,
                http_status=200,
                fetched_at=now,
                next_fetch_at=None,
                filing=filing,
                passage_start=passage.start,
                passage_end=passage.end,
                passage_section=db_text(" › ".join(passage.section), 1000),
            )
        )
    return rows


def filing_store(*, newsroom: Newsroom, read: ReadFiling, filer_name: str) -> list[int]:
    """The filing and its passages, once (by accession and offsets); passages go to extraction."""
    record = read.record
    with transaction.atomic():
        filing, created = Filing.objects.get_or_create(
            accession_number=record.accession_number,
            defaults={
                "newsroom": newsroom,
                "company": newsroom.company,
                "cik": record.cik,
                "filer_name": db_text(filer_name, 200),
                "form": record.form,
                "items": ",".join(record.items)[:100],
                "filed_on": record.filing_date,
                "period_of_report": record.report_date,
                "document_url": read.document_url,
                "passages_found": len(read.scan.passages),
                "passages_omitted": read.scan.omitted,
            },
        )
        if not created:
            return []  # another run read it first
        Announcement.objects.bulk_create(_passage_rows(newsroom, filing, read), ignore_conflicts=True)
        stored = list(Announcement.objects.filter(filing=filing).order_by("passage_start"))
        AnnouncementRevision.objects.bulk_create(
            [
                AnnouncementRevision(announcement=a, title=a.title, text=a.text, content_hash=a.content_hash)
                for a in stored
            ],
            ignore_conflicts=True,
        )
        ids = [a.pk for a in stored]
        transaction.on_commit(lambda: [articles._enqueue_extraction(pk) for pk in ids])
    return ids


def filing_store_failure(*, newsroom: Newsroom, record: FilingRecord, filer_name: str, error: str) -> None:
    Filing.objects.get_or_create(
        accession_number=record.accession_number,
        defaults={
            "newsroom": newsroom,
            "company": newsroom.company,
            "cik": record.cik,
            "filer_name": db_text(filer_name, 200),
            "form": record.form,
            "items": ",".join(record.items)[:100],
            "filed_on": record.filing_date,
            "period_of_report": record.report_date,
            "document_url": record.document_url or record.index_url,
            "status": Filing.Status.FAILED,
            "error": db_text(error, 1000),
        },
    )


def _read_due(newsroom: Newsroom, due: list[FilingRecord], filer_name: str, outcome: SourceOutcome) -> int:
    """Read the newest due filings; returns how many were read (stored, passages or not)."""
    company = newsroom.company
    tracked = tracked_companies(filer=company)
    exclude = own_names(company, filer_name)
    limit = settings.SEC_EDGAR_DOCUMENTS_PER_RUN
    outcome.backlog = max(0, len(due) - limit)
    read_count = 0
    for position, record in enumerate(due[:limit]):
        try:
            read = filing_read(record, tracked=tracked, exclude=exclude)
        except FetchError as exc:
            if not exc.permanent:
                outcome.backlog += len(due[:limit]) - position
                outcome.problem(f"Stopped reading at {record.form} {record.accession_number}: {exc}")
                break
            filing_store_failure(newsroom=newsroom, record=record, filer_name=filer_name, error=str(exc))
            outcome.skipped += 1
            outcome.problem(f"{record.form} {record.accession_number} could not be read: {exc}")
            continue
        outcome.new += len(filing_store(newsroom=newsroom, read=read, filer_name=filer_name))
        read_count += 1
        filed = day_start(record.filing_date)
        outcome.newest = max(filter(None, [outcome.newest, filed]), default=None)
    outcome.complete = outcome.backlog == 0
    return read_count


def edgar_filer_scrape(*, newsroom: Newsroom, run: ScrapeRun, step) -> ScrapeRun:
    """One run of a watched filer (the caller records any exception as the run's failure)."""
    result = edgar_fetch(newsroom.url, etag=newsroom.etag, last_modified=newsroom.last_modified)
    run.http_status, run.bytes_received = result.status, len(result.body)
    if result.not_modified:
        from scrapers.services.runs import newsroom_record_not_modified

        return newsroom_record_not_modified(newsroom, run)
    step.name, step.url = "parsing", result.url
    batch = submissions_read(newsroom, result)
    outcome = SourceOutcome()
    due = due_filings(newsroom, batch, outcome)
    step.name = "reading the filings listed in"
    filer_name = newsroom.company.name if newsroom.company else (batch.filer.name if batch.filer else "")
    read = _read_due(newsroom, due, filer_name, outcome)
    outcome.notes.insert(
        0,
        f"Read {read} new filing(s) ({outcome.new} passage(s) naming a tracked company); "
        f"{outcome.seen} listed since {settings.SEC_EDGAR_SINCE:%Y-%m-%d}.",
    )
    return source_run_finish(newsroom, run, outcome, result)


def edgar_filer_preview(*, newsroom: Newsroom, run: ScrapeRun) -> ScrapeRun:
    """The dry run: the listing fetched and parsed, how many filings are new, nothing written."""
    result = edgar_fetch(newsroom.url)
    run.http_status, run.bytes_received = result.status, len(result.body)
    outcome = SourceOutcome()
    due = due_filings(newsroom, submissions_read(newsroom, result), outcome)
    return source_preview_finish(run, outcome, new=len(due))
