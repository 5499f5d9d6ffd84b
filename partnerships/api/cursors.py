"""Keyset cursors for the deal list: where the next page starts, in a form any client can keep.

A cursor is ``d<day number>.<id>`` when the list is sorted by date (newest first) or
``a<amount>.<id>`` / ``an.<id>`` when it is sorted by headline value (largest first, deals
without a value last). Every string the schema's pattern accepts is a position in that order,
so a cursor can never be "invalid" once it passes validation; a cursor carries its sort, which
wins over ``sort``. The predicate keeps the index-friendly shape of the timeline's keyset
(``date <= x AND (date < x OR id < y)``), never an OFFSET.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q

from partnerships.selectors.common import headline_value

PATTERN = r"^(d[0-9]{1,7}|a([0-9]{1,20}(\.[0-9]{1,4})?|n))\.[0-9]{1,18}$"
DATE, AMOUNT = "date", "amount"
_LAST_DAY = datetime.date.max.toordinal()


@dataclass(frozen=True)
class DealCursor:
    sort: str
    pk: int
    day: datetime.date | None = None
    amount: Decimal | None = None  # None with sort "amount": among the deals without a value

    def __str__(self) -> str:
        if self.sort == DATE:
            return f"d{self.day.toordinal()}.{self.pk}"
        return f"a{'n' if self.amount is None else format(self.amount.normalize(), 'f')}.{self.pk}"

    @classmethod
    def parse(cls, raw: str) -> DealCursor:
        """Read a cursor the schema's ``PATTERN`` accepted."""
        key, _, pk = raw.rpartition(".")
        if key.startswith("d"):
            day = datetime.date.fromordinal(min(max(int(key[1:]), 1), _LAST_DAY))
            return cls(DATE, int(pk), day=day)
        return cls(AMOUNT, int(pk), amount=None if key == "an" else Decimal(key[1:]))

    @classmethod
    def after(cls, deal, sort: str) -> DealCursor:
        if sort == DATE:
            return cls(DATE, deal.pk, day=deal.announced_on)
        return cls(AMOUNT, deal.pk, amount=deal.headline_value)


def ordered(qs, sort: str):
    """Deals in the order of ``sort``: newest first, or largest headline value first (none last)."""
    if sort == DATE:
        return qs.order_by("-announced_on", "-id")
    return qs.alias(headline=headline_value()).order_by(F("headline").desc(nulls_last=True), "-id")


def after(qs, cursor: DealCursor):
    """The deals of ``ordered(qs, cursor.sort)`` that come after ``cursor``."""
    if cursor.sort == DATE:
        return qs.filter(announced_on__lte=cursor.day).filter(
            Q(announced_on__lt=cursor.day) | Q(id__lt=cursor.pk)
        )
    qs = qs.alias(headline=headline_value())
    if cursor.amount is None:
        return qs.filter(headline__isnull=True, id__lt=cursor.pk)
    return qs.filter(
        Q(headline__lt=cursor.amount) | Q(headline=cursor.amount, id__lt=cursor.pk) | Q(headline__isnull=True)
    )
