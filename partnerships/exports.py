"""CSV and JSON exports of deals, clauses and the ledger, honouring the timeline's filters.

The schema is versioned (``SCHEMA_VERSION``) and documented on ``/exports/`` from the
same field lists used here, so the page and the files cannot drift apart. Deal and clause
responses stream in chunks: a full export of 20,000 deals never sits in memory at once.
The ledger export is grouped in the database (``selectors.ledger_rows``): one row per
grantor, beneficiary, flow kind and unit, the table analysts join with their own data.
"""

import csv
import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from partnerships.filters import DealFilter
from partnerships.formatting import decimal_plain
from partnerships.models import Clause, DealParty
from partnerships.selectors.ledger import ledger_rows
from scrapers.models import Announcement

# 2.0: clauses say who gives what to whom, how sure and how counted; "status" became "review".
SCHEMA_VERSION = "2.0"
LICENSE_NOTE = (
    "Facts compiled by Pactwatch from public announcements; cite Pactwatch and the original sources."
)
CHUNK = 500

DEAL_FIELDS = [
    ("slug", "string", "Stable identifier; the deal page is /deals/<slug>/."),
    ("title", "string", "Title of the deal."),
    (
        "kind",
        "string",
        "investment, cloud, compute, chips, licensing, distribution, research, acquisition or other.",
    ),
    ("announced_on", "date", "ISO date the deal was announced."),
    ("announced_precision", "string", "day, month or year: how much of announced_on is known."),
    ("effective_on", "date or empty", "When the deal takes effect, if known."),
    ("value_min", "decimal or empty", "Lower bound of the headline value (empty for 'up to' amounts)."),
    ("value_max", "decimal or empty", "Upper bound of the headline value."),
    ("currency", "string", "ISO 4217 currency of the headline value."),
    ("value_qualifier", "string", "up_to, at_least or empty (exact or a range)."),
    ("parties", "string / list", "Companies and their roles; CSV: 'slug:role' joined by ';'."),
    (
        "certainty",
        "string",
        "confirmed, reported or unconfirmed: the best certainty of the deal's headline clauses.",
    ),
    ("valuation", "decimal or empty", "A valuation the deal states (never a payment, never in any total)."),
    ("valuation_currency", "string", "Currency of the valuation."),
    ("valuation_basis", "string", "post_money or pre_money."),
    ("predecessor", "string or empty", "Slug of the previous phase of the same partnership."),
    ("url", "URL", "The deal's page on Pactwatch."),
    ("sources", "string / list", "Source announcement URLs; CSV: joined by spaces."),
    ("updated_at", "datetime", "When Pactwatch last changed this record (UTC)."),
]
CLAUSE_FIELDS = [
    ("id", "integer", "Pactwatch's number for the clause; part_of refers to it."),
    ("deal", "string", "Slug of the deal the clause belongs to."),
    ("deal_announced_on", "date", "The deal's announcement date."),
    ("kind", "string", "Clause family (FTC 2025 staff report vocabulary), e.g. exclusivity, revenue_share."),
    ("subject", "string", "What the clause is about (exclusivity of what)."),
    ("summary", "string", "Pactwatch's own wording of the term."),
    ("effect", "string", "granted, or removed when a phase gives a right up."),
    ("amount", "decimal or empty", "The clause's figure."),
    ("unit", "string", "USD, EUR, GW, MW, percent, shares, chips, years, until_year..."),
    ("qualifier", "string", "up_to, approximately, at_least, more_than or empty (exact)."),
    ("grantor", "string or empty", "Slug of the company that gives, pays, supplies or grants."),
    ("beneficiary", "string or empty", "Slug of the company that receives."),
    ("mutual", "boolean", "Both sides give (a research collaboration, say)."),
    (
        "basis",
        "string",
        "incremental (new in this deal), total (the position after it) or empty (not stated).",
    ),
    (
        "part_of",
        "integer or empty",
        "id of the clause this one is a tranche of; totals count that clause only.",
    ),
    (
        "certainty",
        "string",
        "confirmed (a party or a filing states it), reported (press only) or unconfirmed.",
    ),
    ("quote", "string", "The evidence sentence, as published by the source."),
    ("source_url", "URL or empty", "The announcement the clause was read from."),
    (
        "source_kind",
        "string",
        "filing, regulator, primary (the publisher's own page), press, mirror, or empty.",
    ),
    ("archived_url", "URL or empty", "Pactwatch's archived copy of that announcement, when it holds one."),
    ("review", "string", "extracted (read by machine) or reviewed (by a curator); not how sure the fact is."),
]
LEDGER_FIELDS = [
    ("grantor", "string", "Slug of the company that gives, pays, supplies or grants."),
    ("grantor_name", "string", "Its name."),
    ("beneficiary", "string", "Slug of the company that receives."),
    ("beneficiary_name", "string", "Its name."),
    (
        "flow",
        "string",
        "investment (equity, notes, warrants), spend (money for compute), supply (compute or chips), "
        "licence, right, or other.",
    ),
    ("unit", "string", "USD, EUR, GBP (never converted), GW (megawatts converted), chips, or another unit."),
    ("confirmed", "decimal", "Sum of the counted amounts stated by a party or a filing."),
    ("reported", "decimal", "Sum of the counted amounts reported by the press only."),
    ("unconfirmed", "decimal", "Sum of the counted amounts with one weak source."),
    ("clauses", "integer", "How many clauses the row sums (rights without an amount count 0)."),
    ("mutual", "boolean", "Some of these clauses are mutual (both sides give)."),
    ("deals", "string / list", "Slugs of the deals behind the row, oldest first; CSV: joined by spaces."),
]


