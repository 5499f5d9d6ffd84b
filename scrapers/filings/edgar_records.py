"""What the EDGAR parsers return, the archive URLs of a filing, and which forms are read.

A filing is named by its accession number (``0001018724-25-000004``: filer agent, year,
sequence) and lives under ``https://www.sec.gov/Archives/edgar/data/<cik>/<accession
without dashes>/``. Every parser yields ``FilingRecord``s for the forms Pactwatch reads and a
``SkippedFiling`` (with the reason) for everything else, so nothing disappears unreported.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from urllib.parse import quote, urlencode

from scrapers.filings.inputs import FilingParseError

ARCHIVES = "https://www.sec.gov/Archives/edgar/data"
SUBMISSIONS = "https://data.sec.gov/submissions"
COMPANY_FACTS = "https://data.sec.gov/api/xbrl/companyfacts"
BROWSE = "https://www.sec.gov/cgi-bin/browse-edgar"
FULL_TEXT_SEARCH = "https://efts.sec.gov/LATEST/search-index"

ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")
_ACCESSION_DIGITS = re.compile(r"^\d{18}$")
_CIK = re.compile(r"^\d{1,10}$")
# A document inside a filing folder: plain names, or the XSL-rendered "xslF345X05/form4.xml" kind.
_DOCUMENT = re.compile(r"^(?:[A-Za-z0-9_]+/)?[A-Za-z0-9][A-Za-z0-9._-]*$")
_PAGE_FILE = re.compile(r"^CIK\d{10}-submissions-\d{3}\.json$")

# Forms read by default, by kind; an amendment ("10-K/A") is read like its form.
FORM_KINDS = {
    "10-K": "annual",
    "10-K405": "annual",
    "10-KT": "annual",
    "20-F": "annual",
    "40-F": "annual",
    "10-Q": "quarterly",
    "10-QT": "quarterly",
    "8-K": "current",
    "6-K": "current",
}
READ_FORMS = frozenset(FORM_KINDS)
# 8-K items that can carry a partnership: entry into / termination of a material agreement,
# completed acquisition, Regulation FD disclosure, other events.
AGREEMENT_ITEMS = frozenset({"1.01", "1.02", "2.01", "7.01", "8.01"})


def normalize_cik(cik: str | int) -> str:
    """The ten-digit, zero-padded CIK EDGAR's JSON APIs use."""
    text = str(cik).strip()
    if not _CIK.match(text):
        raise FilingParseError(f"not a CIK: {text[:40]!r}")
    return text.zfill(10)


def normalize_accession(value: str) -> str:
    """``0001018724-25-000004`` from itself or from its 18 bare digits."""
    text = str(value).strip()
    if _ACCESSION_DIGITS.match(text):
        text = f"{text[:10]}-{text[10:12]}-{text[12:]}"
    if not ACCESSION.match(text):
        raise FilingParseError(f"not an accession number: {text[:40]!r}")
    return text


def archive_url(cik: str | int, accession_number: str, document: str = "") -> str:
    """``https://www.sec.gov/Archives/edgar/data/<cik>/<acc-no-dashes>/<document>``."""
    folder = f"{ARCHIVES}/{int(normalize_cik(cik))}/{normalize_accession(accession_number).replace('-', '')}"
    if not document:
        return f"{folder}/"
    if not _DOCUMENT.match(document) or ".." in document:
        raise FilingParseError(f"not a document name: {document[:80]!r}")
    return f"{folder}/{document}"


def filing_index_url(cik: str | int, accession_number: str) -> str:
    """The folder listing (``index.json``) that names a filing's documents and exhibits."""
    return archive_url(cik, accession_number, "index.json")


def filing_summary_url(cik: str | int, accession_number: str) -> str:
    return archive_url(cik, accession_number, "FilingSummary.xml")


def submissions_url(cik: str | int) -> str:
    return f"{SUBMISSIONS}/CIK{normalize_cik(cik)}.json"


_SUBMISSIONS_FILE = re.compile(r"/submissions/CIK(\d{10})\.json$")


def cik_of_submissions_url(url: str) -> str:
    """The ten-digit CIK a submissions URL names (``…/submissions/CIK0000789019.json``), else ''."""
    match = _SUBMISSIONS_FILE.search(str(url or "").split("?", 1)[0])
    return match[1] if match else ""


