"""Announcements supplied by hand instead of scraped: saved files and pasted text, read.

Nothing here touches the database or the network. ``read_saved_file`` turns one saved
file into what the archive stores:

- plain text, with optional ``SOURCE:`` / ``DATE:`` / ``TITLE:`` header lines, and Markdown
  with front matter (``source_url``, ``published_at``): one page, text only, no archive;
- an article's HTML page: one page, read like a fetched page, *with* its HTML as the
  archive (the file is the page);
- a feed (RSS/Atom), an HTML listing or a JSON listing: every item, as a newsroom run
  would list them.

A page's link is the one the file gives, exactly as written: its ``SOURCE:`` line (the
line's first http(s) address when it opens with a description of where the text was
seen), its front matter's ``source_url``, or the page's own ``<link rel="canonical">``.
A file that names none is an error unless the caller supplies the address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from bs4 import BeautifulSoup

from extraction.text import parse_document
from extraction.vocabulary import DatePrecision
from scrapers.adapters import ListingItem, ParseError, detect_kind, get_adapter
from scrapers.adapters.base import json_ld_nodes
from scrapers.fetch import FetchError, decode_checked, looks_like_challenge
from scrapers.parsing import extract_article
from scrapers.untrusted import TooDeep, http_url

TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
JSON_SUFFIXES = {".json"}
# Kinds a caller may force instead of the detected one.
KINDS = ("text", "markdown", "page", "feed", "listing", "json")
ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "report", "pressrelease"}
HEADER_LINES = 10  # header lines are the first few of a text file
_ADDRESS = re.compile(r"https?://\S+")
LISTING_MIN_ITEMS = 3  # an HTML file listing fewer dated posts than this is read as one article


class SavedFileError(ValueError):
    """A file that cannot become an announcement: the message says why, for the run's report."""


@dataclass(frozen=True)
class SuppliedPage:
    """One announcement as a person supplied it: the address as given, its text, maybe its page."""

    url: str
    title: str = ""
    text: str = ""
    published_at: datetime | None = None
    precision: str = DatePrecision.DAY
    html: bytes | None = None  # the page itself (an archive), only when the file or fetch is the page
    content_hash: str = ""  # of the page's title and text, when ``html`` is given


@dataclass
class SavedFile:
    path: str
    kind: str
    pages: list[SuppliedPage] = field(default_factory=list)
    items: list[ListingItem] = field(default_factory=list)
    skipped: int = 0  # listing entries the adapter could not read


def day_start(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day, tzinfo=UTC) if value else None


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        raise SavedFileError("no such file")
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SavedFileError(f"larger than {max_bytes:,} bytes; not read")
    if not data.strip():
        raise SavedFileError("the file is empty")
    return data


def _decoded(data: bytes, path: Path, max_bytes: int) -> str:
    try:
        text, _ = decode_checked(data, "", url=str(path), max_bytes=max_bytes)
    except FetchError as exc:
        raise SavedFileError(str(exc)) from exc
    return text


def detect_file_kind(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix in JSON_SUFFIXES:
        return "json"
    sniffed = detect_kind(data)
    if suffix in HTML_SUFFIXES:
        return "feed" if sniffed == "feed" else "html"
    if sniffed in ("feed", "json"):
        return sniffed
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "html" if head.startswith((b"<!doctype html", b"<html")) else "text"


def _address_on_source_line(raw: str) -> str:
    """The first http(s) address on a ``SOURCE:`` line that opens with words instead
    ("SOURCE: a copy in … of https://vendor.example/post")."""
    for line in raw.lstrip("\ufeff").splitlines()[:HEADER_LINES]:
        key, _, value = line.partition(":")
        if key.strip().upper() in ("SOURCE", "URL") and (match := _ADDRESS.search(value)):
            return http_url(match.group().rstrip(").,;]'\""))
    return ""


def page_from_text(raw: str, *, url: str = "", markdown: bool = False) -> SuppliedPage:
    """Text with header lines or front matter; ``url`` stands in when the text names no address."""
    document = parse_document(raw)
    link = http_url(document.source) or _address_on_source_line(raw) or http_url(url)
    if not link:
        where = "front matter (source_url)" if markdown else "SOURCE: line"
        if document.source:
            raise SavedFileError(
                f"its {where} does not start with an http(s) address: {document.source[:80]!r}"
            )
        raise SavedFileError(f"no source address: add a {where} or give one (--url)")
    if not document.body.strip():
        raise SavedFileError("no text after the header lines")
    return SuppliedPage(
        url=link,
        title=document.title[:500],
        text=document.body,
        published_at=day_start(document.header_date),
    )


def page_from_paste(
    *, url: str, text: str, title: str = "", published_on: date | None = None
) -> SuppliedPage:
    """Text a curator pasted, cleaned like a saved text file; the curator's address, title and date win."""
    document = parse_document(text, title=title, source=url)
    return SuppliedPage(
        url=url, title=document.title[:500], text=document.body, published_at=day_start(published_on)
    )


def _page_address(soup: BeautifulSoup) -> str:
    tag = soup.find("link", rel="canonical", href=True)
    if tag is not None:
        return http_url(tag["href"])
    meta = soup.find("meta", property="og:url", content=True)
    return http_url(meta["content"]) if meta is not None else ""


def _is_article(soup: BeautifulSoup) -> bool:
    og_type = soup.find("meta", property="og:type", content=True)
    if og_type is not None and og_type["content"].strip().lower() == "article":
        return True
    for node in json_ld_nodes(soup, follow=("@graph",)):
        kinds = node.get("@type", "")
        kinds = {str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])}
        if kinds & ARTICLE_TYPES:
            return True
    return False


