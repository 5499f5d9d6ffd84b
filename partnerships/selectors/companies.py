"""The company page: its deals per year, its latest deals and the newsrooms watched."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Subquery,
)
from django.db.models.functions import ExtractYear

from partnerships.models import Company, Deal, DealParty
from scrapers.models import ScrapeRun


@dataclass
class CompanyTotals:
    """How many published deals a company is party to, and when the first and the latest were."""

    deals: int
    first: datetime.date | None
    last: datetime.date | None


@dataclass
class CompanyOverview:
    totals: CompanyTotals
    years: list  # [(year, deal count)]
    latest: list  # the latest published deals
    newsrooms: list


def _company_years(company: Company) -> list[dict]:
    """Published deals per year of announcement (a company is a party to a deal at most once)."""
    party = DealParty.objects.filter(company=company, deal__status=Deal.Status.PUBLISHED)
    return list(
        party.annotate(year=ExtractYear("deal__announced_on"))
        .values("year")
        .annotate(n=Count("deal"))
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
    """Deals per year, the latest deals and the newsrooms of one company: 4 queries.

    Its money and compute figures are the ledger's (``selectors.company_ledger``).
    """
    years = _company_years(company)
    latest = list(
        Deal.objects.published()
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=company)))
        .with_parties()
        .newest_first()[:15]
    )
    totals = CompanyTotals(
        deals=sum(row["n"] for row in years),
        first=years and datetime.date(years[0]["year"], 1, 1) or None,
        last=latest[0].announced_on if latest else None,
    )
    return CompanyOverview(
        totals, [(row["year"], row["n"]) for row in years], latest, _company_newsrooms(company)
    )
