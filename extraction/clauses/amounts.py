"""Clause families read from a figure: money, compute, power, chips, equity stakes, warrants.

Each family reads one ``Sentence`` and returns the clauses it states, given the clauses
earlier families found in it (a vague "billions" counts only when no exact sum was read).
"""

from __future__ import annotations

import re
from decimal import Decimal

from extraction.clauses.base import CHIP_TRIGGERS, REVENUE_SHARE, ExtractedClause, Sentence
from extraction.figures import CHIPS, PERCENT, POWER, SHARES, VAGUE_MONEY, money_values, number, qualifier_of
from extraction.vocabulary import MONEY_UNITS, ClauseKind, ClauseUnit

K = ClauseKind
U = ClauseUnit

_VALUATION = re.compile(
    r"\b(?:valuation|valued\s+at|valuing|post-money|pre-money|worth\s+of\s+shares)\b", re.I
)
_VALUATION_BEFORE = re.compile(
    r"\b(?:valuation|valued|valuing|worth)\s+(?:of\s+|at\s+)?(?:up\s+to\s+|about\s+|around\s+|over\s+)?$",
    re.I,
)
_VALUATION_AFTER = re.compile(r"\s*(?:\w+\s+){0,2}?(?:post-money|pre-money|valuation)\b", re.I)
# "a cloud deal worth up to $19.4 billion", "the contracts are worth more than $35 billion": the
# deal's own value, not a company's valuation.
_DEAL_VALUE = re.compile(
    r"\b(?:contracts?|deals?|agreements?|commitments?|orders?|arrangements?)\b"
    r"(?:(?!\b(?:invest\w*|stakes?|shares|holds?|holding)\b)[^.;$€£]){0,60}?\b(?:worth|valued\s+at)\s+$",
    re.I,
)
_PER_SHARE = re.compile(r"\s*(?:\w+\s+)?per\s+(?:common\s+)?share\b", re.I)
_SHARE_SALE = re.compile(
    r"\b(?:issue\s+and\s+sell|sell|sold|purchase|buy)\s+(?:\w+\s+){0,6}?(?:shares|common\s+stock|preferred\s+stock)\b",
    re.I,
)
# Money put in, as opposed to the stake it buys: "backing Anthropic with a further $1 billion".
_FUNDS = re.compile(r"\b(?:invest(?:s|ed|ing|ment)?|backing|backs|funding|financing|round)\b", re.I)
_REVENUE_FIGURE = re.compile(r"\b(?:revenue|run[- ]rate|sales|earnings|income|annualized|ARR)\b", re.I)
_INVEST_CUE = re.compile(
    r"\b(?:invest\w*|funding|financing|fundrais\w*|raise[sd]?|raising|round|Series\s+[A-H]|capital|"
    r"convertible\s+(?:note|loan)|backing|equity\s+stake)\b",
    re.I,
)
_COMPUTE_CUE = re.compile(
    r"\b(?:compute|computing|capacity|cloud|data\s*cent(?:er|re)s?|infrastructure|purchase|purchases|"
    r"purchasing|spend|services|Azure|AWS|commitment|committed|contracted|commits?)\b",
    re.I,
)
_CHIP_CUE = re.compile(
    r"\b(?:GPUs?|chips?|accelerators?|TPUs?|Trainium\d?|Inferentia|silicon|processors?|racks?)\b", re.I
)
# "a $50 billion investment in American computing infrastructure" buys capacity, not shares.
_INFRA_OBJECT = re.compile(
    r"\b(?:infrastructure|data\s*cent(?:er|re)s?|datacenters?|compute\s+capacity|computing|campus(?:es)?|(?<!credit )facilit(?:y|ies))\b",
    re.I,
)
_COMMITMENT = re.compile(
    r"\b(?:large|new|significant|major|incremental|additional|multi-?year)\s+(?:\w+\s+){0,2}commitment\b",
    re.I,
)
_STAKE_CUE = re.compile(
    r"\b(?:stake|ownership|owns?|equity|holds?|diluted|as-converted|shareholding)\b", re.I
)
_CONVERTIBLE = re.compile(r"\bconvertible\b", re.I)
_WARRANT = re.compile(r"\bwarrants?\b", re.I)
# "6 gigawatts of AMD GPUs" is a chip supply; "1 GW of capacity" or "of data centers" is compute.
_OF_CHIPS = re.compile(
    r"\s+(?:[\w-]+\s+)?of\s+(?:[\w-]+\s+){0,4}?(?:GPUs?|chips?|accelerators?|systems|racks)\b", re.I
)
# Borrowing is neither shares nor capacity: "a $4 billion credit facility with leading banks".
_CREDIT = re.compile(
    r"\b(?:credit\s+facilit(?:y|ies)|revolving\s+credit|(?:term\s+)?loans?|debt\s+financing)\b", re.I
)
_DATA_CENTRE = re.compile(r"\bdata\s*cent", re.I)
_STAKE = re.compile(r"\bstake\b", re.I)
_TAKE = re.compile(r"\b(?:take|takes|taking|acquire\w*|receive\w*)\b", re.I)
_WORTH = re.compile(r"\bworth\b", re.I)
_DIGIT = re.compile(r"\d")
# Cheap substring gate: skip the money pattern in sentences that name no currency.
_MONEY_TRIGGERS = ("$", "€", "£", "¥", "usd", "eur", "gbp", "jpy", "dollar", "euro", "pound")


