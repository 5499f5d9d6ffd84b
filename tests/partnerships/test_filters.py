"""``DealFilter``: read from a query string, and the database and Python agree on what it keeps."""

import datetime
import itertools
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from partnerships.filters import DealFilter, parse_amount, subscriptions_accepting
from partnerships.models import Clause, Deal
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory, SubscriptionFactory


def _parse(query: str):
    return DealFilter.from_query(QueryDict(query))


@pytest.fixture
def companies(db):
    """Companies the query strings name: a filter resolves names and slugs against them."""
    made = {
        slug: CompanyFactory(name=name, slug=slug)
        for slug, name in (
            ("openai", "OpenAI"),
            ("anthropic", "Anthropic"),
            ("microsoft", "Microsoft"),
            ("amazon", "Amazon"),
        )
    }
    made["amazon"].aliases.create(name="AWS")
    made["amazon"].aliases.create(name="Amazon Web Services")
    return made


def test_it_reads_every_timeline_parameter(companies):
    parsed = _parse(
        "company=openai&company=anthropic&counterparty=microsoft&kind=cloud&clause=exclusivity"
        "&year_from=2020&year_to=2025&min_amount=1.5B"
    )
    assert parsed.errors == {}
    assert parsed.filter == DealFilter(
        companies=("openai", "anthropic"),
        counterparties=("microsoft",),
        kinds=("cloud",),
        clauses=("exclusivity",),
        year_from=2020,
        year_to=2025,
        min_amount=Decimal("1500000000"),
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_amount=lots", "min_amount"),
        ("kind=cloudy", "kind"),
        ("clause=nda", "clause"),
        ("company=not%20a%20slug", "company"),
        ("year_from=soon", "year_from"),
        ("year_to=1066", "year_to"),
        ("year_from=2025&year_to=2020", "year_to"),
    ],
)
def test_it_reports_a_bad_value_and_ignores_only_that_one(companies, query, field):
    parsed = _parse(query + "&counterparty=microsoft")
    assert list(parsed.errors) == [field]
    assert parsed.errors[field][0]
    assert parsed.filter.counterparties == ("microsoft",)


def test_it_bounds_how_many_values_a_parameter_carries(db):
    for i in range(100):
        CompanyFactory(name=f"C{i}", slug=f"c{i}")
    parsed = _parse("&".join(f"company=c{i}" for i in range(100)))
    assert len(parsed.filter.companies) == 20


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("openai", "openai"),
        ("OpenAI", "openai"),
        ("Microsoft Corp", "microsoft"),
        ("microsoft corp.", "microsoft"),
        ("aws", "amazon"),
        ("AWS", "amazon"),
        ("Amazon Web Services", "amazon"),
        ("  Anthropic ", "anthropic"),
    ],
)
def test_it_reads_a_company_by_slug_name_or_alias(companies, typed, slug):
    parsed = _parse(urlencode({"company": typed, "counterparty": typed}))
    assert parsed.errors == {}
    assert parsed.filter.companies == (slug,) and parsed.filter.counterparties == (slug,)


def test_it_names_an_unknown_company_instead_of_complaining_about_slugs(companies):
    parsed = _parse("company=Nobody%20Inc&company=openai")
    assert parsed.filter.companies == ("openai",)
    assert "No company is called “Nobody Inc”" in parsed.errors["company"][0]
    assert "slug" not in parsed.errors["company"][0]


def test_it_does_not_resolve_a_proposed_company(db):
    CompanyFactory(name="Shadow Labs", slug="shadow", is_proposed=True)
    assert "company" in _parse("company=shadow").errors


def test_it_ignores_empty_values():
    assert _parse("company=&kind=&min_amount=").filter.is_empty


def test_it_writes_itself_back_as_the_same_query(companies):
    deal_filter = _parse("company=openai&kind=cloud&kind=chips&year_from=2024&min_amount=500M").filter
    assert _parse(deal_filter.querystring()).filter == deal_filter
    assert deal_filter.as_dict() == {
        "company": "openai",
        "kind": ["cloud", "chips"],
        "year_from": 2024,
        "min_amount": "500000000",
    }


@pytest.mark.parametrize(
    ("raw", "expected"), [("500M", 5 * 10**8), ("1.5b", 15 * 10**8), ("$2,000,000", 2 * 10**6)]
)
def test_it_reads_amounts_the_way_people_write_them(raw, expected):
    assert parse_amount(raw) == expected


