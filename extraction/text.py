"""Turning a stored or supplied document into clean prose plus its metadata.

Announcements arrive as HTML pages, Markdown copies or plain text with ``SOURCE:`` /
``DATE:`` / ``TITLE:`` header lines. Every later step works on the same clean text so a
clause's quote is always a verbatim slice of what the extractor read.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

import nh3

from extraction.dates import parse_date

_HEADER_LINE = re.compile(r"^(SOURCE|DATE|TITLE|NOTE|URL|PUBLISHED):\s*(.*)$", re.IGNORECASE)
# A block quoted from another page starts with the page it came from: "--- FROM: <where>".
_FROM_LINE = re.compile(r"^---\s*FROM:\s*(.*)$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s()<>\"']+")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HTML_HINT = re.compile(r"<(?:html|body|p|div|article|h[1-6]|span|br|li|section|meta|a)\b", re.IGNORECASE)
_BLOCK_END = re.compile(
    r"<\s*(?:/\s*(?:p|div|li|h[1-6]|section|article|tr|blockquote|ul|ol)|br\s*/?)\s*>", re.I
)
_MD_H1 = re.compile(r"^#\s+(.+)$", re.MULTILINE)
_HTML_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_CHROME = re.compile(
    r"<(head|nav|footer|aside|form|noscript|svg)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
# The tail of many newsroom pages lists teasers of *other* posts: not part of this one.
_RELATED = re.compile(
    r"^\s*(?:#+\s*)?(?:Related (?:content|posts|news|articles)|More (?:news|stories)|Read next|Recent news)\s*$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Document:
    title: str
    body: str
    source: str
    header_date: date | None


def html_to_text(raw: str) -> str:
    """Untrusted HTML to plain text: nh3 drops every tag (and script/style bodies)."""
    raw = re.sub(r"<!--.*?-->", " ", raw, flags=re.DOTALL)
    # Page chrome, not the post: the <head> (its <title> is read separately), menus and footers.
    raw = _CHROME.sub(" ", raw)
    raw = _BLOCK_END.sub("\n\n", raw)
    cleaned = nh3.clean(
        raw, tags=set(), clean_content_tags={"script", "style", "noscript", "template", "head"}
    )
    return html.unescape(cleaned)


def markdown_to_text(text: str) -> str:
    """Strip the Markdown that newsroom copies carry, keeping every word of prose."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)  # images
    text = re.sub(r"\[([^\]]*)\]\(\s*[^)]*\)", r"\1", text)  # links keep their words
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*(?:[*\-+•]|\d+\.)\s+", "", text, flags=re.MULTILINE)
    text = text.replace("**", "").replace("__", "")
    return text


def clean_text(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\r\n", "\n")
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"^--- FROM:.*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\[tracker summary\]\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n\s*\n\s*", "\n\n", text)
    return text.strip()


@dataclass
class _Meta:
    """What a document says about itself; values given by the caller win over the document's."""

    title: str
    source: str
    header_date: date | None = None


def source_address(value: str) -> str:
    """The address a ``SOURCE`` value names: its first URL, else its first word.

    A source line may describe where a copy was seen before the page it cites ("research
    note …, row citing https://…"); the cited page says who published the text.
    """
    if match := _URL.search(value):
        return match.group(0).rstrip(".,;:")
    return value.split()[0] if value.split() else ""


def _header_line(line: str) -> tuple[str, str] | None:
    if match := _HEADER_LINE.match(line):
        return match.group(1).upper(), match.group(2).strip()
    if match := _FROM_LINE.match(line):
        return "SOURCE", match.group(1).strip()
    return None


def _after_header_lines(raw: str, meta: _Meta) -> str:
    """Read ``SOURCE:`` / ``DATE:`` / ``TITLE:`` (or ``--- FROM:``) lines at the top; return the rest."""
    lines = raw.lstrip("\ufeff").splitlines()
    body_start = 0
    for index, line in enumerate(lines):
        header = _header_line(line.strip())
        if header is None:
            if line.strip():
                break
            body_start = index + 1  # blank lines around the header belong to it
            continue
        key, value = header
        body_start = index + 1
        if key == "TITLE" and not meta.title:
            meta.title = value
        elif key in {"SOURCE", "URL"} and not meta.source:
            meta.source = source_address(value)
        elif key in {"DATE", "PUBLISHED"}:
            meta.header_date = parse_date(value)
    return "\n".join(lines[body_start:])


def _after_front_matter(body: str, meta: _Meta) -> str:
    """Read a ``---`` front-matter block (Markdown copies of newsroom posts); return the rest."""
    front = _FRONT_MATTER.match(body)
    if not front:
        return body
    for line in front.group(1).splitlines():
        key, _, value = line.partition(":")
        value = value.strip().strip("'\"")
        key = key.strip().lower()
        if key in {"source_url", "url", "source"} and not meta.source:
            meta.source = value
        elif key in {"published_at", "date"} and meta.header_date is None:
            meta.header_date = parse_date(value)
        elif key == "title" and not meta.title:
            meta.title = value
    return body[front.end() :]


def _prose(body: str, meta: _Meta) -> str:
    """The body as clean prose whatever its format; a missing title is taken from its heading."""
    if _HTML_HINT.search(body[:5000]):
        if not meta.title and (match := _HTML_H1.search(body) or _HTML_TITLE.search(body)):
            meta.title = html.unescape(nh3.clean(match.group(1), tags=set())).strip()
        body = html_to_text(body)
    if not meta.title and (match := _MD_H1.search(body[:5000])):
        meta.title = match.group(1).strip()
    body = markdown_to_text(body)
    related = _RELATED.search(body)
    if related:
        body = body[: related.start()]
    return clean_text(body)


def parse_document(raw: str, *, title: str = "", source: str = "") -> Document:
    """Split header lines or front matter from the body, and clean the body whatever its format."""
    meta = _Meta(title=title, source=source)
    body = _prose(_after_front_matter(_after_header_lines(raw, meta), meta), meta)
    return Document(
        title=clean_text(meta.title),
        body=body,
        source=source_address(meta.source),
        header_date=meta.header_date,
    )


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9$€£])|\n+")
_ABBREVIATIONS = re.compile(
    r"\b(?:Inc|Corp|Co|Ltd|Mr|Ms|Mrs|Dr|St|U\.S|U\.K|Calif|Wash|No|vs|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
    r"Sep|Sept|Oct|Nov|Dec|[A-Z])\.$"
)


def split_sentences(text: str) -> list[str]:
    """Sentences, each a verbatim slice of ``text`` (quotes must be found in the source)."""
    sentences: list[str] = []
    start = 0
    pending = ""
    for match in _SENTENCE_END.finditer(text):
        piece = text[start : match.start()]
        start = match.end()
        if "\n" not in match.group(0) and _ABBREVIATIONS.search(piece.rstrip('"”’)')):
            pending += piece + match.group(0)
            continue
        sentence = (pending + piece).strip()
        pending = ""
        if sentence:
            sentences.append(sentence)
    tail = (pending + text[start:]).strip()
    if tail:
        sentences.append(tail)
    return sentences
