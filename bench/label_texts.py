"""The labelled set of ``bench/labels`` and the text each entry names, read from the captured pages.

Every entry names its text by ``source`` (a file under the captured pages) and ``locator``
(which item of it). One reader per locator kind builds the input the extractor gets, the
way the scrapers would hand it over:

- ``{"id": …}``: an entry of the site listing JSON: ``SOURCE``/``DATE``/``TITLE`` header
  lines plus its content or summary;
- ``{"link": …}``: the ``<item>`` of an RSS file with that ``<link>``: the same header plus
  its description;
- ``{"href": …}``: the card of an HTML listing whose anchor has that ``href``: its heading
  is the title, a date written in it the date, its paragraphs the description;
- ``{"start", "end"}``: characters ``[start, end)`` of the file (tags stripped from HTML);
- ``null``: the whole file — an announcement or article as it is, a GOV.UK case JSON as its
  title, description and body, a filing as its visible text.

A filing names its filer only as "we", so the reader of a filing says who filed it (its
``dei:EntityRegistrantName``) and the extractor gets that company as the publisher.
Nothing read here is stored: texts live in memory for one run.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 (our own stored copies of public feeds)
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from extraction.dates import parse_date

LABELS = Path(__file__).resolve().parent / "labels"
# Which part of the held-out set a label file belongs to: labelled after tuning from the
# vendor feeds, or sources no rule was ever tuned on.
HOLDOUT_PARTS = {"holdout_feed_titles.json": "holdout-feeds"}
FRESH_HOLDOUT = "holdout-fresh"


@dataclass(frozen=True)
class LabelText:
    """The input one entry names: the raw text and, for a filing, the company that filed it."""

    raw: str
    publisher: str | None = None


def entry_key(entry: dict) -> str:
    """Results are keyed by (source, locator): one captured item, whatever file labels it."""
    return json.dumps([entry["source"], entry.get("locator")], sort_keys=True)


def entry_name(entry: dict) -> str:
    locator = entry.get("locator")
    name = entry["source"].rsplit("/", 1)[-1]
    if not locator:
        return name
    value = next(iter(locator.values())) if len(locator) == 1 else f"{locator['start']}-{locator['end']}"
    return f"{name[:40]}[{str(value).rsplit('/', 2)[-1] or value}]"


def evaluation_split(file: str, entry: dict) -> str:
    """dev, test, or the holdout part the entry's file belongs to."""
    if entry["split"] != "holdout":
        return entry["split"]
    return HOLDOUT_PARTS.get(file, FRESH_HOLDOUT)


def load_labels(folder: Path = LABELS) -> list[dict]:
    """Every label file (top level and ``v2/``), each entry tagged with its file and evaluation split."""
    entries: list[dict] = []
    for path in sorted(folder.glob("*.json")) + sorted((folder / "v2").glob("*.json")):
        file = path.relative_to(folder).as_posix()
        for entry in json.loads(path.read_text(encoding="utf-8")):
            entries.append({**entry, "file": file, "eval_split": evaluation_split(path.name, entry)})
    return entries


def _header(source: str, date: str, title: str, body: str) -> str:
    return f"SOURCE: {source}\nDATE: {date}\nTITLE: {' '.join(title.split())}\n\n{body}\n"


