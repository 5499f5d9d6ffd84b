"""The deal timeline: filtered, sorted (newest, oldest or largest first), paged by keyset."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import DecimalField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join

from partnerships.filters import DealFilter
from partnerships.models import Deal
from partnerships.names import CompanyDirectory

# Counting stops here: "more than 1,000 deals" is as useful as the exact figure and costs a
# bounded index scan instead of a COUNT over every row.
COUNT_CAP = 1000
# A deal without a value sorts after every valued deal (values are never negative).
_NO_VALUE = Decimal(-1)


def deal_latest(*, limit: int = 20):
    return list(Deal.objects.published().with_parties().newest_first()[:limit])


@dataclass(frozen=True)
class Sort:
    """One order of the timeline: the key it sorts on (then the id), and which way."""

    name: str
    label: str
    descending: bool
    by_value: bool = False

    def key_of(self, deal):
        return deal.sort_value if self.by_value else deal.announced_on

    def parse_key(self, raw: str):
        return Decimal(raw) if self.by_value else datetime.date.fromisoformat(raw)

    def annotate(self, qs):
        if not self.by_value:
            return qs.annotate(sort_key=F("announced_on"))
        value = Coalesce("value_max", "value_min", Value(_NO_VALUE), output_field=DecimalField())
        return qs.annotate(sort_key=value, sort_value=value)


SORTS = {
    sort.name: sort
    for sort in (
        Sort("newest", "Newest first", descending=True),
        Sort("oldest", "Oldest first", descending=False),
        Sort("largest", "Largest headline value first", descending=True, by_value=True),
    )
}
DEFAULT_SORT = SORTS["newest"]


def sort_named(raw: str | None) -> Sort:
    return SORTS.get(raw or "", DEFAULT_SORT)


@dataclass(frozen=True)
class Cursor:
    """A keyset position: the sort key and id of a row, written ``2024-05-01.123`` (or ``4000000000.123``)."""

    key: object
    pk: int

    def __str__(self) -> str:
        key = self.key.isoformat() if isinstance(self.key, datetime.date) else format(self.key, "f")
        return f"{key}.{self.pk}"

    @property
    def announced_on(self):
        return self.key

    @classmethod
    def parse(cls, raw: str | None, sort: Sort = DEFAULT_SORT) -> "Cursor | None":
        if not raw or len(raw) > 60:
            return None
        key, _, pk = raw.rpartition(".")
        try:
            return cls(sort.parse_key(key), int(pk))
        except (ValueError, InvalidOperation):
            return None

    @classmethod
    def of(cls, deal, sort: Sort = DEFAULT_SORT) -> "Cursor":
        return cls(sort.key_of(deal), deal.pk)


@dataclass
class TimelinePage:
    deals: list
    older: Cursor | None = None  # the next page in the chosen order ("Older" when newest first)
    newer: Cursor | None = None  # the previous page
    count: int | None = None  # deals matching the filter, at most COUNT_CAP + 1
    sort: Sort = DEFAULT_SORT

    @property
    def count_is_capped(self) -> bool:
        return self.count is not None and self.count > COUNT_CAP

    @property
    def count_cap(self) -> int:
        return COUNT_CAP


def _beyond(qs, cursor: Cursor, forwards: bool):
    """Rows after ``cursor`` going ``forwards`` (toward larger keys) or backwards.

    Written ``key <= x AND (key < x OR id < y)`` rather than as one OR: for the date orders
    PostgreSQL then seeks the ``deal_status_announced_idx`` index instead of scanning it (measured at 120,000 deals:
    0.15 ms against 71 ms for the plain OR, and 240 ms for an OFFSET at page 2,000).
    """
    if forwards:
        return qs.filter(sort_key__gte=cursor.key).filter(Q(sort_key__gt=cursor.key) | Q(id__gt=cursor.pk))
    return qs.filter(sort_key__lte=cursor.key).filter(Q(sort_key__lt=cursor.key) | Q(id__lt=cursor.pk))


def _ordered(qs, ascending: bool):
    return qs.order_by("sort_key", "id") if ascending else qs.order_by("-sort_key", "-id")


def deal_timeline(
    *,
    deal_filter: DealFilter,
    before: Cursor | None = None,
    after: Cursor | None = None,
    limit: int = 25,
    sort: Sort = DEFAULT_SORT,
) -> TimelinePage:
    """One page of the timeline in ``sort`` order, by keyset (no OFFSET), with a capped count.

    ``before`` walks on to the following page (older deals when newest first), ``after`` back
    to the previous one. 3 queries: the count, the rows, their parties.
    """
    qs = sort.annotate(deal_filter.deals())
    count = qs.order_by()[: COUNT_CAP + 1].count()
    qs = qs.with_parties()
    if after is not None:
        rows = list(_ordered(_beyond(qs, after, sort.descending), sort.descending)[: limit + 1])
        deals = list(reversed(rows[:limit]))
        page = TimelinePage(deals, count=count, sort=sort)
        if deals:
            page.older = Cursor.of(deals[-1], sort)
            page.newer = Cursor.of(deals[0], sort) if len(rows) > limit else None
        return page
    if before is not None:
        qs = _beyond(qs, before, not sort.descending)
    rows = list(_ordered(qs, not sort.descending)[: limit + 1])
    deals = rows[:limit]
    page = TimelinePage(deals, count=count, sort=sort)
    if deals:
        page.older = Cursor.of(deals[-1], sort) if len(rows) > limit else None
        # Coming from a cursor means earlier rows exist; a fresh first page has none.
        page.newer = Cursor.of(deals[0], sort) if before is not None else None
    return page


def company_datalist():
    """The company filters' suggestions as one ``<datalist>``: every name, then every alias with
    the company it stands for (built here: 20x faster than a template loop). 2 queries."""
    directory = CompanyDirectory.load()
    names = sorted((company.name, "") for company in directory.by_slug.values())
    by_id = {company.id: company.name for company in directory.by_slug.values()}
    aliases = [
        (alias, f"{alias} ({by_id[company_id]})")
        for company_id, alias_names in directory.aliases.items()
        for alias in alias_names
    ]
    return format_html(
        '<datalist id="company-names">{}</datalist>',
        format_html_join(
            "",
            '<option value="{}">{}</option>',
            [(name, name) for name, _ in names] + sorted(aliases),
        ),
    )
