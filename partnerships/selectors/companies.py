"""The company page and the company comparison: totals, deals per year, partners by group."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber

from partnerships.models import Clause, Company, Deal, DealParty
from partnerships.selectors.common import gigawatts, headline_value
from scrapers.models import ScrapeRun

PARTNER_GROUPS = [
    ("investors", "Investors"),
    ("investments", "Invested in"),
    ("cloud", "Cloud and compute"),
    ("chips", "Chips"),
    ("distribution", "Distribution and licensing"),
    ("research", "Research"),
    ("acquisition", "Acquisitions"),
    ("other", "Other partners"),
]
_KIND_GROUP = {
    Deal.Kind.CLOUD: "cloud",
    Deal.Kind.COMPUTE: "cloud",
    Deal.Kind.CHIPS: "chips",
    Deal.Kind.DISTRIBUTION: "distribution",
    Deal.Kind.LICENSING: "distribution",
    Deal.Kind.RESEARCH: "research",
    Deal.Kind.ACQUISITION: "acquisition",
}


def _partner_group_sql():
    """The partner group of a (deal kind, own role, partner role) row, computed in the database.

    Investors and investments first (a role says more than a deal kind), then by deal kind.
    Done in SQL so a busy lab's thousands of party rows collapse to one row per partner.
    """
    investor = DealParty.Role.INVESTOR
    by_kind = [
        When(deal__kind__in=[kind for kind, group in _KIND_GROUP.items() if group == key], then=Value(key))
        for key in dict.fromkeys(_KIND_GROUP.values())
    ]
    return Case(
        When(Q(deal__deal_parties__role=investor) & ~Q(role=investor), then=Value("investors")),
        When(role=investor, then=Value("investments")),
        *by_kind,
        default=Value("other"),
        output_field=CharField(),
    )


def _partner_rows(companies: list[Company], limit: int):
    """One row per (company, group, partner), ranked and cut to ``limit`` per group in SQL."""
    partition = [F("company_id"), F("group")]
    return (
        DealParty.objects.filter(company__in=companies, deal__status=Deal.Status.PUBLISHED)
        # The counterparties of each deal (the same join as the values below), not the company itself.
        .filter(
            Q(deal__deal_parties__company_id__lt=F("company_id"))
            | Q(deal__deal_parties__company_id__gt=F("company_id"))
        )
        .annotate(group=_partner_group_sql())
        .values(
            "company_id",
            "group",
            "deal__deal_parties__company_id",
            "deal__deal_parties__company__name",
            "deal__deal_parties__company__slug",
            "deal__deal_parties__company__kind",
        )
        # One party row per company and deal (dealparty_deal_company_unique): Count is exact.
        .annotate(n=Count("deal_id"), last=Max("deal__announced_on"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("n").desc(), F("deal__deal_parties__company__name").asc()],
            ),
            partners=Window(Count(Value(1)), partition_by=partition),
        )
        .filter(rank__lte=limit)
        .order_by("company_id", "group", "rank")
    )


def partners_by_group(*, companies: list[Company], limit: int = 12) -> dict[int, list]:
    """For each company: [(group key, label, [partner dicts], how many more)], one query for all.

    A partner dict has name, slug, kind, deals (count) and last (latest deal date). The
    database groups, ranks and cuts each group to ``limit`` partners, so a lab with
    hundreds of partners sends ~100 rows, not thousands.
    """
    grouped: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    more: dict[tuple[int, str], int] = {}
    for row in _partner_rows(companies, limit):
        grouped[row["company_id"]][row["group"]].append(
            {
                "name": row["deal__deal_parties__company__name"],
                "slug": row["deal__deal_parties__company__slug"],
                "kind": row["deal__deal_parties__company__kind"],
                "deals": row["n"],
                "last": row["last"],
            }
        )
        more[row["company_id"], row["group"]] = max(row["partners"] - limit, 0)
    result = {}
    for company in companies:
        groups = grouped.get(company.pk, {})
        result[company.pk] = [
            (key, label, groups.get(key, []), more.get((company.pk, key), 0)) for key, label in PARTNER_GROUPS
        ]
    return result


@dataclass
class CompanyTotals:
    deals: int
    capital_in: Decimal
    capital_out: Decimal
    gigawatts: Decimal
    first: datetime.date | None
    last: datetime.date | None


@dataclass
class CompanyOverview:
    totals: CompanyTotals
    years: list  # [(year, deal count)]
    latest: list  # the latest published deals
    newsrooms: list


_RECEIVES = [DealParty.Role.INVESTEE, DealParty.Role.PROVIDER, DealParty.Role.LICENSOR]
_PAYS = [DealParty.Role.INVESTOR, DealParty.Role.CUSTOMER, DealParty.Role.LICENSEE]


def _company_years(company: Company) -> list[dict]:
    """Deals and USD capital in and out per year, in one pass over the company's party rows.

    A company is a party to a deal at most once (dealparty_deal_company_unique), so the
    yearly counts and sums add up to the totals.
    """
    party = DealParty.objects.filter(company=company, deal__status=Deal.Status.PUBLISHED)
    money = Q(deal__currency="USD")
    return list(
        party.annotate(year=ExtractYear("deal__announced_on"))
        .values("year")
        .annotate(
            n=Count("deal"),
            capital_in=Sum(headline_value("deal__"), filter=money & Q(role__in=_RECEIVES)),
            capital_out=Sum(headline_value("deal__"), filter=money & Q(role__in=_PAYS)),
        )
        .order_by("year")
    )


def _company_newsrooms(company: Company) -> list:
    last_run = ScrapeRun.objects.filter(newsroom=OuterRef("pk")).order_by("-started_at", "-id")
    return list(
        company.newsrooms.annotate(
            last_run_status=Subquery(last_run.values("status")[:1]),
            last_run_at=Subquery(last_run.values("started_at")[:1]),
        ).order_by("name")
    )


def company_overview(*, company: Company) -> CompanyOverview:
    """Totals, deals per year, the latest deals and newsrooms of one company: 4 queries."""
    years = _company_years(company)
    gw = Clause.objects.filter(
        deal__status=Deal.Status.PUBLISHED,
        deal__deal_parties__company=company,
        unit__in=[Clause.Unit.GW, Clause.Unit.MW],
        effect=Clause.Effect.GRANTED,
    ).aggregate(gw=Sum(gigawatts()))["gw"] or Decimal(0)
    latest = list(
        Deal.objects.published()
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=company)))
        .with_parties()
        .newest_first()[:15]
    )
    totals = CompanyTotals(
        deals=sum(row["n"] for row in years),
        capital_in=sum((row["capital_in"] or Decimal(0) for row in years), Decimal(0)),
        capital_out=sum((row["capital_out"] or Decimal(0) for row in years), Decimal(0)),
        gigawatts=gw,
        first=years and datetime.date(years[0]["year"], 1, 1) or None,
        last=latest[0].announced_on if latest else None,
    )
    return CompanyOverview(
        totals, [(row["year"], row["n"]) for row in years], latest, _company_newsrooms(company)
    )
