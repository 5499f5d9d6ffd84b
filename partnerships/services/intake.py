"""Filling the review queue from saved files: announcements and their candidate deals, offline.

``saved_files_ingest`` is ``manage.py ingest``: each file is read by ``scrapers.supplied``
(text, Markdown, an article's HTML page, a feed, an HTML or JSON listing), stored by the
scrapers' own upserts (``announcement_submit`` for pages, ``announcement_ingest`` for
listing items, both keyed by the address's ``url_key``) and read for a deal by the same
candidate service the extraction task runs. So a second run of the same files finds
every announcement unchanged and creates nothing.

A file that cannot be read or stored is reported and skipped; the others go on. A dry
run does everything inside a transaction that is rolled back: its numbers are what a
real run would write, and nothing is kept (nothing is enqueued either: on-commit work
is dropped with the transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partnerships.models import Deal
from partnerships.services.candidates import announcement_extract
from scrapers.adapters import canonical_url
from scrapers.models import Announcement, AnnouncementSubmission, Newsroom
from scrapers.services import announcement_ingest, announcement_submit
from scrapers.services.ingest import listing_item_clean
from scrapers.supplied import SavedFile, SavedFileError, read_saved_file

logger = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    """What one file became."""

    path: str
    kind: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # listing entries without a usable link or date the database refused
    candidates: int = 0  # candidate deals this file's announcements are sources of
    error: str = ""
    announcement_ids: list[int] = field(default_factory=list)

    @property
    def announcements(self) -> int:
        return self.new + self.updated + self.unchanged

    def line(self) -> str:
        if self.error:
            return f"error: {self.error}"
        skipped = f", {self.skipped} entries skipped" if self.skipped else ""
        return (
            f"{self.kind}: {self.announcements} announcement(s) ({self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged){skipped}, {self.candidates} candidate(s)"
        )


@dataclass
class IntakeSummary:
    files: list[FileOutcome] = field(default_factory=list)
    candidates: int = 0
    dry_run: bool = False

    def total(self, name: str) -> int:
        return sum(getattr(outcome, name) for outcome in self.files)

    @property
    def errors(self) -> list[FileOutcome]:
        return [outcome for outcome in self.files if outcome.error]

    def line(self) -> str:
        return (
            f"{len(self.files)} files, {self.total('announcements')} announcements ({self.total('new')} new, "
            f"{self.total('updated')} updated, {self.total('unchanged')} unchanged), "
            f"{self.candidates} candidates, {len(self.errors)} errors"
        )


class _DryRun(Exception):
    """Raised to roll the dry run's transaction back."""


def saved_file_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, a directory standing for the files directly inside it (sorted)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")))
        else:
            found.append(path)
    return found


def _store_pages(saved: SavedFile, outcome: FileOutcome, newsroom: Newsroom | None) -> list[int]:
    to_read = []
    for page in saved.pages:
        try:
            submitted = announcement_submit(page=page, newsroom=newsroom)
        except ValueError as exc:
            raise SavedFileError(f"{page.url[:100]}: {exc}") from exc
        announcement = submitted.announcement
        setattr(outcome, submitted.outcome, getattr(outcome, submitted.outcome) + 1)
        outcome.announcement_ids.append(announcement.pk)
        if submitted.outcome != AnnouncementSubmission.Outcome.UNCHANGED or announcement.extracted_at is None:
            to_read.append(announcement.pk)
    return to_read


def _store_items(saved: SavedFile, outcome: FileOutcome, newsroom: Newsroom | None) -> list[int]:
    started = timezone.now()
    result = announcement_ingest(newsroom=newsroom, items=saved.items)
    keys = {canonical_url(clean.url) for clean in map(listing_item_clean, saved.items) if clean}
    stored = list(
        Announcement.objects.filter(url_key__in=keys).values_list("pk", "extracted_at", "updated_at")
    )
    outcome.new, outcome.updated = len(result.new_ids), result.updated
    outcome.unchanged = len(stored) - outcome.new - outcome.updated
    outcome.skipped = saved.skipped + result.skipped
    outcome.announcement_ids = [pk for pk, _, _ in stored]
    fresh = set(result.new_ids)
    return sorted(
        pk for pk, extracted, updated in stored if pk in fresh or extracted is None or updated >= started
    )


def _read_for_deals(ids: list[int], outcome: FileOutcome) -> None:
    """Create or update each announcement's candidate deal; one failure is reported, not fatal."""
    failed = []
    for pk in ids:
        try:
            with transaction.atomic():
                announcement_extract(announcement_id=pk)
        except Exception:  # noqa: BLE001 - one unreadable text must not stop the run
            logger.exception("Extraction of announcement %s failed", pk)
            failed.append(pk)
    if failed:
        outcome.error = f"stored, but extraction failed for announcement(s) {', '.join(map(str, failed))}"


def _candidate_count(ids: Iterable[int]) -> int:
    return Deal.objects.filter(status=Deal.Status.CANDIDATE, sources__in=list(ids)).distinct().count()


def _one_file(path: Path, *, newsroom: Newsroom | None, options: dict) -> FileOutcome:
    outcome = FileOutcome(str(path))
    try:
        saved = read_saved_file(path, max_bytes=settings.SCRAPER_MAX_BYTES, newsroom=newsroom, **options)
        outcome.kind = saved.kind
        with transaction.atomic():  # one file's writes stand or fall together
            store = _store_pages if saved.pages else _store_items
            to_read = store(saved, outcome, newsroom)
    except SavedFileError as exc:
        outcome.error = str(exc)
        return outcome
    except Exception as exc:  # noqa: BLE001 - a bad file is reported and skipped, never ends the run
        logger.exception("Ingesting %s failed", path)
        outcome.error = f"unexpected {type(exc).__name__}: {exc}"
        return outcome
    _read_for_deals(to_read, outcome)
    outcome.candidates = _candidate_count(outcome.announcement_ids)
    return outcome


def saved_files_ingest(
    *,
    paths: Iterable[str | Path],
    newsroom: Newsroom | None = None,
    kind: str | None = None,
    url: str = "",
    base_url: str = "",
    dry_run: bool = False,
    on_file: Callable[[int, int, FileOutcome], None] | None = None,
) -> IntakeSummary:
    """Store every saved file as announcements and read each for a candidate deal.

    ``kind`` forces how files are read (see ``scrapers.supplied.KINDS``); ``url`` is the
    address of a page whose file names none (one file only); ``base_url`` resolves a
    listing's relative links; ``on_file(done, total, outcome)`` is told about each file as
    it is finished (the command's progress).
    """
    files = saved_file_paths(paths)
    summary = IntakeSummary(dry_run=dry_run)
    options = {"kind": kind, "url": url, "base_url": base_url}

    def run() -> None:
        for index, path in enumerate(files, start=1):
            outcome = _one_file(path, newsroom=newsroom, options=options)
            summary.files.append(outcome)
            if on_file is not None:
                on_file(index, len(files), outcome)
        summary.candidates = _candidate_count(pk for o in summary.files for pk in o.announcement_ids)

    if not dry_run:
        run()
        return summary
    try:
        with transaction.atomic():
            run()
            raise _DryRun
    except _DryRun:
        pass
    return summary
