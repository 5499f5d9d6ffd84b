"""Search over deals, clauses and announcements.

On PostgreSQL: the stored ``search_vector`` columns (migration 0005) with their GIN
indexes, ``websearch_to_tsquery`` (quotes, OR, -word work as people expect), ranked by
``ts_rank`` and with ``ts_headline`` snippets. On SQLite: ``icontains`` and a plain
excerpt, enough for development.

Snippets come from scraped text, so they are untrusted: ``ts_headline`` marks matches
with control characters that cannot be typed in HTML, the text is escaped, then the
markers become ``<mark>`` and nh3 keeps nothing else.
"""

from dataclasses import dataclass, field

import nh3
from django.db import connection
from django.db.models import BooleanField, FloatField, Prefetch, Q, TextField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from partnerships.models import Clause, Deal, DealParty
from scrapers.models import Announcement

_START, _STOP = "\x02", "\x03"
_HEADLINE_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=' … '"
)
MAX_QUERY_LENGTH = 200


@dataclass
class SearchResults:
    query: str
    deals: list = field(default_factory=list)
    clauses: list = field(default_factory=list)
    announcements: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.deals or self.clauses or self.announcements)


def highlight(text: str) -> str:
    """Escape a snippet and turn the match markers into ``<mark>``; nothing else survives."""
    html = escape(text or "").replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(nh3.clean(html, tags={"mark"}, attributes={}))  # noqa: S308 - escaped, then cleaned  # nosec (B308/B703 reviewed: see the reason before)


def _unmarked(text: str) -> str:
    """Scraped text with any marker characters of its own removed, so it cannot forge a ``<mark>``."""
    return (text or "").replace(_START, "").replace(_STOP, "")


def _plain_excerpt(text: str, query: str, width: int = 160) -> str:
    text = " ".join(_unmarked(text).split())
    pos = text.lower().find(query.lower())
    if pos < 0:
        return highlight(text[:width])
    start = max(0, pos - width // 2)
    piece = text[start : start + width]
    local = pos - start
    marked = piece[:local] + _START + piece[local : local + len(query)] + _STOP + piece[local + len(query) :]
    return highlight(("… " if start else "") + marked)


def _ts(table_column: str, query: str):
    return RawSQL(  # noqa: S611 - constant column names; the query is a parameter  # nosec B611
        f"{table_column} @@ websearch_to_tsquery('english', %s)", (query,), output_field=BooleanField()
    )


def _rank(table_column: str, query: str):
    return RawSQL(  # noqa: S611 - constant column names; the query is a parameter  # nosec B611
        f"ts_rank({table_column}, websearch_to_tsquery('english', %s))", (query,), output_field=FloatField()
    )


def _headline(column: str, query: str):
    return RawSQL(  # noqa: S611 - constant column names; the query is a parameter  # nosec B611
        # translate() drops the marker characters from the text itself: only ts_headline places them.
        f"ts_headline('english', translate(coalesce({column}, ''), chr(2) || chr(3), ''), "
        "websearch_to_tsquery('english', %s), %s)",
        (query, _HEADLINE_OPTIONS),
        output_field=TextField(),
    )


def _search_postgres(results: SearchResults, deals, clauses, announcements, query: str, limit: int) -> None:
    """Full-text search on the stored vectors, ranked, with ``ts_headline`` snippets."""
    deals = (
        deals.filter(_ts("partnerships_deal.search_vector", query))
        .annotate(
            rank=_rank("partnerships_deal.search_vector", query),
            snippet=_headline("partnerships_deal.summary", query),
        )
        .order_by("-rank", "-announced_on", "-id")
    )
    clauses = (
        clauses.filter(_ts("partnerships_clause.search_vector", query))
        .annotate(
            rank=_rank("partnerships_clause.search_vector", query),
            snippet=_headline(
                "partnerships_clause.subject || ' — ' || partnerships_clause.summary || ' — ' || partnerships_clause.quote",
                query,
            ),
        )
        .order_by("-rank", "-id")
    )
    announcements = (
        announcements.filter(_ts("scrapers_announcement.search_vector", query))
        .annotate(
            rank=_rank("scrapers_announcement.search_vector", query),
            snippet=_headline("left(scrapers_announcement.text, 20000)", query),
        )
        .order_by("-rank", "-id")
    )
    results.deals = list(deals[:limit])
    results.clauses = list(clauses[:limit])
    results.announcements = list(announcements[:limit])
    for row in results.deals + results.clauses + results.announcements:
        row.snippet_html = highlight(row.snippet)


def _search_plain(results: SearchResults, deals, clauses, announcements, query: str, limit: int) -> None:
    """``icontains`` and a plain excerpt: enough for development on SQLite."""
    results.deals = list(
        deals.filter(Q(title__icontains=query) | Q(summary__icontains=query)).order_by(
            "-announced_on", "-id"
        )[:limit]
    )
    results.clauses = list(
        clauses.filter(
            Q(subject__icontains=query) | Q(summary__icontains=query) | Q(quote__icontains=query)
        ).order_by("-id")[:limit]
    )
    results.announcements = list(
        announcements.filter(Q(title__icontains=query) | Q(text__icontains=query)).order_by("-id")[:limit]
    )
    for deal in results.deals:
        deal.snippet_html = _plain_excerpt(deal.summary, query)
    for clause in results.clauses:
        clause.snippet_html = _plain_excerpt(
            " — ".join(filter(None, [clause.subject, clause.summary, clause.quote])), query
        )
    for item in results.announcements:
        item.snippet_html = _plain_excerpt(item.text or item.summary, query)


def search(*, query: str, limit: int = 20) -> SearchResults:
    """Public deals, their clauses and archived announcements matching ``query``: 4 queries."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    results = SearchResults(query)
    if not query:
        return results
    parties = Prefetch("deal_parties", queryset=DealParty.objects.select_related("company"))
    deals = Deal.objects.public().prefetch_related(parties)
    clauses = (
        Clause.objects.filter(deal__status__in=[Deal.Status.PUBLISHED, Deal.Status.RETRACTED])
        .select_related("deal", "source")
        .defer("source__raw_html", "source__text", "source__summary")
    )
    announcements = Announcement.objects.select_related("newsroom").defer("raw_html")
    run = _search_postgres if connection.vendor == "postgresql" else _search_plain
    run(results, deals, clauses, announcements, query, limit)
    return results
