"""``manage.py ingest PATH...``: saved announcements, feeds and listings into the review queue.

The way in without a scraper: every file becomes announcements (a feed or a listing: one
per item) and each is read for a candidate deal, with a progress bar (one line per file
when the output is not a terminal) and a summary line. Idempotent: a second run of the
same files adds nothing. A bad file is reported and skipped.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from partnerships.services.intake import FileOutcome, saved_file_paths, saved_files_ingest
from scrapers.models import Newsroom
from scrapers.supplied import KINDS
from scrapers.untrusted import http_url

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Store saved announcement files (text with SOURCE:/DATE:/TITLE: lines, Markdown with front matter, "
        "an article's HTML page) and feeds or listings (RSS/Atom, HTML, JSON: every item) as announcements, "
        "and read each for a candidate deal."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files, or directories of files.")
        parser.add_argument(
            "--newsroom", metavar="SLUG", help="Attach the items to this newsroom (and use its selectors)."
        )
        parser.add_argument(
            "--kind", choices=KINDS, help="How to read the files (default: detected per file)."
        )
        parser.add_argument(
            "--url", default="", help="The address of the page, for one file that names none."
        )
        parser.add_argument(
            "--base-url", default="", help="Resolve a listing's relative links against this address."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be stored; write nothing."
        )

    def handle(self, *args, paths, newsroom, kind, url, base_url, dry_run, **options):
        room = _newsroom(newsroom)
        if url and (not http_url(url) or len(saved_file_paths(paths)) != 1):
            raise CommandError("--url takes an absolute http(s) address and goes with exactly one file.")
        if base_url and not http_url(base_url):
            raise CommandError("--base-url takes an absolute http(s) address.")
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()
        started = time.monotonic()

        def on_file(done: int, total: int, outcome: FileOutcome) -> None:
            line = f"[{done}/{total}] {outcome.path}: {outcome.line()}"
            if not interactive:
                self.stdout.write(line)
                return
            filled = int(BAR_WIDTH * done / total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stdout.write(f"\r\033[K[{bar}] {done}/{total} {outcome.path[-60:]}", ending="")
            if done == total:
                self.stdout.write("")

        summary = saved_files_ingest(
            paths=paths,
            newsroom=room,
            kind=kind,
            url=url,
            base_url=base_url,
            dry_run=dry_run,
            on_file=on_file,
        )
        for outcome in summary.errors:
            self.stderr.write(f"{outcome.path}: {outcome.error}")
        note = " (dry run: nothing was written)" if dry_run else ""
        self.stdout.write(f"{summary.line()}; {time.monotonic() - started:.1f} s{note}.")


def _newsroom(slug: str | None) -> Newsroom | None:
    if not slug:
        return None
    room = Newsroom.objects.filter(slug=slug).first()
    if room is None:
        raise CommandError(f"No newsroom with slug {slug!r}.")
    return room
