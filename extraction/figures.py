"""Figures in a sentence: amounts of money, power, percentages, shares, chips and years.

Values are parsed from the wording: "up to $10 billion" is an upper bound, "$38B" is
38 billion dollars, "tens of billions" states no figure (``VAGUE_MONEY``), so no amount
is ever invented. Each pattern also captures the qualifier written before its figure.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extraction.vocabulary import ClauseQualifier, ClauseUnit

U = ClauseUnit
Q = ClauseQualifier

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "a": 1, "an": 1, "first": 1,
}  # fmt: skip
_NUM_WORD = r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
_SCALE = {
    "thousand": Decimal(10) ** 3, "k": Decimal(10) ** 3, "million": Decimal(10) ** 6, "m": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6, "mm": Decimal(10) ** 6, "billion": Decimal(10) ** 9, "b": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9, "trillion": Decimal(10) ** 12, "t": Decimal(10) ** 12, "tn": Decimal(10) ** 12,
}  # fmt: skip
_CURRENCY = {
    "$": U.USD,
    "us$": U.USD,
    "usd": U.USD,
    "€": U.EUR,
    "eur": U.EUR,
    "£": U.GBP,
    "gbp": U.GBP,
    "¥": U.JPY,
    "jpy": U.JPY,
    "dollars": U.USD,
    "us dollars": U.USD,
    "euros": U.EUR,
    "pounds": U.GBP,
}
_QUAL = (
    r"(?P<qual>up\s+to|as\s+much\s+as|as\s+many\s+as|a\s+maximum\s+of|more\s+than|over|at\s+least|"
    r"in\s+excess\s+of|a\s+minimum\s+of|well\s+over|approximately|about|around|roughly|nearly|almost|"
    r"some|an\s+estimated|close\s+to|~)?\s*"
)
_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|" + _NUM_WORD + r")"
MONEY = re.compile(
    _QUAL
    + r"(?:(?P<cur>US\$|\$|€|£|¥|USD|EUR|GBP)\s?"
    + _NUM
    + r"(?:\s*-?\s*(?P<scale>trillion|billion|million|thousand|bn|tn|mn|[BMKT])\b)?"
    + r"|(?<![\w.,])"
    + _NUM.replace("num", "num2")
    + r"\s+(?P<scale2>trillion|billion|million)\s+(?P<cur2>US\s+dollars|dollars|euros|pounds)"
    # European style, the currency after the figure: "1.7B€", "15 million EUR".
    + r"|(?<![\w.,$€£])"
    + _NUM.replace("num", "num3")
    + r"\s*(?P<scale3>trillion|billion|million|bn|mn|[BMK])\s*(?P<cur3>€|EUR\b|£|GBP\b))",
    re.IGNORECASE,
)
VAGUE_MONEY = re.compile(
    r"\b(?:tens|hundreds|dozens)\s+of\s+(?:billions|millions)(?:\s+of\s+(?:dollars|euros))?|"
    r"\bmulti-?\s?(?:billion|million)(?:[- ]dollar)?\b|\bbillions\s+of\s+dollars\b",
    re.IGNORECASE,
)
POWER = re.compile(
    _QUAL
    + r"(?<![\w.,])(?P<num>\d+(?:\.\d+)?|first|"
    + _NUM_WORD
    + r")\s*-?\s*(?P<unit>gigawatts?|GW|megawatts?|MW)\b",
    re.IGNORECASE,
)
PERCENT = re.compile(_QUAL + r"(?P<num>\d+(?:\.\d+)?)\s*(?:%|\s?percent\b|\s?per\s+cent\b)", re.IGNORECASE)
SHARES = re.compile(
    _QUAL + r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>million|billion)?\s+(?:of\s+)?"
    r"(?:shares|common\s+shares)\b",
    re.IGNORECASE,
)
CHIPS = re.compile(
    _QUAL
    + r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|"
    + _NUM_WORD
    + r")\s*(?P<scale>million|thousand|k(?=\s))?\s+"
    # "18,000 NVIDIA GB300 Grace Blackwell GPUs", "24k H100s"
    r"(?:(?:[A-Z][\w-]*\s+){0,4})(?P<what>TPUs|GPUs|chips|accelerators|Trainium\d?\s+chips|"
    r"(?:[A-Z]{1,2}\d{2,3}[A-Z]?|MI\d{3}[A-Z]?)s)\b",
)
UNTIL_YEAR = re.compile(
    r"\b(?:through|until|till|thru|by\s+the\s+end\s+of)\s+(?:(?:the\s+end\s+of\s+)?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+)?"
    r"(?P<year>20[2-9]\d)\b|"
    r"\bextend\w*\s+(?:[\w-]+\s+){0,4}?(?:to|into)\s+(?P<year2>20[2-9]\d)\b",
    re.I,
)
YEARS = re.compile(
    r"\b(?:(?:over|for|across|spanning|during|(?:a\s+)?period\s+of|last(?:s|ing)?)\s+(?:the\s+(?:next|coming)\s+)?|"
    r"the\s+next\s+)"
    r"(?P<num>\d+|" + _NUM_WORD + r")\s+years?\b|\b(?P<num2>\d+|" + _NUM_WORD + r")-year\b",
    re.IGNORECASE,
)
MULTI_YEAR = re.compile(r"\b(?:multi-?\s?year|long-term|multiyear)\b", re.IGNORECASE)

_QUALIFIERS = {
    "up to": Q.UP_TO, "as much as": Q.UP_TO, "as many as": Q.UP_TO, "a maximum of": Q.UP_TO,
    "more than": Q.AT_LEAST, "over": Q.AT_LEAST, "at least": Q.AT_LEAST, "in excess of": Q.AT_LEAST,
    "a minimum of": Q.AT_LEAST, "well over": Q.AT_LEAST, "approximately": Q.APPROXIMATELY,
    "about": Q.APPROXIMATELY, "around": Q.APPROXIMATELY, "roughly": Q.APPROXIMATELY,
    "nearly": Q.APPROXIMATELY, "almost": Q.APPROXIMATELY, "some": Q.APPROXIMATELY,
    "an estimated": Q.APPROXIMATELY, "close to": Q.APPROXIMATELY, "~": Q.APPROXIMATELY,
}  # fmt: skip


def qualifier_of(match: re.Match, sentence: str) -> str:
    """The qualifier written before a figure ("up to", "more than"), or "" for an exact figure."""
    raw = match.group("qual")
    if raw:
        return _QUALIFIERS.get(" ".join(raw.lower().split()), "")
    # "a ceiling of $200 million" / "valued at up to": look just before the figure.
    before = sentence[max(0, match.start() - 25) : match.start()].lower()
    if re.search(r"\b(?:ceiling|cap|maximum)\s+(?:of\s+)?$", before):
        return Q.UP_TO
    return ""


def number(raw: str) -> Decimal:
    """A figure as written: "1,200", "2.5" or a number word ("six")."""
    raw = raw.lower()
    if raw in NUMBER_WORDS:
        return Decimal(NUMBER_WORDS[raw])
    return Decimal(raw.replace(",", ""))


def money_values(sentence: str):
    """Yield (match, amount, unit, qualifier) for every figure of money in a sentence."""
    for match in MONEY.finditer(sentence):
        if match.group("num"):
            cur, scale = match.group("cur"), match.group("scale")
            num = match.group("num")
        elif match.group("num3"):
            cur, scale = match.group("cur3"), match.group("scale3")
            num = match.group("num3")
        else:
            cur, scale = match.group("cur2"), match.group("scale2")
            num = match.group("num2")
        if num.lower() in NUMBER_WORDS and match.group("num") and not scale:
            continue
        unit = _CURRENCY.get(" ".join(cur.lower().split()))
        if unit is None:
            continue
        # "$38B" but not "$3 Bedrock": a one-letter scale must be uppercase and end the token.
        if scale and len(scale) == 1 and not scale.isupper():
            continue
        amount = number(num) * _SCALE.get((scale or "").lower(), Decimal(1))
        yield match, amount, unit, qualifier_of(match, sentence)
