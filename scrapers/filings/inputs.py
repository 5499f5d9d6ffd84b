"""Bounded readers shared by every filings parser: size caps, JSON, XML, HTML, text and dates.

Every body handed to a parser here is untrusted. The readers refuse anything too large or
too deep before doing real work, never resolve XML entities or fetch anything, and turn
every decoder failure into one ``FilingParseError`` with a message a curator can act on.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lxml import etree

# Sizes in characters (str) or bytes (bytes). Amazon's FY2024 10-K is 1.9 MB and a big
# filer's submissions or companyfacts JSON a few MB; a body past these is not a filing.
MAX_JSON_SIZE = 32 * 1024 * 1024
MAX_XML_SIZE = 16 * 1024 * 1024
MAX_HTML_SIZE = 32 * 1024 * 1024
# libxml2 refuses documents nested deeper than this unless told otherwise; we never tell it.
MAX_DEPTH = 256

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# C0 and C1 control characters except tab and newline, plus zero-width and bidi controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


class FilingParseError(ValueError):
    """The body is not a document of the kind asked for, or it is too large, too deep or malformed."""


def check_size(body: Any, *, limit: int, what: str) -> None:
    if not isinstance(body, bytes | bytearray | str):
        raise FilingParseError(f"{what}: expected bytes or str, got {type(body).__name__}")
    if len(body) > limit:
        raise FilingParseError(f"{what}: {len(body):,} bytes is over the {limit:,} limit")


def decode(body: bytes | bytearray | str, *, limit: int, what: str) -> str:
    """Text of a body: UTF-8 when it decodes, else Windows-1252 (what older EDGAR documents use)."""
    check_size(body, limit=limit, what=what)
    if isinstance(body, str):
        return body
    try:
        return bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        return bytes(body).decode("cp1252", errors="replace")


def load_json(body: Any, *, what: str, limit: int = MAX_JSON_SIZE) -> Any:
    text = decode(body, limit=limit, what=what)
    try:
        return json.loads(text)
    except RecursionError:
        raise FilingParseError(f"{what}: JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and int strings longer than Python converts
        raise FilingParseError(f"{what}: not valid JSON ({exc})") from None


def load_object(body: Any, *, what: str) -> dict:
    data = load_json(body, what=what)
    if not isinstance(data, dict):
        raise FilingParseError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def _raise_on_limits(parser: etree.XMLParser | etree.HTMLParser, what: str) -> None:
    for entry in parser.error_log:
        if "Excessive depth" in entry.message:
            raise FilingParseError(f"{what}: nested deeper than {MAX_DEPTH} elements")
        if entry.type_name == "ERR_RESOURCE_LIMIT":  # entity amplification, huge text nodes...
            raise FilingParseError(f"{what}: refused by a parser limit ({clean_text(entry.message, 200)})")


def load_xml(body: Any, *, what: str, limit: int = MAX_XML_SIZE) -> etree._Element:
    """An XML tree; entities are never expanded and nothing outside the body is read."""
    check_size(body, limit=limit, what=what)
    # A str is handed to lxml as UTF-8, so its own encoding declaration must not contradict it.
    data = _XML_DECLARATION.sub("", body, count=1).encode("utf-8") if isinstance(body, str) else bytes(body)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        _raise_on_limits(parser, what)
        raise FilingParseError(f"{what}: not well-formed XML ({exc})") from None
    if root is None:
        raise FilingParseError(f"{what}: empty XML document")
    return root


def load_html(body: Any, *, what: str, limit: int = MAX_HTML_SIZE) -> etree._Element:
    """An HTML tree from lxml's forgiving parser; absurd nesting is an error, not a silent cut."""
    # lxml turns a NUL into U+FFFD; controls are dropped before it sees them.
    text = strip_controls(_XML_DECLARATION.sub("", decode(body, limit=limit, what=what), count=1))
    parser = etree.HTMLParser(
        encoding="utf-8",
        recover=True,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
        default_doctype=False,
    )
    root = etree.fromstring(text.encode("utf-8", errors="replace"), parser)
    _raise_on_limits(parser, what)
    if root is None:
        raise FilingParseError(f"{what}: no HTML content")
    return root


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if local_name(c) == name), None)


def child_text(element: etree._Element | None, name: str) -> str:
    found = child(element, name) if element is not None else None
    return clean_text("".join(found.itertext())) if found is not None else ""


def clean_text(value: Any, limit: int | None = None) -> str:
    """One line of printable text: controls and zero-width characters dropped, spaces collapsed."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", _CONTROL.sub("", str(value))).strip()
    return text[:limit] if limit else text


def strip_controls(value: str) -> str:
    return _CONTROL.sub("", value)


def text_field(value: Any) -> str:
    """A scalar JSON value as text ('' for null); lists, objects and booleans are not text."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return clean_text(value)


def parse_date(value: Any) -> date | None:
    """``2024-10-03`` or the date part of an ISO timestamp; anything else is no date."""
    text = value.strip() if isinstance(value, str) else ""
    if len(text) >= 10 and text[4:5] == "-":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from an ISO timestamp (``Z`` accepted); naive ones are read as UTC."""
    if not isinstance(value, str) or len(value.strip()) < 10:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def london_date(value: Any) -> date | None:
    """The UK calendar day of a GOV.UK timestamp (a case updated at 00:30 BST is that day's news).

    British Summer Time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
    Sunday of October; the rule is written out so that no time-zone database is needed.
    """
    moment = parse_datetime(value)
    if moment is None:
        return parse_date(value)
    utc = moment.astimezone(UTC)
    starts = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time(), UTC) + timedelta(hours=1)
    ends = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time(), UTC) + timedelta(hours=1)
    return (utc + timedelta(hours=1 if starts <= utc < ends else 0)).date()
