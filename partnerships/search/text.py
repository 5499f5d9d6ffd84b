"""Full-text conditions and ranks, one implementation per database.

Both answer the same two questions for a model table: does this row's text match a term
(any of its spellings), and how well does it match the query's positive terms. PostgreSQL
reads the stored ``search_vector`` with ``websearch_to_tsquery('english', ...)``; SQLite asks
the FTS5 tables of ``partnerships.search.index``. Terms reach SQL only as parameters, built
from words (letters and digits), so neither query language can be injected; table names
come from the models.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from partnerships.models import Clause, Deal
from partnerships.search import index
from partnerships.search.query import Term
from scrapers.models import Announcement

_WORD = re.compile(r"\w+", re.UNICODE)
MODELS = {"deal": Deal, "clause": Clause, "announcement": Announcement}
# FTS5 column weights for bm25, in column order: titles and subjects count most.
_BM25_WEIGHTS = {"deal": "4.0, 1.0", "clause": "3.0, 2.0, 1.0, 0.0", "announcement": "4.0, 2.0, 1.0"}


def _phrases(term: Term) -> list[str]:
    """Each spelling of a term as a list of words (empty spellings dropped)."""
    found = []
    for text in term.texts():
        words = [w.lower() for w in _WORD.findall(text)]
        if words and words not in found:
            found.append(words)
    return found


def _raw(sql: str, params, output_field):
    return RawSQL(sql, params, output_field=output_field)  # noqa: S611 - constant SQL, values are parameters  # nosec B611


class PostgresText:
    """``search_vector @@ websearch_to_tsquery('english', '"a b" or c')``."""

    @staticmethod
    def _websearch(terms: list[Term]) -> str:
        parts = []
        for term in terms:
            for words in _phrases(term):
                parts.append(f'"{" ".join(words)}"' if len(words) > 1 else words[0])
        return " or ".join(parts)

    def matches(self, family: str, term: Term):
        column = f"{MODELS[family]._meta.db_table}.search_vector"
        return _raw(
            f"{column} @@ websearch_to_tsquery('english', %s)", (self._websearch([term]),), BooleanField()
        )

    def rank(self, family: str, terms: list[Term]):
        column = f"{MODELS[family]._meta.db_table}.search_vector"
        return _raw(
            f"ts_rank({column}, websearch_to_tsquery('english', %s))", (self._websearch(terms),), FloatField()
        )


class SqliteText:
    """``id IN (SELECT rowid FROM fts WHERE fts MATCH '"a b" OR "c"')``, ranked by bm25."""

    @staticmethod
    def _match(terms: list[Term]) -> str:
        return " OR ".join(f'"{" ".join(words)}"' for term in terms for words in _phrases(term))

    def matches(self, family: str, term: Term):
        table, fts = MODELS[family]._meta.db_table, index.fts_table(family)
        return _raw(
            f"{table}.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)",  # noqa: S608  # nosec B608
            (self._match([term]),),
            BooleanField(),
        )

    def rank(self, family: str, terms: list[Term]):
        table, fts = MODELS[family]._meta.db_table, index.fts_table(family)
        # bm25 is negative, better matches lower; x / (1 + x) of its opposite lies in [0, 1).
        score = f"-bm25({fts}, {_BM25_WEIGHTS[family]})"
        return _raw(
            f"coalesce((SELECT {score} / (1.0 + {score}) FROM {fts} WHERE {fts} MATCH %s AND rowid = {table}.id), 0)",  # noqa: S608  # nosec B608
            (self._match(terms),),
            FloatField(),
        )


def backend():
    return SqliteText() if connection.vendor == "sqlite" else PostgresText()
