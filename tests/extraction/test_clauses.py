"""Clause reading on short sentences written for these tests."""

from decimal import Decimal

import pytest

from extraction.clauses import sentence_clauses, term_clauses
from partnerships.models import Clause

K = Clause.Kind
U = Clause.Unit
Q = Clause.Qualifier


def _only(sentence, kind):
    found = [c for c in sentence_clauses(sentence) if c.kind == kind]
    assert found, f"no {kind} clause in {sentence!r}: {sentence_clauses(sentence)}"
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "amount", "unit", "qualifier"),
    [
        (
            "Acme will purchase $38 billion of cloud capacity from Globex.",
            Decimal(38 * 10**9),
            U.USD,
            Q.EXACT,
        ),
        ("Acme signed a $38B compute contract with Globex.", Decimal(38 * 10**9), U.USD, Q.EXACT),
        ("Globex is investing €15 million in Acme.", Decimal(15 * 10**6), U.EUR, Q.EXACT),
        ("Globex will invest up to $10 billion in Acme.", Decimal(10 * 10**9), U.USD, Q.UP_TO),
        ("Globex agreed to invest 2 billion dollars in Acme.", Decimal(2 * 10**9), U.USD, Q.EXACT),
        ("Globex has invested more than $1.5 billion in Acme.", Decimal("1.5") * 10**9, U.USD, Q.AT_LEAST),
    ],
)
def test_it_reads_money_with_unit_and_qualifier(sentence, amount, unit, qualifier):
    money = [c for c in sentence_clauses(sentence) if c.unit in Clause.MONEY_UNITS]
    assert len(money) == 1
    assert (money[0].amount, money[0].unit, money[0].qualifier) == (amount, unit, qualifier)
    assert money[0].quote == sentence


def test_it_reads_money_as_investment_or_compute_by_context():
    assert _only("Globex will invest up to $10 billion in Acme.", K.INVESTMENT).amount == 10 * 10**9
    assert _only("Acme committed to purchase $30 billion of Globex cloud services.", K.COMPUTE_COMMITMENT)
    # Money spent on data centres buys capacity, not shares.
    assert _only("Acme announced a $50 billion investment in data centers with Globex.", K.COMPUTE_COMMITMENT)


def test_it_invents_no_amount_for_vague_money():
    clauses = sentence_clauses("The expansion is worth tens of billions of dollars for the cloud business.")
    assert clauses
    assert all(c.amount is None for c in clauses)


def test_it_ignores_valuations_and_revenue():
    assert sentence_clauses("The round values Acme at $183 billion post-money.") == []
    assert not [c for c in sentence_clauses("Run-rate revenue reached $5 billion in August.") if c.amount]


@pytest.mark.parametrize(
    ("sentence", "amount", "unit", "qualifier"),
    [
        ("Acme and Globex will deploy 6 gigawatts of Globex GPUs.", Decimal(6), U.GW, Q.EXACT),
        ("The first 1 GW comes online next year in new data centers.", Decimal(1), U.GW, Q.EXACT),
        ("The agreement adds 4.5 GW of data center capacity.", Decimal("4.5"), U.GW, Q.EXACT),
        ("Globex will add up to one gigawatt of capacity.", Decimal(1), U.GW, Q.UP_TO),
        ("The site will host more than 300 megawatts of compute.", Decimal(300), U.MW, Q.AT_LEAST),
    ],
)
def test_it_reads_power(sentence, amount, unit, qualifier):
    power = [c for c in sentence_clauses(sentence) if c.unit in Clause.POWER_UNITS]
    assert [(c.amount, c.unit, c.qualifier) for c in power] == [(amount, unit, qualifier)]


def test_it_tells_chips_from_capacity_for_power():
    assert _only("Acme will deploy 6 gigawatts of Globex GPUs.", K.CHIPS_SUPPLY).unit == U.GW
    assert _only("Acme will build 2 gigawatts of data center capacity.", K.COMPUTE_COMMITMENT).unit == U.GW


@pytest.mark.parametrize(
    ("sentence", "amount", "qualifier"),
    [
        ("Globex now holds a stake of 27 percent in Acme.", Decimal(27), Q.EXACT),
        ("Globex owns roughly 27% of Acme on a diluted basis.", Decimal(27), Q.APPROXIMATELY),
    ],
)
def test_it_reads_stakes(sentence, amount, qualifier):
    stake = _only(sentence, K.EQUITY_STAKE)
    assert (stake.amount, stake.unit, stake.qualifier) == (amount, U.PERCENT, qualifier)


