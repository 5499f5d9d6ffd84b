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


def test_it_strips_a_descriptor_before_a_name():
    text = (
        "TITLE: Globex acquires SchedMD\n\n"
        "Globex today announced it has agreed to acquire open-source workload management provider SchedMD."
    )
    names = _parties(text, publisher=None)
    assert "SchedMD" in names
    assert not [n for n in names if "provider" in n.lower() or n.lower().startswith("open")]


def test_it_names_government_bodies_and_agencies():
    text = (
        "SOURCE: https://www.anthropic.com/news/doe\n"
        "TITLE: Working with the US Department of Energy on scientific discovery\n\n"
        "Working with the US Department of Energy on scientific discovery"
    )
    assert sorted(_parties(text)) == ["Anthropic", "U.S. Department of Energy"]


def test_a_subsidiary_counts_as_its_parent_through_an_alias():
    text = (
        "SOURCE: https://www.anthropic.com/news/copilot\nTITLE: Claude on GitHub Copilot\n\n"
        "Claude on GitHub Copilot"
    )
    companies = (*COMPANIES, KnownCompany("Microsoft", "microsoft", ("GitHub",)))
    assert sorted(p.name for p in extract_text(text, companies=companies).parties) == [
        "Anthropic",
        "Microsoft",
    ]


def test_companies_named_only_as_context_are_left_out():
    text = (
        "TITLE: Anthropic and OpenAI announce a research partnership\n\n"
        "Anthropic and OpenAI today announced a research partnership on model evaluations. "
        "The work builds on tools that customers such as Globex and Initech already use. "
        "Last year, Anthropic signed an agreement with Amazon Web Services."
    )
    assert sorted(_parties(text)) == ["Anthropic", "OpenAI"]


def test_a_plural_government_is_each_nations_government():
    text = "TITLE: Cohere partners with Canada and UK Governments on secure AI\n\nCohere will serve both."
    assert sorted(_parties(text)) == ["Cohere", "Government of Canada", "UK Government"]


def test_a_headline_that_names_only_partners_makes_the_publisher_a_side():
    text = (
        "SOURCE: https://www.anthropic.com/news/x\n"
        "TITLE: Building a new services company with Blackstone, Hellman & Friedman, and Goldman Sachs\n\n"
        "Building a new services company with Blackstone, Hellman & Friedman, and Goldman Sachs"
    )
    assert sorted(_parties(text)) == ["Anthropic", "Blackstone", "Goldman Sachs", "Hellman & Friedman"]


def test_banks_and_investors_listed_after_including_are_parties():
    companies = (*COMPANIES, KnownCompany("HSBC", "hsbc"), KnownCompany("UBS", "ubs"))
    text = (
        "SOURCE: https://openai.com/index/credit\nTITLE: New credit facility\n\n"
        "We have established a new $4 billion credit facility with leading banks, including HSBC and UBS."
    )
    result = extract_text(text, companies=companies)
    assert sorted(p.name for p in result.parties) == ["HSBC", "OpenAI", "UBS"]
    assert [c.kind for c in result.clauses if c.amount] in ([], ["other"])


def test_a_funding_round_keeps_a_dozen_named_investors():
    investors = [f"Fund{letter} Capital" for letter in "ABCDEFGHIJKL"]
    text = (
        "SOURCE: https://x.ai/news/round\nTITLE: Acme raises $6B Series C\n\n"
        f"Acme raises $6B in a round led by {', '.join(investors[:-1])} and {investors[-1]}."
    )
    names = _parties(text)
    assert set(investors) <= set(names)


def test_the_maker_of_what_is_supplied_and_a_backer_adjective_are_context():
    companies = (*COMPANIES, KnownCompany("NVIDIA", "nvidia"), KnownCompany("Lambda", "lambda"))
    names = [
        p.name
        for p in extract_text(
            "TITLE: Microsoft signs contract with Lambda for NVIDIA GPUs\n\nBody.", companies=companies
        ).parties
    ]
    assert "NVIDIA" not in names and {"Microsoft", "Lambda"} <= set(names)
    names = [
        p.name
        for p in extract_text(
            "TITLE: Microsoft and NVIDIA-backed Lambda announce a project\n\nBody.", companies=companies
        ).parties
    ]
    assert "NVIDIA" not in names


def test_deal_nouns_are_no_organisations():
    text = "TITLE: Reddit's Licensing Agreement with Google\n\nReddit and Google sign a licensing agreement."
    assert "Agreement" not in _parties(text) and "Licensing Agreement" not in _parties(text)
