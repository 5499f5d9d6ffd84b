"""The home page: this year's headline figures, the most active companies, deals per quarter."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncQuarter

from partnerships.models import Clause, Company, Deal, DealParty
from partnerships.selectors.common import gigawatts, headline_value


@dataclass
class HomeFigures:
    year: int
    deals: int
    capital_by_kind: list  # [(kind label, Decimal USD, count)]
    capital_total: Decimal
    gigawatts: Decimal


def home_figures(*, year: int) -> HomeFigures:
    """Headline figures for one calendar year: 2 queries."""
    labels = dict(Deal.Kind.choices)
    rows = (
        Deal.objects.published()
        .filter(announced_on__gte=datetime.date(year, 1, 1), announced_on__lte=datetime.date(year, 12, 31))
        .values("kind")
        .annotate(n=Count("id"), total=Sum(headline_value(), filter=Q(currency="USD")))
        .order_by("kind")
    )
    by_kind, deals, capital = [], 0, Decimal(0)
    for row in rows:
        deals += row["n"]
        if row["total"]:
            by_kind.append((labels.get(row["kind"], row["kind"]), row["total"], row["n"]))
            capital += row["total"]
    by_kind.sort(key=lambda item: -item[1])
    gw = Clause.objects.filter(
        deal__status=Deal.Status.PUBLISHED,
        deal__announced_on__gte=datetime.date(year, 1, 1),
        deal__announced_on__lte=datetime.date(year, 12, 31),
        unit__in=[Clause.Unit.GW, Clause.Unit.MW],
        effect=Clause.Effect.GRANTED,
    ).aggregate(gw=Sum(gigawatts()))["gw"] or Decimal(0)
    return HomeFigures(year, deals, by_kind, capital, gw)


def most_active_companies(*, since: datetime.date, limit: int = 10):
    return list(
        DealParty.objects.filter(deal__status=Deal.Status.PUBLISHED, deal__announced_on__gte=since)
        .values("company__name", "company__slug", "company__kind")
        .annotate(n=Count("deal"))
        .order_by("-n", "company__name")[:limit]
    )


def deals_per_quarter(*, since: datetime.date, company: Company | None = None):
    """[(quarter start date, kind, count)] of published deals since a date."""
    qs = Deal.objects.published().filter(announced_on__gte=since)
    if company is not None:
        qs = qs.filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=company)))
    return [
        (row["quarter"], row["kind"], row["n"])
        for row in qs.annotate(quarter=TruncQuarter("announced_on"))
        .values("quarter", "kind")
        .annotate(n=Count("id"))
        .order_by("quarter", "kind")
    ]
