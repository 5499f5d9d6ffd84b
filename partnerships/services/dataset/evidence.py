"""Evidence read at load time: quotes and source titles from the fact sheet, never from the repository.

The sentences behind each clause and the titles of the pages they come from belong to their
publishers, so the dataset file stores only pointers: a clause's ``evidence`` names the
fact-sheet deal and clause, and a source is found by its address among the fact-sheet
deal's sources. The sheet is ``deals_v2.json`` beside the project (``../shared/realdata``, or
wherever ``PACTWATCH_REALDATA`` points). A clone without it loads clauses without quotes, and
sources titled by publisher and site ("Reuters (reuters.com)"), never by a URL slug.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from partnerships.services.dataset.summary import DatasetError
from scrapers.adapters.base import canonical_url

SHEET_NAME = "deals_v2.json"


def default_evidence_path() -> Path:
    """The fact sheet beside the project (``../shared/realdata``), or where PACTWATCH_REALDATA points."""
    override = os.environ.get("PACTWATCH_REALDATA")
    base = Path(override) if override else Path(settings.BASE_DIR).parent / "shared" / "realdata"
    return base / SHEET_NAME


@dataclass
class Evidence:
    """What the fact sheet offers, by the dataset's pointers."""

    quotes: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet deal id, clause id) → quote
    titles: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet deal id, canonical URL) → title
    dates: dict[str, str] = field(default_factory=dict)  # sheet deal id → its announced_on
    # (sheet deal id, index in its regulatory list) → the sheet's account of the review's outcome
    reviews: dict[tuple[str, int], str] = field(default_factory=dict)

    def title_for(self, url: str, deal_ids: list[str]) -> str:
        """The title the sheet gives a source, looked up in the deals that cite it (in order)."""
        for deal_id in deal_ids:
            title = self.titles.get((deal_id, canonical_url(url)))
            if title:
                return title
        return ""


def read_evidence(path: Path) -> Evidence:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the fact sheet ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: the fact sheet is not valid JSON ({exc.msg})") from exc
    deals = data.get("deals") if isinstance(data, dict) else None
    if not isinstance(deals, list):
        raise DatasetError(f"{path}: the fact sheet must be an object with a list of deals")
    evidence = Evidence()
    for entry in deals:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        deal_id = entry["id"]
        evidence.dates[deal_id] = str(entry.get("announced_on") or "")
        for clause in entry.get("clauses") or []:
            quote = clause.get("quote") if isinstance(clause, dict) else None
            if isinstance(quote, str) and quote.strip() and isinstance(clause.get("id"), str):
                evidence.quotes[deal_id, clause["id"]] = quote.strip()
        for index, review in enumerate(entry.get("regulatory") or []):
            outcome = review.get("outcome") if isinstance(review, dict) else None
            if isinstance(outcome, str) and outcome.strip():
                evidence.reviews[deal_id, index] = outcome.strip()[:2000]
        for source in entry.get("sources") or []:
            if isinstance(source, dict) and isinstance(source.get("url"), str) and source.get("title"):
                evidence.titles[deal_id, canonical_url(source["url"])] = str(source["title"]).strip()[:500]
    return evidence


def same_month(sheet_value: str, ours: date) -> bool:
    """Whether the sheet's date ("2025-10-28", "2025-10" or "2025") agrees with ours to its month.

    The dataset stores a date known to the month as the first of that month.
    """
    if re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", sheet_value):
        return sheet_value[:7] == f"{ours:%Y-%m}"
    if re.fullmatch(r"\d{4}", sheet_value):
        return int(sheet_value) == ours.year
    return False


def evidence_quotes(deal: dict, evidence: Evidence, notes: list[str]) -> dict[str, str]:
    """Quote per clause key, from the fact-sheet clause each one points at.

    A pointer is trusted only when the fact-sheet deal it names is dated in the same month
    as ours: if the sheet's entries were renamed or reused, the quotes are skipped with a
    note instead of landing on the wrong clause.
    """
    quotes: dict[str, str] = {}
    for clause in deal["clauses"]:
        pointer = clause["evidence"]
        if pointer is None:
            continue
        sheet_date = evidence.dates.get(pointer["deal"])
        if sheet_date is None:
            notes.append(f"{deal['slug']}: the fact sheet has no deal {pointer['deal']!r}")
            continue
        if not same_month(sheet_date, deal["announced_on"]):
            notes.append(
                f"{deal['slug']}: fact sheet deal {pointer['deal']!r} is dated {sheet_date}; skipped"
            )
            continue
        quote = evidence.quotes.get((pointer["deal"], pointer["clause"]))
        if quote:
            quotes[clause["key"]] = quote
    return quotes


def fallback_title(url: str, publisher: str) -> str:
    """A source's stand-in title until its page is read: its publisher and site, never a URL slug."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if not publisher or publisher.lower() == host:
        return host or url
    return f"{publisher} ({host})"
