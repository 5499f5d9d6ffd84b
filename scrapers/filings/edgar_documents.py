"""What one filing holds: its folder listing, its XBRL report list and pages, and company facts.

- ``index.json`` in a filing's Archives folder lists every file (primary document, exhibits,
  XBRL parts, the rendered ``R`` pages); ``parse_filing_index`` names each by kind and guesses
  the primary document when the listing that led here did not say.
- ``FilingSummary.xml`` maps ``R1.htm``…``Rn.htm`` to report names ("Investments",
  "Commitments"), so a note is found by name rather than by guessing R numbers.
- An ``R`` page is the viewer's rendering of one statement or note as a table.
- ``companyfacts`` JSON holds every XBRL fact a filer reported, by taxonomy and concept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from scrapers.filings.edgar_records import normalize_accession, normalize_cik
from scrapers.filings.inputs import (
    FilingParseError,
    child,
    child_text,
    clean_text,
    load_html,
    load_object,
    load_xml,
    local_name,
    parse_date,
    text_field,
)

MAX_DOCUMENTS = 5_000
MAX_FACTS = 500_000
_FOLDER = re.compile(r"/Archives/edgar/data/(\d{1,10})/(\d{18})/?$")
_EXHIBIT = re.compile(r"(?<![a-z])ex-?\d", re.I)
_R_PAGE = re.compile(r"^R\d+\.htm$", re.I)
_XBRL_PART = re.compile(r"\.(?:xsd|xml|zip|json|xlsx|css|js)$", re.I)
_IMAGE = re.compile(r"\.(?:jpe?g|gif|png|pdf)$", re.I)


@dataclass(frozen=True)
class IndexDocument:
    name: str
    kind: str  # document, exhibit, xbrl, report (an R page), image, index, submission, other
    size: int | None
    last_modified: str


@dataclass(frozen=True)
class FilingIndex:
    cik: str
    accession_number: str
    documents: tuple[IndexDocument, ...]

    @property
    def primary_document(self) -> str:
        """The first HTML or text document that is not an exhibit, an R page or an index page."""
        return next((d.name for d in self.documents if d.kind == "document"), "")


def _document_kind(name: str, accession_digits: str) -> str:
    lower = name.lower()
    if "-index" in lower or lower == "index.json":
        return "index"
    if lower.endswith(".txt") and lower[:-4].replace("-", "") == accession_digits:
        return "submission"  # the whole filing as one SGML text file
    if _R_PAGE.match(name):
        return "report"
    if _IMAGE.search(lower):
        return "image"
    if _XBRL_PART.search(lower) or lower.endswith("_htm.xml"):
        return "xbrl"
    if lower.endswith((".htm", ".html", ".txt")):
        return "exhibit" if _EXHIBIT.search(lower) else "document"
    return "other"


def parse_filing_index(body: bytes | str) -> FilingIndex:
    """The files of one filing folder, as EDGAR lists them in ``index.json``."""
    data = load_object(body, what="filing index JSON")
    directory = data.get("directory")
    if not isinstance(directory, dict) or not isinstance(directory.get("item"), list):
        raise FilingParseError("filing index JSON: no directory.item list")
    match = _FOLDER.search(
        text_field(directory.get("name")) if isinstance(directory.get("name"), str) else ""
    )
    if not match:
        raise FilingParseError("filing index JSON: directory.name is not a filing folder")
    cik, digits = normalize_cik(match[1]), match[2]
    accession = normalize_accession(digits)
    items = directory["item"]
    if len(items) > MAX_DOCUMENTS:
        raise FilingParseError(f"filing index JSON: {len(items):,} files is over the {MAX_DOCUMENTS:,} limit")
    documents = []
    for item in items:
        name = clean_text(item.get("name"), 300) if isinstance(item, dict) else ""
        if not name or "/" in name:
            continue
        size = str(item.get("size") or "").strip()
        documents.append(
            IndexDocument(
                name,
                _document_kind(name, digits),
                int(size) if size.isdigit() else None,
                clean_text(item.get("last-modified"), 40),
            )
        )
    return FilingIndex(cik, accession, tuple(documents))


@dataclass(frozen=True)
class ReportRef:
    position: int | None
    html_file: str
    short_name: str
    long_name: str
    category: str  # Cover, Statements, Notes, Policies, Tables, Details
    role: str


@dataclass(frozen=True)
class FilingSummary:
    form: str
    primary_document: str
    reports: tuple[ReportRef, ...]
    input_files: tuple[str, ...]

    def find(self, words: str, *, category: str = "") -> tuple[ReportRef, ...]:
        """Reports whose short name holds every word, case-insensitively ("investments")."""
        wanted = words.lower().split()
        return tuple(
            r
            for r in self.reports
            if all(w in r.short_name.lower() for w in wanted) and (not category or r.category == category)
        )


def parse_filing_summary(body: bytes | str) -> FilingSummary:
    root = load_xml(body, what="FilingSummary.xml")
    if local_name(root) != "filingsummary":
        raise FilingParseError(f"FilingSummary.xml: the root element is <{local_name(root)}>")
    reports = []
    for report in child(root, "myreports") if child(root, "myreports") is not None else ():
        html_file = child_text(report, "htmlfilename")
        if local_name(report) != "report" or not _R_PAGE.match(html_file):
            continue  # the closing "All Reports" book has no page of its own
        position = child_text(report, "position")
        reports.append(
            ReportRef(
                int(position) if position.isdigit() else None,
                html_file,
                child_text(report, "shortname"),
                child_text(report, "longname"),
                child_text(report, "menucategory"),
                child_text(report, "role"),
            )
        )
    files = child(root, "inputfiles")
    input_files = tuple(clean_text("".join(f.itertext())) for f in (files if files is not None else ()))
    primary = next((f for f in (files if files is not None else ()) if f.get("doctype")), None)
    return FilingSummary(
        form=clean_text(primary.get("doctype")) if primary is not None else "",
        primary_document=clean_text("".join(primary.itertext())) if primary is not None else "",
        reports=tuple(reports),
        input_files=input_files,
    )


@dataclass(frozen=True)
class ReportRow:
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class XbrlReport:
    title: str
    columns: tuple[str, ...]
    rows: tuple[ReportRow, ...]


def parse_xbrl_report(body: bytes | str) -> XbrlReport:
    """An ``R`` page: its title (the first header cell), column headings and labelled rows."""
    root = load_html(body, what="XBRL R page")
    table = next((t for t in root.iter("table") if "report" in (t.get("class") or "").split()), None)
    if table is None:
        raise FilingParseError("XBRL R page: no table.report")
    header_rows, rows = [], []
    for tr in table.iter("tr"):
        cells = [c for c in tr if local_name(c) in ("td", "th")]
        if not cells:
            continue
        texts = [clean_text("".join(c.itertext())) for c in cells]
        if all(local_name(c) == "th" for c in cells):
            header_rows.append([(t, _span(c)) for t, c in zip(texts, cells, strict=True)])
        else:
            rows.append(ReportRow(texts[0], tuple(texts[1:])))
    if not header_rows:
        return XbrlReport("", (), tuple(rows))
    return XbrlReport(header_rows[0][0][0], _columns(header_rows), tuple(rows))


def _span(cell) -> int:
    span = (cell.get("colspan") or "1").strip()
    return min(int(span), 50) if span.isdigit() and int(span) > 0 else 1


def _columns(header_rows: list[list[tuple[str, int]]]) -> tuple[str, ...]:
    """Column headings, a period group ("3 Months Ended") joined to each date under it."""
    groups = [text for text, span in header_rows[0][1:] for _ in range(span)]
    if len(header_rows) < 2:
        return tuple(groups)
    dates = [text for text, _ in header_rows[1]]
    groups += [""] * (len(dates) - len(groups))
    return tuple(clean_text(f"{group} {day}") for group, day in zip(groups, dates, strict=False))


@dataclass(frozen=True)
class Fact:
    taxonomy: str
    concept: str
    label: str
    unit: str
    value: float | int | str
    end: date | None
    start: date | None
    accession_number: str
    form: str
    filed: date | None
    fiscal_year: int | None
    fiscal_period: str


@dataclass(frozen=True)
class CompanyFacts:
    cik: str
    name: str
    facts: tuple[Fact, ...]

    def for_filing(self, accession_number: str) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.accession_number == accession_number)


def parse_company_facts(body: bytes | str, *, concepts: frozenset[str] | None = None) -> CompanyFacts:
    """Every fact of a companyfacts document, or only those of the named concepts."""
    data = load_object(body, what="companyfacts JSON")
    taxonomies = data.get("facts")
    if not isinstance(taxonomies, dict):
        raise FilingParseError("companyfacts JSON: no facts object")
    try:
        cik, name = normalize_cik(text_field(data.get("cik"))), text_field(data.get("entityName"))
    except TypeError as exc:
        raise FilingParseError(f"companyfacts JSON: malformed entity ({exc})") from None
    facts: list[Fact] = []
    for taxonomy, concept_map in taxonomies.items():
        if not isinstance(concept_map, dict):
            raise FilingParseError(f"companyfacts JSON: taxonomy {str(taxonomy)[:40]} is not an object")
        for concept, entry in concept_map.items():
            if concepts is None or concept in concepts:
                facts.extend(_facts(str(taxonomy), str(concept), entry))
            if len(facts) > MAX_FACTS:
                raise FilingParseError(f"companyfacts JSON: more than {MAX_FACTS:,} facts")
    return CompanyFacts(cik, name, tuple(facts))


def _facts(taxonomy: str, concept: str, entry: object) -> list[Fact]:
    if not isinstance(entry, dict) or not isinstance(entry.get("units"), dict):
        return []
    label = clean_text(entry.get("label"), 300) if isinstance(entry.get("label"), str) else ""
    found = []
    for unit, values in entry["units"].items():
        for value in values if isinstance(values, list) else ():
            if not isinstance(value, dict) or not isinstance(value.get("val"), int | float | str):
                continue
            year = value.get("fy")
            found.append(
                Fact(
                    taxonomy,
                    concept,
                    label,
                    str(unit),
                    value["val"],
                    parse_date(value.get("end")),
                    parse_date(value.get("start")),
                    clean_text(value.get("accn"), 20),
                    clean_text(value.get("form"), 20),
                    parse_date(value.get("filed")),
                    year if isinstance(year, int) and not isinstance(year, bool) else None,
                    clean_text(value.get("fp"), 4),
                )
            )
    return found