class Captures:
    """Reads each captured file once, and the text one (source, locator) names."""

    def __init__(self, root: Path):
        self.root = root
        self._files: dict[str, str] = {}
        self._parsed: dict[tuple[str, str], object] = {}

    def file(self, source: str) -> str:
        if source not in self._files:
            self._files[source] = (self.root / source).read_text(encoding="utf-8")
        return self._files[source]

    def _cached(self, source: str, kind: str, build):
        key = (source, kind)
        if key not in self._parsed:
            self._parsed[key] = build(self.file(source))
        return self._parsed[key]

    def text(self, entry: dict) -> LabelText:
        source, locator = entry["source"], entry.get("locator")
        if locator is None:
            return self._whole(source)
        if "id" in locator:
            return LabelText(self._listing_entry(source, locator["id"]))
        if "link" in locator:
            return LabelText(self._rss_item(source, locator["link"]))
        if "href" in locator:
            return LabelText(self._card(source, locator["href"]))
        return self._span(source, locator["start"], locator["end"])

    # -- one reader per locator kind ----------------------------------------------------

    def _listing_entry(self, source: str, entry_id: str) -> str:
        items = self._cached(
            source, "entries", lambda text: {item["id"]: item for item in json.loads(text)["entries"]}
        )
        item = items[entry_id]
        body = item.get("content") or item.get("summary") or ""
        return _header(item["url"], item.get("date", ""), item["title"], body)

    def _rss_item(self, source: str, link: str) -> str:
        def build(text: str) -> dict:
            root = ET.fromstring(text.encode("utf-8"))  # noqa: S314 (our own stored copies)
            return {(item.findtext("link") or "").strip(): item for item in root.iter("item")}

        item = self._cached(source, "rss", build)[link]
        return _header(
            link,
            item.findtext("pubDate") or "",
            (item.findtext("title") or "").strip(),
            item.findtext("description") or "",
        )

    def _card(self, source: str, href: str) -> str:
        soup = self._cached(source, "soup", lambda text: BeautifulSoup(text, "lxml"))
        anchors = soup.find_all("a", href=href)
        if len(anchors) != 1:
            raise LookupError(f"{source}: {len(anchors)} anchors with href {href!r}")
        return _card_text(anchors[0], urljoin(_page_base(soup), href))

    def _span(self, source: str, start: int, end: int) -> LabelText:
        piece = self.file(source)[start:end]
        if source.endswith((".html", ".htm")):
            return LabelText(_filing_text(piece), publisher=self._registrant(source))
        return LabelText(piece)

    def _whole(self, source: str) -> LabelText:
        text = self.file(source)
        if source.startswith("regulatory/cma/") and source.endswith(".json"):
            return LabelText(_govuk_case_text(json.loads(text)))
        if source.startswith("regulatory/edgar/"):
            return LabelText(_filing_text(text), publisher=self._registrant(source))
        return LabelText(text)

    def _registrant(self, source: str) -> str | None:
        return self._cached(source, "registrant", _registrant_name)


_REGISTRANT = re.compile(r"name=\"dei:EntityRegistrantName\"[^>]*>(.*?)</ix:nonNumeric>", re.I | re.S)


def _registrant_name(text: str) -> str | None:
    match = _REGISTRANT.search(text)
    if match is None:
        return None
    name = html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
    return " ".join(name.split()) or None


def _filing_text(markup: str) -> str:
    from scrapers.filings.document_text import filing_document_text

    return filing_document_text(markup)


def _page_base(soup: BeautifulSoup) -> str:
    """Where the saved page lived: its canonical address, else the site of its preview image."""
    canonical = soup.find("link", rel="canonical", href=True) or soup.find(
        "meta", property="og:url", content=True
    )
    if canonical is not None:
        return canonical.get("href") or canonical.get("content") or ""
    image = soup.find("meta", property="og:image", content=True)
    match = re.match(r"https?://[^/]+/", image["content"]) if image is not None else None
    return match.group(0) if match else ""


def _card_text(anchor, url: str) -> str:
    """A listing card: its heading is the title, a date in it the date, paragraphs the description."""
    heading = anchor.find(["h1", "h2", "h3", "h4", "h5", "h6"])
    pieces = [" ".join(s.split()) for s in anchor.stripped_strings]
    date = next((p for p in pieces if len(p) <= 40 and parse_date(p)), "")
    if heading is not None:
        title = heading.get_text(" ", strip=True)
    else:
        title = max((p for p in pieces if p != date), key=len, default="")
    body = " ".join(p.get_text(" ", strip=True) for p in anchor.find_all("p"))
    return _header(url, date, title, body if body != title else "")


def _govuk_case_text(case: dict) -> str:
    """A GOV.UK case page as its title, description and body (HTML kept; the extractor strips it)."""
    details = case.get("details") or {}
    source = "https://www.gov.uk" + (case.get("base_path") or "")
    date = case.get("first_published_at") or case.get("public_updated_at") or ""
    body = f"<p>{html.escape(case.get('description') or '')}</p>\n{details.get('body') or ''}"
    return _header(source, date, case.get("title") or "", body)
