"""Parties: known companies through names and aliases, proposed new ones, the publisher, never products."""

from extraction.core import extract_text
from extraction.lexicon import KnownCompany

COMPANIES = (
    KnownCompany("Microsoft", "microsoft", ("Microsoft Corporation", "Microsoft Azure"), ("microsoft.com",)),
    KnownCompany("OpenAI", "openai", ("OpenAI Group PBC",), ("openai.com",)),
    KnownCompany("Anthropic", "anthropic", (), ("anthropic.com",)),
    KnownCompany("Amazon", "amazon", ("AWS", "Amazon Web Services"), ("amazon.com",)),
    KnownCompany("Google", "google", ("Google Cloud",)),
)


def _parties(text, **kwargs):
    return [p.name for p in extract_text(text, companies=COMPANIES, **kwargs).parties]


def test_it_resolves_aliases_suffixes_and_possessives():
    text = (
        "TITLE: AWS and Microsoft Corp. announce a strategic partnership\n\n"
        "Amazon Web Services and Microsoft Corp. today announced a multi-year partnership. "
        "Microsoft's customers will gain access to the new services."
    )
    assert sorted(_parties(text)) == ["Amazon", "Microsoft"]


def test_it_does_not_count_products_as_parties():
    text = (
        "TITLE: Anthropic and OpenAI announce a research partnership\n\n"
        "Anthropic and OpenAI today announced a research partnership. "
        "Researchers will compare Claude, ChatGPT and Gemini on Azure and Bedrock."
    )
    names = _parties(text)
    assert sorted(names) == ["Anthropic", "OpenAI"]


def test_it_skips_companies_named_only_through_their_platforms():
    text = (
        "TITLE: Anthropic and Snowfall announce a partnership\n\n"
        "Anthropic and Snowfall today announced a multi-year partnership. "
        "The agreement makes Claude available to Snowfall customers across Amazon Bedrock, Google Cloud Vertex AI "
        "and Microsoft Azure."
    )
    assert sorted(_parties(text)) == ["Anthropic", "Snowfall"]


def test_it_proposes_unknown_organisations_from_deal_positions():
    result = extract_text(
        "TITLE: Anthropic acquires Quillworks\n\nAnthropic is acquiring Quillworks, a maker of developer tools.",
        companies=COMPANIES,
    )
    quill = next(p for p in result.parties if p.name == "Quillworks")
    assert quill.is_proposed and quill.slug is None


def test_it_does_not_propose_stray_capitalised_words():
    text = (
        "TITLE: OpenAI partners with Microsoft\n\nOpenAI today announced a partnership with Microsoft. "
        "Teams in Paris, Tokyo and Seattle Will Benefit. Read More About It Here."
    )
    assert sorted(_parties(text)) == ["Microsoft", "OpenAI"]


def test_it_adds_the_publisher_when_the_text_says_we():
    text = "SOURCE: https://www.anthropic.com/news/x\nTITLE: Expanding our use of Google Cloud\n\nToday we are expanding our use of Google Cloud TPUs under a new agreement."
    assert sorted(_parties(text)) == ["Anthropic", "Google"]


def test_it_does_not_add_a_third_party_publisher():
    text = "SOURCE: https://news.example.com/story\nTITLE: Microsoft invests in OpenAI\n\nMicrosoft is investing $1 billion in OpenAI, we learned."
    assert sorted(_parties(text)) == ["Microsoft", "OpenAI"]


def test_it_gives_investor_and_investee_roles():
    result = extract_text(
        "TITLE: Microsoft invests in OpenAI\n\nMicrosoft will invest $10 billion in OpenAI.",
        companies=COMPANIES,
    )
    roles = {p.name: p.role for p in result.parties}
    assert roles == {"Microsoft": "investor", "OpenAI": "investee"}
