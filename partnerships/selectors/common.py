"""Shared pieces of the selectors: prefetches that skip heavy columns, and SQL expressions."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Prefetch, Value, When
from django.db.models.functions import Coalesce

from partnerships.models import Clause

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
