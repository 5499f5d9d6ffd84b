"""EDGAR listings as filing records: the submissions JSON (both page shapes) and full-text search.

``data.sec.gov/submissions/CIK##########.json`` carries the filer and, under
``filings.recent``, its latest filings as parallel column arrays (``accessionNumber[i]``,
``form[i]``, ...); ``filings.files`` names older pages, which hold the same columns at the top
level and no filer. ``efts.sec.gov/LATEST/search-index`` answers full-text searches in
Elasticsearch's shape; its documents carried ``root_form`` (one string) until about 2022 and
``root_forms`` (a list) since. Both are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapers.filings.edgar_records import (
    AGREEMENT_ITEMS,
    READ_FORMS,
    Filer,
    FilingBatch,
    FilingRecord,
    SkippedFiling,
    archive_url,
    normalize_accession,
    normalize_cik,
    skip_reason,
    submissions_page_url,
)
from scrapers.filings.inputs import (
    FilingParseError,
    clean_text,
    load_object,
    parse_date,
    parse_datetime,
    text_field,
)

COLUMNS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "form",
    "items",
    "size",
    "primaryDocument",
    "primaryDocDescription",
)
MAX_ROWS = 50_000
_CIK_SUFFIX = re.compile(r"\s*\(CIK\s*\d{1,10}\)\s*$")
_TICKERS = re.compile(r"\s*\([A-Z0-9.\-]{1,10}(?:,\s*[A-Z0-9.\-]{1,10})*\)\s*$")


def parse_submissions(
    body: bytes | str,
    *,
    cik: str | int | None = None,
    forms: frozenset[str] | None = READ_FORMS,
    eight_k_items: frozenset[str] | None = AGREEMENT_ITEMS,
) -> FilingBatch:
    """Filings of one submissions document: the main file, or an older page (then pass ``cik``)."""
    data = load_object(body, what="submissions JSON")
    if isinstance(data.get("filings"), dict):
        filer = _filer(data)
        columns = data["filings"].get("recent")
        pages = _older_pages(data["filings"].get("files"))
    elif "accessionNumber" in data:
        if cik is None:
            raise FilingParseError("submissions JSON: an older page names no filer; pass cik=")
        filer, columns, pages = None, data, ()
    else:
        raise FilingParseError("submissions JSON: neither filings.recent nor an accessionNumber column")
    owner = filer.cik if filer else normalize_cik(cik)
    if filer and cik is not None and normalize_cik(cik) != filer.cik:
        raise FilingParseError(
            f"submissions JSON: filer {filer.cik} is not the CIK asked for ({normalize_cik(cik)})"
        )
    filings, skipped = [], []
    for row in _rows(columns):
        result = _submission_record(row, owner, filer.name if filer else "", forms, eight_k_items)
        (skipped if isinstance(result, SkippedFiling) else filings).append(result)
    return FilingBatch(filer, tuple(filings), tuple(skipped), pages)


def _filer(data: dict) -> Filer:
    try:
        tickers = tuple(text_field(t) for t in data.get("tickers") or ())
        return Filer(
            normalize_cik(text_field(data.get("cik"))),
            text_field(data.get("name")),
            tickers,
            text_field(data.get("sic")),
            text_field(data.get("fiscalYearEnd")),
        )
    except (TypeError, FilingParseError) as exc:
        raise FilingParseError(f"submissions JSON: malformed filer ({exc})") from None


def _older_pages(files: object) -> tuple[str, ...]:
    if files is None:
        return ()
    if not isinstance(files, list):
        raise FilingParseError("submissions JSON: filings.files is not a list")
    return tuple(submissions_page_url(f.get("name")) for f in files if isinstance(f, dict))


def _rows(columns: object) -> list[dict]:
    """The column arrays as one dict per filing; ragged or non-list columns are an error."""
    if not isinstance(columns, dict):
        raise FilingParseError("submissions JSON: the filings are not an object of columns")
    present = {name: columns[name] for name in COLUMNS if name in columns}
    if "accessionNumber" not in present or "form" not in present:
        raise FilingParseError("submissions JSON: no accessionNumber or form column")
    for name, values in present.items():
        if not isinstance(values, list):
            raise FilingParseError(f"submissions JSON: column {name} is not a list")
    lengths = {len(values) for values in present.values()}
    if len(lengths) != 1:
        raise FilingParseError(f"submissions JSON: columns of different lengths {sorted(lengths)}")
    count = lengths.pop()
    if count > MAX_ROWS:
        raise FilingParseError(f"submissions JSON: {count:,} rows is over the {MAX_ROWS:,} limit")
    return [{name: values[i] for name, values in present.items()} for i in range(count)]


def _submission_record(
    row: dict, cik: str, name: str, forms: frozenset[str] | None, eight_k_items: frozenset[str] | None
) -> FilingRecord | SkippedFiling:
    raw_accession, form = row.get("accessionNumber"), row.get("form")
    try:
        accession = normalize_accession(text_field(raw_accession))
        form = text_field(form)
        items = tuple(i for i in (p.strip() for p in text_field(row.get("items")).split(",")) if i)
        reason = skip_reason(form, items, forms=forms, eight_k_items=eight_k_items)
        if reason:
            return SkippedFiling(accession, form, reason)
        size = row.get("size")
        return FilingRecord(
            cik=cik,
            accession_number=accession,
            form=form,
            filing_date=parse_date(row.get("filingDate")),
            report_date=parse_date(row.get("reportDate")),
            primary_document=_document(text_field(row.get("primaryDocument"))),
            items=items,
            company_name=name,
            description=text_field(row.get("primaryDocDescription")),
            accepted_at=parse_datetime(row.get("acceptanceDateTime")),
            size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
        )
    except (TypeError, FilingParseError) as exc:
        return SkippedFiling(_label(raw_accession), _label(form), f"malformed row: {exc}")


def _label(value: object) -> str:
    """What a malformed row said it was, when that was text at all."""
    return clean_text(value, 40) if isinstance(value, str) else ""


def _document(name: str) -> str:
    if name:
        archive_url("1", "0000000000-00-000000", name)  # raises on a name that is not a plain document
    return name


@dataclass(frozen=True)
class SearchHit:
    """One document a full-text search matched; ``document`` may be an exhibit of the filing."""

    filing: FilingRecord
    document: str
    document_type: str
    root_forms: tuple[str, ...]
    score: float | None = None

    @property
    def document_url(self) -> str:
        return (
            archive_url(self.filing.cik, self.filing.accession_number, self.document) if self.document else ""
        )


@dataclass(frozen=True)
class FullTextSearch:
    total: int
    hits: tuple[SearchHit, ...]
    skipped: tuple[SkippedFiling, ...]
    schema: str  # "root_forms" (the current one), "root_form" (before about 2022) or "" (no hits)


def parse_full_text_search(
    body: bytes | str,
    *,
    forms: frozenset[str] | None = READ_FORMS,
    eight_k_items: frozenset[str] | None = None,
) -> FullTextSearch:
    """Hits of an EDGAR full-text search response in either schema."""
    data = load_object(body, what="full-text search JSON")
    hits = data.get("hits")
    if not isinstance(hits, dict) or not isinstance(hits.get("hits"), list):
        raise FilingParseError("full-text search JSON: no hits.hits list")
    found, skipped, schemas = [], [], set()
    for hit in hits["hits"][:MAX_ROWS]:
        result, schema = _search_hit(hit, forms, eight_k_items)
        schemas.add(schema)
        (skipped if isinstance(result, SkippedFiling) else found).append(result)
    schemas.discard("")
    schema = "root_forms" if "root_forms" in schemas else ("root_form" if schemas else "")
    return FullTextSearch(_total(hits.get("total"), len(hits["hits"])), tuple(found), tuple(skipped), schema)


def _total(total: object, default: int) -> int:
    if isinstance(total, dict):
        total = total.get("value")
    return total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else default


def _root_forms(source: dict) -> tuple[tuple[str, ...], str]:
    for key in ("root_forms", "root_form"):
        value = source.get(key)
        if isinstance(value, str):
            return (clean_text(value),), key
        if isinstance(value, list):
            return tuple(text_field(v) for v in value), key
    return (), ""


def _search_hit(
    hit: object, forms: frozenset[str] | None, eight_k_items: frozenset[str] | None
) -> tuple[SearchHit | SkippedFiling, str]:
    source = hit.get("_source") if isinstance(hit, dict) else None
    if not isinstance(source, dict):
        return SkippedFiling("", "", "malformed hit: no _source"), ""
    try:
        root_forms, schema = _root_forms(source)
        accession, _, document = text_field(hit.get("_id")).partition(":")
        accession = normalize_accession(text_field(source.get("adsh")) or accession)
        form = text_field(source.get("form")) or (root_forms[0] if root_forms else "")
        items = tuple(text_field(i) for i in source.get("items") or ())
        reason = skip_reason(form, items, forms=forms, eight_k_items=eight_k_items)
        if reason:
            return SkippedFiling(accession, form, reason), schema
        ciks = source.get("ciks") or []
        names = source.get("display_names") or []
        document_type = text_field(source.get("file_type"))
        filing = FilingRecord(
            cik=normalize_cik(text_field(ciks[0])) if ciks else "",
            accession_number=accession,
            form=form,
            filing_date=parse_date(source.get("file_date")),
            report_date=parse_date(source.get("period_ending")),
            primary_document=_document(document) if document_type == form else "",
            items=items,
            company_name=display_name(text_field(names[0])) if names else "",
            description=text_field(source.get("file_description")),
        )
        score = hit.get("_score")
        return SearchHit(
            filing,
            _document(document),
            document_type,
            root_forms,
            float(score) if isinstance(score, int | float) else None,
        ), schema
    except (TypeError, FilingParseError, IndexError) as exc:
        return SkippedFiling(
            _label(source.get("adsh")), _label(source.get("form")), f"malformed hit: {exc}"
        ), ""


def display_name(value: str) -> str:
    """``INTEL CORP  (INTC)  (CIK 0000050863)`` → ``INTEL CORP``."""
    text = clean_text(value)
    name = _CIK_SUFFIX.sub("", text)
    return _TICKERS.sub("", name) if name != text else name
