"""Recompute every ledger row from the clauses, and the rollups from the ledger (after a migration,
or to check both: a second run changes no ledger row)."""

from django.core.management.base import BaseCommand

from partnerships.services.ledger import ledger_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the ledger (one row per flow a published clause states) from the clauses, "
        "and the rollups the pages read from the ledger."
    )

    def handle(self, *args, **options):
        result = ledger_rebuild()
        note = "" if result.changed else " The ledger already matched the clauses."
        self.stdout.write(
            f"Ledger rebuilt: {result.created} rows new, {result.updated} updated, {result.deleted} removed.{note} "
            "Rollups rebuilt."
        )
