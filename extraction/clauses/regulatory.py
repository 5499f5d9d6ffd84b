"""Clause families that competition authorities look at in AI partnerships.

The FTC's January 2025 staff report and the UK CMA's inquiries single out terms beyond money
and compute: products placed inside the partner's products, hiring of a partner's staff,
discounted or free compute, investment spent back on the investor's cloud, convertible
notes and non-voting stock, board observers, consultation and information rights, chips
designed together, and access to new models on the day they are released. Each family reads
one ``Sentence`` and returns the clauses it states; none reads an amount (the money families
do, and ``convertible_note`` re-kinds a money clause read from a convertible note).
"""

from __future__ import annotations

import re

from extraction.clauses.base import ExtractedClause, Sentence
from extraction.vocabulary import ClauseKind

K = ClauseKind

_HOST_PRODUCTS = (
    r"ChatGPT|Claude|Copilot|GitHub\s+Copilot|Microsoft\s+365|Foundry|Slack|Siri|Apple\s+Intelligence|"
    r"Comet|Excel|PowerPoint|Agentforce|Alexa\+?|Gemini|Le\s+Chat|Chrome|Android|iOS|macOS|Windows|"
    r"Office|Teams|Sora|Grok|WhatsApp|Messenger|Instagram|Telegram|Galaxy|Xcode|Snowflake\s+Intelligence"
)
_PLACED_IN = r"GitHub\s+Copilot|Microsoft\s+365\s+Copilot|Copilot|Siri|Slack|Excel|PowerPoint|Comet|Joule|Alexa\+?|Agentforce"
_INTEGRATION = re.compile(
    r"\b(?:integrat\w*\s+(?:[\w’'-]+\s+){0,6}?(?:into|inside|within)\b|"
    r"(?:pre-?install\w*|pre-?load\w*|built\s+(?:right\s+)?into|embedded\s+(?:in|into)|natively\s+(?:in|into)|"
    r"default\s+(?:search|assistant|model|AI)|integration\s+(?:of|with|into))|"
    r"(?:apps?|integration|experiences?|connectors?)\s+(?:in|to|inside|within|for)\s+(?:"
    + _HOST_PRODUCTS
    + r")\b|"
    r"\b(?:into|inside|within)\s+(?:the\s+)?(?:" + _HOST_PRODUCTS + r")\b|"
    r"\b(?:in|on)\s+(?:" + _PLACED_IN + r")\b|"
    r"\bacross\s+(?:\w+['’]s\s+)?(?:" + _PLACED_IN + r")\b)",
    re.I,
)
_INTEGRATION_TRIGGERS = (
    "integrat", "install", "built", "embed", "native", "default", " in ", " on ", "into", "app", "across",
)  # fmt: skip
_TALENT = re.compile(
    r"\b(?:acqui-?hire\w*|hir(?:e|es|ed|ing)\s+(?:[\w’'-]+\s+){0,5}?(?:team|staff|employees|researchers|"
    r"engineers|founders?|co-?founders?|talent)|(?:team|founders?|co-?founders?|employees|staff|researchers)\s+"
    r"(?:\w+\s+){0,3}(?:will\s+)?join(?:s|ing)?\b|join(?:s|ing)?\s+(?:\w+\s+){0,3}as\s+(?:\w+\s+){0,2}"
    r"(?:CEO|CTO|chief|head|president)|(?:to\s+become|become|becomes|step\w*\s+into\s+a\s+new\s+role\s+as)\s+"
    r"(?:the\s+)?(?:CTO|CEO|chief|head|VP)\b|"
    # "welcome some top AI coding talent from X's team", "bringing onboard X's Chief Executive"
    r"(?:welcom\w+|bring\w*\s+on\s*board)\s+(?:[\w’'-]+\s+){0,6}?(?:talent|team|colleagues|researchers|"
    r"engineers|chief|CEO|founders?)|along\s+with\s+(?:a\s+)?(?:small\s+)?(?:number\s+of\s+)?"
    r"(?:his|her|their)\s+colleagues|team\b(?:[^.]{0,80}?)\bwill\s+(?:now\s+)?merge\s+with)",
    re.I,
)
_TALENT_CONTEXT = re.compile(
    r"\b(?:acqui\w+|licen[cs]\w*|deal|agreement|join\w*|hire\w*|welcom\w+|onboard|on\s+board|merge)\b", re.I
)
_DISCOUNT = re.compile(
    r"\b(?:at\s+(?:essentially\s+|virtually\s+)?no\s+cost|free\s+of\s+charge|at\s+no\s+charge|for\s+\$1\b|"
    r"for\s+(?:one|a)\s+dollar|\$1\s+per\s+(?:agency|year)|discount\w*|(?:cloud|compute|API|usage)\s+credits|"
    r"credits\s+(?:for|to|worth)|at\s+(?:a\s+)?reduced\s+(?:price|cost|rate)s?|nominal\s+(?:fee|cost)|"
    r"below[- ]market\s+(?:price|rate)s?)",
    re.I,
)
_DISCOUNT_TRIGGERS = (
    "cost",
    "discount",
    "credit",
    "$1",
    "free",
    "dollar",
    "charge",
    "reduced",
    "nominal",
    "below",
)
_SPEND_BACK = re.compile(
    r"\b(?:(?:use|uses|using|spend|spent|spending)\s+(?:\w+\s+){0,8}?(?:on|with|for)\s+(?:\w+['’]s\s+)?"
    r"(?:\w+\s+){0,2}(?:cloud|Azure|AWS|Google\s+Cloud|compute|infrastructure)|in\s+the\s+form\s+of\s+"
    r"(?:\w+\s+){0,2}(?:cloud\s+)?(?:credits|compute|computing\s+resources))",
    re.I,
)
_INVEST = re.compile(r"\b(?:invest\w*|funding|capital|financ\w+)\b", re.I)
_CONVERTIBLE = re.compile(
    r"\bconvertible\s+(?:promissory\s+)?(?:notes?|debt|loans?|bonds?|securities)\b", re.I
)
_NON_VOTING = re.compile(
    r"\bnon-?voting\s+(?!(?:board\s+)?observer)(?:\w+\s+){0,2}(?:stock|shares|equity|stake|interest|"
    r"securities|preferred)|\b(?:no|without)\s+voting\s+(?:rights|power)|\bdoes\s+not\s+(?:carry|have)\s+"
    r"(?:any\s+)?voting",
    re.I,
)
_OBSERVER = re.compile(
    r"\b(?:board\s+observer|observer\s+seat|non-?voting\s+(?:board\s+)?observer|observer\s+(?:role|status|"
    r"position)\s+on|observer\s+on\s+(?:the|its)\s+board)\b",
    re.I,
)
_CONSULTATION = re.compile(
    r"\b(?:(?:consultation|information|notification|inspection|approval|consent|veto)\s+rights?|"
    r"right\s+to\s+be\s+(?:consulted|informed|notified)|first\s+notification|(?:prior|advance)\s+notice\s+"
    r"(?:of|before)|must\s+consult|consult\s+with\s+\w+\s+(?:before|prior))",
    re.I,
)
_CODESIGN = re.compile(
    r"\b(?:co-?design\w*|jointly\s+design\w*|design\s+and\s+engineering\s+(?:partnership|collaboration)|"
    r"collaborat\w+\s+on\s+(?:\w+\s+){0,2}design\s+and\s+engineering|co-?develop\w*\s+(?:[\w-]+\s+){0,8}?"
    r"(?:chips?|accelerators?|silicon|processors?|systems|hardware)|(?:custom|in-house)\s+(?:AI\s+)?"
    r"(?:chips?|accelerators?|silicon|processors?)|optimi[sz]\w*\s+(?:[\w’'-]+\s+){0,6}?(?:architectures?|"
    r"hardware|chips?|silicon)|"
    # "the development and optimization of future generations of Trainium accelerators"
    r"development\s+(?:and\s+optimi[sz]ation\s+)?of\s+(?:future|next)[\w\s-]{0,40}?"
    r"(?:chips?|accelerators?|silicon|Trainium|Inferentia|TPUs?))\b",
    re.I,
)
_CHIP_WORDS = re.compile(
    r"\b(?:chips?|accelerators?|silicon|architectures?|GPUs?|TPUs?|hardware|processors?)\b", re.I
)
_PARITY = re.compile(
    r"\b(?:(?:same|first)\s+day|simultaneous(?:ly)?|at\s+the\s+same\s+time\s+as|day[- ](?:one|zero|0|1))\b"
    r"(?:[^.]{0,80})\b(?:models?|release[sd]?|launch\w*)|\b(?:release|model)\s+parity\b|\bas\s+soon\s+as\s+"
    r"(?:they\s+are|it\s+is|they['’]re)\s+(?:released|launched|available)|\baccess\s+to\s+(?:new|future|the\s+"
    r"latest)\s+(?:\w+\s+)?models\s+(?:at|on)\s+(?:launch|release)",
    re.I,
)


