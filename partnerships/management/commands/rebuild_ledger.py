"""Recompute every ledger row from the clauses (after a migration, or to check the ledger)."""

from django.core.management.base import BaseCommand

from partnerships.services.ledger import ledger_rebuild


class Command(BaseCommand):
    help = "Recompute the ledger (one row per flow a published clause states) from the clauses."

    def handle(self, *args, **options):
        result = ledger_rebuild()
        note = "" if result.changed else " The ledger already matched the clauses."
        self.stdout.write(
            f"Ledger rebuilt: {result.created} rows new, {result.updated} updated, {result.deleted} removed.{note}"
        )
