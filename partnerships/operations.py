"""Migration operations shared by Pactwatch's migrations."""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that is a no-op on every database but PostgreSQL.

    Full-text search columns and covering indexes are PostgreSQL features; SQLite, the
    zero-setup default, keeps the plain model indexes and searches FTS5 tables instead
    (``partnerships.search.index``).
    The model state is untouched, so ``makemigrations`` never sees these objects.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
