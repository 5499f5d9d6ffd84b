"""The extraction pipeline as pure functions: text in, a candidate deal out, no database.

Kept free of I/O so ``manage.py extract`` and the evaluation harness run it on files,
the service runs it on stored announcements, and the three always agree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from extraction.clauses import ExtractedClause, sentence_clauses, term_clauses
from extraction.dates import find_dateline
from extraction.lexicon import SEED_COMPANIES, KnownCompany
from extraction.parties import _DEAL_SENTENCE, ExtractedParty, company_index, find_parties
from extraction.text import parse_document, split_sentences
from extraction.vocabulary import MONEY_UNITS, POWER_UNITS, ClauseKind, ClauseQualifier, DealKind

K = ClauseKind


@dataclass
class Extraction:
    is_deal: bool
    confidence: float
    kind: str | None
    parties: list[ExtractedParty]
    announced_on: date | None
    clauses: list[ExtractedClause] = field(default_factory=list)
    title: str = ""
    is_expansion: bool = False

    @property
    def headline(self) -> ExtractedClause | None:
        """The deal's headline value: its largest sum of money invested or committed."""
        money = [
            c for c in self.clauses if c.amount is not None and c.unit in MONEY_UNITS and c.kind != K.OTHER
        ] or [c for c in self.clauses if c.amount is not None and c.unit in MONEY_UNITS]
        return max(money, key=lambda c: c.amount, default=None)

    def as_json(self) -> dict:
        return {
            "is_deal": self.is_deal,
            "confidence": round(self.confidence, 3),
            "kind": self.kind,
            "parties": [p.name for p in self.parties],
            "announced_on": self.announced_on.isoformat() if self.announced_on else None,
            "clauses": [
                {
                    key: value
                    for key, value in c.as_dict().items()
                    if key in {"kind", "amount", "unit", "qualifier", "quote"}
                }
                for c in self.clauses
            ],
        }


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
_BACKGROUND = re.compile(
    r"\s*(?:Last\s+(?:week|month|year)|Earlier\s+(?:this|in|that)\b|Previously|Since\s+(?:19|20)\d\d|"
    r"In\s+(?:19|20)\d\d\b|Prior\s+to\b|Back\s+in\b|Over\s+the\s+past\b)",
    re.I,
)
_PARTNERSHIP_NOUN = re.compile(r"\b(?:partnership|alliance|agreement|collaboration|joint\s+venture)\b", re.I)
_EXPANSION = re.compile(
    r"\b(?:next\s+(?:phase|chapter|stage)|(?:second|third|fourth|new)\s+phase|expand\w*|expansion|additional|"
    r"extend\w*|extension|new\s+agreement|deepen\w*|further|follow(?:s|ing)?\s+(?:up|on)|builds?\s+on|"
    r"revised|restructur\w+|renew\w*|another|"
    r"(?:updat\w+|evolv\w+|changes?\s+to|amend\w+|modif\w+)\s+(?:\w+\s+){0,3}(?:partnership|agreement|relationship|contract)|"
    r"(?:partnership|agreement|relationship|contract)\s+(?:update|change)s?)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^\s*(?:About\s+[A-Z][\w.&\- ]{1,40}|Forward[- ]Looking\s+Statements?|Cautionary\s+(?:Note|Statement)\w*|"
    r"Media\s+(?:Contacts?|Inquiries)|Contacts?|Safe\s+Harbor(?:\s+Statement)?)\s*:?\s*$",
    re.MULTILINE,
)
_TERM_CONTEXT = re.compile(
    r"\b(?:agreement|partnership|contract|deal|commitment|rights?|exclusiv\w+|extend\w*|term|collaboration|"
    r"alliance|invest\w*|purchase|deploy\w*|through|remain)\b",
    re.IGNORECASE,
)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


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
    score = -1.5
    title_deal = bool(_DEAL_TITLE.search(title))
    lead_text = " ".join(lead)
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
    if party_count >= 2 or (funding_round and party_count == 1):
        score += 1.0
    else:
        score -= 2.5
    strong = {
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
    if any(c.kind in strong for c in clauses):
        score += 0.75
    if deal_sentences >= 3:
        score += 0.5
    if partnership_mentions >= 2:
        score += 0.5
    if any(c.kind == K.MODEL_DISTRIBUTION and (c.quote in lead or c.quote == title) for c in clauses):
        # "X will make Claude available to its 350,000 employees": a deployment deal in the lead.
        score += 0.75
    return score


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


def _dedupe(clauses: list[ExtractedClause]) -> list[ExtractedClause]:
    # "6 gigawatts of AMD GPUs" in the headline and "a 6 gigawatt agreement" in the body are one term.
    chips_power = {(c.amount, c.unit) for c in clauses if c.kind == K.CHIPS_SUPPLY and c.unit in POWER_UNITS}
    clauses = [
        c
        for c in clauses
        if not (
            c.kind == K.COMPUTE_COMMITMENT and c.unit in POWER_UNITS and (c.amount, c.unit) in chips_power
        )
    ]
    seen = set()
    out = []
    for clause in clauses:
        key = (clause.kind, clause.subject, clause.amount, clause.unit, clause.effect)
        if key in seen or (
            clause.amount is None
            and (clause.kind, clause.subject, None, "", clause.effect) in seen
            and clause.kind not in {K.TERM}
        ):
            continue
        if clause.amount is None and any(
            c.kind == clause.kind and c.subject == clause.subject and c.effect == clause.effect for c in out
        ):
            continue
        seen.add(key)
        out.append(clause)
    return out


def extract_text(
    raw: str,
    *,
    companies: tuple[KnownCompany, ...] = SEED_COMPANIES,
    title: str = "",
    source: str = "",
    published_on: date | None = None,
    publisher: KnownCompany | None = None,
) -> Extraction:
    """Read one announcement (plain text, Markdown or HTML, optional SOURCE/DATE/TITLE header)."""
    document = parse_document(raw, title=title, source=source)
    body = document.body
    boiler = _BOILERPLATE.search(body, 200)
    if boiler:
        body = body[: boiler.start()]
    index = company_index(tuple(companies))
    if publisher is None and document.source:
        publisher = index.publisher_for(document.source)
    sentences = split_sentences(body)
    # Page chrome repeats the headline; keep prose sentences for the lead.
    prose = [s for s in sentences if len(s) > 25 and s.strip() != document.title] or sentences
    lead = [s for s in prose if not _looks_like_heading(s, document.title)][:3]

    clauses: list[ExtractedClause] = []
    deal_sentences = 0
    for sentence in prose:
        if _DEAL_SENTENCE.search(sentence):
            deal_sentences += 1
        if _BACKGROUND.match(sentence):
            continue  # "Last week, we announced..." recounts an earlier deal
        clauses.extend(sentence_clauses(sentence))
        if _TERM_CONTEXT.search(sentence):
            clauses.extend(term_clauses(sentence))
    parties = find_parties(title=document.title, sentences=prose, index=index, publisher=publisher, lead=lead)
    clauses = [c for c in clauses if not _about_someone_else(c.quote, parties, index)]
    if document.title:
        # A headline figure counts only when the body does not state it already.
        stated = {(c.amount, c.unit) for c in clauses if c.amount is not None}
        clauses += [
            c
            for c in sentence_clauses(document.title)
            if c.amount is not None and ((c.amount, c.unit) not in stated or c.kind == K.CHIPS_SUPPLY)
        ]
    clauses = _dedupe(clauses)
    funding_round = bool(_FUNDING_ROUND.search(" ".join([document.title, *lead[:1]])))
    score = classify(
        funding_round=funding_round,
        title=document.title,
        lead=lead,
        clauses=clauses,
        party_count=len(parties),
        deal_sentences=deal_sentences,
        partnership_mentions=sum(1 for s in prose[:15] if _PARTNERSHIP_NOUN.search(s)),
    )
    # A deal has two sides; a funding round may name only the company raising it.
    is_deal = score > 0 and (len(parties) >= 2 or (len(parties) == 1 and funding_round))
    confidence = _sigmoid(score) if is_deal else 1 - _sigmoid(score)
    announced_on = document.header_date or published_on or find_dateline(body)
    kind = deal_kind(title=document.title, lead=lead, clauses=clauses) if is_deal else None
    expansion = bool(_EXPANSION.search(" ".join([document.title, *lead])))
    return Extraction(
        is_deal=is_deal,
        confidence=round(confidence, 3),
        kind=kind,
        parties=parties,
        announced_on=announced_on,
        clauses=clauses if is_deal else [],
        title=document.title,
        is_expansion=expansion,
    )


def _about_someone_else(quote: str, parties: list[ExtractedParty], index) -> bool:
    """ "Amazon remains Anthropic's primary cloud provider" inside a Microsoft deal: another deal's term.

    A sentence whose first named company is not a party, and that names at most one
    party, describes someone else's relationship.
    """
    if index.pattern is None or len(parties) < 2:
        return False
    named = [c.slug for m in index.pattern.finditer(quote) if (c := index.resolve(m.group(1))) is not None]
    if not named:
        return False
    party_slugs = {p.slug for p in parties if p.slug}
    return named[0] not in party_slugs and len(set(named) & party_slugs) <= 1


def _looks_like_heading(sentence: str, title: str) -> bool:
    text = sentence.strip()
    if title and (text.startswith(title[:40]) or title.startswith(text[:40])):
        return True
    return not re.search(r"[.!?:”\"]$", text) and len(text) < 140


def extract_deal_value(extraction: Extraction) -> tuple[Decimal | None, Decimal | None, str]:
    """Deal.value_min / value_max / currency from the headline clause."""
    headline = extraction.headline
    if headline is None:
        return None, None, ""
    if headline.qualifier == ClauseQualifier.UP_TO:
        return None, headline.amount, headline.unit
    if headline.qualifier == ClauseQualifier.AT_LEAST:
        return headline.amount, None, headline.unit
    return headline.amount, headline.amount, headline.unit
