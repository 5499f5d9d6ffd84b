"""Is it a deal, and of what kind: scores built from the cues a curator would name when asked why.

``judge`` weighs the headline, the lead, the parties found and the clauses read into one
score whose sign says "deal" (its sigmoid is the confidence), then votes on the deal's
kind from the same evidence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from extraction.clauses import ExtractedClause
from extraction.vocabulary import ClauseKind, DealKind

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
    if _PERSON_MOVE.search(title):
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


_KIND_CUES: tuple[tuple[str, re.Pattern, float], ...] = (
    (DealKind.ACQUISITION, re.compile(r"\b(?:acquir(?:e|es|ed|ing)|acquisition)\b", re.I), 3.0),
    (
        DealKind.INVESTMENT,
        re.compile(
            r"\b(?:invest(?:s|ed|ing|ment)?|funding|Series\s+[A-H]|raises?|stake|"
            r"recapitaliz\w+|convertible)\b",
            re.I,
        ),
        1.0,
    ),
    (DealKind.CHIPS, re.compile(r"\b(?:GPUs?|chips?|accelerators?|silicon|racks)\b", re.I), 1.0),
    (
        DealKind.COMPUTE,
        re.compile(
            r"\b(?:gigawatts?|GW|data\s*cent(?:er|re)s?|compute|TPUs?|capacity|"
            r"infrastructure|supercomput\w+)\b",
            re.I,
        ),
        0.7,
    ),
    (
        DealKind.CLOUD,
        re.compile(r"\b(?:cloud\s+provider|cloud\s+services|cloud)\b", re.I),
        0.6,
    ),
    (
        DealKind.LICENSING,
        re.compile(
            r"\b(?:licen[cs]\w*|content|IP\s+rights|characters|archives?|news|journalism|"
            r"publishers?|media\s+brands)\b",
            re.I,
        ),
        1.0,
    ),
    (
        DealKind.DISTRIBUTION,
        re.compile(
            r"\b(?:available|bring\w*|integrat\w+|distribut\w+|deploy\w*\s+Claude|"
            r"employees|customers|platform|resell\w*|go-to-market|agents?)\b",
            re.I,
        ),
        0.4,
    ),
    (
        DealKind.RESEARCH,
        re.compile(r"\b(?:research|scientific|science|laborator\w+|prototype|jointly\s+develop)\b", re.I),
        0.6,
    ),
)
_CLAUSE_KIND_VOTES = {
    K.INVESTMENT: (DealKind.INVESTMENT, 1.5),
    K.EQUITY_STAKE: (DealKind.INVESTMENT, 1.5),
    K.COMPUTE_COMMITMENT: (DealKind.COMPUTE, 1.2),
    K.CHIPS_SUPPLY: (DealKind.CHIPS, 1.4),
    K.WARRANT: (DealKind.CHIPS, 0.5),
    K.MODEL_DISTRIBUTION: (DealKind.DISTRIBUTION, 1.0),
    K.RESEARCH_COLLABORATION: (DealKind.RESEARCH, 0.6),
    K.IP_LICENSE: (DealKind.LICENSING, 0.6),
    K.RIGHT_OF_FIRST_REFUSAL: (DealKind.CLOUD, 1.0),
    K.EXCLUSIVITY: (DealKind.CLOUD, 0.5),
}


def deal_kind(*, title: str, lead: list[str], clauses: list[ExtractedClause]) -> str:
    scores: dict[str, float] = {}
    for kind, pattern, weight in _KIND_CUES:
        scores[kind] = 3 * weight * len(pattern.findall(title)) + weight * len(
            pattern.findall(" ".join(lead))
        )
    for clause in clauses:
        vote = _CLAUSE_KIND_VOTES.get(clause.kind)
        if vote is None:
            if clause.kind == K.PREFERRED_PROVIDER:
                vote = (
                    DealKind.CLOUD if clause.subject in {"cloud", "training"} else DealKind.COMPUTE,
                    1.0,
                )
            else:
                continue
        kind, weight = vote
        if kind == DealKind.COMPUTE and re.search(r"\bcloud\b", clause.quote, re.I):
            kind = DealKind.CLOUD
        scores[kind] = scores.get(kind, 0.0) + weight
    best = max(scores.items(), key=lambda item: item[1])
    return best[0] if best[1] > 0 else DealKind.OTHER


def judge(
    *,
    title: str,
    lead: list[str],
    prose: list[str],
    clauses: list[ExtractedClause],
    party_count: int,
    deal_sentences: int,
) -> Verdict:
    """Deal or not, how sure, and which kind."""
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
    kind = deal_kind(title=title, lead=lead, clauses=clauses) if is_deal else None
    return Verdict(is_deal=is_deal, confidence=round(confidence, 3), kind=kind)
