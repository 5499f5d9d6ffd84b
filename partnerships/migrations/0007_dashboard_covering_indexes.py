"""Covering partial indexes for the dashboard's aggregates, PostgreSQL only.

- ``deal_published_day_cover_idx``: home figures, deals per quarter and the timeline's
  year filters read published deals by date with their kind and value from the index
  alone (index-only scan), instead of visiting 20,000 heap rows.
- ``clause_power_cover_idx``: "GW committed" on the home and company pages reads the
  few power clauses of the matching deals without scanning every clause.

Invisible to the model state (like 0005): SQLite keeps its plain indexes.
"""

from django.db import migrations

from partnerships.operations import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0006_alerts")]

    operations = [
        PostgresOnlySQL(
            [
                "CREATE INDEX deal_published_day_cover_idx ON partnerships_deal (announced_on) "
                "INCLUDE (kind, value_min, value_max, currency) WHERE status = 'published'",
                "CREATE INDEX clause_power_cover_idx ON partnerships_clause (deal_id) "
                "INCLUDE (amount, unit) WHERE unit IN ('GW', 'MW') AND effect = 'granted'",
            ],
            [
                "DROP INDEX IF EXISTS deal_published_day_cover_idx",
                "DROP INDEX IF EXISTS clause_power_cover_idx",
            ],
        )
    ]
