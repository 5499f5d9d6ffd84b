"""Archive the source pages of public deals that have no archived copy yet."""

from django.core.management.base import BaseCommand

from partnerships.services.sources import deal_sources_archive, sources_to_archive


class Command(BaseCommand):
    help = (
        "Fetch every source page of a public deal that Pactwatch holds no copy of, through the guarded "
        "fetcher, and report what could not be archived."
    )

    def add_arguments(self, parser):
        parser.add_argument("--deal", action="append", default=[], metavar="SLUG", help="Repeatable.")
        parser.add_argument("--limit", type=int, default=None, help="Archive at most this many pages.")

    def handle(self, *args, deal, limit, **options):
        total = sources_to_archive(deal_slugs=deal or None).count()
        total = min(total, limit) if limit else total
        if not total:
            self.stdout.write("Nothing to archive: every source of a public deal has an archived copy.")
            return
        self.stdout.write(f"Archiving {total} source page(s)...")
        done = 0

        def progress(url: str, outcome: str) -> None:
            nonlocal done
            done += 1
            self.stdout.write(f"[{done}/{total}] {url}: {outcome}")

        report = deal_sources_archive(deal_slugs=deal or None, limit=limit, on_each=progress)
        self.stdout.write(report.line())
