"""EDGAR's Atom feeds as filing records: the company feed and the "Latest Filings" feed.

The company feed (``browse-edgar?action=getcompany&CIK=…&output=atom``) has a
``<company-info>`` block and, per entry, a ``<content type="text/xml">`` with the accession
number, filing type and date and, for 8-Ks, ``<items-desc>``. The latest-filings feed
(``action=getcurrent``) has none of that: its title reads "FORM - NAME (CIK) (Role)" and its
summary "Filed: … AccNo: … Size: …", with one entry per party to a filing. Neither names
the primary document: fetch the filing's ``index.json`` for that.
"""

from __future__ import annotations

import re

from lxml import etree

from scrapers.filings.edgar_records import (
    AGREEMENT_ITEMS,
    READ_FORMS,
    Filer,
    FilingBatch,
    FilingRecord,
    SkippedFiling,
    normalize_accession,
    normalize_cik,
    skip_reason,
)
from scrapers.filings.inputs import (
    FilingParseError,
    child,
    child_text,
    clean_text,
    load_xml,
    local_name,
    parse_date,
    parse_datetime,
)

MAX_ENTRIES = 5_000
_ACCESSION_IN = re.compile(r"\b(\d{10}-\d{2}-\d{6})\b")
_CURRENT_TITLE = re.compile(
    r"^(?P<form>.+?)\s+-\s+(?P<name>.+?)\s+\((?P<cik>\d{1,10})\)(?:\s+\((?P<role>[^)]*)\))?$"
)
_FILED = re.compile(r"Filed:\s*(\d{4}-\d{2}-\d{2})")
_ITEM = re.compile(r"\b\d{1,2}\.\d{2}\b")
_CIK_IN_PATH = re.compile(r"/Archives/edgar/data/(\d{1,10})/")


def parse_edgar_atom(
    body: bytes | str,
    *,
    forms: frozenset[str] | None = READ_FORMS,
    eight_k_items: frozenset[str] | None = AGREEMENT_ITEMS,
) -> FilingBatch:
    """Filings of a company feed or of the latest-filings feed, newest first as the feed lists them."""
    root = load_xml(body, what="EDGAR Atom feed")
    if local_name(root) != "feed":
        raise FilingParseError(f"EDGAR Atom feed: the root element is <{local_name(root)}>, not <feed>")
    filer = _company_info(child(root, "company-info"))
    filings, skipped, seen = [], [], set()
    entries = [e for e in root if local_name(e) == "entry"]
    if len(entries) > MAX_ENTRIES:
        raise FilingParseError(f"EDGAR Atom feed: {len(entries):,} entries is over the {MAX_ENTRIES:,} limit")
    for entry in entries:
        result = _entry(entry, filer, forms, eight_k_items)
        key = (result.accession_number, getattr(result, "cik", ""))
        if key in seen:
            continue
        seen.add(key)
        (skipped if isinstance(result, SkippedFiling) else filings).append(result)
    return FilingBatch(filer, tuple(filings), tuple(skipped))


def _company_info(info: etree._Element | None) -> Filer | None:
    if info is None:
        return None
    try:
        cik = normalize_cik(child_text(info, "cik"))
    except FilingParseError:
        return None
    return Filer(
        cik,
        child_text(info, "conformed-name"),
        (),
        child_text(info, "assigned-sic"),
        child_text(info, "fiscal-year-end"),
    )


def _entry(
    entry: etree._Element,
    filer: Filer | None,
    forms: frozenset[str] | None,
    eight_k_items: frozenset[str] | None,
) -> FilingRecord | SkippedFiling:
    content = child(entry, "content")
    title = child_text(entry, "title")
    summary = child_text(entry, "summary")
    current = _CURRENT_TITLE.match(title) if content is None else None
    category = child(entry, "category")
    form = child_text(content, "filing-type") or clean_text(
        category.get("term") if category is not None else ""
    )
    if not form and current:
        form = current["form"]
    accession = _accession(content, entry, summary)
    if not accession:
        return SkippedFiling("", form, "entry without an accession number")
    items = tuple(_ITEM.findall(child_text(content, "items-desc") or summary))
    reason = skip_reason(form, items, forms=forms, eight_k_items=eight_k_items)
    if reason:
        return SkippedFiling(accession, form, reason)
    cik = filer.cik if filer else _cik(current, entry)
    if not cik:
        return SkippedFiling(accession, form, "entry names no filer CIK")
    filed = child_text(content, "filing-date") or (_FILED.search(summary) or [None, ""])[1]
    return FilingRecord(
        cik=cik,
        accession_number=accession,
        form=form,
        filing_date=parse_date(filed) or parse_date(child_text(entry, "updated")),
        items=items,
        company_name=filer.name if filer else (current["name"] if current else ""),
        description=child_text(content, "form-name"),
        accepted_at=parse_datetime(child_text(entry, "updated")),
    )


def _accession(content: etree._Element | None, entry: etree._Element, summary: str) -> str:
    for candidate in (child_text(content, "accession-number"), child_text(entry, "id"), summary):
        match = _ACCESSION_IN.search(candidate)
        if match:
            try:
                return normalize_accession(match[1])
            except FilingParseError:
                continue
    return ""


def _cik(current: re.Match | None, entry: etree._Element) -> str:
    if current:
        return normalize_cik(current["cik"])
    link = child(entry, "link")
    match = _CIK_IN_PATH.search(link.get("href") or "") if link is not None else None
    return normalize_cik(match[1]) if match else ""
