"""The passages of a document that name a tracked counterparty, with where they sit.

A passage is a paragraph (or a run of adjacent paragraphs in one section) that names at
least one tracked company by its name or an alias. Names match the way company names match
everywhere in Pactwatch (``normalize_name``): case, accents, possessives, punctuation and
corporate suffixes do not matter, and a name only matches whole words ("Meta" is not in
"metadata"). Each passage carries its offsets in the text (``text[start:end] ==
passage.text``), the heading it sits under and the path of headings above it.

Headings are the ``#`` lines ``filing_document_text`` writes, or, in plain text, short lines
that begin "PART II", "Item 7." or "Note 4". The filer itself is passed as ``exclude`` so
its own name (all over its own 10-K) is never a counterparty.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from scrapers.filings.document_text import ITEM_HEADING, NOTE_HEADING, PART_HEADING
from scrapers.filings.inputs import FilingParseError

MAX_PASSAGES = 25
MAX_PASSAGE_CHARS = 4_000
MAX_TEXT_CHARS = 40_000_000
MAX_NAMES = 5_000

# The rule of partnerships.models.companies.normalize_name, repeated here because importing that
# module loads the ORM; a test holds the two to the same answers.
_SUFFIXES = re.compile(
    r"(?:,?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|sa|sas|"
    r"group|holdings|technologies)\.?)+$",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*")
_MARKED_HEADING = re.compile(r"^(#{1,6}) +(\S.*)$", re.S)
_ANY_MARKED = re.compile(r"(?:^|\n\n)#{1,6} +\S")


def normalize_name(name: str) -> str:
    """The key a company name or alias is matched on ("Microsoft Corp.'s" → "microsoft")."""
    text = name.replace("\u2019", "'").replace("\u2018", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip()
    text = re.sub(r"['\u2019]s$", "", text)
    text = _SUFFIXES.sub("", text)
    text = re.sub(r"[^0-9a-zA-Z]+", " ", text)
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class TrackedCompany:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str
    heading: str  # the nearest heading above, '' when none
    section: tuple[str, ...]  # the headings above, outermost first
    companies: tuple[str, ...]  # tracked company names named in it, in order of first mention
    truncated: bool = False  # cut to max_chars around the first mention


@dataclass(frozen=True)
class PassageScan:
    passages: tuple[Passage, ...]
    omitted: int  # passages found past max_passages


@dataclass(frozen=True)
class _Matcher:
    name: str
    pattern: re.Pattern
    proper: bool  # every name starts with a capital or a digit: so must a mention


def _is_proper(name: str) -> bool:
    first = name.strip()[:1]
    return bool(first) and not first.islower()


def _mention_ok(text: str, offset: int, proper: bool) -> bool:
    """A company whose names are capitalised is named only by a capitalised word: "News Corp"
    (whose key, suffix dropped, is "news") is not in "analyst reports, news, social media"."""
    return not proper or not text[offset : offset + 1].islower()


def _first_mention(pattern: re.Pattern, folded: str, text: str, base: int, proper: bool) -> re.Match | None:
    for match in pattern.finditer(folded):
        if _mention_ok(text, base + match.start(), proper):
            return match
    return None


@dataclass
class _Hit:
    start: int
    end: int
    mention: int
    index: int  # paragraph number, to tell adjacent paragraphs
    section: tuple[str, ...]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return folded[0] if folded else " "


def _fold(text: str) -> str:
    """Lower-case ASCII of the same length, so a match's offsets are offsets into the text."""
    if text.isascii():
        return text.lower()
    return "".join(c if c.isascii() else _fold_char(c) for c in text).lower()


def _name_pattern(key: str) -> str:
    return r"(?<![0-9a-z])" + r"[^0-9a-z]{1,3}".join(map(re.escape, key.split())) + r"(?![0-9a-z])"


def _matchers(companies: Iterable[TrackedCompany | str], exclude: Iterable[str]) -> list[_Matcher]:
    excluded = {normalize_name(n) for n in exclude if isinstance(n, str)} - {""}
    matchers = []
    for company in companies:
        if isinstance(company, str):
            company = TrackedCompany(company)
        if not isinstance(company, TrackedCompany) or not all(isinstance(n, str) for n in company.aliases):
            raise FilingParseError(
                f"tracked companies: expected TrackedCompany or str, got {type(company).__name__}"
            )
        keys = {normalize_name(n) for n in (company.name, *company.aliases)} - {""}
        if not keys or keys & excluded:
            continue
        pattern = "|".join(_name_pattern(k) for k in sorted(keys, key=len, reverse=True))
        proper = all(_is_proper(n) for n in (company.name, *company.aliases) if normalize_name(n))
        matchers.append(_Matcher(company.name, re.compile(pattern), proper))
    if len(matchers) > MAX_NAMES:
        raise FilingParseError(f"tracked companies: {len(matchers):,} is over the {MAX_NAMES:,} limit")
    return matchers


