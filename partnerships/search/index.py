"""The SQLite full-text index: FTS5 tables beside the deal, clause and announcement tables.

PostgreSQL keeps its search columns itself (generated ``tsvector`` columns, migration 0005).
SQLite, the zero-setup default, gets FTS5 virtual tables instead (``porter`` stemming, accents
folded), keyed by the row's id. They are not Django models and no signal maintains them:

- ``search_index_install`` creates them and fills them from the tables; ``migrate`` runs it
  (``post_migrate``, also sent after a test flush), and so do ``load_dataset`` and
  ``manage.py search_index``;
- the writes that change searchable text call ``search_index_update`` with the ids they
  touched, in their own transaction: publishing, editing, retracting and merging deals
  (``partnerships.services``), and storing an announcement's extraction.

Every function is a no-op on another database. Search results are always read back through
the real tables, so a row missing from the index is missing from the results, never shown
when it should not be.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection as default_connection

from partnerships.models import Clause, Deal
from scrapers.models import Announcement

TOKENIZE = "porter unicode61 remove_diacritics 2"
# The archive text is cut where PostgreSQL's vector is cut (migration 0005).
TEXT_LIMIT = 200_000


def _tables():
    """Per indexed model: (FTS table, model table, [(FTS column, SQL expression it is filled from)]).

    ``deal_id`` is stored unindexed in the clause table, so a deal's clauses can be replaced."""
    return {
        "deal": (
            "pactwatch_search_deal",
            Deal._meta.db_table,
            [("title", "title"), ("summary", "summary")],
        ),
        "clause": (
            "pactwatch_search_clause",
            Clause._meta.db_table,
            [("subject", "subject"), ("summary", "summary"), ("quote", "quote"), ("deal_id", "deal_id")],
        ),
        "announcement": (
            "pactwatch_search_announcement",
            Announcement._meta.db_table,
            [("title", "title"), ("summary", "summary"), ("body", f"substr(text, 1, {TEXT_LIMIT})")],
        ),
    }


def fts_table(name: str) -> str:
    return _tables()[name][0]


def is_enabled(connection=None) -> bool:
    return (connection or default_connection).vendor == "sqlite"


def _create_sql(fts: str, columns) -> str:
    names = ", ".join(f"{column} UNINDEXED" if column == "deal_id" else column for column, _ in columns)
    return f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({names}, tokenize='{TOKENIZE}')"


def _fill_sql(fts: str, table: str, columns, where: str = "") -> str:
    names = ", ".join(column for column, _ in columns)
    values = ", ".join(f"coalesce({expression}, '')" for _, expression in columns)
    return f"INSERT INTO {fts}(rowid, {names}) SELECT id, {values} FROM {table}{where}"  # noqa: S608  # nosec B608


def search_index_install(*, connection=None) -> None:
    """Create the FTS5 tables if needed and refill them from the tables (idempotent)."""
    connection = connection or default_connection
    if not is_enabled(connection):
        return
    with connection.cursor() as cursor:
        for fts, table, columns in _tables().values():
            cursor.execute(_create_sql(fts, columns))
            cursor.execute(f"DELETE FROM {fts}")  # noqa: S608 - constant table names  # nosec B608
            cursor.execute(_fill_sql(fts, table, columns))


def search_index_on_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` receiver: (re)build the index of the database just migrated or flushed."""
    from django.db import connections

    search_index_install(connection=connections[using])


def _placeholders(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def search_index_update(*, deal_ids: Iterable[int] = (), announcement_ids: Iterable[int] = ()) -> None:
    """Re-index these deals (with their clauses) and announcements, as they are now stored.

    A deleted row simply drops out. Call it inside the write's transaction.
    """
    if not is_enabled():
        return
    deal_ids = sorted({int(pk) for pk in deal_ids if pk})
    announcement_ids = sorted({int(pk) for pk in announcement_ids if pk})
    tables = _tables()
    with default_connection.cursor() as cursor:
        if deal_ids:
            marks = _placeholders(deal_ids)
            fts, table, columns = tables["deal"]
            cursor.execute(f"DELETE FROM {fts} WHERE rowid IN ({marks})", deal_ids)  # noqa: S608  # nosec B608
            cursor.execute(_fill_sql(fts, table, columns, f" WHERE id IN ({marks})"), deal_ids)
            fts, table, columns = tables["clause"]
            cursor.execute(f"DELETE FROM {fts} WHERE deal_id IN ({marks})", deal_ids)  # noqa: S608  # nosec B608
            cursor.execute(_fill_sql(fts, table, columns, f" WHERE deal_id IN ({marks})"), deal_ids)
        if announcement_ids:
            marks = _placeholders(announcement_ids)
            fts, table, columns = tables["announcement"]
            cursor.execute(f"DELETE FROM {fts} WHERE rowid IN ({marks})", announcement_ids)  # noqa: S608  # nosec B608
            cursor.execute(_fill_sql(fts, table, columns, f" WHERE id IN ({marks})"), announcement_ids)
