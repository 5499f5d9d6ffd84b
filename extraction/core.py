"""The extraction pipeline as pure functions: text in, a candidate deal out, no database.

Kept free of I/O so ``manage.py extract`` and the evaluation harness run it on files,
the service runs it on stored announcements, and the three always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from extraction.classifier import DealClassifier, classifier_text
from extraction.classify import judge, rule_features
from extraction.clauses import ExtractedClause, sentence_clauses, term_clauses
from extraction.dates import find_dateline
from extraction.direction import with_direction
from extraction.lexicon import SEED_COMPANIES, KnownCompany
from extraction.parties import (
    BACKGROUND,
    DEAL_SENTENCE,
    CompanyIndex,
    ExtractedParty,
    company_index,
    find_parties,
)
from extraction.text import Document, parse_document, split_sentences
from extraction.tranches import with_basis_and_tranches
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


_BACKGROUND = BACKGROUND
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


@dataclass(frozen=True)
class _Reading:
    """An announcement as the steps read it: its document, body without boilerplate, prose and lead."""

    document: Document
    body: str
    prose: list[str]
    lead: list[str]


def _read(raw: str, *, title: str, source: str) -> _Reading:
    document = parse_document(raw, title=title, source=source)
    body = document.body
    boiler = _BOILERPLATE.search(body, 200)
    if boiler:
        body = body[: boiler.start()]
    sentences = split_sentences(body)
    # Page chrome repeats the headline; keep prose sentences for the lead.
    prose = [s for s in sentences if len(s) > 25 and not _repeats_title(s, document.title)] or sentences
    lead = [s for s in prose if not _looks_like_heading(s, document.title)][:3]
    return _Reading(document=document, body=body, prose=prose, lead=lead)


def _body_clauses(prose: list[str]) -> tuple[list[ExtractedClause], int]:
    """The clauses the prose states, and how many of its sentences describe a deal."""
    clauses: list[ExtractedClause] = []
    deal_sentences = 0
    for sentence in prose:
        if DEAL_SENTENCE.search(sentence):
            deal_sentences += 1
        if _BACKGROUND.match(sentence):
            continue  # "Last week, we announced..." recounts an earlier deal
        clauses.extend(sentence_clauses(sentence))
        if _TERM_CONTEXT.search(sentence):
            clauses.extend(term_clauses(sentence))
    return clauses, deal_sentences


def _headline_clauses(title: str, body_clauses: list[ExtractedClause]) -> list[ExtractedClause]:
    """A headline term counts only when the body does not state it already."""
    if not title:
        return []
    stated = {(c.amount, c.unit) for c in body_clauses if c.amount is not None}
    kinds = {c.kind for c in body_clauses}
    return [
        c
        for c in sentence_clauses(title)
        if (c.amount is not None and ((c.amount, c.unit) not in stated or c.kind == K.CHIPS_SUPPLY))
        or (c.amount is None and c.kind not in kinds)
    ]


# The term a deal of each kind states even when its text names no other: a distribution
# deal distributes a model, a licensing deal licenses content, an investment invests.
_IMPLIED = {
    DealKind.DISTRIBUTION: (K.MODEL_DISTRIBUTION, {K.MODEL_DISTRIBUTION, K.PRODUCT_INTEGRATION}),
    DealKind.LICENSING: (K.IP_LICENSE, {K.IP_LICENSE}),
    DealKind.RESEARCH: (K.RESEARCH_COLLABORATION, {K.RESEARCH_COLLABORATION, K.CHIP_CODESIGN}),
    DealKind.INVESTMENT: (K.INVESTMENT, {K.INVESTMENT, K.CONVERTIBLE_NOTE, K.EQUITY_STAKE}),
    DealKind.COMPUTE: (K.COMPUTE_COMMITMENT, {K.COMPUTE_COMMITMENT, K.CHIPS_SUPPLY}),
    DealKind.CHIPS: (K.CHIPS_SUPPLY, {K.CHIPS_SUPPLY, K.CHIP_CODESIGN}),
}


def _implied_clause(kind: str | None, clauses: list[ExtractedClause], title: str) -> list[ExtractedClause]:
    """The deal kind's own term, quoted from the headline, when no clause of that family was read."""
    implied = _IMPLIED.get(kind)
    if implied is None or not title or any(c.kind in implied[1] for c in clauses):
        return []
    return [ExtractedClause(implied[0], title[:600], confidence=0.4)]


