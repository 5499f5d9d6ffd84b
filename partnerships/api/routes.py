"""The operations of ``/api/v1/``: read the parameters, call a read, answer. Errors are raised as
``Problem`` and answered as problem details by ``partnerships.api.app``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponsePermanentRedirect
from ninja import Path, Query, Router

from partnerships.api import schemas
from partnerships.api.params import (
    SLUG_PATTERN,
    AnnouncementQuery,
    CompanyQuery,
    DealQuery,
    LedgerQuery,
    SearchQuery,
)
from partnerships.api.problems import Problem
from partnerships.api.reads import archive, companies, deals
from partnerships.api.reads.common import api_url

router = Router()
P = schemas.Problem
ERRORS = {400: P, 429: P}
NOT_FOUND = {400: P, 404: P, 429: P}
SLUG = Path(..., pattern=SLUG_PATTERN, max_length=200, description="A permanent slug.")
# Companies are also found by an alias or a name ("aws", "Amazon Web Services").
NAME = Path(..., pattern=r"^[^/\x00-\x1f\x7f]+$", max_length=200, description="A slug, an alias or a name.")


def _next(path: str, request, **changes) -> str:
    params = [(k, v) for k, v in request.GET.lists() for v in v if k not in changes]
    params += [(k, str(v)) for k, v in changes.items()]
    return api_url(path) + "?" + urlencode(params)


@router.get("deals/", response={200: schemas.DealPage, **ERRORS}, operation_id="deals_list", tags=["deals"])
def deals_list(request, response: HttpResponse, query: Query[DealQuery]):
    """Published deals, newest first (or largest first with ``sort=amount``), 25 a page.

    The filters are the timeline's (``/deals/``), read by the same rule: every given filter
    must hold, a filter with several values holds when any does. Follow ``next`` (or the
    ``Link: rel="next"`` header) for the next page; pages are keyset cursors, stable while
    deals are added.
    """
    page = deals.deal_page(query=query)
    following = _next("deals/", request, cursor=page.next_cursor) if page.next_cursor else None
    if following:
        response["Link"] = f'<{following}>; rel="next"'
    return {
        "data": page.deals,
        "next_cursor": page.next_cursor,
        "next": following,
        "filters": page.filter.as_dict(),
        "ignored": page.ignored,
    }


@router.get(
    "deals/{slug}/",
    response={200: schemas.DealDetail, 301: None, **NOT_FOUND},
    operation_id="deals_detail",
    tags=["deals"],
)
def deals_detail(request, slug: str = SLUG):
    """One public deal: parties, clauses with direction, basis, certainty and evidence, sources,
    its previous and next phases with what changed, and its history of material changes.

    A deal merged into another answers 301 with the survivor's address.
    """
    answer = deals.deal_answer(slug=slug)
    if answer.redirect:
        return HttpResponsePermanentRedirect(api_url(f"deals/{answer.redirect}/"))
    if answer.deal is None:
        raise Problem("not-found", f"No public deal has the slug “{slug}”.")
    return answer.deal


@router.get(
    "companies/",
    response={200: schemas.CompanyPage, **ERRORS},
    operation_id="companies_list",
    tags=["companies"],
)
def companies_list(request, query: Query[CompanyQuery]):
    """Companies in slug order, with how many published deals each is a party to."""
    data, next_cursor = companies.company_page(after=query.after, limit=query.limit)
    return {
        "data": data,
        "next_cursor": next_cursor,
        "next": _next("companies/", request, after=next_cursor) if next_cursor else None,
    }


@router.get(
    "companies/{name}/",
    response={200: schemas.CompanyDetail, 301: None, **NOT_FOUND},
    operation_id="companies_detail",
    tags=["companies"],
)
def companies_detail(request, name: str = NAME):
    """A company: aliases, what it gives and receives (from the ledger, by certainty), its
    counterparties by relationship, and its newsrooms. An alias answers 301 with the company."""
    company, exact = companies.company_resolve(name)
    if company is None:
        raise Problem("not-found", f"No company is called or aliased “{name[:80]}”.")
    if not exact:
        return HttpResponsePermanentRedirect(api_url(f"companies/{company.slug}/"))
    return companies.company_detail(company=company)


@router.get(
    "partnerships/{a}/{b}/",
    response={200: schemas.PartnershipOut, **NOT_FOUND},
    operation_id="partnerships_detail",
    tags=["companies"],
)
def partnerships_detail(request, a: str = SLUG, b: str = SLUG):
    """The public deals two companies are both party to (the latest 24), oldest first, each with
    the clause-by-clause change from its previous phase."""
    if a == b:
        raise Problem("not-found", "A partnership needs two different companies.")
    found = {c.slug: c for c in companies.public_companies().filter(slug__in=[a, b])}
    missing = [slug for slug in (a, b) if slug not in found]
    if missing:
        raise Problem("not-found", f"No company has the slug “{missing[0]}”.")
    return companies.partnership_detail(a=found[a], b=found[b])


@router.get("ledger/", response={200: schemas.LedgerOut, **ERRORS}, operation_id="ledger", tags=["ledger"])
def ledger(request, response: HttpResponse, query: Query[LedgerQuery]):
    """Who gives what to whom: the rows of ``/exports/ledger.json``, one per grantor, beneficiary,
    flow kind and unit, with confirmed, reported and unconfirmed counted amounts.

    100 rows a page (``limit``, at most 500); follow ``next`` (or the ``Link: rel="next"``
    header) for the next page. Pages are keyset cursors: a row added later never moves
    another row to a page already read. The export has every row at once.
    """
    answer, next_cursor = archive.ledger_answer(query=query)
    following = _next("ledger/", request, cursor=next_cursor) if next_cursor else None
    if following:
        response["Link"] = f'<{following}>; rel="next"'
    return {**answer, "next_cursor": next_cursor, "next": following}


@router.get("search/", response={200: schemas.SearchOut, **ERRORS}, operation_id="search", tags=["archive"])
def search(request, query: Query[SearchQuery]):
    """Public deals, clauses and archived announcements matching ``q``, best first."""
    return archive.search_answer(q=query.q)


@router.get(
    "announcements/",
    response={200: schemas.AnnouncementPage, **ERRORS},
    operation_id="announcements_list",
    tags=["archive"],
)
def announcements_list(request, query: Query[AnnouncementQuery]):
    """Archived newsroom announcements, newest first."""
    data, next_cursor = archive.announcement_page(query=query)
    return {
        "data": data,
        "next_cursor": next_cursor,
        "next": _next("announcements/", request, before=next_cursor) if next_cursor else None,
    }


@router.get(
    "sources/", response={200: schemas.SourcesOut, **ERRORS}, operation_id="sources", tags=["archive"]
)
def sources(request):
    """Every newsroom Pactwatch reads, with its health, last run and last error."""
    return archive.sources_answer()
