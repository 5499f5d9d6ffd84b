"""What a load did, section by section, for the command's progress lines and its summary line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


class DatasetError(ValueError):
    """The dataset file (or the fact sheet) is unusable; the message names the entry at fault."""


@dataclass
class SectionCount:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.removed)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        removed = f", {self.removed} removed" if self.removed else ""
        return f"{self.total} ({self.new} new, {self.updated} updated, {self.unchanged} unchanged{removed})"


@dataclass
class DatasetSummary:
    companies: SectionCount = field(default_factory=SectionCount)
    aliases: SectionCount = field(default_factory=SectionCount)
    newsrooms: SectionCount = field(default_factory=SectionCount)
    deals: SectionCount = field(default_factory=SectionCount)
    parties: SectionCount = field(default_factory=SectionCount)
    clauses: SectionCount = field(default_factory=SectionCount)
    announcements: SectionCount = field(default_factory=SectionCount)
    source_links: SectionCount = field(default_factory=SectionCount)
    ledger: SectionCount = field(default_factory=SectionCount)
    watchlist: SectionCount = field(default_factory=SectionCount)  # EDGAR filers and the CMA feed
    reviews: SectionCount = field(default_factory=SectionCount)
    review_events: SectionCount = field(default_factory=SectionCount)
    review_links: SectionCount = field(default_factory=SectionCount)
    predecessors_set: int = 0
    quotes_filled: int = 0
    titles_filled: int = 0
    as_of: date | None = None
    evidence_path: Path | None = None
    evidence_note: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        sections = (
            self.companies,
            self.aliases,
            self.newsrooms,
            self.deals,
            self.parties,
            self.clauses,
            self.announcements,
            self.source_links,
            self.ledger,
            self.watchlist,
            self.reviews,
            self.review_events,
            self.review_links,
        )
        return any(s.changed for s in sections) or bool(self.predecessors_set)

    def line(self) -> str:
        return (
            f"Loaded {self.deals.total} deals ({self.deals.new} new, {self.deals.updated} updated, "
            f"{self.deals.unchanged} unchanged), {self.companies.total} companies, {self.clauses.total} clauses, "
            f"{self.newsrooms.total} newsrooms, {self.announcements.total} sources, "
            f"{self.quotes_filled} evidence quotes, {self.titles_filled} source titles; "
            f"ledger: {self.ledger.new} rows new, {self.ledger.updated} updated, {self.ledger.removed} removed"
        )