def _heading(paragraph: str, marked_only: bool) -> tuple[int, str] | None:
    marked = _MARKED_HEADING.match(paragraph)
    if marked:
        return len(marked[1]), " ".join(marked[2].split())
    if not marked_only and len(paragraph) <= 120 and "\n" not in paragraph and " | " not in paragraph:
        for level, pattern in ((1, PART_HEADING), (2, ITEM_HEADING), (3, NOTE_HEADING)):
            if pattern.match(paragraph):
                return level, paragraph
    return None


def find_passages(
    text: str,
    companies: Iterable[TrackedCompany | str],
    *,
    exclude: Iterable[str] = (),
    max_passages: int = MAX_PASSAGES,
    max_chars: int = MAX_PASSAGE_CHARS,
) -> PassageScan:
    """Passages of ``text`` naming any of ``companies`` (but none named only in ``exclude``)."""
    if not isinstance(text, str):
        raise FilingParseError(f"passages: expected str, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise FilingParseError(f"passages: {len(text):,} characters is over the {MAX_TEXT_CHARS:,} limit")
    matchers = _matchers(companies, exclude)
    if not matchers or not text:
        return PassageScan((), 0)
    hits = _hits(text, _combined(matchers))
    groups = _merged(hits, max_chars)
    passages = []
    for group in groups[:max_passages]:
        passages.append(_passage(text, group, matchers, max_chars))
    return PassageScan(tuple(passages), max(0, len(groups) - max_passages))


def _combined(matchers: list[_Matcher]) -> list[tuple[re.Pattern, bool]]:
    """One pattern for the capitalised companies and one for the others (searched apart)."""
    groups = []
    for proper in (True, False):
        patterns = [f"(?:{m.pattern.pattern})" for m in matchers if m.proper == proper]
        if patterns:
            groups.append((re.compile("|".join(patterns)), proper))
    return groups


def _hits(text: str, anyone: list[tuple[re.Pattern, bool]]) -> list[_Hit]:
    hits, stack = [], []
    marked_only = bool(
        _ANY_MARKED.search(text)
    )  # text from filing_document_text: its headings are all marked
    for index, match in enumerate(_PARAGRAPH.finditer(text)):
        raw = match.group()
        start = match.start() + len(raw) - len(raw.lstrip())
        end = match.start() + len(raw.rstrip())
        if start >= end:
            continue
        heading = _heading(text[start:end], marked_only)
        if heading:
            stack = [h for h in stack if h[0] < heading[0]] + [heading]
            continue
        folded = _fold(text[start:end])
        found = [m for p, proper in anyone if (m := _first_mention(p, folded, text, start, proper))]
        if found:
            first = min(m.start() for m in found)
            hits.append(_Hit(start, end, start + first, index, tuple(t for _, t in stack)))
    return hits


def _merged(hits: list[_Hit], max_chars: int) -> list[_Hit]:
    """Adjacent paragraphs of one section become one passage while it stays within max_chars."""
    groups: list[_Hit] = []
    for hit in hits:
        last = groups[-1] if groups else None
        if (
            last
            and hit.index == last.index + 1
            and hit.section == last.section
            and hit.end - last.start <= max_chars
        ):
            last.end, last.index = hit.end, hit.index
        else:
            groups.append(_Hit(hit.start, hit.end, hit.mention, hit.index, hit.section))
    return groups


def _window(text: str, hit: _Hit, max_chars: int) -> tuple[int, int]:
    """At most max_chars around the first mention, cut at sentence ends where one is near."""
    start = max(hit.start, min(hit.mention - max_chars // 3, hit.end - max_chars))
    end = min(hit.end, start + max_chars)
    if start > hit.start:
        boundary = re.compile(r"[.!?]\s+").search(text, start, min(hit.mention, start + max_chars // 3))
        if boundary:
            start = boundary.end()
    if end < hit.end:
        cut = text.rfind(". ", hit.mention, end)
        if cut > hit.mention:
            end = cut + 1
    return start, end


def _passage(text: str, hit: _Hit, matchers: list[_Matcher], max_chars: int) -> Passage:
    start, end = (hit.start, hit.end) if hit.end - hit.start <= max_chars else _window(text, hit, max_chars)
    folded = _fold(text[start:end])
    named = sorted(
        (
            (found.start(), m.name)
            for m in matchers
            if (found := _first_mention(m.pattern, folded, text, start, m.proper))
        ),
        key=lambda pair: pair[0],
    )
    return Passage(
        start,
        end,
        text[start:end],
        hit.section[-1] if hit.section else "",
        hit.section,
        tuple(name for _, name in named),
        truncated=(start, end) != (hit.start, hit.end),
    )
