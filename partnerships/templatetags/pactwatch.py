"""Formatting for amounts, qualifiers and dates. Pure functions: no tag here queries."""

from decimal import Decimal

from django import template

from partnerships.models import Clause

register = template.Library()

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_QUALIFIERS = {
    Clause.Qualifier.UP_TO: "up to",
    Clause.Qualifier.APPROXIMATELY: "about",
    Clause.Qualifier.AT_LEAST: "at least",
}


def _short(number: Decimal) -> str:
    number = Decimal(number)
    for size, suffix in (
        (Decimal(10) ** 12, "T"),
        (Decimal(10) ** 9, "B"),
        (Decimal(10) ** 6, "M"),
        (Decimal(10) ** 3, "K"),
    ):
        if abs(number) >= size:
            value = (number / size).quantize(Decimal("0.1")).normalize()
            return f"{value:f}{suffix}"
    return f"{number.quantize(Decimal('0.01')).normalize():f}"


@register.filter
def amount(value, unit="USD"):
    """``4000000000, "USD"`` → ``$4B``; ``4.5, "GW"`` → ``4.5 GW``; ``49, "percent"`` → ``49%``."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if unit in _SYMBOLS:
        return f"{_SYMBOLS[unit]}{_short(value)}"
    plain = (
        f"{value.normalize():f}"
        if value == value.to_integral()
        else f"{value.quantize(Decimal('0.01')).normalize():f}"
    )
    if unit == Clause.Unit.PERCENT:
        return f"{plain}%"
    if unit == Clause.Unit.UNTIL_YEAR:
        return f"through {plain}"
    if unit in (Clause.Unit.SHARES, Clause.Unit.CHIPS):
        return f"{_short(value)} {unit}"
    if unit:
        return f"{plain} {unit}"
    return plain


@register.filter
def qualifier(code):
    return _QUALIFIERS.get(code, "")


@register.simple_tag
def clause_value(clause):
    """A clause's value with its qualifier kept: "up to $4B", "10 GW", "removed"."""
    if clause is None:
        return ""
    text = amount(clause.amount, clause.unit) if clause.amount is not None else ""
    if text and clause.qualifier:
        text = f"{qualifier(clause.qualifier)} {text}"
    if clause.effect == Clause.Effect.REMOVED:
        text = f"removed{': ' + text if text else ''}"
    return text


@register.simple_tag
def deal_value(deal):
    """The headline value: "$1B", "up to $4B", "$1B–$2B", or "" when undisclosed."""
    if deal.value_min is None and deal.value_max is None:
        return ""
    unit = deal.currency or "USD"
    if deal.value_min is not None and deal.value_max is not None and deal.value_min != deal.value_max:
        return f"{amount(deal.value_min, unit)}–{amount(deal.value_max, unit)}"
    text = amount(deal.headline_value, unit)
    words = qualifier(deal.headline_qualifier)
    return f"{words} {text}" if words else text


@register.filter
def precise_date(day, precision="day"):
    """A date shown only as precisely as it is known: "Jul 22, 2019", "Sep 2023", "2024"."""
    if not day:
        return ""
    if precision == "year":
        return f"{day:%Y}"
    if precision == "month":
        return f"{day:%b %Y}"
    return f"{day:%b} {day.day}, {day:%Y}"


@register.filter
def kind_class(kind):
    """A CSS class for a deal kind's colour (k-cloud...), safe for any value."""
    return "k-" + "".join(ch for ch in str(kind) if ch.isalnum() or ch == "_")[:30]


@register.filter
def iso(moment):
    """A datetime for ``<time datetime>``: seconds precision (HTML rejects microseconds)."""
    if not moment:
        return ""
    return moment.isoformat(timespec="seconds")
