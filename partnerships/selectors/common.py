"""Shared pieces of the selectors: prefetches that skip heavy columns, and SQL expressions."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from partnerships.models import Clause
from scrapers.models import Newsroom, ScrapeRun

# An announcement row carries its archived page (raw HTML, text): pages that only link to
# it must not load those.
ANNOUNCEMENT_HEAVY = ("raw_html", "text", "summary")


def clauses_prefetch(lookup="clauses"):
    return Prefetch(
        lookup,
        # A filing passage names its filing ("disclosed in Microsoft’s 10-Q for …").
        queryset=Clause.objects.select_related("source", "source__filing__company")
        .defer(*(f"source__{name}" for name in ANNOUNCEMENT_HEAVY))
        .order_by("position", "id"),
    )


def headline_value(prefix: str = ""):
    """A deal's headline value in SQL: the maximum, else the minimum (as ``Deal.headline_value``)."""
    return Coalesce(f"{prefix}value_max", f"{prefix}value_min")


def gigawatts(prefix: str = ""):
    """A clause's power in GW (MW divided by 1,000)."""
    return Case(
        When(**{f"{prefix}unit": Clause.Unit.MW}, then=F(f"{prefix}amount") / Value(Decimal(1000))),
        default=F(f"{prefix}amount"),
        output_field=DecimalField(max_digits=24, decimal_places=4),
    )


def newsrooms_with_last_run():
    """Every newsroom with its last run and last error annotated: one query, whatever the history.

    The sources page and the API's sources answer both show this; subqueries rather than a join
    so a newsroom with thousands of runs costs one index lookup per column.
    """
    runs = ScrapeRun.objects.filter(newsroom=OuterRef("pk")).order_by("-started_at", "-id")
    failed = runs.filter(~Q(error=""))
    return (
        Newsroom.objects.select_related("company")
        .annotate(
            last_run_at=Subquery(runs.values("started_at")[:1]),
            last_run_status=Subquery(runs.values("status")[:1]),
            last_items_seen=Subquery(runs.values("items_seen")[:1]),
            last_items_new=Subquery(runs.values("items_new")[:1]),
            last_items_updated=Subquery(runs.values("items_updated")[:1]),
            last_error=Subquery(failed.values("error")[:1]),
            last_error_at=Subquery(failed.values("started_at")[:1]),
        )
        .order_by("name")
    )
