"""``manage.py extract PATH --json``: run the extractor on one file, touching no database.

This is how Pactwatch is checked on announcements it has never seen, so it runs the
same pure core as the Celery task. Known companies come from the database when one is
reachable (a read, nothing else) and from the built-in seed list otherwise.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from extraction.core import extract_text
from extraction.lexicon import SEED_COMPANIES
from extraction.vocabulary import normalize_name
from partnerships.services.candidates import known_companies

MAX_BYTES = 5 * 1024 * 1024


def _companies():
    """Database companies first (curators' aliases win), then seed companies they do not cover."""
    try:
        stored = known_companies(with_seed=False)
    except DatabaseError:
        stored = ()
    covered = {normalize_name(n) for c in stored for n in (c.name, *c.aliases)}
    seed = tuple(c for c in SEED_COMPANIES if normalize_name(c.name) not in covered)
    return stored + seed, len(stored)


class Command(BaseCommand):
    help = "Extract a candidate deal from one announcement file (text, Markdown or HTML) without writing anything."

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to read; '-' reads standard input.")
        parser.add_argument(
            "--json", action="store_true", help="Print exactly one JSON object and nothing else."
        )

    def handle(self, *args, path, json=False, **options):
        raw = self._read(path)
        companies, from_db = _companies()
        result = extract_text(raw, companies=companies)
        payload = result.as_json()
        if json:
            self.stdout.write(_dumps(payload))
            return
        self.stdout.write(f"Read {path} ({len(raw)} characters); {from_db} companies from the database.")
        for clause in payload["clauses"]:
            amount = (
                ""
                if clause["amount"] is None
                else f" {clause['qualifier']} {clause['amount']} {clause['unit']}"
            )
            self.stdout.write(f"  clause {clause['kind']}{amount}: {clause['quote'][:100]}")
        verdict = f"deal ({payload['kind']})" if payload["is_deal"] else "not a deal"
        self.stdout.write(
            f"Done: {verdict}, confidence {payload['confidence']}, parties {', '.join(payload['parties']) or '-'}, "
            f"announced {payload['announced_on'] or 'unknown'}, {len(payload['clauses'])} clauses."
        )

    def _read(self, path: str) -> str:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            file = Path(path)
            if not file.is_file():
                raise CommandError(f"{path}: no such file")
            with file.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise CommandError(f"{path}: larger than {MAX_BYTES} bytes; refusing to read it")
        return data.decode("utf-8", errors="replace")


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)
