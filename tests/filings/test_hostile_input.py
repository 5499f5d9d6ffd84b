"""Hostile bodies: every parser answers with a FilingParseError (or clean output), never a crash or a hang."""

from __future__ import annotations

import json

import pytest

from scrapers.filings import (
    FilingParseError,
    filing_document_text,
    find_passages,
    parse_cma_atom,
    parse_cma_case,
    parse_cma_finder,
    parse_company_facts,
    parse_edgar_atom,
    parse_filing_index,
    parse_filing_summary,
    parse_full_text_search,
    parse_submissions,
    parse_xbrl_report,
)

JSON_PARSERS = [
    parse_submissions,
    parse_full_text_search,
    parse_filing_index,
    parse_company_facts,
    parse_cma_case,
    parse_cma_finder,
]
XML_PARSERS = [parse_edgar_atom, parse_filing_summary, parse_cma_atom]
HTML_PARSERS = [filing_document_text, parse_xbrl_report]
ALL_PARSERS = JSON_PARSERS + XML_PARSERS + HTML_PARSERS
FIFTY_MB = 50 * 1024 * 1024


def _name(parser) -> str:
    return parser.__name__


@pytest.fixture(scope="module")
def fifty_megabytes() -> str:
    return "a" * FIFTY_MB


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=_name)
def test_a_fifty_megabyte_body_is_refused_before_it_is_read(parser, fifty_megabytes):
    with pytest.raises(FilingParseError, match="over the"):
        parser(fifty_megabytes)


def test_a_fifty_megabyte_text_is_refused_by_the_passage_finder(fifty_megabytes):
    with pytest.raises(FilingParseError, match="over the"):
        find_passages(fifty_megabytes, ["Anthropic"])


@pytest.mark.parametrize("parser", HTML_PARSERS, ids=_name)
def test_a_hundred_thousand_nested_tags_are_refused(parser):
    body = "<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</body></html>"
    with pytest.raises(FilingParseError, match="nested deeper"):
        parser(body)


@pytest.mark.parametrize("parser", XML_PARSERS, ids=_name)
def test_a_hundred_thousand_nested_xml_elements_are_refused(parser):
    body = '<feed xmlns="http://www.w3.org/2005/Atom">' + "<a>" * 100_000 + "</a>" * 100_000 + "</feed>"
    with pytest.raises(FilingParseError, match="nested deeper"):
        parser(body)


@pytest.mark.parametrize("parser", JSON_PARSERS, ids=_name)
def test_deeply_nested_json_is_refused(parser):
    with pytest.raises(FilingParseError, match="nested too deeply"):
        parser("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("parser", JSON_PARSERS, ids=_name)
@pytest.mark.parametrize(
    "body", ["", "{", "{'single': 'quotes'}", "\x00", "nan", '{"cik": ' + "9" * 5000 + "}"]
)
def test_invalid_json_is_refused(parser, body):
    with pytest.raises(FilingParseError):
        parser(body)


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=_name)
@pytest.mark.parametrize(
    "body",
    [None, 42, 4.2, ["a"], {"filings": {}}, object()],
    ids=lambda body: type(body).__name__ if type(body) is object else repr(body),
)
def test_a_body_of_the_wrong_type_is_refused(parser, body):
    with pytest.raises(FilingParseError, match="expected bytes or str"):
        parser(body)


@pytest.mark.parametrize("parser", JSON_PARSERS, ids=_name)
@pytest.mark.parametrize("body", ["[]", '"text"', "1", "null", "{}"])
def test_json_of_the_wrong_shape_is_refused(parser, body):
    with pytest.raises(FilingParseError):
        parser(body)


@pytest.mark.parametrize("parser", XML_PARSERS, ids=_name)
@pytest.mark.parametrize("body", ["", "<feed", "not xml at all", "<a>\x00</a>", b"\xff\xfe<\x00f\x00"])
def test_malformed_xml_is_refused(parser, body):
    with pytest.raises(FilingParseError):
        parser(body)


def test_an_entity_bomb_is_refused_by_the_parser_limit():
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY l0 "lol">{laughs}]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&l9;</title></entry></feed>'
    )
    with pytest.raises(FilingParseError, match="parser limit"):
        parse_cma_atom(body)


def test_an_external_entity_is_never_read():
    body = (
        '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Case &secret; title</title>'
        '<link href="https://www.gov.uk/cma-cases/a-b"/></entry></feed>'
    )
    (stub,) = parse_cma_atom(body)
    assert stub.title == "Case &secret; title"  # left as written, never resolved


def test_nul_bytes_and_control_characters_never_reach_the_output():
    text = filing_document_text("<p>Anthro\x00pic\x07 pays\u202e \u200bOpen\x1bAI</p><p>\x00\x00</p>")
    assert text == "Anthropic pays OpenAI"
    body = json.dumps(
        {
            "cik": "320193",
            "name": "Apple\x00 Inc.\u0007",
            "filings": {
                "recent": {
                    "accessionNumber": ["0000320193-23-000077"],
                    "form": ["10-Q\x00"],
                    "primaryDocument": ["aapl-20230701.htm"],
                }
            },
        }
    )
    batch = parse_submissions(body)
    assert batch.filer.name == "Apple Inc."
    assert batch.filings[0].form == "10-Q"


def test_a_document_name_that_would_leave_the_filing_folder_is_skipped_not_followed():
    body = json.dumps(
        {
            "cik": "320193",
            "name": "Apple Inc.",
            "filings": {
                "recent": {
                    "accessionNumber": ["0000320193-23-000077"],
                    "form": ["10-Q"],
                    "primaryDocument": ["../../../../etc/passwd"],
                }
            },
        }
    )
    batch = parse_submissions(body)
    assert batch.filings == ()
    assert batch.skipped[0].reason.startswith("malformed row: not a document name")


def test_html_with_scripts_styles_and_event_handlers_keeps_only_text():
    html = (
        '<p onclick="steal()">Visible <img src=x onerror="alert(1)"> text</p>'
        "<script>alert(1)</script><style>p{}</style><template><p>hidden</p></template>"
        '<div style="DISPLAY: NONE">hidden too</div><noscript>no</noscript>'
    )
    assert filing_document_text(html) == "Visible text"
