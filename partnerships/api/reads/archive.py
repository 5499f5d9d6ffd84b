"""The ledger rows (the ledger export's own), announcements, newsroom health and search."""

from __future__ import annotations

import html
import re

from django.db.models import Prefetch
from django.urls import reverse

from partnerships.api.cursors import ledger_cursor, ledger_key
from partnerships.api.reads.common import absolute, api_url, company_ref
from partnerships.exports import ledger_export_row
from partnerships.formatting import decimal_plain
from partnerships.models import Company, Deal
from partnerships.search import search
from partnerships.selectors.common import newsrooms_with_last_run
from partnerships.selectors.ledger import ledger_page
from scrapers.models import Announcement

_DECIMALS = ("confirmed", "reported", "unconfirmed")


def ledger_answer(*, query) -> tuple[dict, str | None]:
    """A page of the ledger export's rows, narrowed by company (either side), flow, unit, year,
    certainty, and the cursor of the next page: 3 queries."""
    filters = {
        name: value
        for name, value in query.dict().items()
        if value is not None and name not in ("cursor", "limit")
    }
    company = None
    if query.company:
        company = Company.objects.filter(slug=query.company, is_proposed=False).first()
    rows, following = [], None
    if company is not None or not query.company:
        page, following = ledger_page(
            after=ledger_key(query.cursor) if query.cursor else None,
            limit=query.limit,
            company=company,
            flow=query.flow,
            unit=query.unit,
            year=query.year,
            certainty=query.certainty,
        )
        rows = [ledger_export_row(row) for row in page]
    for row in rows:
        for name in _DECIMALS:
            row[name] = decimal_plain(row[name])
    answer = {"data": rows, "filters": filters, "documentation": absolute(reverse("partnerships:exports"))}
    return answer, ledger_cursor(following) if following else None


def announcement_page(*, query) -> tuple[list[dict], int | None]:
    """Archived announcements, newest first, keyset on id; with the public deals citing them: 2 queries."""
    qs = Announcement.objects.select_related("newsroom").defer("raw_html", "text", "summary").order_by("-id")
    if query.newsroom:
        qs = qs.filter(newsroom__slug=query.newsroom)
    if query.before:
        qs = qs.filter(id__lt=query.before)
    qs = qs.prefetch_related(
        Prefetch("deals", queryset=Deal.objects.public().only("id", "slug").order_by("announced_on", "id"))
    )
    rows = list(qs[: query.limit + 1])
    data = [
        {
            "id": item.pk,
            "url": item.link,
            "title": item.title,
            "publisher": item.publisher,
            "source_kind": item.source_kind,
            "published_at": item.published_at,
            "published_precision": item.published_precision,
            "newsroom": item.newsroom.slug if item.newsroom else None,
            "archived_url": absolute(item.get_absolute_url()) if item.has_archive else None,
            "deals": [deal.slug for deal in item.deals.all()],
        }
        for item in rows[: query.limit]
    ]
    return data, rows[query.limit - 1].pk if len(rows) > query.limit else None


def _last_run(newsroom) -> dict | None:
    if newsroom.last_run_at is None:
        return None
    return {
        "at": newsroom.last_run_at,
        "status": newsroom.last_run_status,
        "items_seen": newsroom.last_items_seen or 0,
        "items_new": newsroom.last_items_new or 0,
        "items_updated": newsroom.last_items_updated or 0,
    }


def sources_answer() -> dict:
    """Each newsroom's health, last run and last error, as the sources page shows them: 1 query."""
    data = []
    for n in newsrooms_with_last_run():
        data.append(
            {
                "slug": n.slug,
                "name": n.name,
                "kind": n.kind,
                "url": n.url,
                "homepage": n.homepage,
                "company": company_ref(n.company) if n.company and not n.company.is_proposed else None,
                "is_active": n.is_active,
                "health": n.health,
                "health_detail": n.health_detail,
                "health_changed_at": n.health_changed_at,
                "consecutive_failures": n.consecutive_failures,
                "last_success_at": n.last_success_at,
                "last_new_item_at": n.last_new_item_at,
                "last_run": _last_run(n),
                "last_error": {"at": n.last_error_at, "message": n.last_error[:1000]}
                if n.last_error
                else None,
            }
        )
    return {"data": data}


_MARK = re.compile(r"</?mark>")


def _text(snippet_html) -> str:
    """A search snippet as plain text (the pages mark matches with <mark>)."""
    return html.unescape(_MARK.sub("", str(snippet_html or "")))


def search_answer(*, q: str) -> dict:
    """The site search's deals, clauses and announcements, with plain-text snippets: 4 queries."""
    results = search(query=q)
    return {
        "query": results.query,
        "deals": [
            {
                "slug": d.slug,
                "title": d.title,
                "kind": d.kind,
                "status": d.status,
                "announced_on": d.announced_on,
                "snippet": _text(d.snippet_html),
                "api_url": api_url(f"deals/{d.slug}/"),
            }
            for d in results.deals
        ],
        "clauses": [
            {
                "id": c.pk,
                "deal": c.deal.slug,
                "kind": c.kind,
                "subject": c.subject,
                "snippet": _text(c.snippet_html),
                "api_url": api_url(f"deals/{c.deal.slug}/"),
            }
            for c in results.clauses
        ],
        "announcements": [
            {"id": a.pk, "title": a.title, "url": a.link, "snippet": _text(a.snippet_html)}
            for a in results.announcements
        ],
    }
