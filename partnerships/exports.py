"""CSV and JSON exports of deals and clauses, honouring the timeline's filters.

The schema is versioned (``SCHEMA_VERSION``) and documented on ``/exports/`` from the
same field lists used here, so the page and the files cannot drift apart. Responses
stream in chunks: a full export of 20,000 deals never sits in memory at once.
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
from scrapers.models import Announcement

SCHEMA_VERSION = "1.0"
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
    ("predecessor", "string or empty", "Slug of the previous phase of the same partnership."),
    ("url", "URL", "The deal's page on Pactwatch."),
    ("sources", "string / list", "Source announcement URLs; CSV: joined by spaces."),
    ("updated_at", "datetime", "When Pactwatch last changed this record (UTC)."),
]
CLAUSE_FIELDS = [
    ("deal", "string", "Slug of the deal the clause belongs to."),
    ("deal_announced_on", "date", "The deal's announcement date."),
    ("kind", "string", "Clause family (FTC 2025 staff report vocabulary), e.g. exclusivity, revenue_share."),
    ("subject", "string", "What the clause is about (exclusivity of what)."),
    ("summary", "string", "Pactwatch's own wording of the term."),
    ("effect", "string", "granted, or removed when a phase gives a right up."),
    ("amount", "decimal or empty", "The clause's figure."),
    ("unit", "string", "USD, EUR, GW, MW, percent, shares, chips, years, until_year..."),
    ("qualifier", "string", "up_to, approximately, at_least or empty (exact)."),
    ("quote", "string", "The evidence sentence, as published by the source."),
    ("source_url", "URL or empty", "The announcement the clause was read from."),
    ("archived_url", "URL or empty", "Pactwatch's archived copy of that announcement."),
    ("status", "string", "extracted (by machine) or confirmed (by a curator)."),
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
    return {
        "deal": clause.deal.slug,
        "deal_announced_on": clause.deal.announced_on,
        "kind": clause.kind,
        "subject": clause.subject,
        "summary": clause.summary,
        "effect": clause.effect,
        "amount": clause.amount,
        "unit": clause.unit,
        "qualifier": clause.qualifier,
        "quote": clause.quote,
        "source_url": clause.source.link if clause.source else "",
        "archived_url": settings.SITE_URL + clause.source.get_absolute_url() if clause.source else "",
        "status": clause.status,
    }


def _rows(what, deal_filter: DealFilter):
    deals = deal_filter.deals()
    if what == "deals":
        qs = (
            deals.select_related("predecessor")
            .prefetch_related(
                Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
                Prefetch("sources", queryset=Announcement.objects.only("id", "url")),
            )
            .order_by("-announced_on", "-id")
        )
        return (_deal_row(deal) for deal in qs.iterator(chunk_size=CHUNK))
    qs = (
        Clause.objects.filter(deal__in=deals.values("pk"))
        .select_related("deal", "source")
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


def export(request, what, fmt):
    """``/exports/<deals|clauses>.<csv|json>?<timeline filters>``."""
    if what not in ("deals", "clauses") or fmt not in ("csv", "json"):
        raise Http404("No such export.")
    deal_filter = DealFilter.from_query(request.GET).filter
    now = timezone.now()
    fields = DEAL_FIELDS if what == "deals" else CLAUSE_FIELDS
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