@dataclass(frozen=True)
class _Evidence:
    """What one announcement states, before the verdict: its reading, parties, clauses and cues."""

    read: _Reading
    parties: list[ExtractedParty]
    clauses: list[ExtractedClause]
    deal_sentences: int
    publisher: KnownCompany | None
    index: CompanyIndex

    def rules(self) -> dict[str, float]:
        return rule_features(
            title=self.read.document.title,
            lead=self.read.lead,
            prose=self.read.prose,
            clauses=self.clauses,
            party_count=len(self.parties),
            deal_sentences=self.deal_sentences,
        )

    def words(self) -> str:
        return classifier_text(self.read.document.title, self.read.lead, self.read.prose)


def _evidence(raw: str, *, companies, title: str, source: str, publisher: KnownCompany | None) -> _Evidence:
    read = _read(raw, title=title, source=source)
    title = read.document.title
    index = company_index(tuple(companies))
    if publisher is None and read.document.source:
        publisher = index.publisher_for(read.document.source)
    clauses, deal_sentences = _body_clauses(read.prose)
    parties = find_parties(
        title=title, sentences=read.prose, index=index, publisher=publisher, lead=read.lead
    )
    clauses = [c for c in clauses if not _about_someone_else(c.quote, parties, index)]
    clauses = _dedupe(clauses + _headline_clauses(title, clauses))
    return _Evidence(read, parties, clauses, deal_sentences, publisher, index)


@dataclass(frozen=True)
class ClassifierInput:
    """One text as the deal classifier reads it: its words and the rules' cues (training uses this)."""

    text: str
    rules: dict[str, float]


def classifier_input(
    raw: str,
    *,
    companies: tuple[KnownCompany, ...] = SEED_COMPANIES,
    title: str = "",
    source: str = "",
    publisher: KnownCompany | None = None,
) -> ClassifierInput:
    evidence = _evidence(raw, companies=companies, title=title, source=source, publisher=publisher)
    return ClassifierInput(text=evidence.words(), rules=evidence.rules())


def extract_text(
    raw: str,
    *,
    companies: tuple[KnownCompany, ...] = SEED_COMPANIES,
    title: str = "",
    source: str = "",
    published_on: date | None = None,
    publisher: KnownCompany | None = None,
    classifier: DealClassifier | None = None,
) -> Extraction:
    """Read one announcement (plain text, Markdown or HTML, optional SOURCE/DATE/TITLE header).

    With a ``classifier`` the learned model decides whether it is a deal; without one, the rules.
    """
    evidence = _evidence(raw, companies=companies, title=title, source=source, publisher=publisher)
    read, parties, clauses = evidence.read, evidence.parties, evidence.clauses
    title = read.document.title
    learned = classifier.probability(evidence.words(), evidence.rules()) if classifier else None
    verdict = judge(
        title=title,
        lead=read.lead,
        prose=read.prose,
        clauses=clauses,
        party_count=len(parties),
        deal_sentences=evidence.deal_sentences,
        learned=learned,
        threshold=classifier.threshold if classifier else 0.5,
        parties=[p.name for p in parties],
    )
    return Extraction(
        is_deal=verdict.is_deal,
        confidence=verdict.confidence,
        kind=verdict.kind,
        parties=parties,
        announced_on=read.document.header_date or published_on or find_dateline(read.body),
        clauses=_deal_terms(
            verdict, clauses, parties, title=title, publisher=evidence.publisher, index=evidence.index
        ),
        title=title,
        is_expansion=bool(_EXPANSION.search(" ".join([title, *read.lead]))),
    )


_BOUGHT = frozenset({DealKind.ACQUISITION, DealKind.ACQUIHIRE})


def _deal_terms(verdict, clauses, parties, *, title: str, publisher, index) -> list[ExtractedClause]:
    """A deal's clauses with direction, basis and tranches; none at all when the text is not a deal."""
    if not verdict.is_deal:
        return []
    if verdict.kind in _BOUGHT:
        # An acquired product built into the buyer's is what buying it means, not a term of it.
        clauses = [c for c in clauses if c.kind != K.PRODUCT_INTEGRATION]
    clauses = clauses + _implied_clause(verdict.kind, clauses, title)
    clauses = with_direction(clauses, parties, publisher=publisher, index=index)
    return with_basis_and_tranches(clauses)


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


_SITE_SUFFIX = re.compile(r"\s*(?:[\\|\u2013\u2014-]\s*[\w .&]{0,40})?$")


def _repeats_title(sentence: str, title: str) -> bool:
    """The headline again, maybe with the site's name ("<title> \\ Anthropic", "<title> | OpenAI")."""
    text = sentence.strip()
    return bool(title) and text.startswith(title) and bool(_SITE_SUFFIX.fullmatch(text[len(title) :]))


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
