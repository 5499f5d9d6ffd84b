"""Clean text of filing documents: headings kept and marked, inline-XBRL and page furniture dropped."""

from __future__ import annotations

from scrapers.filings import filing_document_text
from tests.filings.conftest import fixture_bytes

AMAZON_10K = "amazon_10-K_FY2024_filed_2025-02-07_mentions_anthropic.html"


def _headings(text: str, marks: str) -> list[str]:
    return [p[len(marks) + 1 :] for p in text.split("\n\n") if p.startswith(marks + " ")]


def test_it_keeps_the_parts_items_and_notes_of_a_10k_as_headings(edgar):
    text = filing_document_text((edgar / AMAZON_10K).read_bytes())
    assert _headings(text, "#") == ["PART I", "PART II", "PART III", "PART IV"]
    items = _headings(text, "##")
    assert items[0] == "Item 1. Business"
    assert (
        "Item 7. Management’s Discussion and Analysis of Financial Condition and Results of Operations"
        in items
    )
    assert len(items) == 23
    notes = _headings(text, "###")
    assert notes[0] == "Note 1 — DESCRIPTION OF BUSINESS, ACCOUNTING POLICIES, AND SUPPLEMENTAL DISCLOSURES"
    assert len(notes) == 10
    assert "Liquidity and Capital Resources" in _headings(text, "####")


def test_it_drops_the_hidden_inline_xbrl_facts_and_the_contents_table_headings(edgar):
    text = filing_document_text((edgar / AMAZON_10K).read_bytes())
    assert "0001018724" not in text  # the CIK lives only in the hidden ix:header
    assert "Table of Contents" not in text
    assert text.count("## Item 7. Management’s Discussion") == 1  # the contents row is not a heading
    assert "\x00" not in text and "\u00a0" not in text


def test_it_joins_a_paragraph_that_a_page_break_split(edgar):
    text = filing_document_text((edgar / AMAZON_10K).read_bytes())
    paragraph = next(p for p in text.split("\n\n") if "convertible note from Anthropic" in p)
    assert paragraph.startswith("Cash provided by (used in) investing activities corresponds with")


def test_it_reads_an_8k_with_its_section_and_item(edgar):
    text = filing_document_text((edgar / "oracle_8-K_2024-11_item_5.07_inline_xbrl.html").read_bytes())
    assert _headings(text, "#") == ["Section 5—Corporate Governance and Management"]
    assert _headings(text, "##") == ["Item 5.07 Submission of Matters to a Vote of Security Holders"]
    assert "ORACLE CORP false" not in text


def test_it_reads_our_10q_note_without_running_or_keeping_its_script():
    text = filing_document_text(fixture_bytes("microsoft_10-Q_openai_note.html"))
    assert "never run" not in text and "document.write" not in text
    assert "### NOTE 17 — SUBSEQUENT EVENT" in text
    assert "roughly 27% of the company" in text  # the ix:nonFraction value stays in its sentence
    assert "record our share of the investee’s net income or loss" in text  # joined across the page break
    assert "\n\n28\n\n" not in text


def test_it_writes_table_rows_as_one_line_with_amounts_kept_whole():
    html = (
        "<table><tr><td>Net sales</td><td>$</td><td>95,359</td><td>(</td><td>1,234</td><td>)</td>"
        "<td>12</td><td>%</td></tr><tr><td></td></tr></table><p>After.</p>"
    )
    assert filing_document_text(html) == "Net sales | $95,359 | (1,234) | 12%\n\nAfter."


def test_it_marks_html_headings_and_bold_lines_but_not_bold_sentences():
    html = (
        "<h2>Our partners</h2><p><b>Strategic investments</b></p>"
        "<p><b>This bold sentence is long enough that it reads as body text rather than as a heading, and it ends.</b></p>"
        "<p>Plain text.</p>"
    )
    assert filing_document_text(html).split("\n\n") == [
        "#### Our partners",
        "#### Strategic investments",
        "This bold sentence is long enough that it reads as body text rather than as a heading, and it ends.",
        "Plain text.",
    ]
