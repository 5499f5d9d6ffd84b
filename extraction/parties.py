"""Who the deal is between: company mentions resolved through names and aliases.

A newsroom post mentions many organisations (customers, rivals, related posts); only
those that sit where deals are described — the headline, the lead, "partnership with X",
"X will invest in Y" — become parties. Names not in the company list become proposed
companies, but only from those deal-describing positions, so stray capitalised words
never turn into companies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from extraction.governments import GOVERNMENT_BODY, government_name
from extraction.lexicon import KnownCompany
from extraction.party_names import (
    clean_org,
    names_a_product,
    names_what_is_supplied,
    plausible_org,
    split_orgs,
    trim_to_known,
)
from extraction.vocabulary import PartyRole, normalize_name


@dataclass(frozen=True)
class ExtractedParty:
    name: str
    slug: str | None  # None: not a known company, to be proposed
    role: str = PartyRole.PARTNER
    score: float = 0.0

    @property
    def is_proposed(self) -> bool:
        return self.slug is None


class CompanyIndex:
    """Known companies, matched case-sensitively on their names and aliases."""

    def __init__(self, companies: tuple[KnownCompany, ...]):
        self.companies = companies
        self.by_key: dict[str, KnownCompany] = {}
        self.by_domain: dict[str, KnownCompany] = {}
        surfaces: set[str] = set()
        for company in companies:
            for name in (company.name, *company.aliases):
                key = normalize_name(name)
                if not key:
                    continue
                self.by_key.setdefault(key, company)
                surfaces.add(name.strip())
                if name.isupper() or len(name) <= 3:
                    continue
                surfaces.add(name.upper()) if any(c.isupper() for c in name[1:]) else None
            for domain in company.domains:
                self.by_domain[domain.lower()] = company
        ordered = sorted((s for s in surfaces if s), key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w.@/-])(" + "|".join(re.escape(s) for s in ordered) + r")(?:['’]s)?(?![\w@])")
            if ordered
            else None
        )

    def resolve(self, name: str) -> KnownCompany | None:
        key = normalize_name(name)
        company = self.by_key.get(key)
        if company is None and key.startswith("the "):
            company = self.by_key.get(key[4:])
        return company

    def publisher_for(self, source: str) -> KnownCompany | None:
        host = (urlsplit(source).hostname or "").lower() if "://" in source else ""
        while host:
            if host in self.by_domain:
                return self.by_domain[host]
            if host.startswith("www."):
                host = host[4:]
                continue
            _, _, host = host.partition(".")
            if "." not in host:
                break
        return None


@lru_cache(maxsize=8)
def company_index(companies: tuple[KnownCompany, ...]) -> CompanyIndex:
    return CompanyIndex(companies)


_WORD = r"(?:[A-Z]\.){2,}|[A-Z][A-Za-z0-9&'’.\-]*[A-Za-z0-9]|\d[A-Za-z0-9]*[A-Z][A-Za-z0-9]*|[A-Z]"
_ORG = rf"(?:{_WORD})(?:\s+(?:of\s+|for\s+|&\s+|de\s+)?(?:{_WORD})){{0,5}}"
_DEAL_NOUNS = (
    r"partnership|partner|partners|partnering|partnered|agreement|collaboration|collaborating|collaborate|"
    r"alliance|deal|contract|relationship|joint venture|teaming up|teamed up|teams up|team up|working|work"
)
# A list of organisations ends where prose resumes: punctuation or a small word.
_END = r"(?=\s*(?:[,.;:()\u2014\u2013]|-\s|$)|\s+[a-z\d$])"
_ORG_LIST = rf"(?:the\s+)?{_ORG}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?{_ORG})*{_END}"
# "open-source workload management provider SchedMD": a descriptor before the name is not the name.
_DESCRIPTOR = (
    r"(?:(?:the\s+|a\s+|an\s+)?(?:[a-z][\w-]*\s+){0,5}?(?:provider|maker|company|start-?up|developer|firm|"
    r"platform|leader|specialist|lab|manufacturer|operator|supplier|designer|creator|publisher|bank)\s+)?"
)
# Positions where named organisations are counterparties.
_CONTEXTS = (
    re.compile(rf"\b(?i:{_DEAL_NOUNS})\s+with\s+{_DESCRIPTOR}(?P<org>{_ORG_LIST})"),
    re.compile(rf"\b(?i:invest(?:s|ed|ing|ment)?|stake)\s+in\s+{_DESCRIPTOR}(?P<org>{_ORG_LIST})"),
    re.compile(rf"\b(?i:acquir(?:e|es|ed|ing)|acquisition\s+of)\s+{_DESCRIPTOR}(?P<org>{_ORG_LIST})"),
    re.compile(rf"\b(?:led|co-led)\s+by\s+(?P<org>{_ORG_LIST})"),
    re.compile(rf"\b(?:awarded|selected|chose)\s+(?P<org>{_ORG_LIST})"),
    re.compile(rf"\b(?:selected|chosen)\s+by\s+(?:the\s+)?(?P<org>{_ORG_LIST})"),
    re.compile(rf"\b(?i:welcom(?:e|es|ing))\s+(?P<org>{_ORG_LIST})"),
    re.compile(rf"\b(?i:licen[cs](?:e|es|ed|ing))\s+{_DESCRIPTOR}(?P<org>{_ORG_LIST})"),
    # "a credit facility with leading banks, including X, Y and Z"; "investors such as X".
    re.compile(
        rf"\b(?i:banks|lenders|investors|backers|financial\s+institutions)\s*,?\s+"
        rf"(?i:including|such\s+as|like|led\s+by)\s+(?P<org>{_ORG_LIST})"
    ),
)
# "Last year, we signed...": a sentence that recounts an earlier deal names no party of this one.
BACKGROUND = re.compile(
    r"\s*(?:Last\s+(?:week|month|year)|Earlier\s+(?:this|in|that)\b|Previously|Since\s+(?:19|20)\d\d|"
    r"In\s+(?:19|20)\d\d\b|Prior\s+to\b|Back\s+in\b|Over\s+the\s+past\b)",
    re.I,
)
# A headline with no subject before its "with": the publisher is the one acting.
_TITLE_WITH_ONLY = re.compile(rf"^[A-Z][a-z]+ing\b.*\bwith\s+(?P<org>{_ORG_LIST})\s*$")
# In a headline, "... with X" at its very end names the partner ("Secure logins on Comet with 1Password").
_TITLE_WITH = re.compile(rf"\bwith\s+(?P<org>{_ORG_LIST})\s*$")
# Subjects of a deal verb at the start of a headline or lead sentence: "X and Y announce ...".
_SUBJECTS = re.compile(
    rf"^(?:Today,?\s+|Today\s+)?(?P<org>{_ORG_LIST})\s+(?:today\s+)?(?:(?:is|are|has|have|will)\s+)?"
    r"(?:announc\w*|partner\w*|sign\w*|expand\w*|launch\w*|form\w*|reach\w*|enter\w*|collaborat\w*|"
    r"deepen\w*|team\w*|join\w*|strike\w*|agree\w*|unveil\w*|to\s+(?!become|join|lead|step|serve|head)[a-z]+|"
    r"acquir\w*|invest\w*|select\w*|award\w*|commit\w*|establish\w*|make|bring\w*|deploy\w*|integrat\w*|"
    r"explor\w*|support\w*|work\w*|build\w*|power\w*)\b"
)


@dataclass
class _Mention:
    name: str
    company: KnownCompany | None
    score: float = 0.0


class _Mentions:
    """Organisations mentioned in one announcement, each with a score for where it was named."""

    def __init__(self, index: CompanyIndex):
        self.index = index
        self.by_key: dict[str, _Mention] = {}
        self._known_hits: dict[str, list[tuple[KnownCompany, bool, bool]]] = {}

    def add(self, name: str, weight: float, *, proposed_ok: bool) -> None:
        company = self.index.resolve(name)
        if company is None:
            if not proposed_ok or not plausible_org(name):
                return
            key = "?" + normalize_name(name)
        else:
            key = company.slug
        mention = self.by_key.setdefault(
            key, _Mention(name=company.name if company else name, company=company)
        )
        mention.score += weight

    def known_in(self, text: str, weight: float, *, products_discount: bool = True) -> None:
        """Every known company named in ``text`` (once each); a product name ("Amazon Bedrock") may not count."""
        if self.index.pattern is None:
            return
        if text not in self._known_hits:
            hits: list[tuple[KnownCompany, bool, bool]] = []
            for match in self.index.pattern.finditer(text):
                company = self.index.resolve(match.group(1))
                if company is not None:
                    hits.append((company, names_a_product(match, text), names_what_is_supplied(match, text)))
            self._known_hits[text] = hits
        seen: set[str] = set()
        for company, is_product, is_context in self._known_hits[text]:
            if company.slug in seen or is_context or (products_discount and is_product):
                continue
            seen.add(company.slug)
            self.add(company.name, weight, proposed_ok=False)

    def contexts_in(self, text: str, weight: float, *, proposed_ok: bool) -> None:
        """Organisations named where deals are described: "partnership with X", "X and Y announce"."""
        found = [m.group("org") for pattern in _CONTEXTS for m in pattern.finditer(text)]
        subject = _SUBJECTS.match(text)
        if subject:
            found.append(subject.group("org"))
        seen: set[str] = set()
        for group in found:
            for raw in split_orgs(group):
                name = trim_to_known(clean_org(raw), self.index)
                key = normalize_name(name)
                if key and key not in seen:
                    seen.add(key)
                    self.add(name, weight, proposed_ok=proposed_ok)

    def parties(self) -> list[_Mention]:
        return [m for m in self.by_key.values() if m.score >= 3.0]


def _governments(mentions: _Mentions, text: str, weight: float) -> None:
    for match in GOVERNMENT_BODY.finditer(text):
        mentions.add(government_name(match.group(0)), weight, proposed_ok=True)


def _score_positions(
    mentions: _Mentions, *, title: str, lead: list[str], sentences: list[str], deal_sentences: list[str]
) -> None:
    """The headline weighs most, then the lead, then sentences that describe a deal, then the rest."""
    if title:
        mentions.known_in(title, 3.0, products_discount=False)
        mentions.contexts_in(title, 3.0, proposed_ok=True)
        _governments(mentions, title, 3.0)
        if (tail := _TITLE_WITH.search(title)) is not None:
            for raw in split_orgs(tail.group("org")):
                mentions.add(trim_to_known(clean_org(raw), mentions.index), 3.0, proposed_ok=True)
    for sentence in (lead or sentences)[:1]:
        _governments(mentions, sentence, 3.0)
    for position, sentence in enumerate(lead):
        mentions.known_in(sentence, 1.5)
        # The first sentence of a post names who did the deal.
        mentions.contexts_in(sentence, 3.0 if position == 0 else 2.0, proposed_ok=True)
    for sentence in deal_sentences:
        mentions.known_in(sentence, 1.0)
    for sentence in sentences:
        mentions.known_in(sentence, 0.25)
    for sentence in deal_sentences[:12]:
        if sentence not in lead:
            mentions.contexts_in(sentence, 1.0, proposed_ok=True)


# A funding round can name a dozen investors; more than this is a list of customers.
MAX_PARTIES = 14


def _choose(parties: list[_Mention]) -> list[_Mention]:
    """Known companies first, then proposed names that are not another party's name; ``MAX_PARTIES`` at most."""
    parties = sorted(parties, key=lambda m: -m.score)
    known = [m for m in parties if m.company is not None]
    proposed = [m for m in parties if m.company is None]
    # A proposed name that contains or is contained in a known party's name is that party.
    proposed = [
        m
        for m in proposed
        if not any(
            normalize_name(k.name) in normalize_name(m.name)
            or normalize_name(m.name) in normalize_name(k.name)
            for k in known
        )
    ]
    # "Department of Defense" inside "U.S. Department of Defense": the longer name, once.
    keys = [normalize_name(m.name) for m in proposed]
    proposed = [
        m for m, key in zip(proposed, keys, strict=True) if not any(k.endswith(" " + key) for k in keys)
    ]
    # "Iceland" and "Iceland's Ministry of Education": keep the shorter name once.
    merged: list[_Mention] = []
    for mention in sorted(proposed, key=lambda m: len(m.name)):
        key = normalize_name(mention.name)
        if not any(key.startswith(normalize_name(m.name) + " ") for m in merged):
            merged.append(mention)
    return (known + sorted(merged, key=lambda m: -m.score))[:MAX_PARTIES]