def how_to_cite(now: datetime.datetime) -> str:
    return (
        f"Pactwatch, AI partnership deals dataset (schema {SCHEMA_VERSION}), {settings.SITE_URL}, "
        f"retrieved {now:%Y-%m-%d}. Cite the original sources listed with each deal as well."
    )


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_plain(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _deal_row(deal) -> dict:
    return {
        "slug": deal.slug,
        "title": deal.title,
        "kind": deal.kind,
        "announced_on": deal.announced_on,
        "announced_precision": deal.announced_precision,
        "effective_on": deal.effective_on,
        "value_min": deal.value_min,
        "value_max": deal.value_max,
        "currency": deal.currency,
        "value_qualifier": deal.headline_qualifier,
        "certainty": deal.certainty,
        "valuation": deal.valuation_amount,
        "valuation_currency": deal.valuation_currency,
        "valuation_basis": deal.valuation_basis,
        "parties": [
            {"company": p.company.slug, "name": p.company.name, "role": p.role}
            for p in deal.deal_parties.all()
        ],
        "predecessor": deal.predecessor.slug if deal.predecessor else None,
        "url": settings.SITE_URL + deal.get_absolute_url(),
        "sources": [s.link for s in deal.sources.all() if s.link],
        "updated_at": deal.updated_at,
    }


def _clause_row(clause) -> dict:
    source = clause.source
    return {
        "id": clause.pk,
        "deal": clause.deal.slug,
        "deal_announced_on": clause.deal.announced_on,
        "kind": clause.kind,
        "subject": clause.subject,
        "summary": clause.summary,
        "effect": clause.effect,
        "amount": clause.amount,
        "unit": clause.unit,
        "qualifier": clause.qualifier,
        "grantor": clause.grantor.slug if clause.grantor else "",
        "beneficiary": clause.beneficiary.slug if clause.beneficiary else "",
        "mutual": clause.mutual,
        "basis": clause.basis,
        "part_of": clause.part_of_id,
        "certainty": clause.certainty,
        "quote": clause.quote,
        "source_url": source.link if source else "",
        "source_kind": source.source_kind if source else "",
        "archived_url": settings.SITE_URL + source.get_absolute_url()
        if source and source.has_archive
        else "",
        "review": "reviewed" if clause.status == Clause.Status.CONFIRMED else "extracted",
    }


def ledger_export_row(row) -> dict:
    """One ledger entry as the CSV/JSON export and the API both publish it (one shape for both)."""
    return {
        "grantor": row.grantor.slug,
        "grantor_name": row.grantor.name,
        "beneficiary": row.beneficiary.slug,
        "beneficiary_name": row.beneficiary.name,
        "flow": row.flow,
        "unit": row.unit,
        "confirmed": row.confirmed,
        "reported": row.reported,
        "unconfirmed": row.unconfirmed,
        "clauses": row.clauses,
        "mutual": row.mutual,
        "deals": row.deals,
    }


def _rows(what, deal_filter: DealFilter):
    if what == "ledger":
        return (ledger_export_row(row) for row in ledger_rows(deal_filter=deal_filter))
    deals = deal_filter.deals()
    if what == "deals":
        qs = (
            deals.select_related("predecessor")
            .prefetch_related(
                Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
                Prefetch("sources", queryset=Announcement.objects.only("id", "url")),
                Prefetch(
                    "clauses",
                    queryset=Clause.objects.only(
                        "id", "deal_id", "effect", "amount", "part_of_id", "certainty"
                    ),
                ),
            )
            .order_by("-announced_on", "-id")
        )
        return (_deal_row(deal) for deal in qs.iterator(chunk_size=CHUNK))
    qs = (
        Clause.objects.filter(deal__in=deals.values("pk"))
        .select_related("deal", "source", "grantor", "beneficiary")
        .defer("source__raw_html", "source__text", "source__summary")
        .order_by("-deal__announced_on", "-deal_id", "position", "id")
    )
    return (_clause_row(clause) for clause in qs.iterator(chunk_size=CHUNK))


class _Echo:
    def write(self, value):
        return value


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell no spreadsheet runs as a formula: a leading ``= + - @``, tab or CR gets a ``'`` (OWASP)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _csv_cell(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return csv_text(";".join(f"{v['company']}:{v['role']}" for v in value))
        return csv_text(" ".join(value))
    if isinstance(value, str):
        return csv_text(value)
    return _plain(value)  # numbers and dates stay as they are


def _stream_csv(fields, rows):
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _, _ in fields])
    for row in rows:
        yield writer.writerow([_csv_cell(row[name]) for name, _, _ in fields])


