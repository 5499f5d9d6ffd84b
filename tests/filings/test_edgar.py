"""EDGAR listings: submissions JSON (both page shapes), the Atom feeds and full-text search."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from scrapers.filings import (
    FilingParseError,
    archive_url,
    company_feed_url,
    filing_index_url,
    full_text_search_url,
    parse_edgar_atom,
    parse_full_text_search,
    parse_submissions,
    submissions_page_url,
    submissions_url,
)
from tests.filings.conftest import fixture_bytes

APPLE = "data_sec_gov_submissions_CIK0000320193_apple.json"
APPLE_OLDER = "data_sec_gov_submissions_CIK0000320193-submissions-001_apple_older_page.json"


def _submissions(**columns) -> str:
    return json.dumps(
        {"cik": "1018724", "name": "AMAZON COM INC", "filings": {"recent": columns, "files": []}}
    )


def test_it_reads_every_filing_of_the_main_submissions_page(edgar):
    batch = parse_submissions((edgar / APPLE).read_bytes())
    assert batch.filer.cik == "0000320193"
    assert batch.filer.name == "Apple Inc."
    assert batch.filer.tickers == ("AAPL",)
    assert len(batch.filings) + len(batch.skipped) == 1000
    assert Counter(f.form for f in batch.filings) == {"8-K": 38, "10-Q": 32, "10-K": 10, "8-K/A": 1}
    assert batch.more_pages == ("https://data.sec.gov/submissions/CIK0000320193-submissions-001.json",)


def test_it_keeps_the_period_the_primary_document_and_its_archive_address(edgar):
    batch = parse_submissions((edgar / APPLE).read_bytes())
    quarterly = next(f for f in batch.filings if f.accession_number == "0000320193-23-000077")
    assert (quarterly.form, quarterly.kind) == ("10-Q", "quarterly")
    assert quarterly.filing_date == date(2023, 8, 4)
    assert quarterly.report_date == date(2023, 7, 1)
    assert quarterly.document_url == (
        "https://www.sec.gov/Archives/edgar/data/320193/000032019323000077/aapl-20230701.htm"
    )
    assert quarterly.as_json()["report_date"] == "2023-07-01"


def test_it_reads_8k_items_and_skips_the_8ks_that_carry_no_agreement(edgar):
    batch = parse_submissions((edgar / APPLE).read_bytes())
    eight_ks = [f for f in batch.filings if f.form == "8-K"]
    assert eight_ks and all({"1.01", "1.02", "2.01", "7.01", "8.01"} & set(f.items) for f in eight_ks)
    earnings = [s for s in batch.skipped if s.reason.startswith("8-K items 2.02, 9.01")]
    assert len(earnings) == 43
    everything = parse_submissions((edgar / APPLE).read_bytes(), eight_k_items=None)
    assert sum(f.form == "8-K" for f in everything.filings) == 108


def test_it_reads_the_older_page_that_names_no_filer(edgar):
    body = (edgar / APPLE_OLDER).read_bytes()
    with pytest.raises(FilingParseError, match="pass cik"):
        parse_submissions(body)
    batch = parse_submissions(body, cik=320193)
    assert batch.filer is None
    assert len(batch.filings) + len(batch.skipped) == 988
    assert len(batch.filings) == 94
    assert {f.cik for f in batch.filings} == {"0000320193"}
    assert batch.filings[-1].filing_date == date(1994, 1, 26)
    assert {"10-K405", "10-K/A", "10-Q/A"} <= {f.form for f in batch.filings}


def test_it_records_an_unknown_form_and_a_malformed_row_as_skipped():
    body = _submissions(
        accessionNumber=[
            "0001018724-25-000004",
            "0001018724-25-000005",
            "not-an-accession",
            "0001018724-25-000007",
        ],
        form=["10-K", "FOO-X", "10-Q", ["10-Q"]],
        filingDate=["2025-02-07", "2025-02-08", "2025-02-09", "2025-02-10"],
        primaryDocument=["amzn-20241231.htm", "", "x.htm", "y.htm"],
    )
    batch = parse_submissions(body)
    assert [f.accession_number for f in batch.filings] == ["0001018724-25-000004"]
    assert [(s.form, s.reason) for s in batch.skipped] == [
        ("FOO-X", "form FOO-X is not read"),
        ("10-Q", "malformed row: not an accession number: 'not-an-accession'"),
        ("", "malformed row: expected text, got list"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"cik": "1", "filings": {"recent": []}}', "not an object of columns"),
        ('{"filings": {"recent": {}}}', "malformed filer"),
        ('{"accessionNumber": "x", "form": []}', "pass cik"),
        (_submissions(accessionNumber=["0001018724-25-000004"], form=[]), "different lengths"),
        (_submissions(form=["10-K"]), "no accessionNumber"),
        ('{"cik": {"a": 1}, "name": "x", "filings": {"recent": {}}}', "malformed filer"),
        ("[1, 2, 3]", "expected a JSON object"),
    ],
)
def test_it_refuses_a_submissions_document_of_the_wrong_shape(body, message):
    with pytest.raises(FilingParseError, match=message):
        parse_submissions(body)


def test_it_refuses_a_page_for_another_filer_than_asked(edgar):
    with pytest.raises(FilingParseError, match="not the CIK asked for"):
        parse_submissions((edgar / APPLE).read_bytes(), cik=789019)


def test_it_reads_the_company_atom_feed_with_items_and_form_names(edgar):
    batch = parse_edgar_atom(
        (edgar / "browse_edgar_atom_getcompany_AAPL_all_forms_40_2021-04-18.xml").read_bytes()
    )
    assert batch.filer.cik == "0000320193"
    assert batch.filer.name == "Apple Inc."
    assert len(batch.filings) + len(batch.skipped) == 40
    assert Counter(f.form for f in batch.filings) == {"8-K": 4, "10-Q": 4, "10-K": 1}
    first = batch.filings[0]
    assert (first.accession_number, first.items, first.description) == (
        "0001193125-21-032394",
        ("8.01", "9.01"),
        "Current report",
    )
    assert first.filing_date == date(2021, 2, 8)
    assert first.primary_document == ""  # the feed does not name it: fetch the filing index
    assert first.index_url == "https://www.sec.gov/Archives/edgar/data/320193/000119312521032394/index.json"


def test_it_reads_the_company_feed_filtered_by_form(edgar):
    batch = parse_edgar_atom(
        (edgar / "browse_edgar_atom_getcompany_AAPL_10-K_before_2017-08-01_2021-04-18.xml").read_bytes()
    )
    assert len(batch.filings) == 25 and not batch.skipped
    assert Counter(f.form for f in batch.filings) == {"10-K": 21, "10-K/A": 2, "10-K405": 2}
    assert min(f.filing_date for f in batch.filings) == date(1994, 12, 13)


def test_it_reads_the_latest_filings_feed_from_titles_and_summaries(edgar):
    body = (edgar / "browse_edgar_atom_getcurrent_latest_filings_40_2021-04-18.xml").read_bytes()
    default = parse_edgar_atom(body)
    assert default.filer is None
    assert not default.filings  # forms 3 and 4 only: nothing Pactwatch reads
    assert {s.form for s in default.skipped} == {"3", "3/A", "4"}
    every = parse_edgar_atom(body, forms=None)
    assert len(every.filings) == 40
    trust = every.filings[0]
    assert (trust.cik, trust.company_name, trust.form) == (
        "0001856705",
        "Brian Armstrong Living Trust",
        "3/A",
    )
    assert trust.accession_number == "0001209191-21-027150"
    assert trust.filing_date == date(2021, 4, 16)


def test_it_reads_full_text_search_in_the_old_root_form_schema(edgar):
    for name, hits in (
        ("efts_full_text_search_intel_transition_report_10-K_6hits_2021-04.json", 6),
        ("efts_full_text_search_intel_transition_report_10-K_10-Q_21hits_2021-04.json", 21),
    ):
        result = parse_full_text_search((edgar / name).read_bytes())
        assert (result.schema, result.total, len(result.hits), result.skipped) == (
            "root_form",
            hits,
            hits,
            (),
        )
        assert {h.filing.company_name for h in result.hits} == {"INTEL CORP"}
        assert {h.filing.cik for h in result.hits} == {"0000050863"}
    first = parse_full_text_search(
        (edgar / "efts_full_text_search_intel_transition_report_10-K_6hits_2021-04.json").read_bytes()
    ).hits[0]
    assert first.document_url == (
        "https://www.sec.gov/Archives/edgar/data/50863/000005086320000011/a12282019q4-10kdocument.htm"
    )
    assert first.filing.report_date == date(2019, 12, 28)


def test_it_reads_full_text_search_in_the_new_root_forms_schema():
    result = parse_full_text_search(fixture_bytes("efts_full_text_search_root_forms_schema.json"))
    assert (result.schema, result.total) == ("root_forms", 4)
    assert [(h.filing.form, h.document_type) for h in result.hits] == [
        ("10-K", "10-K"),
        ("8-K", "EX-99.1"),
        ("10-Q/A", "10-Q/A"),
    ]
    amazon, exhibit, _ = result.hits
    assert amazon.filing.company_name == "AMAZON COM INC"
    assert amazon.filing.document_url.endswith("/1018724/000101872425000004/amzn-20241231.htm")
    assert exhibit.filing.primary_document == ""  # the hit is an exhibit, not the 8-K itself
    assert exhibit.filing.items == ("1.01", "9.01")
    assert exhibit.document_url.endswith("/9999991/000999999125000012/ex99-1.htm")
    assert [(s.form, s.reason) for s in result.skipped] == [("S-1", "form S-1 is not read")]


def test_it_reports_a_hit_without_a_source_instead_of_failing():
    body = json.dumps(
        {"hits": {"total": 2, "hits": [{"_id": "x"}, {"_source": {"form": "10-K", "adsh": "bad"}}]}}
    )
    result = parse_full_text_search(body)
    assert result.hits == () and result.total == 2
    assert [s.reason for s in result.skipped] == [
        "malformed hit: no _source",
        "malformed hit: not an accession number: 'bad'",
    ]


def test_it_builds_the_edgar_addresses():
    assert submissions_url(320193) == "https://data.sec.gov/submissions/CIK0000320193.json"
    assert archive_url("0001018724", "0001018724-25-000004", "amzn-20241231.htm") == (
        "https://www.sec.gov/Archives/edgar/data/1018724/000101872425000004/amzn-20241231.htm"
    )
    assert filing_index_url(1018724, "000101872425000004").endswith("/1018724/000101872425000004/index.json")
    assert "CIK=0000789019" in company_feed_url(789019, form="8-K") and "type=8-K" in company_feed_url(
        789019, form="8-K"
    )
    url = full_text_search_url(
        "Anthropic", forms=("10-K", "10-Q"), ciks=("1018724",), start=date(2024, 1, 1), end=date(2025, 12, 31)
    )
    assert url.startswith("https://efts.sec.gov/LATEST/search-index?q=%22Anthropic%22&forms=10-K%2C10-Q")
    assert "ciks=0001018724" in url and "startdt=2024-01-01" in url


@pytest.mark.parametrize(
    "call",
    [
        lambda: archive_url("1018724", "0001018724-25-000004", "../../etc/passwd"),
        lambda: archive_url("1018724", "0001018724-25-000004", "https://evil.example/x.htm"),
        lambda: archive_url("abc", "0001018724-25-000004"),
        lambda: archive_url("1018724", "2025-4"),
        lambda: submissions_page_url("../CIK0000320193.json"),
    ],
)
def test_it_refuses_addresses_built_from_bad_parts(call):
    with pytest.raises(FilingParseError):
        call()
