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

from django.db.models import Q, Value
from django.db.models.functions import Coalesce

PATTERN = r"^(d[0-9]{1,7}|a([0-9]{1,20}(\.[0-9]{1,4})?|n))\.[0-9]{1,18}$"
DATE, AMOUNT = "date", "amount"
_LAST_DAY = datetime.date.max.toordinal()
NO_VALUE = Decimal(-1)


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


def amount_key():
    """The amount order's key: the headline value (maximum, else minimum), -1 when there is none.

    Values are never negative (a check constraint), so -1 sorts the deals without one last; the
    same expression is indexed (``deal_published_value_idx``) on every database, which NULLS LAST
    could not be on SQLite.
    """
    return Coalesce("value_max", "value_min", Value(NO_VALUE))


def ordered(qs, sort: str):
    """Deals in the order of ``sort``: newest first, or largest headline value first (none last)."""
    if sort == DATE:
        return qs.order_by("-announced_on", "-id")
    return qs.alias(amount_key=amount_key()).order_by("-amount_key", "-id")


def after(qs, cursor: DealCursor):
    """The deals of ``ordered(qs, cursor.sort)`` that come after ``cursor``."""
    if cursor.sort == DATE:
        return qs.filter(announced_on__lte=cursor.day).filter(
            Q(announced_on__lt=cursor.day) | Q(id__lt=cursor.pk)
        )
    key = NO_VALUE if cursor.amount is None else cursor.amount
    return (
        qs.alias(amount_key=amount_key())
        .filter(amount_key__lte=key)
        .filter(Q(amount_key__lt=key) | Q(id__lt=cursor.pk))
    )


# The ledger's rows: ``<grantor id>.<beneficiary id>.<flow>.<unit>``, the key of the last row
# of the page before (``partnerships.selectors.ledger.KEY``); any string the pattern accepts
# is a position in that order (the unit may be empty).
LEDGER_PATTERN = r"^[0-9]{1,18}\.[0-9]{1,18}\.[a-z_]{1,12}\.[A-Za-z0-9_]{0,12}$"


def ledger_cursor(key: tuple) -> str:
    return ".".join(str(part) for part in key)


def ledger_key(raw: str) -> tuple:
    """Read a cursor ``LEDGER_PATTERN`` accepted."""
    grantor, beneficiary, flow, unit = raw.split(".")
    return int(grantor), int(beneficiary), flow, unit