def _money_kind(sentence: str, match: re.Match) -> str | None:
    window = sentence[max(0, match.start() - 120) : match.end() + 120]
    near = sentence[max(0, match.start() - 40) : match.end() + 40]
    deal_value = bool(_DEAL_VALUE.search(sentence[max(0, match.start() - 90) : match.start()]))
    if not deal_value and (
        _VALUATION_BEFORE.search(sentence[max(0, match.start() - 30) : match.start()])
        or _VALUATION_AFTER.match(sentence, match.end())
    ):
        return None
    if _REVENUE_FIGURE.search(near) and not _INVEST_CUE.search(near):
        return None
    if _STAKE_CUE.search(near) and _STAKE.search(near) and not _FUNDS.search(window):
        return None
    if _PER_SHARE.match(sentence, match.end()):
        return None  # the price of one share, not a sum paid
    if _SHARE_SALE.search(sentence) and _CHIP_CUE.search(near) is None:
        return K.INVESTMENT  # "sell 87 million shares ... for an aggregate purchase price of $2.0 billion"
    if _CHIP_CUE.search(near) and not _INVEST_CUE.search(near):
        return K.CHIPS_SUPPLY
    if _CREDIT.search(near) and not _CONVERTIBLE.search(near):
        return K.OTHER
    invest = _INVEST_CUE.search(near) or (_INVEST_CUE.search(window) and not _COMPUTE_CUE.search(near))
    if invest and _INFRA_OBJECT.search(sentence[match.end() : match.end() + 120]):
        return K.COMPUTE_COMMITMENT
    if invest and _CONVERTIBLE.search(window):
        return K.CONVERTIBLE_NOTE
    if invest:
        return K.INVESTMENT
    if _COMPUTE_CUE.search(window):
        return K.COMPUTE_COMMITMENT
    return K.OTHER


