"""Rules for what vendors send us: links, text and documents are hostile until checked.

- ``http_url``: the only links Pactwatch stores or renders are absolute http(s) URLs; a
  ``javascript:`` or ``data:`` link from a feed becomes "no link" (the one helper the
  adapters, the ingest step, the models and the templates use).
- ``db_text``: NUL (which PostgreSQL cannot store), other control characters and lone
  surrogates are removed from every scraped text before it reaches the database.
- ``json_loads`` and ``check_tree_depth``: a document nested deeper than any real listing
  (``[`` repeated 100,000 times) is refused before a parser or our tree walks recurse
  into it.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

MAX_JSON_DEPTH = 200
MAX_HTML_DEPTH = 256
LINK_SCHEMES = ("http", "https")

# C0 controls except tab, newline and carriage return; DEL and C1 controls; lone surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class TooDeep(ValueError):
    """A document nested deeper than the limit; refused before it is walked."""


def http_url(value) -> str:
    """``value`` if it is an absolute http or https URL with a host, else the empty string."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return ""
    if _UNSTORABLE.search(url) or any(ch.isspace() for ch in url):
        return ""
    return url


def db_text(value, limit: int | None = None) -> str:
    """Text that PostgreSQL stores and readers see as it was meant: no control characters."""
    text = _UNSTORABLE.sub("", value if isinstance(value, str) else str(value or ""))
    return text[:limit] if limit is not None else text


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        piece = match.group()
        if piece in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif piece in "]}":
            depth -= 1
    return deepest


def json_loads(data: str | bytes, *, max_depth: int = MAX_JSON_DEPTH):
    """``json.loads`` for untrusted input: ``TooDeep`` instead of a parser recursing 100,000 levels."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes | bytearray) else data
    # Fewer brackets than the limit cannot nest past it: most listings skip the scan.
    if text.count("[") + text.count("{") > max_depth and json_depth(text) > max_depth:
        raise TooDeep(f"the JSON nests deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise TooDeep(f"the JSON nests deeper than {max_depth} levels") from exc


def check_tree_depth(root, *, max_depth: int = MAX_HTML_DEPTH) -> None:
    """Refuse a parsed HTML tree deeper than ``max_depth`` before anything walks it."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise TooDeep(f"the page nests elements deeper than {max_depth} levels")
        stack.extend(
            (child, depth + 1) for child in getattr(node, "contents", ()) if hasattr(child, "contents")
        )
