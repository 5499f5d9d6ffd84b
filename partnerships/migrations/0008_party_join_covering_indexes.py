"""Covering indexes for the joins the company, compare, network and flows pages aggregate over, PostgreSQL only.

These pages join a company's parties to their published deals and back to every party of
those deals. At 20,000 deals the plain foreign-key indexes make PostgreSQL visit the
heap of both tables (a sequential scan of the wide deal rows, summaries included):

- ``deal_published_id_cover_idx``: a published deal's kind, date and headline value by id,
  read from the index alone when joining parties to deals.
- ``dealparty_company_cover_idx``: a company's parties (deal and role) without the heap.
- ``dealparty_deal_cover_idx``: a deal's parties (company and role) without the heap, for
  the self-join to the counterparties.

Invisible to the model state (like 0005 and 0007): SQLite keeps its plain indexes.
"""

from django.db import migrations

from partnerships.operations import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0007_dashboard_covering_indexes")]

    operations = [
        PostgresOnlySQL(
            [
                "CREATE INDEX deal_published_id_cover_idx ON partnerships_deal (id) "
                "INCLUDE (kind, announced_on, value_min, value_max, currency) WHERE status = 'published'",
                "CREATE INDEX dealparty_company_cover_idx ON partnerships_dealparty (company_id) "
                "INCLUDE (deal_id, role)",
                "CREATE INDEX dealparty_deal_cover_idx ON partnerships_dealparty (deal_id) "
                "INCLUDE (company_id, role)",
            ],
            [
                "DROP INDEX IF EXISTS deal_published_id_cover_idx",
                "DROP INDEX IF EXISTS dealparty_company_cover_idx",
                "DROP INDEX IF EXISTS dealparty_deal_cover_idx",
            ],
        )
    ]
