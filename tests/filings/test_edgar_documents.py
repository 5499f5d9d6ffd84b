"""What one filing holds: its folder listing, FilingSummary.xml, an XBRL R page and company facts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from scrapers.filings import (
    FilingParseError,
    parse_company_facts,
    parse_filing_index,
    parse_filing_summary,
    parse_xbrl_report,
)


def test_it_names_every_file_of_a_filing_folder_by_kind(edgar):
    index = parse_filing_index((edgar / "archives_filing_index_0001213900-24-004875-index.json").read_bytes())
    assert (index.cik, index.accession_number) == ("0001648960", "0001213900-24-004875")
    assert len(index.documents) == 25
    kinds = Counter(d.kind for d in index.documents)
    assert kinds == {
        "xbrl": 11,
        "exhibit": 5,
        "image": 4,
        "index": 2,
        "submission": 1,
        "document": 1,
        "report": 1,
    }
    assert index.primary_document == "ea191807-8k_datchat.htm"
    assert {d.name for d in index.documents if d.kind == "exhibit"} == {
        "ea191807ex1-1_datchat.htm",
        "ea191807ex5-1_datchat.htm",
        "ea191807ex99-1_datchat.htm",
        "ea191807ex99-2_datchat.htm",
        "ea191807ex99-3_datchat.htm",
    }
    zipped = next(d for d in index.documents if d.name.endswith("-xbrl.zip"))
    assert zipped.size == 101351


def test_it_refuses_a_folder_listing_that_is_not_a_filing():
    body = json.dumps({"directory": {"name": "/Archives/edgar/data/1648960", "item": []}})
    with pytest.raises(FilingParseError, match="not a filing folder"):
        parse_filing_index(body)


def test_it_maps_the_r_pages_of_a_filing_summary(edgar):
    summary = parse_filing_summary((edgar / "xbrl_FilingSummary_apple_10-Q_2025-03-29.xml").read_bytes())
    assert (summary.form, summary.primary_document) == ("10-Q", "aapl-20250329.htm")
    assert len(summary.reports) == 42  # the closing "All Reports" book is not a page
    assert Counter(r.category for r in summary.reports) == {
        "Details": 16,
        "Notes": 12,
        "Statements": 6,
        "Tables": 6,
        "Cover": 1,
        "Policies": 1,
    }
    assert [r.html_file for r in summary.find("revenue", category="Notes")] == ["R9.htm"]
    assert summary.reports[1].short_name == "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)"


def test_it_reads_an_r_page_as_labelled_rows(edgar):
    report = parse_xbrl_report(
        (edgar / "xbrl_R2_apple_10-Q_2025-03-29_statement_of_operations.htm").read_bytes()
    )
    assert report.title.startswith("CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)")
    assert report.columns == (
        "3 Months Ended Mar. 29, 2025",
        "3 Months Ended Mar. 30, 2024",
        "6 Months Ended Mar. 29, 2025",
        "6 Months Ended Mar. 30, 2024",
    )
    assert len(report.rows) == 24
    assert report.rows[0].label == "Net sales"
    assert report.rows[0].values == ("$ 95,359", "$ 90,753", "$ 219,659", "$ 210,328")


def test_it_reads_every_fact_of_a_companyfacts_document(edgar):
    body = (edgar / "data_sec_gov_companyfacts_CIK0001997711_pretty_printed.json").read_bytes()
    facts = parse_company_facts(body)
    assert (facts.cik, facts.name) == ("0001997711", "Logistic Properties of the Americas")
    assert len({(f.taxonomy, f.concept) for f in facts.facts}) == 178
    assert len(facts.facts) == 768
    shares = parse_company_facts(body, concepts=frozenset({"EntityCommonStockSharesOutstanding"})).facts
    assert shares[0].value == 31709747 and shares[0].unit == "shares"
    assert shares[0].end == date(2024, 3, 28) and shares[0].form == "20-F"
    assert all(f.accession_number == "0001493152-24-016772" for f in facts.for_filing("0001493152-24-016772"))


def test_it_refuses_companyfacts_without_facts():
    with pytest.raises(FilingParseError, match="no facts object"):
        parse_company_facts('{"cik": 1, "entityName": "x", "facts": []}')