def product_integration(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """A product placed inside another's product: "ChatGPT integrated into Siri", "Claude in Copilot"."""
    if any(k in s.low for k in _INTEGRATION_TRIGGERS) and _INTEGRATION.search(s.text):
        return [ExtractedClause(K.PRODUCT_INTEGRATION, s.quote, confidence=0.6)]
    return []


def talent(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """Staff of one company moving to the other as part of the deal (an acqui-hire, a licence-and-hire)."""
    if not any(
        k in s.low for k in ("hir", "join", "become", "role", "welcom", "board", "colleagues", "merge")
    ):
        return []
    if _TALENT.search(s.text) and _TALENT_CONTEXT.search(s.text):
        return [ExtractedClause(K.TALENT, s.quote, confidence=0.55)]
    return []


def discounted_compute(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if any(k in s.low for k in _DISCOUNT_TRIGGERS) and _DISCOUNT.search(s.text):
        return [ExtractedClause(K.DISCOUNTED_COMPUTE, s.quote, confidence=0.55)]
    return []


def cloud_spend_back(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """Investment to be spent on the investor's own cloud."""
    if _INVEST.search(s.text) and _SPEND_BACK.search(s.text):
        return [ExtractedClause(K.CLOUD_SPEND_BACK, s.quote, confidence=0.55)]
    return []


def convertible_note(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """A convertible note: the money it carries is read by the money family; without one, the note alone."""
    if "convertible" not in s.low or not _CONVERTIBLE.search(s.text):
        return []
    if any(c.kind == K.CONVERTIBLE_NOTE for c in found):
        return []
    return [ExtractedClause(K.CONVERTIBLE_NOTE, s.quote, confidence=0.6)]


def non_voting(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if "voting" in s.low and _NON_VOTING.search(s.text):
        return [ExtractedClause(K.NON_VOTING, s.quote, confidence=0.7)]
    return []


def board_observer(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if "observer" in s.low and _OBSERVER.search(s.text):
        return [ExtractedClause(K.BOARD_OBSERVER, s.quote, confidence=0.7)]
    return []


def consultation_rights(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if (
        "right" in s.low or "notif" in s.low or "notice" in s.low or "consult" in s.low
    ) and _CONSULTATION.search(s.text):
        return [ExtractedClause(K.CONSULTATION_RIGHTS, s.quote, confidence=0.6)]
    return []


def chip_codesign(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """Chips or systems designed together ("co-design", "optimizing future architectures for")."""
    if _CODESIGN.search(s.text) and _CHIP_WORDS.search(s.text):
        return [ExtractedClause(K.CHIP_CODESIGN, s.quote, confidence=0.6)]
    return []


def model_release_parity(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """Access to the partner's new models as soon as they are released."""
    if any(k in s.low for k in ("day", "same", "parity", "soon", "simultan", "launch")) and _PARITY.search(
        s.text
    ):
        return [ExtractedClause(K.MODEL_RELEASE_PARITY, s.quote, confidence=0.55)]
    return []
