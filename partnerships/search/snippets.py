"""Search snippets: a window of text around the first match, whole matching words marked.

Scraped text is untrusted, so a snippet is built from escaped pieces: every piece of text
goes through ``format_html`` (which escapes it) and only the ``<mark>`` tags are markup. A word
is marked whole or not at all ("gigawatts" for the query "gigawatt", never "gigawatt s").
"""

from __future__ import annotations

import re

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WINDOW = 32  # words shown
LEAD = 8  # words kept before the first match
# A word, with inner apostrophes, hyphens or dots ("OpenAI's", "acqui-hire", "Character.AI").
_WORD = re.compile(r"\w+(?:['’.\-]\w+)*", re.UNICODE)
_SUFFIXES = ("'s", "’s", "ies", "es", "s", "ing", "ed", "ly")


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def matches_word(word: str, wanted: set[str]) -> bool:
    """Whether a word of the text matches one of the query's words (compared by stem or prefix)."""
    parts = {word.lower(), *re.split(r"['’.\-]", word.lower())}
    stems = {_stem(part) for part in parts}
    for query_word in wanted:
        if query_word in parts or _stem(query_word) in stems:
            return True
        if len(query_word) >= 4 and any(
            p.startswith(query_word) and len(p) - len(query_word) <= 4 for p in parts
        ):
            return True
    return False


def _pieces(text: str, wanted: set[str]) -> list[tuple[str, bool]]:
    """The text cut into (piece, is a matching word) pairs, in order."""
    pieces, last = [], 0
    for match in _WORD.finditer(text):
        if match.start() > last:
            pieces.append((text[last : match.start()], False))
        pieces.append((match.group(0), matches_word(match.group(0), wanted)))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def snippet(text: str, wanted: set[str], *, window: int = WINDOW) -> SafeString:
    """An escaped excerpt of ``text`` around its first matching word, matches in ``<mark>``."""
    text = " ".join((text or "").split())
    pieces = _pieces(text, {w.lower() for w in wanted if w})
    word_positions = [i for i, (piece, _) in enumerate(pieces) if _WORD.fullmatch(piece)]
    first = next((n for n, i in enumerate(word_positions) if pieces[i][1]), 0)
    start_word = max(0, first - LEAD)
    end_word = min(len(word_positions), start_word + window)
    if not word_positions:
        return format_html("{}", text[:200])
    start = word_positions[start_word] if start_word else 0
    end = word_positions[end_word - 1] + 1 if end_word < len(word_positions) else len(pieces)
    shown = format_html_join(
        "",
        "{}",
        ((format_html("<mark>{}</mark>", piece) if hit else piece,) for piece, hit in pieces[start:end]),
    )
    return format_html(
        "{}{}{}", "… " if start_word else "", shown, " …" if end_word < len(word_positions) else ""
    )
