"""``manage.py parse_filing PATH_OR_URL [--json]``: read one filing the way EDGAR polling does, write nothing.

It prints the form, filer, filing date and period (from the document's inline-XBRL cover,
or the options), then each passage that names a tracked company other than the filer, and
the clauses extraction reads in it (kind, grantor, beneficiary, amount, unit, quote). With
``--json``: one JSON object per passage, nothing else on standard output. A URL is fetched
through the guarded fetcher (a sec.gov address with SEC's declared User-Agent and rate).
Companies are read from the database when it is reachable, else the seed list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from extraction.lexicon import SEED_COMPANIES, KnownCompany
from extraction.vocabulary import normalize_name
from partnerships.services.candidates import known_companies
from partnerships.services.extractor import extract
from scrapers.fetch import FetchError, fetch
from scrapers.filings import (
    Cover,
    FilingParseError,
    TrackedCompany,
    filing_document_text,
    filing_label,
    find_passages,
    parse_cover,
)
from scrapers.models import Newsroom
from scrapers.services.filings import passage_title

MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Header:
    form: str
    filer: KnownCompany | None
    filer_name: str
    filed_on: date | None
    period: date | None

    @property
    def label(self) -> str:
        return filing_label(filer=self.filer_name, form=self.form, period=self.period, filed_on=self.filed_on)


def _companies() -> tuple[KnownCompany, ...]:
    try:
        return known_companies()
    except DatabaseError:
        return SEED_COMPANIES


def _filer(cover: Cover, name: str, companies) -> KnownCompany | None:
    """The filer among known companies: by the name asked for, the watchlist's CIK, or the registrant."""
    by_key = {normalize_name(n): c for c in companies for n in (c.name, *c.aliases)}
    if name:
        return by_key.get(normalize_name(name))
    if cover.cik:
        try:
            watched = Newsroom.objects.filter(kind=Newsroom.Kind.EDGAR, url__endswith=f"CIK{cover.cik}.json")
            slug = watched.values_list("company__slug", flat=True).first()
        except DatabaseError:
            slug = None
        found = next((c for c in companies if slug and c.slug == slug), None)
        if found:
            return found
    return by_key.get(normalize_name(cover.registrant)) if cover.registrant else None


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date like 2025-02-07, got {value!r}.") from None


class Command(BaseCommand):
    help = "Read one 10-K, 10-Q or 8-K document (file or URL): its passages naming tracked companies and their clauses."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL")
        parser.add_argument("--json", action="store_true", help="One JSON object per passage.")
        parser.add_argument("--filer", help="The filer's name, when the document's cover does not say.")
        parser.add_argument("--form", help="The form (10-K, 10-Q, 8-K), when the cover does not say.")
        parser.add_argument(
            "--filed", metavar="YYYY-MM-DD", help="The filing date (EDGAR's listings give it)."
        )
        parser.add_argument("--period", metavar="YYYY-MM-DD", help="The period of report.")

    def handle(self, *args, source, json: bool, filer, form, filed, period, **options):
        body = _read(source)
        try:
            cover = parse_cover(body)
            text = filing_document_text(body)
        except FilingParseError as exc:
            raise CommandError(f"{source} is not a filing document: {exc}") from exc
        companies = _companies()
        known = _filer(cover, filer or "", companies)
        header = Header(
            form=(form or cover.form or "").upper(),
            filer=known,
            filer_name=known.name if known else (filer or cover.registrant),
            filed_on=_date(filed, "--filed"),
            period=_date(period, "--period") or cover.period,
        )
        tracked = [
            TrackedCompany(c.name, c.aliases) for c in companies if known is None or c.slug != known.slug
        ]
        exclude = [header.filer_name, cover.registrant, *(known.aliases if known else ())]
        scan = find_passages(text, tracked, exclude=[n for n in exclude if n])
        if not json:
            self._header(header, source)
        for number, passage in enumerate(scan.passages, 1):
            record = _passage_record(header, passage, companies)
            if json:
                self.stdout.write(_dumps(record))
            else:
                self._passage(number, record)
        note = f" ({scan.omitted} more not shown)" if scan.omitted else ""
        self.stderr.write(
            f"Found {len(scan.passages)} passage(s) naming a tracked company in {source}{note}."
        )

    def _header(self, header: Header, source: str) -> None:
        self.stdout.write(f"{header.label} — {source}")
        self.stdout.write(f"  form: {header.form or 'unknown'}")
        self.stdout.write(f"  filer: {header.filer_name or 'unknown (pass --filer)'}")
        self.stdout.write(f"  filing date: {header.filed_on or 'unknown (pass --filed)'}")
        self.stdout.write(f"  period: {header.period or 'unknown'}")

    def _passage(self, number: int, record: dict) -> None:
        passage = record["passage"]
        self.stdout.write("")
        self.stdout.write(
            f"Passage {number} (characters {passage['start']}–{passage['end']}) names "
            f"{', '.join(passage['companies'])}; section: {' › '.join(passage['section']) or '-'}"
        )
        self.stdout.write(f"  {passage['text'][:600]}{'…' if len(passage['text']) > 600 else ''}")
        for clause in record["clauses"]:
            amount = (
                "" if clause["amount"] is None else f" {clause['amount']} {clause['unit'] or ''}".rstrip()
            )
            sides = f"{clause['grantor'] or '?'} → {clause['beneficiary'] or '?'}"
            self.stdout.write(f"  clause {clause['kind']}: {sides}{amount} — “{clause['quote'][:160]}”")
        if not record["clauses"]:
            self.stdout.write("  no clause read")


def _passage_record(header: Header, passage, companies) -> dict:
    result = extract(
        passage.text,
        companies=companies,
        title=passage_title(header.label, passage.companies),
        published_on=header.filed_on,
        publisher=header.filer,
    )
    return {
        "form": header.form,
        "filer": header.filer_name,
        "filing_date": header.filed_on.isoformat() if header.filed_on else None,
        "period": header.period.isoformat() if header.period else None,
        "passage": {
            "start": passage.start,
            "end": passage.end,
            "section": list(passage.section),
            "companies": list(passage.companies),
            "text": passage.text,
        },
        "is_deal": result.is_deal,
        "clauses": [
            {
                key: clause.as_dict()[key]
                for key in ("kind", "grantor", "beneficiary", "amount", "unit", "quote")
            }
            for clause in result.clauses
        ],
    }


def _read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        try:
            return fetch(source).body
        except FetchError as exc:
            raise CommandError(f"Could not fetch {source}: {exc}") from exc
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"No such file: {source}")
    if path.stat().st_size > MAX_BYTES:
        raise CommandError(f"{source}: larger than {MAX_BYTES:,} bytes; refusing to read it")
    return path.read_bytes()


def _dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, default=str)
