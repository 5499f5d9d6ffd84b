"""Reading a search query the way PostgreSQL's ``websearch_to_tsquery`` does, plus names.

Syntax, as on web search engines: words are ANDed, ``"quoted words"`` form a phrase, ``-word``
(or ``-"a phrase"``) excludes, ``or`` between terms offers alternatives (``a b or c`` is
``(a AND b) OR c``, as in PostgreSQL). English stop words are dropped from plain words, as
PostgreSQL's ``english`` configuration drops them, so both databases read a query alike.

Words that name something Pactwatch knows are understood as that thing as well as text:
a company by its name, slug or alias ("aws" is Amazon, "Microsoft Corp" is Microsoft; the
longest run of words that names one wins, so "amazon web services" is one term), and a deal
or clause kind by its label or a glossary synonym ("exclusivity", "rofr", "acqui-hire").
Pure functions: the names and kinds to match come in as arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extraction.vocabulary import normalize_name

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_NGRAM = 5
# PostgreSQL's english stop words that people type in searches (a subset is enough: a word
# missing here is only kept as a term, which SQLite then also requires).
STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "i", "if"),
        *("in", "into", "is", "it", "its", "of", "on", "or", "our", "so", "such", "that", "the", "their"),
        *("then", "there", "these", "they", "this", "to", "was", "we", "were", "will", "with"),
    }
)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """One thing a result must (or, negated, must not) match."""

    words: tuple[str, ...]  # lower-case words, in order: one word, or a phrase
    negated: bool = False
    companies: tuple[int, ...] = ()  # company ids the words name
    deal_kinds: tuple[str, ...] = ()
    clause_kinds: tuple[str, ...] = ()
    spellings: tuple[str, ...] = ()  # other texts that count as the same term: company name, then aliases

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def is_structured(self) -> bool:
        return bool(self.companies or self.deal_kinds or self.clause_kinds)

    def texts(self) -> tuple[str, ...]:
        """Every text that matches the term: what was typed, then the other spellings."""
        return tuple(dict.fromkeys((self.text, *(s.lower() for s in self.spellings))))


@dataclass(frozen=True)
class Query:
    """Alternatives (OR) of groups of terms (AND); empty when nothing searchable was typed."""

    raw: str
    groups: tuple[tuple[Term, ...], ...] = ()

    def __bool__(self) -> bool:
        return any(any(not term.negated for term in group) for group in self.groups)

    @property
    def positive_terms(self) -> list[Term]:
        return [term for group in self.groups for term in group if not term.negated]

    def highlight_words(self) -> set[str]:
        """Words to mark in snippets: what was typed, the company's name, its one-word aliases
        ("AWS", "MSFT"); not the words of longer aliases, nor stop words."""
        found = set()
        for term in self.positive_terms:
            found.update(term.words)
            for position, spelling in enumerate(term.spellings):
                words = _words(spelling)
                if position == 0 or len(words) == 1:
                    found.update(words)
        return found - STOP_WORDS


@dataclass
class Vocabulary:
    """What words can name: ``{normalised name: company id}``, spellings per company, and kinds."""

    companies: dict[str, int] = field(default_factory=dict)
    spellings: dict[int, tuple[str, ...]] = field(default_factory=dict)
    kinds: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # word → {"deal": (...), ...}

    def term(self, words: tuple[str, ...], negated: bool) -> Term | None:
        """A term for these words if they name a company or a kind, else None."""
        key = normalize_name(" ".join(words))
        company = self.companies.get(key) or self.companies.get(" ".join(words))
        kinds = self.kinds.get(key, {})
        if company is None and not kinds:
            return None
        return Term(
            words,
            negated,
            companies=(company,) if company is not None else (),
            deal_kinds=kinds.get("deal", ()),
            clause_kinds=kinds.get("clause", ()),
            spellings=self.spellings.get(company, ()) if company is not None else (),
        )


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(text))


def _tokens(raw: str):
    """(negated, words, quoted) per token, and None for an ``or`` between terms."""
    for match in _TOKEN.finditer(raw):
        if match.group(3) is not None:
            token = match.group(3)
            if token.lower() == "or":
                yield None
                continue
            negated = token.startswith("-") and len(token) > 1
            words = _words(token[1:] if negated else token)
            if words:
                yield negated, words, False
        else:
            words = _words(match.group(2))
            if words:
                yield bool(match.group(1)), words, True


def _plain_terms(words: list[str], vocabulary: Vocabulary) -> list[Term]:
    """Consecutive plain words → terms, the longest run that names something first."""
    terms, i = [], 0
    while i < len(words):
        for size in range(min(MAX_NGRAM, len(words) - i), 0, -1):
            named = vocabulary.term(tuple(words[i : i + size]), False)
            if named is not None:
                terms.append(named)
                i += size
                break
        else:
            if words[i] not in STOP_WORDS:
                terms.append(Term((words[i],)))
            i += 1
    return terms


def _group_terms(tokens: list, vocabulary: Vocabulary) -> list[Term]:
    terms, run = [], []
    for negated, words, quoted in tokens:
        if not negated and not quoted and len(words) == 1:
            run.append(words[0])
            continue
        if not negated and not quoted:  # "acqui-hire": one token, several words
            run.extend(words)
            continue
        terms += _plain_terms(run, vocabulary)
        run = []
        if not quoted and len(words) == 1 and words[0] in STOP_WORDS:
            continue
        terms.append(vocabulary.term(words, negated) or Term(words, negated))
    return terms + _plain_terms(run, vocabulary)


def parse_query(raw: str, vocabulary: Vocabulary | None = None) -> Query:
    """Read ``raw`` (at most ``MAX_QUERY_LENGTH`` characters, ``MAX_TERMS`` terms)."""
    raw = " ".join((raw or "").split())[:MAX_QUERY_LENGTH]
    vocabulary = vocabulary or Vocabulary()
    groups, current = [], []
    for token in _tokens(raw):
        if token is None:
            groups.append(current)
            current = []
        else:
            current.append(token)
    groups.append(current)
    read, budget = [], MAX_TERMS
    for tokens in groups:
        terms = _group_terms(tokens, vocabulary)[:budget]
        budget -= len(terms)
        if any(not term.negated for term in terms):
            read.append(tuple(terms))
    return Query(raw, tuple(read))