def money(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """Every sum of money, as an investment, a compute commitment or a chip purchase."""
    if not any(k in s.low for k in _MONEY_TRIGGERS):
        return []
    out = []
    for match, amount, unit, qualifier in money_values(s.text):
        kind = _money_kind(s.text, match)
        if kind is not None:
            out.append(ExtractedClause(kind, s.quote, amount, unit, qualifier, confidence=0.8))
    return out


def vague_money(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """ "Tens of billions of dollars": a commitment without a figure, when no exact sum was read."""
    if "illion" not in s.low or any(c.amount is not None and c.unit in MONEY_UNITS for c in found):
        return []
    vague = VAGUE_MONEY.search(s.text)
    if not vague:
        return []
    near = s.text[max(0, vague.start() - 60) : vague.end() + 60]
    if _INVEST_CUE.search(near):
        return [ExtractedClause(K.INVESTMENT, s.quote, confidence=0.6)]
    if _COMPUTE_CUE.search(s.text) or _CHIP_CUE.search(s.text) or _WORTH.search(near):
        return [ExtractedClause(K.COMPUTE_COMMITMENT, s.quote, confidence=0.6)]
    return []


_NAMED_INVESTORS = re.compile(
    r"\b(?:joined\s+(?:\w+\s+){0,2}?as\s+(?:\w+\s+)?investors?|(?:strategic\s+)?participation\s+from|"
    r"equity\s+funders?|(?:round|funding|financing)\s+(?:was\s+)?(?:led|co-led)\s+by)\b",
    re.I,
)


def named_investors(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """ "Nvidia joined as strategic investors", "a round led by X": money put in, its sum not stated here."""
    if (
        "invest" not in s.low
        and "led by" not in s.low
        and "participation" not in s.low
        and "funder" not in s.low
    ):
        return []
    if any(c.kind == K.INVESTMENT for c in found) or not _NAMED_INVESTORS.search(s.text):
        return []
    return [ExtractedClause(K.INVESTMENT, s.quote, confidence=0.6)]


def compute_commitment(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """ "A significant multi-year commitment to Azure": compute bought, no figure stated."""
    if (
        "commitment" in s.low
        and _COMMITMENT.search(s.text)
        and _COMPUTE_CUE.search(s.text)
        and not any(c.kind == K.COMPUTE_COMMITMENT for c in found)
    ):
        return [ExtractedClause(K.COMPUTE_COMMITMENT, s.quote, confidence=0.6)]
    return []


def power(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """Gigawatts and megawatts: of chips ("6 GW of AMD GPUs") or of compute capacity."""
    if not ("watt" in s.low or "gw" in s.low or "mw" in s.low):
        return []
    out = []
    for match in POWER.finditer(s.text):
        unit = U.GW if match.group("unit").lower().startswith(("g",)) else U.MW
        after = s.text[match.end() : match.end() + 60]
        of_chips = _OF_CHIPS.match(after) and not _DATA_CENTRE.search(after)
        kind = K.CHIPS_SUPPLY if of_chips else K.COMPUTE_COMMITMENT
        amount = number(match.group("num"))
        out.append(ExtractedClause(kind, s.quote, amount, unit, qualifier_of(match, s.text), confidence=0.8))
    return out


def chip_counts(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """ "One million TPUs": a chip supply, counted (two GPUs are not a supply deal)."""
    if not any(k in s.low for k in CHIP_TRIGGERS):
        return []
    out = []
    for match in CHIPS.finditer(s.text):
        scale = {"million": Decimal(10) ** 6, "thousand": Decimal(1000), "k": Decimal(1000)}.get(
            (match.group("scale") or "").lower(), 1
        )
        amount = number(match.group("num")) * scale
        if amount >= 1000:
            qualifier = qualifier_of(match, s.text)
            out.append(ExtractedClause(K.CHIPS_SUPPLY, s.quote, amount, U.CHIPS, qualifier, confidence=0.7))
    return out


def equity_stake(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """A percentage owned ("a 27 percent stake"), or a stake taken without a figure."""
    if _DIGIT.search(s.text) and _STAKE_CUE.search(s.text) and not REVENUE_SHARE.search(s.text):
        for match in PERCENT.finditer(s.text):
            near = s.text[max(0, match.start() - 80) : match.end() + 80]
            if _STAKE_CUE.search(near) and not _REVENUE_FIGURE.search(s.text[match.end() : match.end() + 25]):
                percent, qualifier = Decimal(match.group("num")), qualifier_of(match, s.text)
                return [
                    ExtractedClause(K.EQUITY_STAKE, s.quote, percent, U.PERCENT, qualifier, confidence=0.8)
                ]
        return []
    if _STAKE.search(s.text) and _TAKE.search(s.text):
        return [ExtractedClause(K.EQUITY_STAKE, s.quote, confidence=0.6)]
    return []


def warrant(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """A warrant, with the number of shares it covers when the sentence gives one."""
    if "warrant" not in s.low or not _WARRANT.search(s.text):
        return []
    match = SHARES.search(s.text)
    amount = None
    qualifier = ""
    if match:
        scale = {"million": Decimal(10) ** 6, "billion": Decimal(10) ** 9}.get(
            (match.group("scale") or "").lower(), 1
        )
        amount = number(match.group("num")) * scale
        qualifier = qualifier_of(match, s.text)
    unit = U.SHARES if amount is not None else ""
    return [ExtractedClause(K.WARRANT, s.quote, amount, unit, qualifier, confidence=0.8)]
