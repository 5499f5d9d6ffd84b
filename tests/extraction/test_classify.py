"""Is it a deal, and which kind? Negatives are what vendors publish most."""

import pytest

from extraction.core import extract_text
from extraction.lexicon import KnownCompany


@pytest.mark.parametrize(
    "text",
    [
        "SOURCE: https://www.anthropic.com/news/m\nTITLE: Introducing Claude Opus 9\n\n"
        "Our newest model, Claude Opus 9, is available today on Amazon Bedrock and Google Cloud. "
        "It is our best model for coding.",
        "SOURCE: https://openai.com/index/h\nTITLE: Jane Doe joins OpenAI as Chief Financial Officer\n\n"
        "Jane Doe joins OpenAI after ten years at Microsoft.",
        "TITLE: Globex reports third-quarter results\n\nGlobex reported revenue of $12 billion, up 20 percent, "
        "driven by demand from Microsoft and Amazon.",
        "SOURCE: https://www.anthropic.com/research/x\nTITLE: Measuring model honesty\n\n"
        "In this paper we study how models respond to questions. We compare Claude with other models.",
        "SOURCE: https://openai.com/index/c\nTITLE: How Acme uses ChatGPT Enterprise\n\n"
        "Acme uses ChatGPT Enterprise to build internal tools for its support team.",
    ],
)
def test_it_rejects_launches_hires_earnings_research_and_customer_stories(text):
    result = extract_text(text)
    assert not result.is_deal
    assert result.kind is None and result.clauses == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "TITLE: Microsoft invests $10 billion in OpenAI\n\nMicrosoft will invest $10 billion in OpenAI.",
            "investment",
        ),
        (
            "TITLE: OpenAI to acquire Quillworks\n\nOpenAI has agreed to acquire Quillworks, a startup.",
            "acquisition",
        ),
        (
            "TITLE: AMD and OpenAI announce strategic partnership to deploy 6 gigawatts of AMD GPUs\n\n"
            "AMD and OpenAI today announced a partnership to deploy 6 gigawatts of AMD GPUs.",
            "chips",
        ),
        (
            "TITLE: Oracle and OpenAI sign a data center agreement\n\n"
            "Oracle and OpenAI have entered an agreement to develop 4.5 gigawatts of data center capacity.",
            "compute",
        ),
        (
            "TITLE: OpenAI and News Corp announce content partnership\n\n"
            "OpenAI and News Corp announced a multi-year content partnership to license news content.",
            "licensing",
        ),
    ],
)
def test_it_reads_deals_and_their_kind(text, kind):
    result = extract_text(text)
    assert result.is_deal
    assert result.kind == kind
    assert 0.5 < result.confidence <= 1


def test_it_marks_expansions_of_an_existing_partnership():
    assert extract_text(
        "TITLE: Microsoft and OpenAI extend partnership\n\nMicrosoft and OpenAI extend their partnership."
    ).is_expansion
    assert not extract_text(
        "TITLE: Microsoft and OpenAI announce partnership\n\nMicrosoft and OpenAI announce a partnership."
    ).is_expansion


def test_its_json_has_the_promised_shape():
    payload = extract_text(
        "DATE: 2025-11-03\nTITLE: AWS and OpenAI announce multi-year strategic partnership\n\n"
        "AWS and OpenAI have entered a multi-year, $38 billion partnership over seven years."
    ).as_json()
    assert set(payload) == {"is_deal", "confidence", "kind", "parties", "announced_on", "clauses"}
    assert payload["announced_on"] == "2025-11-03"
    assert sorted(payload["parties"]) == ["Amazon", "OpenAI"]
    assert all(set(c) == {"kind", "amount", "unit", "qualifier", "quote"} for c in payload["clauses"])
    money = [c for c in payload["clauses"] if c["unit"] == "USD"]
    assert money[0]["amount"] == 38_000_000_000


def test_a_funding_round_is_a_deal_even_when_investors_are_unnamed():
    result = extract_text(
        "SOURCE: https://x.ai/news/e\nTITLE: xAI Raises $20B Series E\n\nxAI Raises $20B Series E"
    )
    assert result.is_deal and result.kind == "investment"
    assert [p.name for p in result.parties] == ["xAI"]
    assert [(c.amount, c.unit) for c in result.clauses] == [(20_000_000_000, "USD")]


def test_it_reads_the_currency_after_the_figure():
    result = extract_text(
        "TITLE: Mistral AI raises 1.7B€ to grow\n\nMistral AI raises 1.7B€ in a funding round."
    )
    assert [(c.amount, c.unit) for c in result.clauses if c.amount] == [(1_700_000_000, "EUR")]


def test_it_reads_no_terms_from_sentences_about_earlier_deals():
    result = extract_text(
        "TITLE: Microsoft and OpenAI extend partnership\n\n"
        "Microsoft and OpenAI today extended their partnership with a multibillion dollar investment. "
        "In 2019 Microsoft invested $1 billion in OpenAI."
    )
    assert result.is_deal
    assert not [c for c in result.clauses if c.amount is not None]


def test_a_sum_stated_between_two_parties_is_a_rule_cue_for_the_classifier():
    from extraction.classify import rule_features
    from extraction.clauses import sentence_clauses

    sentence = "In Q3 2023, Microsoft invested $1.25 billion in a convertible note from OpenAI."
    clauses = sentence_clauses(sentence)
    cue = {"title": "", "lead": [sentence], "prose": [sentence], "clauses": clauses, "deal_sentences": 1}
    assert rule_features(**cue, party_count=2)["stated_sum"] == 1.0
    assert rule_features(**cue, party_count=1)["stated_sum"] == 0.0
    assert rule_features(**{**cue, "clauses": []}, party_count=2)["stated_sum"] == 0.0


def test_an_acquired_product_built_into_the_buyers_is_no_term_of_the_acquisition():
    result = extract_text(
        "TITLE: Acme acquires Globex\n\nAcme today announced it has agreed to acquire Globex. "
        "Together, we are integrating Globex's tools into ChatGPT for every user.",
        companies=(
            KnownCompany("Acme", "acme"),
            KnownCompany("Globex", "globex"),
            KnownCompany("OpenAI", "openai"),
        ),
    )
    assert result.is_deal and result.kind == "acquisition"
    assert "product_integration" not in {str(c.kind) for c in result.clauses}
