"""Who gives what to whom, whether an amount is new or a total, and which amount a tranche is part of."""

from decimal import Decimal

from extraction.core import extract_text
from extraction.lexicon import KnownCompany


def _clauses(text, **kwargs):
    return [c for c in extract_text(text, **kwargs).clauses if c.amount is not None]


def test_an_investment_flows_from_the_investor_to_the_investee():
    clauses = _clauses(
        "TITLE: Microsoft invests $10 billion in OpenAI\n\nMicrosoft will invest $10 billion in OpenAI."
    )
    assert [(c.kind, c.grantor, c.beneficiary, c.mutual) for c in clauses] == [
        ("investment", "Microsoft", "OpenAI", False)
    ]


def test_a_spend_commitment_flows_from_the_customer_to_the_provider():
    clauses = _clauses(
        "TITLE: OpenAI and Microsoft sign a new agreement\n\n"
        "OpenAI has committed to purchase an incremental $250 billion of Azure services from Microsoft."
    )
    money = [c for c in clauses if c.unit == "USD"]
    assert [(c.kind, c.grantor, c.beneficiary) for c in money] == [
        ("compute_commitment", "OpenAI", "Microsoft")
    ]


def test_capacity_in_gigawatts_flows_from_the_supplier_to_the_customer():
    clauses = _clauses(
        "TITLE: AMD and OpenAI announce strategic partnership\n\n"
        "AMD and OpenAI announced a partnership to deploy 6 gigawatts of AMD GPUs for OpenAI."
    )
    assert [(c.kind, c.grantor, c.beneficiary) for c in clauses] == [("chips_supply", "AMD", "OpenAI")]


def test_a_funding_round_with_no_investor_named_has_no_grantor():
    clauses = _clauses(
        "SOURCE: https://x.ai/news/e\nTITLE: xAI raises $20B Series E\n\nxAI raises $20B Series E"
    )
    assert [(c.grantor, c.beneficiary) for c in clauses] == [(None, "xAI")]


def test_a_research_collaboration_is_mutual():
    result = extract_text(
        "TITLE: Anthropic and OpenAI announce a research partnership\n\n"
        "Anthropic and OpenAI today announced a research collaboration to jointly develop safety evaluations."
    )
    research = [c for c in result.clauses if c.kind == "research_collaboration"]
    assert research and all(c.mutual for c in research)


def test_another_amount_is_incremental_and_the_total_it_brings_is_total():
    clauses = _clauses(
        "TITLE: Amazon invests another $4 billion in Anthropic\n\n"
        "Amazon will invest another $4 billion in Anthropic, bringing its total investment to $8 billion."
    )
    by_amount = {c.amount: c.basis for c in clauses if c.unit == "USD"}
    assert by_amount == {Decimal(4_000_000_000): "incremental", Decimal(8_000_000_000): "total"}


def test_an_initial_tranche_points_at_the_amount_it_is_part_of():
    clauses = extract_text(
        "TITLE: AMD and OpenAI announce strategic partnership\n\n"
        "AMD and OpenAI announced a partnership to deploy 6 gigawatts of AMD GPUs, "
        "beginning with an initial 1 gigawatt in 2026."
    ).clauses
    six = next(i for i, c in enumerate(clauses) if c.amount == 6)
    one = next(c for c in clauses if c.amount == 1)
    assert one.part_of == six and one.kind == clauses[six].kind
    assert clauses[six].part_of is None


def test_megawatts_are_read_in_megawatts():
    clauses = _clauses(
        "TITLE: OpenAI partners with Cerebras\n\n"
        "OpenAI and Cerebras signed an agreement for 750 megawatts of compute capacity for OpenAI."
    )
    assert [(c.amount, c.unit, c.grantor, c.beneficiary) for c in clauses if c.unit == "MW"] == [
        (Decimal(750), "MW", "Cerebras", "OpenAI")
    ]


def test_an_equity_stake_held_is_a_total_position():
    clauses = _clauses(
        "TITLE: Microsoft and OpenAI sign a new agreement\n\n"
        "Under the agreement Microsoft holds an investment in OpenAI valued at roughly $135 billion, "
        "representing a 27 percent stake on an as-converted diluted basis."
    )
    stake = [c for c in clauses if c.kind == "equity_stake"]
    assert [(c.amount, c.basis) for c in stake] == [(Decimal(27), "total")]
    assert not [c for c in clauses if c.unit == "USD"]  # a valuation is not a payment


def test_sums_given_respectively_go_to_their_investors_in_order():
    clauses = _clauses(
        "TITLE: Microsoft, NVIDIA and Anthropic announce partnerships\n\n"
        "As part of the partnership, NVIDIA and Microsoft are committing to invest up to $10 billion "
        "and up to $5 billion respectively in Anthropic."
    )
    money = {(c.amount, c.grantor, c.beneficiary) for c in clauses if c.kind == "investment"}
    assert money == {
        (Decimal(10_000_000_000), "NVIDIA", "Anthropic"),
        (Decimal(5_000_000_000), "Microsoft", "Anthropic"),
    }


def test_the_headline_repeated_with_the_site_name_is_page_chrome_not_the_clause_quote():
    clauses = _clauses(
        "TITLE: Acme raises $13B Series F\n\nAcme raises $13B Series F \\ Acme\n\n"
        "Acme has completed a Series F fundraising of $13 billion led by Globex.",
        companies=(KnownCompany("Acme", "acme"), KnownCompany("Globex", "globex")),
    )
    assert [(c.amount, c.grantor, c.beneficiary) for c in clauses] == [
        (Decimal(13_000_000_000), "Globex", "Acme")
    ]