def find_parties(
    *,
    title: str,
    sentences: list[str],
    index: CompanyIndex,
    publisher: KnownCompany | None,
    lead: list[str] | None = None,
) -> list[ExtractedParty]:
    """Score every organisation by where it is mentioned and keep the deal's counterparties."""
    lead = [s for s in (sentences[:3] if lead is None else lead) if not BACKGROUND.match(s)]
    deal_sentences = [s for s in sentences if DEAL_SENTENCE.search(s) and not BACKGROUND.match(s)]
    mentions = _Mentions(index)
    _score_positions(mentions, title=title, lead=lead, sentences=sentences, deal_sentences=deal_sentences)
    if publisher is not None and _FIRST_PERSON.search(" ".join([title, *lead, *deal_sentences[:5]])):
        mentions.add(publisher.name, 3.0, proposed_ok=False)
    parties = mentions.parties()
    alone = len(parties) == 1 and parties[0].company != publisher
    if publisher is not None and (alone or (parties and _TITLE_WITH_ONLY.match(title))):
        # A newsroom announcing a partnership with one named organisation is the other side;
        # so is one whose headline names only who it works with ("Building X with A, B and C").
        mentions.add(publisher.name, 3.0, proposed_ok=False)
        parties = mentions.parties()
    chosen = _choose(parties)
    roles = _roles(sentences[:8] + deal_sentences, index, chosen)
    return [
        ExtractedParty(
            name=m.name,
            slug=m.company.slug if m.company else None,
            role=roles.get(m.name, PartyRole.PARTNER),
            score=round(m.score, 2),
        )
        for m in chosen
    ]


