"""Evidence quotes marked inside the announcement text, without trusting the text.

Announcement text is scraped, hence untrusted: every piece is escaped by format_html and
only our own ``<mark>`` tags are markup. Quotes are matched loosely (whitespace, case,
curly vs straight quotes and dashes) because extraction and curators retype them.
"""

import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# One character for one character, so offsets stay valid. Markdown emphasis becomes space:
# archived text keeps "**bold**" that curators never retype.
_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " ", "*": " "}
)
_ELLIPSIS = {"...", "\u2026", "[...]", "[\u2026]"}
_GAP = r"[\s\S]{0,400}?"  # an elided stretch of the sentence


@dataclass(frozen=True)
class QuoteSpan:
    start: int
    end: int
    clause_id: int


def _pattern(quote: str) -> re.Pattern | None:
    parts = []
    for word in quote.replace("\u2026", " \u2026 ").translate(_FOLD).split():
        if word in _ELLIPSIS:
            parts.append(None)
        elif word.endswith(("...", "\u2026")):
            parts += [word.rstrip(".\u2026"), None]
        else:
            parts.append(word)
    while parts and parts[0] is None:
        parts.pop(0)
    while parts and parts[-1] is None:
        parts.pop()
    if not parts:
        return None
    pattern = ""
    for i, part in enumerate(parts):
        if part is None:
            pattern += _GAP
        else:
            if i and parts[i - 1] is not None:
                pattern += r"\s+"
            pattern += re.escape(part)
    return re.compile(pattern, re.IGNORECASE)


def find_quote_spans(text: str, clauses) -> tuple[list[QuoteSpan], set[int]]:
    """Where each clause's quote sits in ``text``; also the ids of clauses whose quote is absent.

    Folding maps each character to exactly one character, so offsets found in the folded
    text are offsets in the original.
    """
    folded = text.translate(_FOLD)
    spans, missing = [], set()
    for clause in clauses:
        pattern = _pattern(clause.quote or "")
        if pattern is None:
            continue
        match = pattern.search(folded)
        if match is None:
            missing.add(clause.pk)
            continue
        spans.append(QuoteSpan(match.start(), match.end(), clause.pk))
    spans.sort(key=lambda s: (s.start, -s.end))
    # Overlapping quotes: the first one wins the overlap; the later is marked from where it ends.
    kept, cursor = [], 0
    for span in spans:
        start = max(span.start, cursor)
        if start < span.end:
            kept.append(QuoteSpan(start, span.end, span.clause_id))
            cursor = span.end
    return kept, missing


def highlight_quotes(text: str, clauses) -> tuple[SafeString, set[int]]:
    """The text as safe HTML with every found quote in ``<mark id="quote-<clause id>">``."""
    spans, missing = find_quote_spans(text, clauses)
    pieces, cursor = [], 0
    for span in spans:
        pieces.append(text[cursor : span.start])
        pieces.append(format_html('<mark id="quote-{}">{}</mark>', span.clause_id, text[span.start : span.end]))
        cursor = span.end
    pieces.append(text[cursor:])
    return format_html_join("", "{}", ((piece,) for piece in pieces)), missing