def submissions_page_url(name: str) -> str:
    """An older page named in ``filings.files`` (``CIK0000320193-submissions-001.json``)."""
    if not _PAGE_FILE.match(name or ""):
        raise FilingParseError(f"not a submissions page name: {str(name)[:80]!r}")
    return f"{SUBMISSIONS}/{name}"


def company_facts_url(cik: str | int) -> str:
    return f"{COMPANY_FACTS}/CIK{normalize_cik(cik)}.json"


def company_feed_url(cik: str | int, *, form: str = "", count: int = 40) -> str:
    """The company Atom feed, newest first, optionally one form type."""
    query = {
        "action": "getcompany",
        "CIK": normalize_cik(cik),
        "type": form,
        "dateb": "",
        "owner": "include",
        "count": max(1, min(int(count), 100)),
        "output": "atom",
    }
    return f"{BROWSE}?{urlencode(query)}"


def full_text_search_url(
    phrase: str,
    *,
    forms: tuple[str, ...] = (),
    ciks: tuple[str, ...] = (),
    start: date | None = None,
    end: date | None = None,
) -> str:
    """An EDGAR full-text search for an exact phrase, optionally by form, filer and filing date."""
    query = {"q": f'"{phrase}"'}
    if forms:
        query["forms"] = ",".join(forms)
    if ciks:
        query["ciks"] = ",".join(normalize_cik(c) for c in ciks)
    if start or end:
        query.update(
            dateRange="custom",
            startdt=(start or date(2001, 1, 1)).isoformat(),
            enddt=(end or date.today()).isoformat(),
        )
    return f"{FULL_TEXT_SEARCH}?{urlencode(query, quote_via=quote)}"


def base_form(form: str) -> str:
    return form[:-2] if form.endswith("/A") else form


def skip_reason(
    form: str,
    items: tuple[str, ...],
    *,
    forms: frozenset[str] | None = READ_FORMS,
    eight_k_items: frozenset[str] | None = AGREEMENT_ITEMS,
) -> str:
    """Why a filing is not read ('' when it is): its form, or an 8-K whose items carry no agreement.

    ``forms=None`` reads every form; ``eight_k_items=None`` reads every 8-K.
    """
    if not form:
        return "no form type"
    if forms is not None and base_form(form) not in forms:
        return f"form {form} is not read"
    if base_form(form) == "8-K" and eight_k_items is not None and items and not set(items) & eight_k_items:
        return f"8-K items {', '.join(items)} name no agreement ({', '.join(sorted(eight_k_items))})"
    return ""


@dataclass(frozen=True)
class Filer:
    cik: str
    name: str
    tickers: tuple[str, ...] = ()
    sic: str = ""
    fiscal_year_end: str = ""


@dataclass(frozen=True)
class FilingRecord:
    """One filing as a listing names it; ``primary_document`` is '' when the listing does not say."""

    cik: str
    accession_number: str
    form: str
    filing_date: date | None
    report_date: date | None = None
    primary_document: str = ""
    items: tuple[str, ...] = ()
    company_name: str = ""
    description: str = ""
    accepted_at: datetime | None = None
    size: int | None = None

    @property
    def kind(self) -> str:
        return FORM_KINDS.get(base_form(self.form), "")

    @property
    def is_amendment(self) -> bool:
        return self.form.endswith("/A")

    @property
    def document_url(self) -> str:
        return (
            archive_url(self.cik, self.accession_number, self.primary_document)
            if self.primary_document
            else ""
        )

    @property
    def index_url(self) -> str:
        return filing_index_url(self.cik, self.accession_number)

    def as_json(self) -> dict:
        data = asdict(self)
        for key in ("filing_date", "report_date", "accepted_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data.update(
            items=list(self.items), kind=self.kind, document_url=self.document_url, index_url=self.index_url
        )
        return data


@dataclass(frozen=True)
class SkippedFiling:
    accession_number: str
    form: str
    reason: str


@dataclass(frozen=True)
class FilingBatch:
    """Filings a listing names, those skipped and why, and further pages to fetch (absolute URLs)."""

    filer: Filer | None
    filings: tuple[FilingRecord, ...]
    skipped: tuple[SkippedFiling, ...] = ()
    more_pages: tuple[str, ...] = ()