_FIRST_PERSON = re.compile(r"\b(?:we|our|us|we['’](?:re|ll|ve))\b", re.IGNORECASE)
DEAL_SENTENCE = re.compile(
    r"\b(?:partnership|partner(?:s|ed|ing)?\s+with|agreement|collaborat\w+|alliance|invest(?:s|ed|ing|ment)?|"
    r"acquir\w+|acquisition|stake|commit\w*|contract\w*|deal|term sheet|letter of intent|warrant)\b",
    re.IGNORECASE,
)
_INVEST = re.compile(r"\b(?:invest(?:s|ed|ing)?|will\s+invest|to\s+invest|investment\s+(?:of|from))\b", re.I)


def _roles(sentences: list[str], index: CompanyIndex, chosen: list[_Mention]) -> dict[str, str]:
    """Investor and investee where a sentence says "X invests ... in Y"; everyone else is a partner."""
    names = {m.name for m in chosen}
    roles: dict[str, str] = {}
    for sentence in sentences:
        verb = _INVEST.search(sentence)
        if not verb or index.pattern is None:
            continue
        before = [index.resolve(m.group(1)) for m in index.pattern.finditer(sentence[: verb.start()])]
        after_text = sentence[verb.end() :]
        in_pos = after_text.find(" in ")
        after = (
            [index.resolve(m.group(1)) for m in index.pattern.finditer(after_text[in_pos:])]
            if in_pos >= 0
            else []
        )
        investor = next((c.name for c in reversed(before) if c and c.name in names), None)
        investee = next((c.name for c in after if c and c.name in names and c.name != investor), None)
        if investor and investee:
            roles.setdefault(investor, PartyRole.INVESTOR)
            roles.setdefault(investee, PartyRole.INVESTEE)
    return roles