def page_from_html(data: bytes, html: str, *, url: str = "") -> SuppliedPage:
    """An article's saved page, read as a fetched one; the file's bytes are its archive."""
    if looks_like_challenge(data):
        raise SavedFileError(
            "a bot challenge page (the fetch that saved it was blocked), not an announcement"
        )
    soup = BeautifulSoup(html, "lxml")
    link = _page_address(soup) or http_url(url)
    if not link:
        raise SavedFileError('no address: the page has no <link rel="canonical"> or og:url; give one (--url)')
    try:
        content = extract_article(html, url=link)
    except TooDeep as exc:
        raise SavedFileError(str(exc)) from exc
    if not content.text.strip():
        raise SavedFileError("no main text found on the page")
    return SuppliedPage(
        url=link,
        title=content.title,
        text=content.text,
        published_at=content.published_at,
        precision=content.precision,
        html=data,
        content_hash=content.content_hash,
    )


def _listing(kind: str, payload, *, base_url: str, newsroom) -> tuple[list[ListingItem], int]:
    adapter = get_adapter(kind)
    try:
        items = adapter.parse(payload, base_url=base_url, newsroom=newsroom)
    except ParseError as exc:
        raise SavedFileError(f"not readable as {kind}: {exc}") from exc
    if items and not any(http_url(item.url) for item in items):
        raise SavedFileError(
            f"its {len(items)} items have relative links and the file names no address to resolve "
            "them against: give --base-url or --newsroom"
        )
    return items, adapter.skipped


def _html_file(saved: SavedFile, data: bytes, html: str, *, forced: str, url: str, base: str, newsroom):
    """An HTML file is an article unless it lists several dated posts (or the caller says which)."""
    soup = BeautifulSoup(html, "lxml")
    if forced != "page" and (forced == "listing" or not _is_article(soup)):
        listing_base = base or _page_address(soup)
        items, skipped = _listing("html", html, base_url=listing_base, newsroom=newsroom)
        dated = [item for item in items if item.published_at]
        if forced == "listing" or len(dated) >= LISTING_MIN_ITEMS:
            saved.kind, saved.items, saved.skipped = "html listing", items, skipped
            return
    saved.kind = "html page"
    saved.pages.append(page_from_html(data, html, url=url))


def read_saved_file(
    path: str | Path,
    *,
    max_bytes: int,
    kind: str | None = None,
    url: str = "",
    base_url: str = "",
    newsroom=None,
) -> SavedFile:
    """Read one saved file; ``SavedFileError`` says why a file cannot be used.

    ``newsroom`` lends its selectors; relative links of a listing are resolved against
    ``base_url``, else the newsroom's address, else the page's own; ``url`` is the
    address of a page whose file names none.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    detected = {"page": "html", "listing": "html"}.get(kind or "", kind) or detect_file_kind(path, data)
    base = http_url(base_url) or http_url(getattr(newsroom, "url", "") or "")
    saved = SavedFile(str(path), detected)
    if detected == "feed":
        saved.items, saved.skipped = _listing("feed", data, base_url=base or "", newsroom=newsroom)
    elif detected == "json":
        text = _decoded(data, path, max_bytes)
        saved.items, saved.skipped = _listing("json", text, base_url=base, newsroom=newsroom)
        saved.kind = "json listing"
    elif detected == "html":
        html = _decoded(data, path, max_bytes)
        _html_file(saved, data, html, forced=kind or "", url=url, base=base, newsroom=newsroom)
    else:
        text = _decoded(data, path, max_bytes)
        saved.pages.append(page_from_text(text, url=url, markdown=detected == "markdown"))
    return saved
