"""Real queries a newcomer types, against the shipped dataset, with the results they expect.

The expected deals are read from the data through the one deal filter (the deals between
two companies, the deals with a clause kind), so the table holds whichever version of the
dataset is loaded. Run on SQLite (FTS5) and on PostgreSQL (``DATABASE_URL``): both must agree.
"""

import io

import pytest
from django.core.management import call_command

from partnerships.filters import DealFilter
from partnerships.models import Clause
from partnerships.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(settings):
    settings.PAGE_CACHE_ENABLED = False
    call_command("load_dataset", "--no-evidence", verbosity=0, stdout=io.StringIO())


def _between(a: str, b: str) -> set[str]:
    return {d.slug for d in DealFilter(companies=(a,), counterparties=(b,)).deals()}


def _with_clause(kind: str) -> set[str]:
    return {d.slug for d in DealFilter(clauses=(kind,)).deals()}


def _of(company: str) -> set[str]:
    return {d.slug for d in DealFilter(companies=(company,)).deals()}


def _top(query: str, n: int) -> list[str]:
    return [deal.slug for deal in search(query=query, limit=max(n, 20)).deals][:n]


def _leads_with(query: str, expected: set[str]) -> str | None:
    """None when the first len(expected) results are exactly the expected deals, else why not."""
    top = _top(query, len(expected))
    if not expected:
        return f"{query!r}: the dataset has no deal to expect"
    if set(top) != expected:
        return f"{query!r}: top {len(expected)} {top} != expected {sorted(expected)}"
    return None


def test_it_answers_the_queries_a_newcomer_types(dataset):
    problems = [
        # Two company names: the deals between them come first (every one of them).
        _leads_with("Microsoft OpenAI", _between("microsoft", "openai")),
        _leads_with("Amazon Anthropic", _between("amazon", "anthropic")),
        _leads_with("OpenAI Microsoft", _between("microsoft", "openai")),
        # A clause kind by its label: as many deals as the clause filter finds, first.
        _leads_with("exclusivity", _with_clause(Clause.Kind.EXCLUSIVITY)),
        _leads_with('"right of first refusal"', _with_clause(Clause.Kind.RIGHT_OF_FIRST_REFUSAL)),
        _leads_with("rofr", _with_clause(Clause.Kind.RIGHT_OF_FIRST_REFUSAL)),
    ]
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)


def test_it_reads_an_alias_or_a_suffixed_name_as_the_company(dataset):
    amazon = _of("amazon")
    assert amazon, "the dataset has Amazon deals"
    top = _top("aws", min(5, len(amazon)))
    assert set(top) <= amazon, top
    assert _top("Microsoft Corp", 5) == _top("microsoft", 5)
    assert set(_top("Microsoft Corp", 5)) <= _of("microsoft")


def test_it_excludes_a_company_with_a_minus(dataset):
    found = {d.slug for d in search(query="anthropic -amazon").deals}
    assert found, "Anthropic has deals without Amazon"
    assert not found & _of("amazon")


def test_it_offers_alternatives_with_or(dataset):
    nvidia, amd = _of("nvidia"), _of("amd")
    found = {d.slug for d in search(query="nvidia or amd", limit=200).deals}
    assert nvidia | amd <= found


def test_it_highlights_whole_words(dataset):
    results = search(query="gigawatt")
    assert results.deals, "the dataset mentions gigawatts"
    snippets = " ".join(str(d.snippet_html) for d in results.deals)
    assert "<mark>gigawatt" in snippets.lower() or "<mark>GW" in snippets
    assert "gigawatt</mark>s" not in snippets