@pytest.fixture
def deals(db):
    openai = CompanyFactory(slug="openai")
    microsoft = CompanyFactory(slug="microsoft")
    nvidia = CompanyFactory(slug="nvidia")
    rows = [
        (
            "oa-ms-2019",
            "investment",
            datetime.date(2019, 7, 22),
            None,
            Decimal("1e9"),
            (openai, microsoft),
            ["exclusivity"],
        ),
        (
            "oa-ms-2023",
            "investment",
            datetime.date(2023, 1, 23),
            None,
            Decimal("1e10"),
            (openai, microsoft),
            ["right_of_first_refusal"],
        ),
        (
            "oa-nv",
            "chips",
            datetime.date(2025, 9, 22),
            None,
            Decimal("1e11"),
            (openai, nvidia),
            ["chips_supply"],
        ),
        (
            "ms-nv",
            "cloud",
            datetime.date(2025, 11, 18),
            Decimal("5e9"),
            Decimal("5e9"),
            (microsoft, nvidia),
            [],
        ),
        (
            "nv-alone",
            "research",
            datetime.date(2024, 3, 1),
            None,
            None,
            (nvidia,),
            ["research_collaboration"],
        ),
    ]
    made = []
    for slug, kind, day, low, high, parties, clause_kinds in rows:
        deal = DealFactory(slug=slug, kind=kind, announced_on=day, value_min=low, value_max=high)
        for company in parties:
            DealPartyFactory(deal=deal, company=company)
        for clause_kind in clause_kinds:
            ClauseFactory(deal=deal, kind=clause_kind)
        made.append(deal)
    made.append(DealFactory(slug="candidate", status=Deal.Status.CANDIDATE, value_max=Decimal("9e12")))
    return made


FILTERS = [
    DealFilter(),
    DealFilter(companies=("openai",)),
    DealFilter(companies=("openai", "nvidia")),
    DealFilter(companies=("openai",), counterparties=("microsoft",)),
    DealFilter(kinds=("investment", "cloud")),
    DealFilter(clauses=("exclusivity", "chips_supply")),
    DealFilter(year_from=2023),
    DealFilter(year_to=2024),
    DealFilter(year_from=2023, year_to=2024),
    DealFilter(min_amount=Decimal("5e9")),
    DealFilter(companies=("microsoft",), min_amount=Decimal("2e9"), kinds=("investment",)),
    DealFilter(companies=("nobody",)),
]


@pytest.mark.parametrize("deal_filter", FILTERS, ids=lambda f: f.querystring() or "empty")
def test_the_query_and_the_python_check_keep_the_same_deals(deals, deal_filter):
    everything = Deal.objects.with_parties().prefetch_related("clauses")
    in_sql = set(deal_filter.apply(Deal.objects.all()).values_list("slug", flat=True))
    in_python = {deal.slug for deal in everything if deal_filter.matches(deal)}
    assert in_sql == in_python
    published = {d.slug for d in deal_filter.deals()}
    assert published == in_sql - {"candidate"}


def test_it_finds_the_expected_deals(deals):
    found = {d.slug for d in DealFilter(companies=("openai",), counterparties=("microsoft",)).deals()}
    assert found == {"oa-ms-2019", "oa-ms-2023"}
    assert {d.slug for d in DealFilter(min_amount=Decimal("5e9")).deals()} == {"oa-ms-2023", "oa-nv", "ms-nv"}


@pytest.mark.parametrize(
    "stored",
    [
        {},
        {"companies": ["openai"]},
        {"companies": ["microsoft", "nvidia"], "kinds": ["cloud", "chips"]},
        {"clauses": ["exclusivity", "right_of_first_refusal"]},
        {"min_amount": Decimal("5e9")},
        {"companies": ["openai"], "clauses": ["chips_supply"], "min_amount": Decimal("1e10")},
    ],
    ids=str,
)
def test_a_stored_subscription_agrees_both_ways(deals, stored):
    from partnerships.models import Company

    subscription = SubscriptionFactory(
        companies=list(Company.objects.filter(slug__in=stored.get("companies", []))),
        min_amount=stored.get("min_amount"),
    )
    subscription.deal_kind_list = stored.get("kinds", [])
    subscription.clause_kind_list = stored.get("clauses", [])
    subscription.save()
    deal_filter = DealFilter.of_subscription(subscription)
    wanted = {d.slug for d in deal_filter.deals()}
    accepting = {
        d.slug
        for d in deals
        if d.status == "published" and subscriptions_accepting(d).filter(pk=subscription.pk).exists()
    }
    assert wanted == accepting
    assert wanted == {
        d.slug
        for d in Deal.objects.published().with_parties().prefetch_related("clauses")
        if deal_filter.matches(d)
    }


def test_every_clause_kind_and_deal_kind_is_accepted_by_the_parser(db):
    for kind, clause in itertools.zip_longest(Deal.Kind.values, Clause.Kind.values):
        query = "&".join(
            p for p in (f"kind={kind}" if kind else "", f"clause={clause}" if clause else "") if p
        )
        assert _parse(query).errors == {}
