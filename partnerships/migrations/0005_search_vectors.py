"""Full-text search: stored generated tsvector columns and GIN indexes, PostgreSQL only.

The columns are invisible to Django's model state on purpose: SQLite (the zero-setup
default) has no tsvector, and the search selector falls back to ``icontains`` there.
The explicit ``'english'`` config makes each expression immutable, which a stored
generated column requires. Used by the search page (``partnerships.search``).
"""

from django.db import migrations

from partnerships.operations import PostgresOnlySQL

_COLUMNS = {
    "partnerships_deal": (
        "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')"
    ),
    "partnerships_clause": (
        "setweight(to_tsvector('english'::regconfig, coalesce(subject, '') || ' ' || coalesce(summary, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, coalesce(quote, '')), 'B')"
    ),
    "scrapers_announcement": (
        "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
        "setweight(to_tsvector('english'::regconfig, left(coalesce(text, ''), 200000)), 'C')"
    ),
}


def _forwards():
    sql = []
    for table, expression in _COLUMNS.items():
        sql.append(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        sql.append(f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)")
    return sql


def _backwards():
    sql = []
    for table in _COLUMNS:
        sql.append(f"DROP INDEX IF EXISTS {table}_search_gin")
        sql.append(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
    return sql


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0004_curator_viewer_groups"),
        ("scrapers", "0001_initial"),
    ]

    operations = [PostgresOnlySQL(_forwards(), _backwards())]
