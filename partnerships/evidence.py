"""Where evidence quotes sit in a source's text, and whether every quote of a deal holds.

Used by the review page (which marks the quotes in the text) and by the publish gate
(``deal_publish_problems``), so the page and the service flag the same quotes. Quotes are
matched loosely (whitespace, case, curly vs straight quotes and dashes) because extraction
and curators retype them. Pure functions over objects with ``pk``, ``quote``, ``source_id``
(clauses) and ``pk``, ``text`` (sources): nothing here queries.
"""

import re
from dataclasses import dataclass

# One character for one character, so offsets stay valid. Markdown emphasis becomes space:
# archived text keeps "**bold**" that curators never retype.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "*": " ",
    }
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


FOUND = "found"
MISSING = "missing"  # the source has archived text and the quote is not in it
UNCHECKED = "unchecked"  # no source of the clause has archived text to look in


def quote_checks(clauses, sources) -> dict[int, str]:
    """For each clause with a quote: found, missing, or unchecked (see above).

    A clause tied to a source is looked for in that source; one tied to none, in every
    source of the deal. Found in any of them counts as found.
    """
    checks = {}
    for clause in clauses:
        if not (clause.quote or "").strip():
            continue
        texts = [s.text for s in sources if clause.source_id in (None, s.pk) and (s.text or "").strip()]
        if not texts:
            checks[clause.pk] = UNCHECKED
            continue
        found = any(clause.pk not in find_quote_spans(text, [clause])[1] for text in texts)
        checks[clause.pk] = FOUND if found else MISSING
    return checks
