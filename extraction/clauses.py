"""Clauses: each term of a deal, read from one sentence that is kept as its quote.

Values are parsed from the wording ("up to $10 billion" is an upper bound; "tens of
billions" states no figure, so no amount is invented). Kinds, units and qualifiers are
the model's own choices, so the service can store them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extraction.vocabulary import MONEY_UNITS, ClauseEffect, ClauseKind, ClauseQualifier, ClauseUnit

K = ClauseKind
U = ClauseUnit
Q = ClauseQualifier


@dataclass(frozen=True)
class ExtractedClause:
    kind: str
    quote: str
    amount: Decimal | None = None
    unit: str = ""
    qualifier: str = ""
    subject: str = ""
    effect: str = ClauseEffect.GRANTED
    confidence: float = 0.7

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "amount": _plain(self.amount),
            "unit": self.unit or None,
            "qualifier": self.qualifier,
            "subject": self.subject,
            "effect": self.effect,
            "quote": self.quote,
        }


def _plain(amount: Decimal | None):
    if amount is None:
        return None
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "a": 1, "an": 1,
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
    + r"(?<![\w.,])(?P<num>\d+(?:\.\d+)?|"
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
    + r")\s*(?P<scale>million|thousand)?\s+"
    r"(?:(?:[A-Z][\w-]*\s+){0,3})(?P<what>TPUs|GPUs|chips|accelerators|Trainium\d?\s+chips)\b",
)
UNTIL_YEAR = re.compile(
    r"\b(?:through|until|till|thru|by\s+the\s+end\s+of)\s+(?P<year>20[2-9]\d)\b|"
    r"\bextend\w*\s+(?:[\w-]+\s+){0,4}?(?:to|into)\s+(?P<year2>20[2-9]\d)\b",
    re.I,
)
YEARS = re.compile(
    r"\b(?:(?:over|for|across|spanning|during)\s+(?:the\s+(?:next|coming)\s+)?|the\s+next\s+)"
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


def _qualifier(match: re.Match, sentence: str) -> str:
    raw = match.group("qual")
    if raw:
        return _QUALIFIERS.get(" ".join(raw.lower().split()), "")
    # "a ceiling of $200 million" / "valued at up to": look just before the figure.
    before = sentence[max(0, match.start() - 25) : match.start()].lower()
    if re.search(r"\b(?:ceiling|cap|maximum)\s+(?:of\s+)?$", before):
        return Q.UP_TO
    return ""


def _number(raw: str) -> Decimal:
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
        amount = _number(num) * _SCALE.get((scale or "").lower(), Decimal(1))
        yield match, amount, unit, _qualifier(match, sentence)


# --- kind cues, each checked within one sentence --------------------------------------------------
_VALUATION = re.compile(
    r"\b(?:valuation|valued\s+at|valuing|post-money|pre-money|worth\s+of\s+shares)\b", re.I
)
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
    r"\b(?:infrastructure|data\s*cent(?:er|re)s?|datacenters?|compute\s+capacity|computing|campus(?:es)?|facilit(?:y|ies))\b",
    re.I,
)
_COMMITMENT = re.compile(
    r"\b(?:large|new|significant|major|incremental|additional|multi-?year)\s+(?:\w+\s+){0,2}commitment\b",
    re.I,
)
_STAKE_CUE = re.compile(
    r"\b(?:stake|ownership|owns?|equity|holds?|diluted|as-converted|shareholding)\b", re.I
)
_EXCLUSIVE = re.compile(r"\bexclusiv(?:e|ely|ity)\b", re.I)
_NON_EXCLUSIVE = re.compile(r"\bnon-?exclusive\b", re.I)
_ROFR = re.compile(r"\bright\s+of\s+first\s+refusal\b|\bROFR\b", re.I)
_REMOVED = re.compile(
    r"\b(?:no\s+longer|will\s+not\s+have|won['’]t\s+have|lose[sd]?|losing|removed?|removes|eliminat\w+|"
    r"ends?|ended|expire[sd]?|terminat\w+|relinquish\w*|gives?\s+up|waive[sd]?|drop(?:s|ped)?)\b",
    re.I,
)
_AGI = re.compile(r"\b(?:AGI|artificial\s+general\s+intelligence)\b", re.I)
_AGI_TERMS = re.compile(
    r"\b(?:panel|verif\w+|declar\w+|until|threshold|reached|achiev\w+|post-AGI|determin\w+|"
    r"clause|trigger\w*|expert)\b",
    re.I,
)
_PREFERRED = re.compile(
    r"\b(?P<level>preferred|primary|premier|principal)\s+(?:strategic\s+)?"
    r"(?:(?P<what>cloud|training|compute|computing|model|infrastructure|distribution|commercial\w*|frontier\s+model|"
    r"technology|AI)\s+)?(?:and\s+\w+\s+)?(?P<noun>partner|provider|platform|supplier|model)s?\b",
    re.I,
)
_DISTRIBUTION = re.compile(
    r"\b(?:(?:make|makes|making|made|be|is|are|now|become|becomes)\s+(?:\w+\s+){0,6}?available\s+(?:to|in|on|through|via|across)|"
    r"available\s+(?:in|on|through|via)\b|bring(?:s|ing)?\s+(?:\w+\s+){0,3}(?:models?|Claude|ChatGPT|Gemini)\s+to|"
    r"integrat\w+\s+(?:\w+\s+){0,3}into|Models[- ]as[- ]a[- ]Service|distribution\s+partner|"
    r"offer(?:s|ing)?\s+(?:\w+\s+){0,4}models?\s+to|deploy(?:s|ing)?\s+(?:\w+['’]s\s+)?models?\s+across|"
    r"resell\w*|marketplace|go-to-market|roll(?:s|ing)?\s+out\s+(?:\w+\s+){0,4}to)",
    re.I,
)
_RESEARCH = re.compile(
    r"\b(?:research\s+(?:partnership|collaboration|program)|joint\s+(?:research|R&D)|jointly\s+develop\w*|"
    r"co-?develop\w*|co-?design\w*|collaborat\w+\s+(?:\w+\s+){0,5}(?:on|to\s+develop)\s+(?:\w+\s+){0,3}"
    r"(?:research|models?|chips?|accelerators?|technolog\w+|supercomput\w+|design|engineering)|co-?optimiz\w+|"
    r"work\s+together\s+to\s+develop)\b",
    re.I,
)
# "preferred partner for commercializing new AI technologies": the purpose names the subject.
_PARTNER_FOR = re.compile(r"\s+for\s+(\w+)")
# Chips named as what a deal supplies or runs on, without a count: "train its models on Trainium chips".
_CHIP_USE = re.compile(
    r"\b(?:use|uses|using|train\w*|deploy\w*|run\w*|access\s+to|supply\w*|provid\w+|scale\w*)\s+"
    r"(?:[\w’'-]+\s+){0,8}?(?:on\s+|with\s+)?(?:[\w’'-]+\s+){0,4}?"
    r"(?:Trainium\d?|Inferentia\d?|TPUs?(?:\s+v\w+)?|GPUs|chips|accelerators)\b",
    re.I,
)
_REVENUE_SHARE = re.compile(
    r"\brevenue[- ]shar\w+|\bshare\s+(?:of\s+)?(?:the\s+)?revenue|\brevenue\s+split\b", re.I
)
_IP = re.compile(
    r"\b(?:IP\s+rights|rights\s+to\s+(?:\w+(?:['’]s)?\s+)?(?:IP|intellectual\s+property|models?|technology)|"
    r"intellectual\s+property|licen[cs](?:e|es|ed|ing)\b|content\s+partnership)",
    re.I,
)
_BOARD = re.compile(
    r"\b(?:board\s+seat|observer\s+seat|non-voting\s+(?:board\s+)?observer|seat\s+on\s+(?:the|its)\s+board)\b",
    re.I,
)
_WARRANT = re.compile(r"\bwarrants?\b", re.I)
_SUBJECTS = (
    ("api", re.compile(r"\bAPI\b")),
    ("ip", re.compile(r"\b(?:IP|intellectual\s+property)\b")),
    ("training", re.compile(r"\btrain(?:ing)?\b", re.I)),
    ("compute", re.compile(r"\b(?:compute|capacity|infrastructure|data\s*cent(?:er|re)s?)\b", re.I)),
    ("cloud", re.compile(r"\b(?:cloud|Azure|AWS|workloads)\b", re.I)),
    ("models", re.compile(r"\bmodels?\b", re.I)),
)


def _subject(sentence: str, default: str = "") -> str:
    for name, pattern in _SUBJECTS:
        if pattern.search(sentence):
            return name
    return default


def _money_kind(sentence: str, match: re.Match) -> str | None:
    window = sentence[max(0, match.start() - 120) : match.end() + 120]
    near = sentence[max(0, match.start() - 40) : match.end() + 40]
    if _VALUATION.search(near):
        return None
    if _REVENUE_FIGURE.search(near) and not _INVEST_CUE.search(near):
        return None
    if _STAKE_CUE.search(near) and re.search(r"\bstake\b", near, re.I):
        return None
    if _CHIP_CUE.search(near) and not _INVEST_CUE.search(near):
        return K.CHIPS_SUPPLY
    invest = _INVEST_CUE.search(near) or (_INVEST_CUE.search(window) and not _COMPUTE_CUE.search(near))
    if invest and _INFRA_OBJECT.search(sentence[match.end() : match.end() + 120]):
        return K.COMPUTE_COMMITMENT
    if invest:
        return K.INVESTMENT
    if _COMPUTE_CUE.search(window):
        return K.COMPUTE_COMMITMENT
    return K.OTHER


# Cheap substring gates: most sentences state no clause, and skipping their regexes keeps
# the extractor above 100 announcements a second.
_DIGIT = re.compile(r"\d")
_MONEY_TRIGGERS = ("$", "€", "£", "¥", "usd", "eur", "gbp", "jpy", "dollar", "euro", "pound")
_CHIP_TRIGGERS = ("tpu", "gpu", "chip", "accelerator", "trainium")
_PREFERRED_TRIGGERS = ("preferred", "primary", "premier", "principal")
_DISTRIBUTION_TRIGGERS = (
    "availab",
    "bring",
    "integrat",
    "as-a-service",
    "as a service",
    "distribution",
    "offer",
    "deploy",
    "resell",
    "marketplace",
    "go-to-market",
    "roll",
)
_RESEARCH_TRIGGERS = ("research", "r&d", "develop", "design", "collaborat", "optimiz")


def sentence_clauses(sentence: str) -> list[ExtractedClause]:
    """Every clause one sentence states; a sentence can state several (money and power, say)."""
    quote = sentence.strip()
    if len(quote) > 600:
        quote = quote[:600]
    found: list[ExtractedClause] = []
    add = found.append
    low = sentence.lower()
    has_digit = _DIGIT.search(sentence) is not None
    removed = ("refusal" in low or "rofr" in low or "revenue" in low) and bool(_REMOVED.search(sentence))

    money_cue = any(k in low for k in _MONEY_TRIGGERS)
    for match, amount, unit, qualifier in money_values(sentence) if money_cue else ():
        kind = _money_kind(sentence, match)
        if kind is not None:
            add(ExtractedClause(kind, quote, amount, unit, qualifier, confidence=0.8))
    if "illion" in low and not any(c.amount is not None and c.unit in MONEY_UNITS for c in found):
        vague = VAGUE_MONEY.search(sentence)
        if vague:
            near = sentence[max(0, vague.start() - 60) : vague.end() + 60]
            if _INVEST_CUE.search(near):
                add(ExtractedClause(K.INVESTMENT, quote, confidence=0.6))
            elif (
                _COMPUTE_CUE.search(sentence)
                or _CHIP_CUE.search(sentence)
                or re.search(r"\bworth\b", near, re.I)
            ):
                add(ExtractedClause(K.COMPUTE_COMMITMENT, quote, confidence=0.6))

    if (
        "commitment" in low
        and _COMMITMENT.search(sentence)
        and _COMPUTE_CUE.search(sentence)
        and not any(c.kind == K.COMPUTE_COMMITMENT for c in found)
    ):
        add(ExtractedClause(K.COMPUTE_COMMITMENT, quote, confidence=0.6))

    for match in POWER.finditer(sentence) if ("watt" in low or "gw" in low or "mw" in low) else ():
        unit = U.GW if match.group("unit").lower().startswith(("g",)) else U.MW
        # "6 gigawatts of AMD GPUs" is a chip supply; "1 GW of capacity" or "of data centers" is compute.
        after = sentence[match.end() : match.end() + 60]
        kind = (
            K.CHIPS_SUPPLY
            if re.match(
                r"\s+(?:[\w-]+\s+)?of\s+(?:[\w-]+\s+){0,4}?(?:GPUs?|chips?|accelerators?|systems|racks)\b",
                after,
                re.I,
            )
            and not re.search(r"\bdata\s*cent", after, re.I)
            else K.COMPUTE_COMMITMENT
        )
        add(
            ExtractedClause(
                kind, quote, _number(match.group("num")), unit, _qualifier(match, sentence), confidence=0.8
            )
        )

    for match in CHIPS.finditer(sentence) if any(k in low for k in _CHIP_TRIGGERS) else ():
        scale = {"million": Decimal(10) ** 6, "thousand": Decimal(1000)}.get(
            (match.group("scale") or "").lower(), 1
        )
        amount = _number(match.group("num")) * scale
        if amount >= 1000:  # "two GPUs" is not a supply deal; "one million TPUs" is
            add(
                ExtractedClause(
                    K.CHIPS_SUPPLY, quote, amount, U.CHIPS, _qualifier(match, sentence), confidence=0.7
                )
            )

    if has_digit and _STAKE_CUE.search(sentence) and not _REVENUE_SHARE.search(sentence):
        for match in PERCENT.finditer(sentence):
            near = sentence[max(0, match.start() - 80) : match.end() + 80]
            if _STAKE_CUE.search(near) and not _REVENUE_FIGURE.search(
                sentence[match.end() : match.end() + 25]
            ):
                add(
                    ExtractedClause(
                        K.EQUITY_STAKE,
                        quote,
                        Decimal(match.group("num")),
                        U.PERCENT,
                        _qualifier(match, sentence),
                        confidence=0.8,
                    )
                )
                break
    elif re.search(r"\bstake\b", sentence, re.I) and re.search(
        r"\b(?:take|takes|taking|acquire\w*|receive\w*)\b", sentence, re.I
    ):
        add(ExtractedClause(K.EQUITY_STAKE, quote, confidence=0.6))

    if "warrant" in low and _WARRANT.search(sentence):
        match = SHARES.search(sentence)
        amount = None
        qualifier = ""
        if match:
            scale = {"million": Decimal(10) ** 6, "billion": Decimal(10) ** 9}.get(
                (match.group("scale") or "").lower(), 1
            )
            amount = _number(match.group("num")) * scale
            qualifier = _qualifier(match, sentence)
        add(
            ExtractedClause(
                K.WARRANT, quote, amount, U.SHARES if amount is not None else "", qualifier, confidence=0.8
            )
        )

    if ("refusal" in low or "rofr" in low) and _ROFR.search(sentence):
        add(
            ExtractedClause(
                K.RIGHT_OF_FIRST_REFUSAL,
                quote,
                subject=_subject(sentence, "compute"),
                effect=ClauseEffect.REMOVED if removed else ClauseEffect.GRANTED,
                confidence=0.85,
            )
        )
    if (
        "exclusiv" in low
        and _EXCLUSIVE.search(sentence)
        and not _NON_EXCLUSIVE.search(sentence)
        and not re.search(
            r"\bexclusive\s+(?:interview|content|access\s+to\s+(?:events?|features?))\b", sentence, re.I
        )
    ):
        add(
            ExtractedClause(
                K.EXCLUSIVITY,
                quote,
                subject=_subject(sentence, ""),
                effect=ClauseEffect.REMOVED
                if re.search(r"\bno\s+longer\b", sentence, re.I)
                else ClauseEffect.GRANTED,
                confidence=0.75,
            )
        )
    if (
        ("agi" in low or "general intelligence" in low)
        and _AGI.search(sentence)
        and _AGI_TERMS.search(sentence)
    ):
        add(ExtractedClause(K.AGI_CLAUSE, quote, subject="agi", confidence=0.7))
    pref = _PREFERRED.search(sentence) if any(k in low for k in _PREFERRED_TRIGGERS) else None
    purpose = _PARTNER_FOR.match(sentence, pref.end()) if pref else None
    if pref and (
        pref.group("what") or purpose or re.search(r"\b(?:cloud|training|compute|model)\b", sentence, re.I)
    ):
        what = (pref.group("what") or (purpose.group(1) if purpose else "") or pref.group("noun")).lower()
        subject = (
            "training"
            if "train" in what
            else "cloud"
            if "cloud" in what
            else "compute"
            if "comput" in what or "infra" in what
            else "models"
            if "model" in what
            else "commercialization"
            if "commerc" in what
            else _subject(sentence, "partner")
        )
        add(ExtractedClause(K.PREFERRED_PROVIDER, quote, subject=subject, confidence=0.75))
    if (
        any(k in low for k in _DISTRIBUTION_TRIGGERS)
        and _DISTRIBUTION.search(sentence)
        and re.search(r"\b(?:models?|Claude|ChatGPT|Gemini|GPT[-\w]*|Llama|Mistral|AI)\b", sentence)
    ):
        add(ExtractedClause(K.MODEL_DISTRIBUTION, quote, confidence=0.6))
    if (
        not any(c.kind == K.CHIPS_SUPPLY for c in found)
        and any(k in low for k in _CHIP_TRIGGERS + ("inferentia",))
        and _CHIP_USE.search(sentence)
    ):
        add(ExtractedClause(K.CHIPS_SUPPLY, quote, subject="chips", confidence=0.55))
    if any(k in low for k in _RESEARCH_TRIGGERS) and _RESEARCH.search(sentence):
        add(ExtractedClause(K.RESEARCH_COLLABORATION, quote, confidence=0.6))
    if "revenue" in low and _REVENUE_SHARE.search(sentence):
        pct = PERCENT.search(sentence)
        add(
            ExtractedClause(
                K.REVENUE_SHARE,
                quote,
                Decimal(pct.group("num")) if pct else None,
                U.PERCENT if pct else "",
                _qualifier(pct, sentence) if pct else "",
                effect=ClauseEffect.REMOVED if removed else ClauseEffect.GRANTED,
                confidence=0.75,
            )
        )
    if (
        any(k in low for k in ("ip", "intellectual", "licen", "content"))
        and _IP.search(sentence)
        and not re.search(r"\bprivacy|open[- ]source|\bMIT\b|Apache\s+2|\bGPL\b", sentence, re.I)
    ):
        add(ExtractedClause(K.IP_LICENSE, quote, subject="ip", confidence=0.6))
    if ("board" in low or "observer" in low) and _BOARD.search(sentence):
        add(ExtractedClause(K.BOARD_RIGHTS, quote, confidence=0.7))
    return found


def term_clauses(sentence: str) -> list[ExtractedClause]:
    """Duration and end year of an agreement, only in sentences about the agreement itself."""
    quote = sentence.strip()[:600]
    found = []
    for match in UNTIL_YEAR.finditer(sentence):
        found.append(
            ExtractedClause(
                K.TERM,
                quote,
                Decimal(match.group("year") or match.group("year2")),
                U.UNTIL_YEAR,
                confidence=0.7,
            )
        )
        break
    match = YEARS.search(sentence)
    if match:
        num = match.group("num") or match.group("num2")
        years = _number(num)
        if 1 <= years <= 30 and not re.search(
            r"-year-old|\byears?\s+(?:ago|old)\b", sentence[match.start() : match.end() + 8]
        ):
            found.append(ExtractedClause(K.TERM, quote, years, U.YEARS, confidence=0.7))
    if not found and MULTI_YEAR.search(sentence):
        found.append(ExtractedClause(K.TERM, quote, confidence=0.6))
    return found
