"""A covering index for the capital-flows page, PostgreSQL only.

- ``dealparty_role_cover_idx``: the flows read every investor / customer party (and its
  investee / provider counterparty) by role; without it each of its three aggregates
  scanned all deal parties.

Invisible to the model state (like 0005, 0007 and 0008): SQLite keeps its plain indexes.
"""

from django.db import migrations

from partnerships.operations import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0008_party_join_covering_indexes")]

    operations = [
        PostgresOnlySQL(
            [
                "CREATE INDEX dealparty_role_cover_idx ON partnerships_dealparty (role) "
                "INCLUDE (deal_id, company_id)",
            ],
            ["DROP INDEX IF EXISTS dealparty_role_cover_idx"],
        )
    ]
