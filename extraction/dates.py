"""Dates as newsrooms write them, read by one set of rules for listings and announcements alike.

``parse_datetime`` reads a listing's date (ISO timestamps, RFC 2822 feed dates, "Jan 28th,
2026", "28 January 2026", a bare "January 2026") and says how much of it is known;
``parse_date`` is the same reading when only a day will do (an announcement's date);
``find_dateline`` finds where a press release states its date. Years outside 1900–2099
are not dates of an AI deal announcement: a "0000-01-01" feed date or "Oct 6, 3025" reads
as no date rather than a wrong one.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime
from typing import NamedTuple

from extraction.vocabulary import DatePrecision

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
FIRST_YEAR, LAST_YEAR = 1900, 2099

# A month name or its abbreviation, with an optional full stop ("Oct.", "Sept").
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"((?:19|20)\d\d)"
# Tried in this order; each yields (pattern, the order of its groups: month, day, year, number).
DATE_PATTERNS = [
    # "Jan 28, 2026", "January 28th 2026", "Oct. 06, 2025"
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b", re.I), ("m", "d", "y")),
    # "28 January 2026"
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR}\b", re.I), ("d", "m", "y")),
    # "2026-01-28" (also the start of ISO timestamps)
    (re.compile(rf"\b{_YEAR}-(\d{{2}})-(\d{{2}})\b"), ("y", "n", "d")),
    # "January 2026": a month, not a day
    (re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I), ("m", "y")),
]
# A press-release dateline opens a paragraph: "SANTA CLARA, Calif., Oct. 06, 2025 (GLOBE NEWSWIRE) --"
DATELINE = re.compile(
    rf"^[ \t]*[A-Z][A-Za-z .'-]{{1,40}}(?:,\s*[A-Z][A-Za-z. ]{{1,20}})*,\s*(?i:{_MONTH})\s+(\d{{1,2}}),?\s+"
    rf"{_YEAR}",
    re.MULTILINE,
)


class DateReading(NamedTuple):
    """A date read from text: the moment (midnight UTC when no time is written) and its precision."""

    moment: datetime | None
    precision: str = DatePrecision.DAY


_NO_DATE = DateReading(None, DatePrecision.DAY)


def _reading(moment: datetime, precision: str = DatePrecision.DAY) -> DateReading:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return _NO_DATE
    return DateReading(moment if moment.tzinfo else moment.replace(tzinfo=UTC), precision)


def _from_value(value) -> DateReading | None:
    """Dates that arrive as values, not text: datetimes, dates and Unix timestamps (s or ms)."""
    if isinstance(value, datetime):
        return _reading(value)
    if isinstance(value, date):
        return _reading(datetime(value.year, value.month, value.day))
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return _reading(datetime.fromtimestamp(seconds, tz=UTC))
        except (OverflowError, OSError, ValueError):
            return _NO_DATE
    return None


def _from_whole_text(text: str) -> DateReading | None:
    """A string that is nothing but an ISO 8601 or RFC 2822 date, with its time and offset."""
    try:
        return _reading(datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _reading(parsed) if parsed is not None else None


def _from_words(text: str) -> DateReading:
    """The first date written in words or digits inside a longer text."""
    for pattern, order in DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        try:
            year = int(parts["y"])
            month = MONTHS[parts["m"].lower().rstrip(".")] if "m" in parts else int(parts["n"])
            if "d" not in parts:
                return _reading(datetime(year, month, 1), DatePrecision.MONTH)
            return _reading(datetime(year, month, int(parts["d"])))
        except (KeyError, ValueError):
            continue
    return _NO_DATE


def parse_datetime(value) -> DateReading:
    """A listing's date in any common spelling, with how much of it is known."""
    if value is None or value == "":
        return _NO_DATE
    reading = _from_value(value)
    if reading is not None:
        return reading
    text = str(value).strip()
    if not text:
        return _NO_DATE
    return _from_whole_text(text) or _from_words(text)


def parse_date(value: str) -> date | None:
    """The day a text names, as written (a time zone does not move it), or None without a day."""
    moment, precision = parse_datetime(value)
    if moment is None or precision != DatePrecision.DAY:
        return None
    return moment.date()


def find_dateline(body: str) -> date | None:
    """The date of a press-release dateline, or of a bare date line near the top of a page."""
    match = DATELINE.search(body[:3000])
    if match:
        month, day, year = match.groups()
        try:
            return date(int(year), MONTHS[month.lower().rstrip(".")], int(day))
        except (ValueError, KeyError):
            pass
    # Newsroom pages print the date on its own line under the headline ("Sep 2, 2025").
    for line in body[:1500].splitlines():
        line = line.strip()
        if line and len(line) <= 40 and (found := parse_date(line)):
            return found
    return None
