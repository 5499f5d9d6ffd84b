"""Parse one saved listing (or a URL) the way a newsroom would, without touching the database.

Curators use it to try selectors on a saved page; it is also how Pactwatch is checked
against feeds it has never seen, so the kind is detected when not given.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scrapers.adapters import ADAPTERS, ParseError, detect_kind, get_adapter
from scrapers.fetch import FetchError, decode_checked, fetch
from scrapers.models import Newsroom


class Command(BaseCommand):
    help = "Parse a saved listing file or a URL and print its items (one JSON object per line with --json)."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL")
        parser.add_argument("--kind", choices=sorted(ADAPTERS), help="Default: detected from the content.")
        parser.add_argument("--newsroom", metavar="SLUG", help="Use this newsroom's kind, selectors and URL.")
        parser.add_argument(
            "--base-url", help="Resolve relative links against this (default: the newsroom URL)."
        )
        parser.add_argument("--json", action="store_true", help="One JSON object per line.")

    def handle(self, *args, source, kind, newsroom, base_url, json: bool, **options):
        room = _newsroom(newsroom)
        body, content_type, base = _read(source)
        kind = kind or (room.kind if room else None) or detect_kind(body, content_type)
        base = base_url or base or (room.url if room else "")
        if not base and kind != "feed":
            self.stderr.write("No --base-url or --newsroom given: relative links are printed as they are.")
        try:
            items = get_adapter(kind).parse(
                _payload(body, kind, content_type, source), base_url=base, newsroom=room
            )
        except ParseError as exc:
            raise CommandError(f"{source} could not be parsed as {kind}: {exc}") from exc

        for item in items:
            data = item.as_json()
            if json:
                self.stdout.write(_dumps(data))
            else:
                self.stdout.write(
                    f"{(data['published_at'] or '-')[:10]:<10}  {item.title[:80]:<80}  {item.url}"
                )
        dated = sum(1 for item in items if item.published_at)
        self.stderr.write(f"Parsed {len(items)} item(s) as {kind} from {source} ({dated} with a date).")


def _newsroom(slug: str | None) -> Newsroom | None:
    if not slug:
        return None
    room = Newsroom.objects.filter(slug=slug).first()  # a read; nothing is written
    if room is None:
        raise CommandError(f"No newsroom with slug {slug!r}.")
    return room


def _read(source: str) -> tuple[bytes, str, str]:
    """The body, its Content-Type (when fetched) and the address it came from."""
    if source.startswith(("http://", "https://")):
        try:
            result = fetch(source)
        except FetchError as exc:
            raise CommandError(f"Could not fetch {source}: {exc}") from exc
        return result.body, result.headers.get("content-type", ""), result.url
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"No such file: {source}")
    return path.read_bytes(), "", ""


def _payload(body: bytes, kind: str, content_type: str, source: str):
    if kind == "feed":
        return body  # feedparser reads the XML declaration itself, from bytes
    try:
        payload, _ = decode_checked(body, content_type, url=source)
    except FetchError as exc:
        raise CommandError(f"{source}: {exc}") from exc
    return payload


def _dumps(data: dict) -> str:
    return json.dumps(
        {k: data[k] for k in ("title", "url", "published_at", "summary", "precision")}, ensure_ascii=False
    )
