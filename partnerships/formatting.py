"""How a figure is written for people: "$4B", "up to €1.5B", "about 27%", "1.2 GW".

The one formatter for amounts, units and qualifiers. Pages (through the template tags in
``partnerships.templatetags.pactwatch``), emails, feeds, charts and the admin all call it, so a
figure reads the same wherever it appears. Exports are for machines and carry plain decimals
(``decimal_plain``). Pure functions: nothing here touches the database.

Money is written with its symbol and a short scale (K, M, B, T) with at most two decimals,
rounded half up: 1,250,000,000 USD is "$1.25B", 4,000,000,000 USD is "$4B".
"""

from decimal import ROUND_HALF_UP, Decimal

from partnerships.models.deals import Clause

Unit = Clause.Unit
Qualifier = Clause.Qualifier

SYMBOLS = {Unit.USD: "$", Unit.EUR: "€", Unit.GBP: "£", Unit.JPY: "¥"}
QUALIFIER_WORDS = {
    Qualifier.UP_TO: "up to",
    Qualifier.APPROXIMATELY: "about",
    Qualifier.AT_LEAST: "at least",
    Qualifier.MORE_THAN: "more than",
}
# Largest first: a number takes the largest scale it reaches once rounded.
_SCALES = (
    (Decimal(10) ** 12, "T"),
    (Decimal(10) ** 9, "B"),
    (Decimal(10) ** 6, "M"),
    (Decimal(10) ** 3, "K"),
)
_COUNTED = frozenset({Unit.SHARES, Unit.CHIPS})


def _rounded(number: Decimal, places: int = 2) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _trim(number: Decimal, places: int = 2) -> str:
    """At most ``places`` decimals, trailing zeros dropped: 1.50 → "1.5", 4.00 → "4"."""
    text = f"{_rounded(number, places):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def short_number(number) -> str:
    """1,250,000,000 → "1.25B"; 250,000 → "250K"; 999,999 → "1M"; 27 → "27"."""
    number = Decimal(number)
    for size, suffix in _SCALES:
        if abs(_rounded(number / size)) >= 1:
            return _trim(number / size) + suffix
    return _trim(number)


def decimal_plain(value: Decimal) -> str:
    """A decimal for machines (exports, query strings): no exponent, no trailing zeros."""
    return format(Decimal(value).normalize(), "f")


def amount(value, unit: str = Unit.USD) -> str:
    """``4000000000, "USD"`` → "$4B"; ``4.5, "GW"`` → "4.5 GW"; ``49, "percent"`` → "49%"."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if unit in SYMBOLS:
        return SYMBOLS[unit] + short_number(value)
    if unit == Unit.PERCENT:
        return f"{_trim(value)}%"
    if unit == Unit.UNTIL_YEAR:
        return f"through {_trim(value, 0)}"
    if unit in _COUNTED:
        return f"{short_number(value)} {unit}"
    if unit:
        return f"{_trim(value)} {unit}"
    return short_number(value)


def qualifier_words(code: str) -> str:
    """ "up_to" → "up to", "approximately" → "about", "at_least" → "at least", exact → ""."""
    return QUALIFIER_WORDS.get(code or "", "")


def qualified_amount(value, unit: str = Unit.USD, qualifier: str = "") -> str:
    """An amount with its qualifier kept: "up to $4B", "about 1.2 GW", "$250M"."""
    text = amount(value, unit)
    words = qualifier_words(qualifier)
    return f"{words} {text}" if text and words else text


def clause_value(clause) -> str:
    """A clause's figure with its qualifier: "up to $4B", "10 GW", "removed", "removed: 27%"."""
    if clause is None:
        return ""
    text = qualified_amount(clause.amount, clause.unit, clause.qualifier) if clause.amount is not None else ""
    if clause.effect == Clause.Effect.REMOVED:
        return f"removed: {text}" if text else "removed"
    return text


def deal_value(deal) -> str:
    """A deal's headline value: "$1B", "up to $4B", "$1B–$2B", or "" when undisclosed."""
    if deal.value_min is None and deal.value_max is None:
        return ""
    currency = deal.currency or Unit.USD
    if deal.value_min is not None and deal.value_max is not None and deal.value_min != deal.value_max:
        return f"{amount(deal.value_min, currency)}–{amount(deal.value_max, currency)}"
    return qualified_amount(deal.headline_value, currency, deal.headline_qualifier)


def split_amount(amounts, unit: str = Unit.USD) -> str:
    """Amounts by certainty, never added together: "$13B confirmed + $25B reported".

    ``amounts`` has ``confirmed``, ``reported`` and ``unconfirmed`` (the ledger's sums).
    Unconfirmed figures are told apart in brackets; nothing at all reads "not disclosed".
    """
    confirmed, reported, unconfirmed = (
        Decimal(getattr(amounts, name) or 0) for name in ("confirmed", "reported", "unconfirmed")
    )
    parts = [
        f"{amount(v, unit)} {word}" for v, word in ((confirmed, "confirmed"), (reported, "reported")) if v
    ]
    text = " + ".join(parts)
    if unconfirmed:
        extra = f"{amount(unconfirmed, unit)} unconfirmed"
        text = f"{text} ({extra})" if text else extra
    return text or "not disclosed"


def basis_value(clause) -> str:
    """A clause's figure with its basis, for phase diffs: "+$4B", "up to $25B more", "$8B in total".

    A clause in a unit with no amount stated reads "amount not stated" (never "granted").
    """
    if clause is None:
        return ""
    if clause.effect == Clause.Effect.REMOVED:
        return "given up"
    if clause.amount is None:
        return "amount not stated" if clause.unit else "in force"
    text = qualified_amount(clause.amount, clause.unit, clause.qualifier)
    if clause.unit not in Clause.MONEY_UNITS | Clause.POWER_UNITS | {Unit.CHIPS}:
        return text
    if clause.basis == Clause.Basis.TOTAL:
        return f"{text} in total"
    if clause.basis == Clause.Basis.INCREMENTAL:
        return f"+{text}" if not clause.qualifier else f"{text} more"
    return text


def change_text(change) -> str:
    """One changed clause of a phase diff: "up to $4B → +$4B", "through 2030 → through 2032"."""
    return f"{basis_value(change.before)} → {basis_value(change.after)}"
