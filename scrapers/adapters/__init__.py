"""Newsroom adapters, registered by kind: ``get_adapter("feed").parse(body, base_url=...)``."""

from __future__ import annotations

import re

from .base import Adapter, ListingItem, ParseError, absolute_url, canonical_url
from .feed import FeedAdapter
from .html import HtmlAdapter
from .json import JsonAdapter

ADAPTERS: dict[str, type[Adapter]] = {cls.kind: cls for cls in (FeedAdapter, HtmlAdapter, JsonAdapter)}

__all__ = [
    "ADAPTERS",
    "Adapter",
    "ListingItem",
    "ParseError",
    "absolute_url",
    "canonical_url",
    "detect_kind",
    "get_adapter",
]


def get_adapter(kind: str) -> Adapter:
    try:
        return ADAPTERS[kind]()
    except KeyError:
        raise ValueError(f"Unknown newsroom kind {kind!r}; known: {', '.join(sorted(ADAPTERS))}.") from None


_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.I)


def detect_kind(body: bytes, content_type: str = "") -> str:
    """Guess the adapter from the bytes (and the Content-Type when we fetched them)."""
    content_type = content_type.lower()
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if "json" in content_type or head[:1] in (b"{", b"["):
        return "json"
    if any(kind in content_type for kind in ("rss", "atom")):
        return "feed"
    if _FEED_ROOT.search(head) and b"<html" not in head[:1024].lower():
        return "feed"
    return "html"
