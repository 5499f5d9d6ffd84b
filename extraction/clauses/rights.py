"""Clause families read from wording: rights, exclusivity, preferred providers, uses, licences, seats.

Each family reads one ``Sentence`` and returns the clauses it states, given the clauses
earlier families found in it. A right the sentence takes away ("no longer has a right of
first refusal") is a clause with the effect ``removed``, so phases can be compared.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extraction.clauses.base import CHIP_TRIGGERS, REVENUE_SHARE, ExtractedClause, Sentence
from extraction.figures import PERCENT, qualifier_of
from extraction.vocabulary import ClauseEffect, ClauseKind, ClauseUnit

K = ClauseKind
U = ClauseUnit

_EXCLUSIVE = re.compile(r"\bexclusiv(?:e|ely|ity)\b", re.I)
_NON_EXCLUSIVE = re.compile(r"\bnon-?exclusive\b", re.I)
_ROFR = re.compile(r"\bright\s+of\s+first\s+refusal\b|\bROFR\b", re.I)
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
    r"Models[- ]as[- ]a[- ]Service|distribution\s+partner|"
    r"offer(?:s|ing)?\s+(?:\w+\s+){0,4}models?\s+to|deploy(?:s|ing)?\s+(?:\w+['’]s\s+)?models?\s+across|"
    r"resell\w*|marketplace|go-to-market|roll(?:s|ing)?\s+out\s+(?:\w+\s+){0,4}to|"
    r"(?:company|enterprise|organi[sz]ation|firm|government)-wide\s+(?:use|rollout|deployment|adoption)\s+of|"
    r"(?:use|rollout|deployment|adoption)\s+of\s+(?:ChatGPT|Claude|Gemini|Grok|Le\s+Chat|Perplexity)\s+Enterprise|"
    # "deploy Claude to up to 350,000 employees", "deploying Claude Code across its engineering"
    r"deploy(?:s|ed|ing)?\s+(?:\w+\s+){0,2}?(?:Claude|ChatGPT|Gemini|Grok|Le\s+Chat|Copilot)\b(?:\s+[\w-]+){0,4}?"
    r"\s+(?:to|across|into|throughout)\b|"
    r"available\s+to\s+(?:more\s+than\s+|over\s+|up\s+to\s+|all\s+)?(?:[\d,.]+|its|their)\b|"
    r"will\s+be\s+(?:using|able\s+to\s+(?:access|use|build\s+(?:on|with)))\b|build\s+on\s+top\s+of)",
    re.I,
)
_RESEARCH = re.compile(
    r"\b(?:research\s+(?:partnership|collaboration|program)|joint\s+(?:research|R&D)|jointly\s+develop\w*|"
    r"co-?develop\w*|co-?design\w*|collaborat\w+\s+(?:\w+\s+){0,5}(?:on|to\s+develop|to\s+build)\s+"
    r"(?:\w+\s+){0,3}(?:research|models?|chips?|accelerators?|technolog\w+|supercomput\w+|design|engineering|"
    r"systems|and\s+operate)|co-?optimiz\w+|"
    r"jointly\s+(?:build|create|design)\w*|"
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
_IP = re.compile(
    r"\b(?:IP\s+rights|rights\s+to\s+(?:\w+(?:['’]s)?\s+)?(?:IP|intellectual\s+property|models?|technology)|"
    r"intellectual\s+property|licen[cs](?:e|es|ed|ing)\b|content\s+partnership|"
    # A publisher's content brought into a model's answers: "bringing the FT's journalism to ChatGPT".
    r"(?:news|journalism|content|reporting|articles|archives?)\s+(?:[\w’'-]+\s+){0,4}?(?:to|into|in|within)\s+"
    r"(?:ChatGPT|Claude|Le\s+Chat|Gemini|Perplexity|Grok|Copilot|Meta\s+AI|our\s+products)|"
    r"(?:bring\w*|integrat\w*|summar\w+\s+of)\s+(?:[\w’'-]+\s+){0,6}?(?:news|journalism|reporting)\b|"
    r"access\s+to\s+(?:[\w’'()“”-]+\s+){0,5}?(?:content|archives?)\b|(?:use|licensing)\s+of\s+(?:\w+\s+){0,3}"
    r"content\s+from)",
    re.I,
)
_BOARD = re.compile(r"\b(?:board\s+seat|seat\s+on\s+(?:the|its)\s+board)\b", re.I)
_OBSERVER = re.compile(r"\bobserver\b", re.I)
_SUBJECTS = (
    ("api", re.compile(r"\bAPI\b")),
    ("ip", re.compile(r"\b(?:IP|intellectual\s+property)\b")),
    ("training", re.compile(r"\btrain(?:ing)?\b", re.I)),
    ("compute", re.compile(r"\b(?:compute|capacity|infrastructure|data\s*cent(?:er|re)s?)\b", re.I)),
    ("cloud", re.compile(r"\b(?:cloud|Azure|AWS|workloads)\b", re.I)),
    ("models", re.compile(r"\bmodels?\b", re.I)),
)
_EXCLUSIVE_CONTENT = re.compile(
    r"\bexclusive\s+(?:interview|content|access\s+to\s+(?:events?|features?))\b", re.I
)
_CHIP_DESIGN = re.compile(
    r"\b(?:co-?design\w*|design\s+and\s+engineering|optimi[sz]\w*)\b(?=.*\b(?:chips?|accelerators?|silicon|"
    r"architectures?|hardware)\b)",
    re.I,
)
_NO_LONGER = re.compile(r"\bno\s+longer\b", re.I)
_PREFERRED_OF = re.compile(r"\b(?:cloud|training|compute|model)\b", re.I)
_MODEL_NAMES = re.compile(r"\b(?:models?|Claude|ChatGPT|Gemini|GPT[-\w]*|Llama|Mistral|AI)\b")
_OPEN_LICENCE = re.compile(r"\bprivacy|open[- ]source|\bMIT\b|Apache\s+2|\bGPL\b", re.I)
# Cheap substring gates: most sentences state no clause, and skipping their regexes keeps
# the extractor above 100 announcements a second.
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
    "wide",
    "enterprise",
    "using",
    "able to",
    "on top of",
)
_RESEARCH_TRIGGERS = ("research", "r&d", "develop", "design", "collaborat", "optimiz", "jointly")
_IP_TRIGGERS = ("ip", "intellectual", "licen", "content", "news", "journalism", "reporting", "archive")


def _subject(sentence: str, default: str = "") -> str:
    for name, pattern in _SUBJECTS:
        if pattern.search(sentence):
            return name
    return default


def _effect(removed: bool) -> str:
    return ClauseEffect.REMOVED if removed else ClauseEffect.GRANTED


def right_of_first_refusal(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if ("refusal" in s.low or "rofr" in s.low) and _ROFR.search(s.text):
        subject = _subject(s.text, "compute")
        return [
            ExtractedClause(
                K.RIGHT_OF_FIRST_REFUSAL, s.quote, subject=subject, effect=_effect(s.removed), confidence=0.85
            )
        ]
    return []


def exclusivity(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if (
        "exclusiv" in s.low
        and _EXCLUSIVE.search(s.text)
        and not _NON_EXCLUSIVE.search(s.text)
        and not _EXCLUSIVE_CONTENT.search(s.text)
    ):
        effect = _effect(bool(_NO_LONGER.search(s.text)))
        return [
            ExtractedClause(
                K.EXCLUSIVITY, s.quote, subject=_subject(s.text, ""), effect=effect, confidence=0.75
            )
        ]
    return []


def agi_clause(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if (
        ("agi" in s.low or "general intelligence" in s.low)
        and _AGI.search(s.text)
        and _AGI_TERMS.search(s.text)
    ):
        return [ExtractedClause(K.AGI_CLAUSE, s.quote, subject="agi", confidence=0.7)]
    return []


def _preferred_subject(what: str, sentence: str) -> str:
    if "train" in what:
        return "training"
    if "cloud" in what:
        return "cloud"
    if "comput" in what or "infra" in what:
        return "compute"
    if "model" in what:
        return "models"
    if "commerc" in what:
        return "commercialization"
    return _subject(sentence, "partner")


def preferred_provider(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """ "Primary cloud provider", "preferred partner for commercializing": what the preference is for."""
    pref = _PREFERRED.search(s.text) if any(k in s.low for k in _PREFERRED_TRIGGERS) else None
    if pref is None:
        return []
    purpose = _PARTNER_FOR.match(s.text, pref.end())
    if not (pref.group("what") or purpose or _PREFERRED_OF.search(s.text)):
        return []
    what = (pref.group("what") or (purpose.group(1) if purpose else "") or pref.group("noun")).lower()
    subject = _preferred_subject(what, s.text)
    return [ExtractedClause(K.PREFERRED_PROVIDER, s.quote, subject=subject, confidence=0.75)]


def model_distribution(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if (
        any(k in s.low for k in _DISTRIBUTION_TRIGGERS)
        and _DISTRIBUTION.search(s.text)
        and _MODEL_NAMES.search(s.text)
    ):
        return [ExtractedClause(K.MODEL_DISTRIBUTION, s.quote, confidence=0.6)]
    return []


def chip_use(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """Chips a deal supplies or runs on, named without a count, when no chip supply was read."""
    if (
        not any(c.kind == K.CHIPS_SUPPLY for c in found)
        and any(k in s.low for k in (*CHIP_TRIGGERS, "inferentia"))
        and _CHIP_USE.search(s.text)
    ):
        return [ExtractedClause(K.CHIPS_SUPPLY, s.quote, subject="chips", confidence=0.55)]
    return []


def research_collaboration(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if any(k in s.low for k in _RESEARCH_TRIGGERS) and _RESEARCH.search(s.text):
        if _CHIP_DESIGN.search(s.text):
            return []  # chips designed together: a chip co-design clause
        return [ExtractedClause(K.RESEARCH_COLLABORATION, s.quote, confidence=0.6)]
    return []


def revenue_share(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """A share of revenue, with its percentage when the sentence gives one."""
    if "revenue" not in s.low or not REVENUE_SHARE.search(s.text):
        return []
    pct = PERCENT.search(s.text)
    return [
        ExtractedClause(
            K.REVENUE_SHARE,
            s.quote,
            Decimal(pct.group("num")) if pct else None,
            U.PERCENT if pct else "",
            qualifier_of(pct, s.text) if pct else "",
            effect=_effect(s.removed),
            confidence=0.75,
        )
    ]


def ip_license(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    """Rights to intellectual property or content; an open-source licence is not a deal term."""
    if any(k in s.low for k in _IP_TRIGGERS) and _IP.search(s.text) and not _OPEN_LICENCE.search(s.text):
        return [ExtractedClause(K.IP_LICENSE, s.quote, subject="ip", confidence=0.6)]
    return []


def board_rights(s: Sentence, found: list[ExtractedClause]) -> list[ExtractedClause]:
    if "board" in s.low and _BOARD.search(s.text) and not _OBSERVER.search(s.text):
        return [ExtractedClause(K.BOARD_RIGHTS, s.quote, confidence=0.7)]
    return []
