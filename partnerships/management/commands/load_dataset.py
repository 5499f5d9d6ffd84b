from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships.search.index import search_index_install
from partnerships.services.dataset import DEFAULT_PATH, DatasetError, dataset_load, default_evidence_path


class Command(BaseCommand):
    help = (
        "Load Pactwatch's starting dataset (real deals, companies, newsroom registry). Safe to re-run: "
        "a second load changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", type=Path, default=None, help=f"Dataset file (default: {DEFAULT_PATH})."
        )
        parser.add_argument(
            "--evidence",
            type=Path,
            default=None,
            metavar="PATH",
            help=(
                "Fact sheet to read evidence quotes from at load time (default: "
                f"{default_evidence_path()} when it exists, otherwise quotes are skipped)."
            ),
        )
        parser.add_argument("--no-evidence", action="store_true", help="Load without evidence quotes.")

    def handle(self, *args, **options):
        if options["evidence"] is not None and options["no_evidence"]:
            raise CommandError("--evidence and --no-evidence contradict each other.")
        try:
            summary = dataset_load(
                path=options["path"],
                evidence_path=options["evidence"],
                use_evidence=not options["no_evidence"],
                stdout=self.stdout,
            )
        except DatasetError as exc:
            raise CommandError(f"Dataset not loaded, nothing changed. {exc}") from exc
        # The loader writes rows directly; SQLite's search index is rebuilt from them (a no-op on
        # PostgreSQL, whose search columns are generated).
        search_index_install()
        if not summary.changed:
            self.stdout.write("Nothing to change: the database already matches the dataset.")
