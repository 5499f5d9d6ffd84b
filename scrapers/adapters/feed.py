"""RSS 2.0 / Atom feeds through feedparser, which is only ever handed bytes we fetched."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import feedparser

from extraction.dates import parse_datetime
from extraction.text import html_to_text

from .base import Adapter, ListingItem, ParseError, absolute_url, clean_text


def _summary_text(value: str) -> str:
    if "<" not in value and "&" not in value:
        return clean_text(value, 1000)
    return clean_text(html_to_text(value), 1000)


def _entry_date(entry) -> tuple[datetime | None, str]:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC), "day"
    for key in ("published", "updated", "dc_date"):
        if entry.get(key):
            return parse_datetime(entry[key])
    return None, "day"


def _entry_link(entry, base_url: str) -> str:
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links", []):
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link and entry.get("guidislink") and entry.get("id"):
        link = entry["id"]
    if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
        link = entry["id"]
    return absolute_url(link, base_url) if link else ""


def _entry_summary(entry) -> str:
    """The item's description. feedparser lets a later ``media:description`` (an image's alt
    text, in blog.google's feed) overwrite ``summary``; ``summary_detail`` keeps the first one."""
    detail = entry.get("summary_detail") or {}
    value = detail.get("value") or entry.get("summary", "")
    if not value:
        value = next((c.get("value", "") for c in entry.get("content", []) if c.get("value")), "")
    return _summary_text(value)


def _entry_item(entry, base_url: str) -> ListingItem | None:
    url = _entry_link(entry, base_url)
    if not url:
        return None
    published_at, precision = _entry_date(entry)
    title = clean_text(entry.get("title", ""), 500) or url
    summary = _entry_summary(entry)
    return ListingItem(title, url, published_at, precision, summary)


class FeedAdapter(Adapter):
    kind = "feed"

    def parse(self, body: bytes, *, base_url: str, newsroom=None) -> list[ListingItem]:
        # Bytes in a BytesIO: feedparser must never be given a string it could treat as a URL or path.
        # No sanitizing or URI rewriting inside feedparser: summaries become plain text below and
        # links are resolved by absolute_url, and skipping both halves the parse time.
        parsed = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
        if parsed.bozo and not parsed.entries:
            raise ParseError(f"Not a readable RSS/Atom feed: {parsed.get('bozo_exception')}")
        if not parsed.get("version") and not parsed.entries:
            raise ParseError("Not an RSS or Atom feed (no <rss>, <feed> or RDF root).")
        feed_link = parsed.feed.get("link") or base_url
        link_base = feed_link if feed_link.startswith("http") else base_url
        items = self.each(parsed.entries, lambda entry: _entry_item(entry, link_base))
        problem = parsed.get("bozo_exception")
        if parsed.bozo and not items and not isinstance(problem, feedparser.CharacterEncodingOverride):
            # The loose parser salvaged nothing usable from broken XML: an error, not an empty feed.
            raise ParseError(f"Malformed feed with no readable items: {problem}")
        return self.dedupe(items)
