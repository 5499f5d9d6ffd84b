"""Is it a deal, and of what kind: scores built from the cues a curator would name when asked why.

``judge`` weighs the headline, the lead, the parties found and the clauses read into one
score whose sign says "deal" (its sigmoid is the confidence), then votes on the deal's
kind from the same evidence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from extraction.clauses import ExtractedClause
from extraction.kinds import deal_kind
from extraction.vocabulary import ClauseKind

K = ClauseKind

_DEAL_TITLE = re.compile(
    r"\b(?:partner(?:s|ship|ships|ing|ed)?|invest(?:s|ed|ing|ment|ments)?|acquir\w+|acquisition|agreement|"
    r"alliance|collaborat\w+|deal|stake|gigawatts?|GW|funding|raises?|Series\s+[A-H]|join(?:s)?\s+forces|"
    r"teams?\s+up|memorandum|MOU|contract|award(?:s|ed)?|selects?|chooses|licens\w+|to\s+deploy|"
    r"expand(?:s|ed|ing)?\s+(?:our\s+|its\s+|their\s+)?(?:use|partnership|collaboration|relationship))\b",
    re.IGNORECASE,
)
_NOT_DEAL_TITLE = re.compile(
    r"\b(?:introducing|introduces|release[sd]?|system\s+card|model\s+card|research|report|index|policy|"
    r"policies|hiring|hires?|appoint\w*|joins?(?!\s+forces)|named|welcomes?|opening|opens|office|offices|"
    r"update[sd]?|statement|testimony|safeguards?|safety|economic|education\s+report|how\s+people|"
    r"benchmark|paper|findings|study|lessons|podcast|webinar|event|summit|hackathon|careers?|"
    r"pricing|api\s+updates|now\s+available|available\s+in|comes\s+to|launches|launch|preview|beta|"
    r"fellows?|program|programme|pledge|endors\w+|framework|principles|transparency|commitments)\b",
    re.IGNORECASE,
)
_PERSON_MOVE = re.compile(
    r"\b(?:joins\s+(?:\w+\s+){0,3}as|to\s+join|appointed|named\s+(?:as\s+)?(?:chief|CEO|CTO|CFO|head)|"
    r"board\s+of\s+directors|hires?)\b",
    re.IGNORECASE,
)
_LICENCE = re.compile(r"\blicen[cs]\w*", re.I)
_LEAD_DEAL = re.compile(
    r"\b(?:announc\w+\s+(?:\w+\s+){0,6}(?:partnership|agreement|collaboration|alliance|investment|deal)|"
    r"(?:strategic|multi-?year|expanded|new|long-term|global)\s+(?:\w+\s+)?(?:partnership|agreement|alliance|collaboration)|"
    r"partner(?:ing|s|ed)?\s+with|agreement\s+(?:with|to)|will\s+invest|invest(?:s|ed|ing)?\s+(?:\$|€|£|up\s+to)|"
    r"(?:has|have)\s+(?:signed|entered|reached|awarded)|acquir(?:e|es|ed)\s+[A-Z]|to\s+acquire|"
    r"(?:completed|closed)\s+(?:a|its)\s+\$?\S*\s*(?:funding|financing|Series)|raised?\s+\$|"
    r"(?:are|is)\s+partnering|partner(?:s|ed)?\s+to\s|team(?:s|ed)?\s+up|join(?:s|ed)?\s+forces|"
    r"collaborat\w+\s+with|sign(?:s|ed)?\s+(?:a|an)\s+(?:new\s+)?(?:\w+\s+)?(?:agreement|MOU|MoU|memorandum|contract|deal)|"
    r"letter\s+of\s+intent|term\s+sheet|memorandum\s+of\s+understanding|expand\w*\s+(?:our|its|their)\s+"
    r"(?:use|partnership|collaboration)|deploy\s+(?:\d+(?:\.\d+)?|one|two|six|ten)\s+gigawatts?)\b",
    re.IGNORECASE,
)
# Safety and policy cooperation with institutes and regulators is not a commercial deal.
_SAFETY_POLICY = re.compile(
    r"\b(?:safeguards?|safety|security\s+institute|AISI|CAISI|policy|regulat\w+|evaluations?|red[- ]teaming)\b",
    re.I,
)
# "X partnered with OpenAI to build its assistant using GPT-4o": a customer story.
_CUSTOMER_STORY = re.compile(
    r"\b(?:to\s+build|built\s+(?:with|on)|using|uses|leverag\w+)\s+(?:\w+\s+){0,4}?"
    r"(?:OpenAI|GPT[-\w.]*|ChatGPT|Claude|Gemini|models?|o\d)\b|\bto\s+build\s+[A-Z]",
    re.I,
)
_FUNDING_ROUND = re.compile(
    r"\b(?:raise[sd]?|raising|secures?|closes?)\s+(?:\w+\s+){0,3}?(?:[$€£]\s?\d|\d[\d.,]*\s*[BM]?\s*[€£]|"
    r"Series\s+[A-H]|funding|financing|round)|\bSeries\s+[A-H]\s+(?:funding|round|financing)|\bfunding\s+round\b",
    re.I,
)
_PARTNERSHIP_NOUN = re.compile(r"\b(?:partnership|alliance|agreement|collaboration|joint\s+venture)\b", re.I)
# Clause kinds that only a real deal states.
_STRONG = frozenset(
    {
        K.INVESTMENT,
        K.CONVERTIBLE_NOTE,
        K.COMPUTE_COMMITMENT,
        K.CHIPS_SUPPLY,
        K.EQUITY_STAKE,
        K.WARRANT,
        K.RIGHT_OF_FIRST_REFUSAL,
        K.EXCLUSIVITY,
        K.PREFERRED_PROVIDER,
        K.REVENUE_SHARE,
    }
)

# A sum invested, committed or paid for chips, stated between two named parties.
_SUMS = frozenset({K.INVESTMENT, K.CONVERTIBLE_NOTE, K.EQUITY_STAKE, K.COMPUTE_COMMITMENT, K.CHIPS_SUPPLY})


# Government bodies and agencies as counterparties: ministries, departments, administrations.
_GOVERNMENT = re.compile(
    r"\b(?:Department\s+of|Ministry|Government|Administration|Agency|Commission|Council|GSA|DOE|DoD|DOW|"
    r"Navy|Army|Air\s+Force|NHS|Parliament|OneGov|federal|state\s+of)\b"
)
_FAMILIES = {
    "money": {K.INVESTMENT, K.CONVERTIBLE_NOTE, K.EQUITY_STAKE, K.WARRANT},
    "compute": {K.COMPUTE_COMMITMENT, K.CHIPS_SUPPLY, K.CLOUD_SPEND_BACK, K.DISCOUNTED_COMPUTE},
    "distribution": {K.MODEL_DISTRIBUTION, K.PRODUCT_INTEGRATION, K.MODEL_RELEASE_PARITY},
    "licence": {K.IP_LICENSE},
    "research": {K.RESEARCH_COLLABORATION, K.CHIP_CODESIGN},
    "rights": {K.EXCLUSIVITY, K.PREFERRED_PROVIDER, K.RIGHT_OF_FIRST_REFUSAL, K.REVENUE_SHARE, K.TALENT},
}


@dataclass(frozen=True)
class Verdict:
    is_deal: bool
    confidence: float
    kind: str | None


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _headline_cues(title: str, lead_text: str) -> float:
    """What the headline says: a deal word, or a release, a hire, a policy statement."""
    score = 0.0
    title_deal = bool(_DEAL_TITLE.search(title))
    if title_deal:
        score += 2.0
        if _NOT_DEAL_TITLE.search(title):
            score -= 0.75
    elif _NOT_DEAL_TITLE.search(title):
        score -= 1.5
    if _SAFETY_POLICY.search(title):
        score -= 1.0
    if not title_deal and not _LEAD_DEAL.search(lead_text) and _CUSTOMER_STORY.search(lead_text):
        score -= 1.0
    if _PERSON_MOVE.search(title) and not _LICENCE.search(title):
        score -= 3.0
    if _LEAD_DEAL.search(lead_text):
        score += 1.5
    elif _LEAD_DEAL.search(title):
        score += 1.0
    return score


def _evidence_cues(
    *,
    title: str,
    lead: list[str],
    clauses: list[ExtractedClause],
    party_count: int,
    deal_sentences: int,
    partnership_mentions: int,
    funding_round: bool,
) -> float:
    """What the text holds: two sides, deal terms, sentences that describe a deal."""
    score = 1.0 if party_count >= 2 or (funding_round and party_count == 1) else -2.5
    if any(c.kind in _STRONG for c in clauses):
        score += 0.75
    if deal_sentences >= 3:
        score += 0.5
    if partnership_mentions >= 2:
        score += 0.5
    if any(c.kind == K.MODEL_DISTRIBUTION and (c.quote in lead or c.quote == title) for c in clauses):
        # "X will make Claude available to its 350,000 employees": a deployment deal in the lead.
        score += 0.75
    return score


def classify(
    *,
    title: str,
    lead: list[str],
    clauses: list[ExtractedClause],
    party_count: int,
    deal_sentences: int,
    partnership_mentions: int = 0,
    funding_round: bool = False,
) -> float:
    """A score whose sign says "deal"; each cue is one a curator would name when asked why."""
    # Every weight is a multiple of 0.25, so the sum is exact whatever the grouping.
    return (
        -1.5
        + _headline_cues(title, " ".join(lead))
        + _evidence_cues(
            title=title,
            lead=lead,
            clauses=clauses,
            party_count=party_count,
            deal_sentences=deal_sentences,
            partnership_mentions=partnership_mentions,
            funding_round=funding_round,
        )
    )


def rule_features(
    *,
    title: str,
    lead: list[str],
    prose: list[str],
    clauses: list[ExtractedClause],
    party_count: int,
    deal_sentences: int,
) -> dict[str, float]:
    """The rules' cues as numbers: the learned classifier weighs them next to the words."""
    lead_text = " ".join(lead)
    funding_round = bool(_FUNDING_ROUND.search(" ".join([title, *lead[:1]])))
    mentions = sum(1 for s in prose[:15] if _PARTNERSHIP_NOUN.search(s))
    score = classify(
        funding_round=funding_round,
        title=title,
        lead=lead,
        clauses=clauses,
        party_count=party_count,
        deal_sentences=deal_sentences,
        partnership_mentions=mentions,
    )
    return {
        "rules_score": score / 4,
        "title_deal": float(bool(_DEAL_TITLE.search(title))),
        "title_not_deal": float(bool(_NOT_DEAL_TITLE.search(title))),
        "title_safety_policy": float(bool(_SAFETY_POLICY.search(title))),
        "person_move": float(bool(_PERSON_MOVE.search(title)) and not _LICENCE.search(title)),
        "lead_deal": float(bool(_LEAD_DEAL.search(lead_text))),
        "customer_story": float(bool(_CUSTOMER_STORY.search(lead_text))),
        "funding_round": float(funding_round),
        "two_parties": float(party_count >= 2),
        "one_party": float(party_count == 1),
        "strong_clause": float(any(c.kind in _STRONG for c in clauses)),
        "stated_sum": float(
            party_count >= 2 and any(c.kind in _SUMS and c.amount is not None for c in clauses)
        ),
        "clauses": min(len(clauses), 5) / 5,
        "deal_sentences": min(deal_sentences, 6) / 6,
        "partnership_mentions": min(mentions, 4) / 4,
        "government": float(bool(_GOVERNMENT.search(" ".join([title, lead_text])))),
        **{
            f"clause_{name}": float(any(c.kind in kinds for c in clauses))
            for name, kinds in _FAMILIES.items()
        },
    }