def test_it_reads_warrants_in_shares():
    warrant = _only(
        "Globex issued Acme a warrant for up to 160 million shares of Globex common stock.", K.WARRANT
    )
    assert (warrant.amount, warrant.unit, warrant.qualifier) == (Decimal(160 * 10**6), U.SHARES, Q.UP_TO)


@pytest.mark.parametrize(
    ("sentence", "amount", "unit"),
    [
        ("Acme's rights to Globex models are extended through 2032.", Decimal(2032), U.UNTIL_YEAR),
        ("The contract runs over seven years.", Decimal(7), U.YEARS),
        ("Acme and Globex signed a multi-year agreement.", None, ""),
    ],
)
def test_it_reads_terms(sentence, amount, unit):
    terms = term_clauses(sentence)
    assert terms
    assert (terms[0].amount, terms[0].unit) == (amount, unit)


def test_it_reads_exclusivity_with_its_subject():
    clause = _only("The Globex API remains exclusive to Acme cloud.", K.EXCLUSIVITY)
    assert clause.subject == "api"
    assert clause.effect == Clause.Effect.GRANTED


def test_it_reads_a_right_of_first_refusal_granted_and_removed():
    granted = _only(
        "Acme keeps a right of first refusal on new Globex compute capacity.", K.RIGHT_OF_FIRST_REFUSAL
    )
    removed = _only(
        "Acme will no longer have a right of first refusal to be Globex's compute provider.",
        K.RIGHT_OF_FIRST_REFUSAL,
    )
    assert granted.effect == Clause.Effect.GRANTED
    assert removed.effect == Clause.Effect.REMOVED
    # Both talk about compute, so the two phases pair up in a clause diff.
    assert granted.subject == removed.subject == "compute"


def test_it_reads_agi_clauses_but_not_mission_statements():
    assert _only("An expert panel will verify when AGI is declared under the agreement.", K.AGI_CLAUSE)
    assert not [
        c
        for c in sentence_clauses("Our mission is to ensure AGI benefits everyone.")
        if c.kind == K.AGI_CLAUSE
    ]


def test_it_reads_preferred_and_primary_providers():
    assert _only("Globex will become Acme's primary cloud provider.", K.PREFERRED_PROVIDER).subject == "cloud"
    assert (
        _only("Acme will use Globex as its primary training partner.", K.PREFERRED_PROVIDER).subject
        == "training"
    )


def test_it_reads_distribution_research_and_revenue_share():
    assert _only(
        "Acme models will be available in the Globex platform to its customers.", K.MODEL_DISTRIBUTION
    )
    assert _only(
        "The two companies will jointly develop new supercomputing systems.", K.RESEARCH_COLLABORATION
    )
    share = _only("Acme pays Globex a revenue share of 20 percent.", K.REVENUE_SHARE)
    assert (share.amount, share.unit) == (Decimal(20), U.PERCENT)


def test_it_finds_nothing_in_plain_prose():
    assert sentence_clauses("We are excited about what developers will build next.") == []


def test_it_reads_chips_named_without_a_count():
    clause = _only("Acme will train its future models on Globex Trainium chips.", K.CHIPS_SUPPLY)
    assert clause.amount is None


def test_it_reads_the_purpose_of_a_preferred_partner():
    clause = _only(
        "Globex will become Acme's preferred partner for commercializing new technologies.",
        K.PREFERRED_PROVIDER,
    )
    assert clause.subject == "commercialization"


def test_open_source_licences_are_not_ip_licences():
    assert not [
        c
        for c in sentence_clauses("The runtime stays open source and MIT-licensed.")
        if c.kind == K.IP_LICENSE
    ]
    assert _only("Acme licenses Globex's intellectual property for its products.", K.IP_LICENSE)


