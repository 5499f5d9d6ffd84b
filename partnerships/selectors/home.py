"""The home page: the most active companies and deals per quarter (its figures: ``selectors.figures``)."""

import datetime

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncQuarter

from partnerships.models import Company, Deal, DealParty


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
