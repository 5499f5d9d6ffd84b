"""Filings and regulators as sources: pure parsers for SEC EDGAR and the UK CMA.

Every function here takes bytes or str that someone else fetched and returns small frozen
dataclasses. Nothing here touches the network, the database or Django settings, so the
package imports without Django and its tests need no database. Bad input never crashes a
caller: it raises ``FilingParseError`` (a ``ValueError``) with a message that says what was
wrong, and a well-formed listing with rows we do not read reports them as ``skipped``.

EDGAR (``edgar``, ``edgar_feeds``, ``edgar_documents``, ``document_text``)
    ``parse_submissions(body, *, cik=None, forms=READ_FORMS, eight_k_items=AGREEMENT_ITEMS)``
        data.sec.gov submissions JSON, the main file or an older page → ``FilingBatch``
        (``filer``, ``filings``, ``skipped``, ``more_pages`` to fetch next).
    ``parse_edgar_atom(body, ...)``  the company feed or the latest-filings feed → ``FilingBatch``.
    ``parse_full_text_search(body, *, forms=READ_FORMS)``  efts.sec.gov, ``root_form`` and
        ``root_forms`` schemas → ``FullTextSearch`` (``hits`` of ``SearchHit``, ``skipped``).
    ``parse_filing_index(body)`` → ``FilingIndex`` (documents by kind, ``primary_document``).
    ``parse_filing_summary(body)`` → ``FilingSummary`` (``reports`` R1…Rn, ``find("investments")``).
    ``parse_xbrl_report(body)`` → ``XbrlReport``;  ``parse_company_facts(body)`` → ``CompanyFacts``.
    ``filing_document_text(html)`` → str: a 10-K/10-Q/8-K as paragraphs, headings marked ``#``–``####``.
    ``parse_cover(html)`` → ``Cover``: the inline-XBRL ``dei:`` facts (form, registrant, CIK, period);
        ``filing_label(filer=, form=, period=, filed_on=)`` names a filing in prose.
    URLs: ``archive_url(cik, accession, document)``, ``filing_index_url``, ``submissions_url(cik)``,
        ``submissions_page_url(name)``, ``company_feed_url(cik, form=)``, ``company_facts_url``,
        ``full_text_search_url(phrase, forms=, ciks=, start=, end=)``, ``cik_of_submissions_url``.
    A ``FilingRecord`` carries cik, accession_number, form, filing_date, report_date (the
    period), primary_document, items (8-K items such as "1.01"), company_name and
    ``document_url``. Forms outside ``READ_FORMS`` (10-K, 10-Q, 8-K, 20-F, 40-F, 6-K and their
    amendments) and 8-Ks with none of ``AGREEMENT_ITEMS`` (1.01, 1.02, 2.01, 7.01, 8.01) come
    back as ``SkippedFiling(accession_number, form, reason)``; pass ``forms=None`` or
    ``eight_k_items=None`` to read everything.

Passages (``passages``)
    ``find_passages(text, companies, *, exclude=(), max_passages=25, max_chars=4000)`` →
    ``PassageScan(passages, omitted)``; each ``Passage`` has ``start``/``end`` offsets into
    ``text``, ``heading`` and ``section`` (the heading path), and the tracked ``companies`` it
    names. ``companies`` are ``TrackedCompany(name, aliases)`` or bare names, matched with
    ``normalize_name``'s rule (a capitalised name is never matched by a lower-case word);
    pass the filer's own names as ``exclude``.

UK CMA (``cma``, ``cma_feeds``)
    ``parse_cma_case(body)`` → ``RegulatoryReview``: authority "UK CMA", title, url, case type
        and state, ``stage`` (one of ``STAGES``), ``outcome`` and ``findings`` ("found not to
        qualify", "not a relevant merger situation", "no material influence", "cleared"…),
        opened/closed/decided dates, dated ``events`` (page history and dated body paragraphs),
        ``documents`` (``decision_documents``) and the ``subjects`` the title names.
    ``parse_cma_finder(body)`` → ``FinderPage`` (the finder's ``facets`` — its filter keys and
        values — and/or search-API ``cases``);  ``parse_cma_atom(body)`` → ``CaseStub``s.
    URLs: ``case_content_url(url_or_slug)``, ``cases_feed_url(case_type="mergers")``,
        ``cases_search_url(case_type="mergers")``.

How the pieces are wired (``scrapers.services.filings``, see ``docs/filings.md``): an
``edgar`` newsroom's run fetches ``submissions_url(cik)`` through the project's guarded
fetcher (with SEC's declared User-Agent and rate), keeps the ``FilingRecord``s whose accession
it has not read, fetches ``document_url`` (or ``filing_index_url`` then ``primary_document``
when the listing did not name it), runs ``filing_document_text`` and ``find_passages`` with
the tracked companies minus the filer, and stores each passage as an announcement of kind
"filing" keyed by accession number and offsets, which then goes to extraction. A ``cma``
newsroom's run reads ``cases_feed_url()``, fetches ``case_content_url`` for new or updated
stubs and archives each page; the curation side upserts its review keyed by the case page,
turning new ``events`` into dated phase-chain events and alerts.

Why not edgartools: it parses filings we fetched ourselves (``edgar.documents.parse_html``
reads HTML without its HTTP layer), but importing any part of it runs the package's
``__init__``, which loads its whole client: 26 packages we do not have (pyarrow, pandas,
numpy, pydantic, rapidfuzz, its own throttled HTTP stack and more; about 420 MB installed, of
which pyarrow is 170 MB) and about 1,400 modules, and it creates cache folders in the home
directory on import. What Pactwatch needs from EDGAR — column arrays, two Atom shapes, a folder listing,
an XML report list and the text of a document with its headings — is a few hundred lines on
lxml, which we already depend on, and stays bounded and testable without a network.
"""