def _figures(sentence):
    return {(str(c.kind), c.amount, str(c.unit)) for c in sentence_clauses(sentence) if c.amount is not None}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # A deal's own value is not a company's valuation.
        (
            "Globex signed a cloud deal with Acme worth up to $19.4 billion.",
            ("compute_commitment", 19.4e9, "USD"),
        ),
        ("The contracts are worth more than $35 billion in all.", ("other", 35e9, "USD")),
        (
            "This deal is valued at up to $14 billion and gives Acme computing power.",
            ("compute_commitment", 14e9, "USD"),
        ),
        # Money put in that builds a stake is still an investment.
        ("Globex is backing Acme with a further $1 billion, building its stake.", ("investment", 1e9, "USD")),
        # Shares sold to an investor: an investment, and the price of one share is no clause.
        (
            "We agreed to issue and sell 87 million shares of our common stock at $23.00 per share, "
            "for an aggregate cash purchase price of $2.0 billion.",
            ("investment", 2e9, "USD"),
        ),
        ("Acme contracted for 24k H100s from Globex.", ("chips_supply", 24000, "chips")),
        ("It will deploy 18,000 NVIDIA GB300 Grace Blackwell GPUs.", ("chips_supply", 18000, "chips")),
        ("The first gigawatt of systems will be deployed in 2026.", ("chips_supply", 1, "GW")),
        ("Acme will bring the first gigawatt of capacity online in 2026.", ("compute_commitment", 1, "GW")),
    ],
)
def test_it_reads_deal_values_stakes_bought_shares_sold_and_chip_models(sentence, expected):
    kind, amount, unit = expected
    assert (kind, Decimal(str(amount)).normalize(), unit) in {
        (k, a.normalize(), u) for k, a, u in _figures(sentence)
    }


def test_a_credit_facility_and_a_share_price_are_no_investment():
    assert _figures("We established a $4 billion credit facility with banks.") == {
        ("other", Decimal(4e9), "USD")
    }
    assert not [f for f in _figures("Shares were sold at $23.00 per share to Globex.") if f[1] == 23]


@pytest.mark.parametrize(
    ("sentence", "amount", "unit"),
    [
        ("Acme will provide computing as a service through December 2031.", 2031, "until_year"),
        ("The deal covers a period of six years.", 6, "years"),
        ("The deal is slated to last five years.", 5, "years"),
    ],
)
def test_it_reads_terms_with_a_month_or_a_period(sentence, amount, unit):
    found = {(c.amount, str(c.unit)) for c in term_clauses(sentence)}
    assert (Decimal(amount), unit) in found


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Globex will deploy Claude to up to 350,000 employees globally.", "model_distribution"),
        ("Globex is deploying Claude Code across its global engineering organization.", "model_distribution"),
        ("The models will be available to more than 470,000 Globex people.", "model_distribution"),
        ("Customers of Globex will be able to access Claude models.", "model_distribution"),
        ("We're bringing the Daily Globe's world-class journalism to ChatGPT.", "ip_license"),
        ("Globex will have access to Acme's archive of user-generated content.", "ip_license"),
        ("It involves the use of quality content from Globex media brands.", "ip_license"),
        (
            "We're excited to welcome top AI coding talent from Acme's team to Globex under the deal.",
            "talent",
        ),
        ("The Acme team will now merge with Globex to work with its research teams.", "talent"),
    ],
)
def test_it_reads_deployments_content_licences_and_staff_moves(sentence, kind):
    assert kind in {str(c.kind) for c in sentence_clauses(sentence)}


def test_a_model_release_is_no_deployment_and_news_about_a_product_no_licence():
    kinds = {str(c.kind) for c in sentence_clauses("Today we released a new model with better reasoning.")}
    assert not kinds & {"model_distribution", "ip_license", "talent"}


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Acme and Globex will jointly build new supercomputing technologies.", "research_collaboration"),
        (
            "Acme, Globex and Initech will closely collaborate to build and operate this system.",
            "research_collaboration",
        ),
        (
            "Acme is working with Globex on the development of future generations of Trainium accelerators.",
            "chip_codesign",
        ),
        (
            "We are thrilled to co-develop and deploy 10 gigawatts of next generation accelerators.",
            "chip_codesign",
        ),
    ],
)
def test_it_reads_joint_builds_and_chips_developed_together(sentence, kind):
    assert kind in {str(c.kind) for c in sentence_clauses(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "Nvidia and Cisco Investments joined as strategic investors in the round.",
        "The investment includes strategic participation from Globex and Initech.",
        "The initial equity funders in the venture are Acme, Globex and Initech.",
    ],
)
def test_it_reads_named_investors_without_a_sum(sentence):
    clauses = sentence_clauses(sentence)
    assert [(str(c.kind), c.amount) for c in clauses if str(c.kind) == "investment"] == [("investment", None)]


def test_a_sum_invested_is_read_once_not_also_as_named_investors():
    clauses = sentence_clauses("Globex invested $2 billion, with participation from Initech.")
    assert [(str(c.kind), c.amount) for c in clauses] == [("investment", Decimal(2000000000))]