def _stream_json(what, meta, rows):
    yield json.dumps(meta, default=_plain)[:-1] + f', "{what}": ['
    first = True
    for row in rows:
        yield ("" if first else ",") + json.dumps(row, default=_plain)
        first = False
    yield "]}"


FIELDS = {"deals": DEAL_FIELDS, "clauses": CLAUSE_FIELDS, "ledger": LEDGER_FIELDS}


def export(request, what, fmt):
    """``/exports/<deals|clauses|ledger>.<csv|json>?<timeline filters>``."""
    if what not in FIELDS or fmt not in ("csv", "json"):
        raise Http404("No such export.")
    deal_filter = DealFilter.from_query(request.GET).filter
    now = timezone.now()
    fields = FIELDS[what]
    rows = _rows(what, deal_filter)
    stamp = now.strftime("%Y%m%d")
    if fmt == "csv":
        response = StreamingHttpResponse(_stream_csv(fields, rows), content_type="text/csv; charset=utf-8")
    else:
        meta = {
            "schema_version": SCHEMA_VERSION,
            "generated_at": now.isoformat(),
            "filters": deal_filter.as_dict(),
            "documentation": settings.SITE_URL + reverse("partnerships:exports"),
            "how_to_cite": how_to_cite(now),
            "license": LICENSE_NOTE,
        }
        response = StreamingHttpResponse(_stream_json(what, meta, rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="pactwatch-{what}-{stamp}.{fmt}"'
    response["X-Pactwatch-Schema-Version"] = SCHEMA_VERSION
    return response
