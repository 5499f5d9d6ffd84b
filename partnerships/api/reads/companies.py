"""Companies (list, one company from the ledger, an alias resolved) and the partnership of two."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from partnerships.api.reads.common import absolute, api_url, company_ref, deal_summary, side_ref
from partnerships.api.reads.deals import clauses_prefetch, parties_prefetch, phase_diff_out
from partnerships.cache import shared
from partnerships.diff import clause_diff
from partnerships.formatting import decimal_plain
from partnerships.models import Company, CompanyAlias, Deal, DealParty, normalize_name
from partnerships.models.deals import Certainty
from partnerships.selectors.partners import company_ledger
from scrapers.models import Newsroom

MAX_PHASES = 24  # the latest ones, as on the partnership page
COUNTERPARTY_LIMIT = 25  # per relationship: a busy lab's answer stays one size


def public_companies():
    return Company.objects.filter(is_proposed=False)


def company_page(*, after: str | None, limit: int) -> tuple[list[dict], str | None]:
    """Companies by slug, keyset on the slug, with their published deal counts: 1 query, once
    per data version.

    Counting a page's parties costs a few hundred index probes per company (30 ms for 100 at
    20,000 deals, ten times that at 200,000), and every reader of a data version gets the same
    page: it is computed once per version (``partnerships.cache.shared``; any saved deal,
    party or company starts a new one).
    """
    return shared("api-companies", lambda: _company_page(after=after, limit=limit), after, limit)


def _company_page(*, after: str | None, limit: int) -> tuple[list[dict], str | None]:
    """The page itself: the count is a subquery per listed company (the party index), not a
    GROUP BY over every party."""
    published = (
        DealParty.objects.filter(company=OuterRef("pk"), deal__status=Deal.Status.PUBLISHED)
        .order_by()
        .values("company")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = public_companies().annotate(deals=Coalesce(Subquery(published), 0))
    if after:
        qs = qs.filter(slug__gt=after)
    rows = list(qs.order_by("slug")[: limit + 1])
    data = [
        {
            "slug": c.slug,
            "name": c.name,
            "kind": c.kind,
            "website": c.website,
            "deals": c.deals,
            "url": absolute(c.get_absolute_url()),
            "api_url": api_url(f"companies/{c.slug}/"),
        }
        for c in rows[:limit]
    ]
    return data, rows[limit - 1].slug if len(rows) > limit else None


def company_resolve(name: str) -> tuple[Company | None, bool]:
    """The company a slug, an alias or a name stands for, and whether that was its own slug.

    ``aws``, ``amazon-web-services`` and ``Amazon Web Services`` all resolve to Amazon when
    they are one of its aliases; 1 query for a slug, up to 3 otherwise.
    """
    company = public_companies().filter(slug=name).first()
    if company is not None:
        return company, True
    key = normalize_name(name.replace("-", " ").replace("_", " "))
    if not key:
        return None, False
    alias = CompanyAlias.objects.filter(normalized=key, company__is_proposed=False).select_related("company")
    found = alias.first()
    if found is not None:
        return found.company, False
    by_name = public_companies().filter(name__iexact=name.strip()).first()
    return by_name, False


def _amounts(book: dict) -> list[dict]:
    return [
        {
            "flow": flow,
            "unit": unit,
            **{name: decimal_plain(getattr(amounts, name)) for name in Certainty.values},
        }
        for (flow, unit), amounts in sorted(book.items())
    ]


def company_detail(*, company: Company) -> dict:
    """A company's aliases, ledger totals, its busiest counterparties by relationship and newsrooms: 4 queries."""
    ledger = company_ledger(company=company, limit=COUNTERPARTY_LIMIT)
    aliases = list(
        CompanyAlias.objects.filter(company=company).order_by("name").values_list("name", flat=True)
    )
    newsrooms = list(Newsroom.objects.filter(company=company).order_by("name"))
    return {
        "slug": company.slug,
        "name": company.name,
        "kind": company.kind,
        "description": company.description,
        "website": company.website,
        "aliases": aliases,
        "gives": _amounts(ledger.gives),
        "receives": _amounts(ledger.receives),
        "relationships": [
            {
                "key": key,
                "label": str(label),
                "companies": [
                    {
                        "company": side_ref(party.company),
                        "deals": party.deal_count,
                        "gives": _amounts(party.given),
                        "receives": _amounts(party.received),
                    }
                    for party in parties
                ],
                "truncated": key in ledger.cut,
            }
            for key, label, parties in ledger.relationships
        ],
        "newsrooms": [
            {"slug": n.slug, "name": n.name, "kind": n.kind, "url": n.url, "health": n.health}
            for n in newsrooms
        ],
        "deals_api_url": api_url(f"deals/?company={company.slug}"),
        "url": absolute(company.get_absolute_url()),
        "api_url": api_url(f"companies/{company.slug}/"),
    }


def partnership_detail(*, a: Company, b: Company) -> dict:
    """The public deals both are party to (the latest ``MAX_PHASES``), oldest first, each diffed
    with its previous phase when that phase is listed too: 4 queries."""
    phases = list(
        Deal.objects.public()
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=a)))
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=b)))
        .select_related("predecessor")
        .prefetch_related(parties_prefetch(), clauses_prefetch())
        .order_by("-announced_on", "-id")[:MAX_PHASES]
    )
    phases.reverse()
    by_pk = {deal.pk: deal for deal in phases}
    out = []
    for deal in phases:
        before = by_pk.get(deal.predecessor_id)
        changes = phase_diff_out(clause_diff(before.clauses.all(), deal.clauses.all())) if before else None
        summary = deal_summary(deal, deal.predecessor.slug if deal.predecessor else None)
        out.append({"deal": summary, "changes": changes})
    return {"a": company_ref(a), "b": company_ref(b), "phases": out}
