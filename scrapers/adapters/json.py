"""JSON endpoints: a configured dotted path to the list of items, and field names with defaults."""

from __future__ import annotations

from extraction.dates import parse_datetime
from scrapers.untrusted import json_loads

from .base import Adapter, ListingItem, ParseError, absolute_url, clean_text

TITLE_KEYS = ("title", "headline", "name")
URL_KEYS = ("url", "link", "href", "permalink", "canonical_url", "slug")
DATE_KEYS = (
    "published_at",
    "publishedAt",
    "datePublished",
    "date",
    "published",
    "pubDate",
    "publishedOn",
    "created_at",
)
SUMMARY_KEYS = ("summary", "description", "excerpt", "subtitle", "content")


def resolve_path(data, path: str):
    """Follow "a.b.0.c" through dicts and lists; a missing step is a configuration error."""
    node = data
    for step in [part for part in path.split(".") if part]:
        if isinstance(node, list) and step.lstrip("-").isdigit():
            try:
                node = node[int(step)]
            except IndexError as exc:
                raise ParseError(f"items_path {path!r}: index {step} is out of range.") from exc
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            raise ParseError(f"items_path {path!r}: no {step!r} here.")
    return node


def find_item_list(data) -> list:
    """Without a configured path: the longest list of objects that carry a title and a URL."""
    best: list = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            objects = [x for x in node if isinstance(x, dict)]
            if (
                objects
                and len(objects) > len(best)
                and any(_first(x, TITLE_KEYS) and _first(x, URL_KEYS) for x in objects[:5])
            ):
                best = objects
            stack.extend(node)
    return best


def _first(obj: dict, keys, configured: str | None = None):
    if configured:
        try:
            return resolve_path(obj, configured)
        except ParseError:
            return None
    for key in keys:
        value = obj.get(key)
        if value not in (None, ""):
            return value
    return None


def _entry_item(entry, config: dict, base_url: str) -> ListingItem | None:
    if not isinstance(entry, dict):
        return None
    link = _first(entry, URL_KEYS, config.get("url"))
    if not isinstance(link, str) or not link.strip():
        return None
    title = clean_text(str(_first(entry, TITLE_KEYS, config.get("title")) or ""), 500)
    published_at, precision = parse_datetime(_first(entry, DATE_KEYS, config.get("date")))
    summary = clean_text(str(_first(entry, SUMMARY_KEYS, config.get("summary")) or ""), 1000)
    url = absolute_url(link, base_url)
    return ListingItem(title or url, url, published_at, precision, summary)


class JsonAdapter(Adapter):
    kind = "json"

    def parse(self, body: bytes, *, base_url: str, newsroom=None) -> list[ListingItem]:
        try:
            data = json_loads(body)
        except (UnicodeDecodeError, ValueError) as exc:  # TooDeep is a ValueError
            raise ParseError(f"Not valid JSON: {exc}") from exc
        config = self.selectors(newsroom)
        path = config.get("items_path")
        entries = resolve_path(data, path) if path else find_item_list(data)
        if not isinstance(entries, list):
            raise ParseError(f"items_path {path!r} does not lead to a list.")
        return self.dedupe(self.each(entries, lambda entry: _entry_item(entry, config, base_url)))
