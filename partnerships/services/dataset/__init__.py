"""Loading Pactwatch's shipped dataset: real deals, their companies and the newsroom registry.

The dataset (``partnerships/data/dataset.json``) holds facts and text written for Pactwatch:
each clause says who gives what to whom (grantor → beneficiary), whether an amount is a
running total or new in the deal (basis), which clause it is a tranche of (part_of) and how
certain it is; each source has a publisher and a kind. The evidence sentences and source
titles are deliberately *not* in the repository: they belong to their publishers, so they
are read at load time from the fact sheet (``evidence``), and a clone without it loads
clauses without quotes and sources titled by publisher and site.

The load validates the whole file first (``validate``), then writes every section in one
transaction (``load``), so a bad file changes nothing. Every write is an upsert by natural
key that compares first: a second load makes no row and no history entry. Deals the sheet
marks reported or unconfirmed are loaded with that certainty on each clause, never dropped.

Dates: a dataset deal is published, and last changed, at its announcement (midnight UTC of
``announced_on``), never at the load; the file's ``as_of`` says when its facts were last
checked (``dataset_as_of``). Competition reviews (the deals' ``regulatory`` lists) become
``RegulatoryReview`` rows with their dated events, and the EDGAR watchlist (``edgar_filers``)
and the CMA's cases feed (``regulator_feeds``) become ``edgar`` and ``cma`` newsrooms
(``reviews``).

The loader records no alert event: an initial load is not news to subscribers, and the
first curator change to a loaded deal alerts as a change. It refreshes the ledger of every
deal it loaded, in the same transaction.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.db import transaction

from partnerships.models import Deal
from partnerships.services.dataset import load, reviews
from partnerships.services.dataset.evidence import (
    Evidence,
    default_evidence_path,
    evidence_quotes,
    read_evidence,
)
from partnerships.services.dataset.summary import DatasetError, DatasetSummary, SectionCount
from partnerships.services.dataset.validate import validate_dataset
from partnerships.services.ledger import ledger_refresh

__all__ = [
    "DEFAULT_PATH",
    "DatasetError",
    "DatasetSummary",
    "SectionCount",
    "dataset_as_of",
    "dataset_load",
    "default_evidence_path",
    "read_dataset",
    "read_evidence",
    "validate_dataset",
]

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "dataset.json"


def read_dataset(path: Path) -> dict:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the dataset ({exc.strerror or exc})") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    return validate_dataset(data)


@lru_cache(maxsize=1)
def dataset_as_of() -> date | None:
    """When the shipped dataset's facts were last checked (its ``as_of``), for "data as of"."""
    try:
        value = json.loads(DEFAULT_PATH.read_text(encoding="utf-8")).get("as_of")
        return date.fromisoformat(value) if value else None
    except (OSError, ValueError):
        return None


def _say(stdout, text: str) -> None:
    if stdout is not None:
        # Django's OutputWrapper adds no second newline; a plain stream needs this one.
        stdout.write(text + "\n")


def _evidence(evidence_path, use_evidence: bool, summary: DatasetSummary) -> Evidence | None:
    if not use_evidence:
        summary.evidence_note = "Evidence quotes not requested."
        return None
    if evidence_path is not None:
        summary.evidence_path = Path(evidence_path)
        return read_evidence(summary.evidence_path)
    if default_evidence_path().is_file():
        summary.evidence_path = default_evidence_path()
        return read_evidence(summary.evidence_path)
    summary.evidence_note = (
        f"No fact sheet at {default_evidence_path()}: clauses load without evidence quotes and sources "
        "without their titles (pass --evidence PATH or set PACTWATCH_REALDATA)."
    )
    return None


def _write(dataset: dict, evidence: Evidence | None, summary: DatasetSummary, stdout) -> None:
    existing = load.Existing(dataset)
    companies = load.load_companies(dataset["companies"], existing, summary)
    _say(stdout, f"Companies: {summary.companies}; aliases: {summary.aliases}")
    newsrooms = load.load_newsrooms(dataset["newsrooms"], companies, existing, summary)
    _say(stdout, f"Newsrooms: {summary.newsrooms}")
    pages = load.load_sources(dataset, evidence, newsrooms, existing, summary)
    deals: dict[str, Deal] = {}
    written: set[int] = set()
    unlinked: set[int] = set()
    for entry in dataset["deals"]:
        deal, wrote = load.load_deal(entry, deals, existing, summary)
        deals[entry["slug"]] = deal
        if wrote:
            written.add(deal.pk)
        load.load_parties(deal, entry, companies, existing, summary)
        unlinked |= load.load_links(deal, entry, pages, existing, summary)
        quotes = evidence_quotes(entry, evidence, summary.notes) if evidence is not None else {}
        load.load_clauses(deal, entry, companies, pages, quotes, existing, summary)
    written |= load.link_predecessors(dataset["deals"], deals, summary)
    summary.announcements.removed += load.prune_pages(unlinked)
    load.stamp_dates(list(deals.values()), written)
    _say(
        stdout,
        f"Deals: {summary.deals}; parties: {summary.parties}; phase links set: {summary.predecessors_set}",
    )
    _say(
        stdout, f"Clauses: {summary.clauses}; sources: {summary.announcements}; links: {summary.source_links}"
    )
    refresh = ledger_refresh(deal_ids=[deal.pk for deal in deals.values()])
    summary.ledger = SectionCount(new=refresh.created, updated=refresh.updated, removed=refresh.deleted)
    _say(stdout, f"Ledger: {refresh.created} rows new, {refresh.updated} updated, {refresh.deleted} removed")
    reviews.load_watchlist(dataset["watchlist"], companies, summary)
    _say(stdout, f"EDGAR filers and regulator feeds: {summary.watchlist}")
    summaries = reviews.review_summaries(dataset["deals"], evidence, summary.notes)
    reviews.load_reviews(dataset["deals"], deals, summaries, summary)
    _say(
        stdout,
        f"Regulatory reviews: {summary.reviews}; events: {summary.review_events}; deal links: {summary.review_links}",
    )


def dataset_load(*, path=None, evidence_path=None, use_evidence: bool = True, stdout=None) -> DatasetSummary:
    """Upsert the dataset; safe to run any number of times.

    ``evidence_path`` None means the default fact sheet, used only if it exists; an explicit
    path must exist. ``use_evidence=False`` loads without quotes and sheet titles.
    """
    dataset = read_dataset(Path(path) if path else DEFAULT_PATH)
    summary = DatasetSummary(as_of=dataset["as_of"])
    evidence = _evidence(evidence_path, use_evidence, summary)
    with transaction.atomic():
        _write(dataset, evidence, summary, stdout)
    if summary.evidence_path is not None:
        _say(
            stdout,
            f"Evidence: {summary.quotes_filled} quotes and {summary.titles_filled} titles from {summary.evidence_path}",
        )
    if summary.evidence_note:
        _say(stdout, summary.evidence_note)
    for note in summary.notes:
        _say(stdout, f"Evidence note: {note}")
    _say(stdout, summary.line())
    return summary