from scrapers.filings.cma import STAGES, CaseDocument, RegulatoryReview, ReviewEvent, parse_cma_case
from scrapers.filings.cma_feeds import (
    CaseStub,
    Facet,
    FinderPage,
    case_content_url,
    case_page_url,
    cases_feed_url,
    cases_search_url,
    parse_cma_atom,
    parse_cma_finder,
)
from scrapers.filings.cover import Cover, filing_label, long_date, parse_cover
from scrapers.filings.document_text import filing_document_text
from scrapers.filings.edgar import FullTextSearch, SearchHit, parse_full_text_search, parse_submissions
from scrapers.filings.edgar_documents import (
    CompanyFacts,
    FilingIndex,
    FilingSummary,
    XbrlReport,
    parse_company_facts,
    parse_filing_index,
    parse_filing_summary,
    parse_xbrl_report,
)
from scrapers.filings.edgar_feeds import parse_edgar_atom
from scrapers.filings.edgar_records import (
    AGREEMENT_ITEMS,
    READ_FORMS,
    Filer,
    FilingBatch,
    FilingRecord,
    SkippedFiling,
    archive_url,
    cik_of_submissions_url,
    company_facts_url,
    company_feed_url,
    filing_index_url,
    full_text_search_url,
    submissions_page_url,
    submissions_url,
)
from scrapers.filings.inputs import FilingParseError
from scrapers.filings.passages import Passage, PassageScan, TrackedCompany, find_passages, normalize_name

__all__ = [
    "AGREEMENT_ITEMS",
    "READ_FORMS",
    "STAGES",
    "CaseDocument",
    "CaseStub",
    "CompanyFacts",
    "Cover",
    "Facet",
    "Filer",
    "FilingBatch",
    "FilingIndex",
    "FilingParseError",
    "FilingRecord",
    "FilingSummary",
    "FinderPage",
    "FullTextSearch",
    "Passage",
    "PassageScan",
    "RegulatoryReview",
    "ReviewEvent",
    "SearchHit",
    "SkippedFiling",
    "TrackedCompany",
    "XbrlReport",
    "archive_url",
    "case_content_url",
    "case_page_url",
    "cik_of_submissions_url",
    "cases_feed_url",
    "cases_search_url",
    "company_facts_url",
    "company_feed_url",
    "filing_document_text",
    "filing_index_url",
    "filing_label",
    "find_passages",
    "full_text_search_url",
    "long_date",
    "normalize_name",
    "parse_cma_atom",
    "parse_cma_case",
    "parse_cma_finder",
    "parse_company_facts",
    "parse_cover",
    "parse_edgar_atom",
    "parse_filing_index",
    "parse_filing_summary",
    "parse_full_text_search",
    "parse_submissions",
    "parse_xbrl_report",
    "submissions_page_url",
    "submissions_url",
]
