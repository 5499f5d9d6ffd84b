"""Search over deals, clauses and announcements, alike on PostgreSQL and SQLite.

A query is read as PostgreSQL's ``websearch_to_tsquery`` reads it (words ANDed, "phrases",
``-word``, ``or``; ``partnerships.search.query``), and words that name a company (name, slug
or alias) or a deal or clause kind (label or glossary synonym) match that thing as well as
the text: "aws" finds Amazon's deals, "Microsoft OpenAI" the deals between them,
"exclusivity" every deal with an exclusivity clause. Text is matched by the database's own
full-text search (``partnerships.search.text``): the stored ``tsvector`` columns on
PostgreSQL, FTS5 tables on SQLite (``partnerships.search.index``).

Results are ordered by how many terms they match by name or kind, then by text rank, then
newest first. Snippets are built in Python with whole words marked (``snippets``).
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field

from django.db import OperationalError
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When

from extraction.vocabulary import ClauseKind, DealKind, normalize_name
from partnerships.glossary import search_terms
from partnerships.models import Clause, Deal, DealParty
from partnerships.names import CompanyDirectory
from partnerships.search import index
from partnerships.search.query import MAX_QUERY_LENGTH, Query, Term, Vocabulary, parse_query
from partnerships.search.snippets import snippet
from partnerships.search.text import backend
from scrapers.models import Announcement

__all__ = ["MAX_QUERY_LENGTH", "SearchResults", "parse_query", "search", "snippet"]


@dataclass
class SearchResults:
    query: str
    deals: list = field(default_factory=list)
    clauses: list = field(default_factory=list)
    announcements: list = field(default_factory=list)
    understood: list[str] = field(default_factory=list)  # "“aws”: the company Amazon"
    limit: int = 20

    @property
    def is_empty(self) -> bool:
        return not (self.deals or self.clauses or self.announcements)


@functools.lru_cache(maxsize=1)
def _kind_words() -> dict:
    return search_terms()


def _vocabulary(directory: CompanyDirectory) -> Vocabulary:
    companies = {}
    for company in directory.by_slug.values():
        companies.setdefault(company.slug, company.id)
        companies.setdefault(normalize_name(company.slug), company.id)
    companies.update({key: company.id for key, company in directory.by_key.items()})
    spellings = {c.id: tuple(directory.spellings(c)) for c in directory.by_slug.values()}
    return Vocabulary(companies=companies, spellings=spellings, kinds=_kind_words())


def _understood(query: Query, directory: CompanyDirectory) -> list[str]:
    """What each term that names something was read as: "“aws”: the company Amazon"."""
    names = {c.id: c.name for c in directory.by_slug.values()}
    lines = []
    for group in query.groups:
        for term in group:
            meanings = [f"the company {names[pk]}" for pk in term.companies if pk in names]
            meanings += [f"{DealKind(k).label} deals" for k in term.deal_kinds]
            meanings += [f"{ClauseKind(k).label} clauses" for k in term.clause_kinds]
            if meanings:
                joined = " or ".join(meanings)
                lines.append(f"“{term.text}”: {'not ' if term.negated else ''}{joined}")
    return lines


def _structured(family: str, term: Term) -> Q | None:
    """The name and kind part of a term's condition (None when it names nothing)."""
    parts = []
    if family == "deal":
        deal = OuterRef("pk")
        if term.deal_kinds:
            parts.append(Q(kind__in=term.deal_kinds))
        if term.clause_kinds:
            parts.append(Q(Exists(Clause.objects.filter(deal=deal, kind__in=term.clause_kinds))))
    elif family == "clause":
        deal = OuterRef("deal_id")
        if term.clause_kinds:
            parts.append(Q(kind__in=term.clause_kinds))
        if term.deal_kinds:
            parts.append(Q(deal__kind__in=term.deal_kinds))
    else:
        # Announcements match a company through its spellings in their text (the name and every
        # alias are among the term's texts): one indexed full-text test, no scan of the archive.
        return None
    if term.companies:
        parts.append(Q(Exists(DealParty.objects.filter(deal=deal, company_id__in=term.companies))))
    return functools.reduce(operator.or_, parts) if parts else None


def _condition(family: str, query: Query, text) -> Q:
    groups = []
    for group in query.groups:
        terms = []
        for term in group:
            q = Q(text.matches(family, term))
            structured = _structured(family, term)
            if structured is not None:
                q |= structured
            terms.append(~q if term.negated else q)
        groups.append(functools.reduce(operator.and_, terms))
    return functools.reduce(operator.or_, groups)


def _ranked(qs, family: str, query: Query, text, newest: tuple[str, ...]):
    """Matching rows, most terms matched by name or kind first, then by text rank, then newest."""
    scores = [
        Case(When(structured, then=Value(1)), default=Value(0), output_field=IntegerField())
        for term in query.positive_terms
        if (structured := _structured(family, term)) is not None
    ]
    structural = functools.reduce(operator.add, scores) if scores else Value(0, output_field=IntegerField())
    return (
        qs.filter(_condition(family, query, text))
        .annotate(structural=structural, rank=text.rank(family, query.positive_terms))
        .order_by("-structural", "-rank", *newest, "-id")
    )


def _querysets(query: Query, limit: int):
    text = backend()
    parties = Prefetch("deal_parties", queryset=DealParty.objects.select_related("company"))
    deals = _ranked(Deal.objects.public().prefetch_related(parties), "deal", query, text, ("-announced_on",))
    clauses = _ranked(
        Clause.objects.filter(deal__status__in=[Deal.Status.PUBLISHED, Deal.Status.RETRACTED])
        .select_related("deal")
        .defer("deal__summary"),
        "clause",
        query,
        text,
        ("-deal__announced_on",),
    )
    announcements = _ranked(
        Announcement.objects.select_related("newsroom").defer("raw_html"), "announcement", query, text, ()
    )
    return list(deals[:limit]), list(clauses[:limit]), list(announcements[:limit])


def _run(query: Query, limit: int):
    try:
        return _querysets(query, limit)
    except OperationalError as exc:
        # A SQLite database migrated before the index existed: build it once, then answer.
        if not index.is_enabled() or "pactwatch_search" not in str(exc):
            raise
        index.search_index_install()
        return _querysets(query, limit)


def search(*, query: str, limit: int = 20) -> SearchResults:
    """Public deals, their clauses and archived announcements matching ``query``: 6 queries."""
    results = SearchResults(" ".join((query or "").split())[:MAX_QUERY_LENGTH], limit=limit)
    if not results.query:
        return results
    directory = CompanyDirectory.load()
    parsed = parse_query(results.query, _vocabulary(directory))
    results.understood = _understood(parsed, directory)
    if not parsed:
        return results
    results.deals, results.clauses, results.announcements = _run(parsed, limit)
    wanted = parsed.highlight_words()
    for deal in results.deals:
        deal.snippet_html = snippet(deal.summary or deal.title, wanted)
    for clause in results.clauses:
        clause.snippet_html = snippet(
            " — ".join(filter(None, [clause.subject, clause.summary, clause.quote])), wanted
        )
    for item in results.announcements:
        item.snippet_html = snippet(item.text or item.summary or item.title, wanted)
    return results
