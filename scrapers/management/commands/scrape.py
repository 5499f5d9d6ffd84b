"""Scrape newsrooms now, outside the beat schedule, with a progress bar and a summary."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scrapers.models import Newsroom, ScrapeRun
from scrapers.services import newsrooms_scrape_concurrently


class Command(BaseCommand):
    help = "Scrape newsrooms now: the given slugs, --all active ones, or (by default) those that are due."

    def add_arguments(self, parser):
        parser.add_argument("--newsroom", action="append", default=[], metavar="SLUG", help="Repeatable.")
        parser.add_argument("--all", action="store_true", help="Every active newsroom, due or not.")
        parser.add_argument("--dry-run", action="store_true", help="Fetch and parse, write nothing.")
        parser.add_argument(
            "--workers", type=int, default=None, help="Parallel newsrooms (default: setting)."
        )

    def handle(self, *args, newsroom, all, dry_run, workers, **options):
        if newsroom:
            newsrooms = list(Newsroom.objects.filter(slug__in=newsroom))
            missing = sorted(set(newsroom) - {n.slug for n in newsrooms})
            if missing:
                raise CommandError(f"No newsroom with slug: {', '.join(missing)}")
        elif all:
            newsrooms = list(Newsroom.objects.filter(is_active=True))
        else:
            newsrooms = list(Newsroom.objects.filter(is_active=True, next_fetch_at__lte=timezone.now()))
        total = len(newsrooms)
        if not total:
            self.stdout.write("Nothing to scrape: no newsroom matched (use --all or --newsroom SLUG).")
            return
        self.stdout.write(
            f"Scraping {total} newsroom(s){' (dry run: nothing is written)' if dry_run else ''}..."
        )
        started = time.monotonic()
        tally = {"done": 0, "new": 0, "updated": 0, "errors": 0, "seen": 0}
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()

        def on_done(item: Newsroom, run: ScrapeRun | None, error: BaseException | None):
            tally["done"] += 1
            if error is not None or run is None:
                tally["errors"] += 1
                outcome = f"crashed: {error}"
            else:
                tally["new"] += run.items_new
                tally["updated"] += run.items_updated
                tally["seen"] += run.items_seen
                if run.status in (ScrapeRun.Status.FAILED, ScrapeRun.Status.BLOCKED):
                    tally["errors"] += 1
                    outcome = f"{run.status}: {run.error[:120]}"
                else:
                    outcome = f"{run.status}, {run.items_seen} seen, {run.items_new} new"
            width = 30
            filled = int(width * tally["done"] / total)
            bar = "#" * filled + "-" * (width - filled)
            line = f"[{bar}] {tally['done']}/{total} {item.slug}: {outcome}"
            if interactive:
                self.stdout.write(f"\r\033[K{line}", ending="")
                if tally["done"] == total:
                    self.stdout.write("")
            else:
                self.stdout.write(line)

        newsrooms_scrape_concurrently(newsrooms, workers=workers, dry_run=dry_run, on_done=on_done)
        new_label = "would be new" if dry_run else "new"
        self.stdout.write(
            f"Scraped {total} newsroom(s) in {time.monotonic() - started:.1f}s: {tally['seen']} items seen, "
            f"{tally['new']} {new_label}, {tally['updated']} updated, {tally['errors']} error(s)."
        )