RULE_FEATURES = tuple(rule_features(title="", lead=[], prose=[], clauses=[], party_count=0, deal_sentences=0))


def judge(
    *,
    title: str,
    lead: list[str],
    prose: list[str],
    clauses: list[ExtractedClause],
    party_count: int,
    deal_sentences: int,
    learned: float | None = None,
    threshold: float = 0.5,
    parties: Sequence[str] = (),
) -> Verdict:
    """Deal or not, how sure, and which kind.

    ``learned`` is the deal classifier's probability when one is loaded: it then decides
    (at its ``threshold``, chosen for recall), and a deal needs at least one party. Without it
    the rules' score decides, and a deal needs two sides unless it is a funding round.
    """
    if learned is not None:
        is_deal = learned >= threshold and party_count >= 1
        confidence = learned if is_deal else 1 - learned
    else:
        funding_round = bool(_FUNDING_ROUND.search(" ".join([title, *lead[:1]])))
        score = classify(
            funding_round=funding_round,
            title=title,
            lead=lead,
            clauses=clauses,
            party_count=party_count,
            deal_sentences=deal_sentences,
            partnership_mentions=sum(1 for s in prose[:15] if _PARTNERSHIP_NOUN.search(s)),
        )
        # A deal has two sides; a funding round may name only the company raising it.
        is_deal = score > 0 and (party_count >= 2 or (party_count == 1 and funding_round))
        confidence = _sigmoid(score) if is_deal else 1 - _sigmoid(score)
    kind = deal_kind(title=title, lead=lead, clauses=clauses, parties=parties) if is_deal else None
    return Verdict(is_deal=is_deal, confidence=round(confidence, 3), kind=kind)
