"""Passages that name a tracked counterparty: the Amazon 10-K, our 10-Q note, merging and caps."""

from __future__ import annotations

import pytest

from scrapers.filings import (
    FilingParseError,
    TrackedCompany,
    filing_document_text,
    find_passages,
    normalize_name,
)
from tests.filings.conftest import fixture_bytes

TRACKED = [
    TrackedCompany("Anthropic"),
    TrackedCompany("OpenAI"),
    TrackedCompany("Microsoft", ("MSFT", "Microsoft Azure")),
    TrackedCompany("Amazon", ("AWS", "Amazon Web Services", "Amazon.com")),
    TrackedCompany("Google", ("Alphabet", "Google Cloud", "Google DeepMind")),
    TrackedCompany("NVIDIA"),
    TrackedCompany("Meta", ("Meta Platforms",)),
    TrackedCompany("Mistral AI", ("Mistral",)),
    TrackedCompany("Oracle"),
]


@pytest.fixture(scope="module")
def amazon_text(edgar) -> str:
    return filing_document_text(
        (edgar / "amazon_10-K_FY2024_filed_2025-02-07_mentions_anthropic.html").read_bytes()
    )


def test_the_amazon_10k_yields_exactly_its_three_anthropic_convertible_note_passages(amazon_text):
    scan = find_passages(amazon_text, TRACKED, exclude=["Amazon.com, Inc."])
    assert len(scan.passages) == 3 and scan.omitted == 0
    for passage in scan.passages:
        assert "Anthropic" in passage.text
        assert "convertible" in passage.text
        assert passage.companies == ("Anthropic",)
        assert amazon_text[passage.start : passage.end] == passage.text
    assert [p.heading for p in scan.passages] == [
        "Liquidity and Capital Resources",
        "Equity Investment Risk",
        "Non-Marketable Investments",
    ]
    notes = scan.passages[2]
    assert notes.section[:3] == (
        "PART II",
        "Item 8. Financial Statements and Supplementary Data",
        "Note 1 — DESCRIPTION OF BUSINESS, ACCOUNTING POLICIES, AND SUPPLEMENTAL DISCLOSURES",
    )
    assert "$1.25 billion note from Anthropic" in notes.text and "Level 3" in notes.text


def test_without_excluding_the_filer_its_own_name_floods_the_passages(amazon_text):
    scan = find_passages(amazon_text, TRACKED)
    assert len(scan.passages) == 25 and scan.omitted > 0


def test_our_10q_note_gives_one_merged_openai_passage_and_one_about_competitors():
    text = filing_document_text(fixture_bytes("microsoft_10-Q_openai_note.html"))
    scan = find_passages(text, TRACKED, exclude=["Microsoft Corporation"])
    assert len(scan.passages) == 2
    note, risk = scan.passages
    assert note.section == (
        "PART I. FINANCIAL INFORMATION",
        "Item 1. Financial Statements",
        "NOTE 17 — SUBSEQUENT EVENT",
    )
    assert note.text.count("\n\n") == 1  # two adjacent paragraphs, merged
    assert "27%" in note.text and "$250 billion" in note.text and "right of first refusal" in note.text
    assert note.companies == ("OpenAI",)
    assert risk.heading == "Competition in the technology sector"
    assert risk.companies == ("Amazon", "Google")
    assert all(text[p.start : p.end] == p.text for p in scan.passages)


def test_it_matches_names_as_whole_words_whatever_the_case_accents_and_possessives():
    text = (
        "Metadata is not Meta.\n\nWe sell to ACME Corp.’s unit.\n\nSociété Générale lends.\n\nOpenAI's model."
    )
    scan = find_passages(text, ["Meta", "Acme Corporation", "Societe Generale", "OpenAI"])
    (passage,) = scan.passages  # four adjacent paragraphs, merged into one
    assert passage.companies == ("Meta", "Acme Corporation", "Societe Generale", "OpenAI")
    assert find_passages("Metadata only.", ["Meta"]).passages == ()


def test_it_reads_plain_text_headings_when_the_text_has_no_marked_ones():
    text = (
        "PART II\n\nItem 7. Discussion\n\nWe work with Anthropic.\n\nItem 8. Statements\n\nAnthropic again."
    )
    scan = find_passages(text, ["Anthropic"])
    assert [p.section for p in scan.passages] == [
        ("PART II", "Item 7. Discussion"),
        ("PART II", "Item 8. Statements"),
    ]


def test_it_caps_the_number_and_the_length_of_passages():
    many = "\n\n".join(f"## Item {i}. Part\n\nParagraph {i} names Anthropic." for i in range(1, 40))
    scan = find_passages(many, ["Anthropic"], max_passages=5)
    assert len(scan.passages) == 5 and scan.omitted == 34
    filler = "This sentence is filler. " * 400
    long_text = f"{filler}Here Anthropic appears once. {filler}"
    (passage,) = find_passages(long_text, ["Anthropic"], max_chars=1000).passages
    assert passage.truncated and len(passage.text) <= 1000
    assert "Anthropic" in passage.text and long_text[passage.start : passage.end] == passage.text


def test_it_does_not_merge_adjacent_paragraphs_past_the_length_cap():
    text = ("Anthropic " + "x " * 300 + "\n\n") * 3
    scan = find_passages(text, ["Anthropic"], max_chars=1300)
    assert [p.text.count("\n\n") for p in scan.passages] == [1, 0]


def test_a_company_named_only_by_an_excluded_name_is_not_a_counterparty():
    text = "Amazon Web Services hosts the models.\n\nAnthropic trains them."
    scan = find_passages(text, TRACKED, exclude=["Amazon"])
    assert [p.companies for p in scan.passages] == [("Anthropic",)]


def test_it_refuses_what_is_not_text_or_not_a_company():
    with pytest.raises(FilingParseError, match="expected str"):
        find_passages(b"bytes", ["Anthropic"])
    with pytest.raises(FilingParseError, match="expected TrackedCompany"):
        find_passages("text", [42])
    assert find_passages("Anthropic", []).passages == ()


@pytest.mark.parametrize(
    "name",
    [
        "Microsoft Corp.",
        "Microsoft Corp.'s",
        "OpenAI’s",
        "Société Générale SA",
        "Amazon.com, Inc.",
        "  ",
        "Mistral AI",
        "Alphabet Inc. (Google LLC)",
        "NVIDIA Corporation",
        "Meta Platforms, Inc.",
        "Inflection AI Holdings Ltd.",
    ],
)
def test_it_normalises_names_exactly_as_the_company_model_does(name):
    from partnerships.models.companies import normalize_name as model_rule

    assert normalize_name(name) == model_rule(name)
