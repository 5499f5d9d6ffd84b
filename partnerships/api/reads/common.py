"""Pieces every read shares: absolute URLs, decimals as strings, companies, sources, clauses."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from partnerships.formatting import clause_value, deal_value, decimal_plain
from partnerships.models import Clause, Deal

API_ROOT = "/api/v1/"
_KIND_LABELS = dict(Clause.Kind.choices)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def api_url(path: str) -> str:
    return settings.SITE_URL + API_ROOT + path


def plain(value: Decimal | None) -> str | None:
    return None if value is None else decimal_plain(value)


def company_ref(company) -> dict | None:
    if company is None:
        return None
    return {"slug": company.slug, "name": company.name, "api_url": api_url(f"companies/{company.slug}/")}


def side_ref(side) -> dict:
    """A ``selectors.ledger.Side`` (id, slug, name) as a company reference."""
    return {"slug": side.slug, "name": side.name, "api_url": api_url(f"companies/{side.slug}/")}


def source_out(source) -> dict | None:
    if source is None:
        return None
    return {
        "url": source.link,
        "title": source.title,
        "publisher": source.publisher,
        "kind": source.source_kind,
        "archived_url": absolute(source.get_absolute_url()) if source.has_archive else None,
    }


def clause_out(clause) -> dict:
    """A clause with its direction, basis, certainty and evidence (grantor, beneficiary, source loaded)."""
    return {
        "id": clause.pk,
        "kind": clause.kind,
        "kind_label": str(_KIND_LABELS.get(clause.kind, clause.kind)),
        "subject": clause.subject,
        "summary": clause.summary,
        "effect": clause.effect,
        "amount": plain(clause.amount),
        "unit": clause.unit,
        "qualifier": clause.qualifier,
        "value_text": clause_value(clause),
        "grantor": company_ref(clause.grantor),
        "beneficiary": company_ref(clause.beneficiary),
        "mutual": clause.mutual,
        "basis": clause.basis,
        "part_of": clause.part_of_id,
        "certainty": clause.certainty,
        "review": "reviewed" if clause.status == Clause.Status.CONFIRMED else "extracted",
        "quote": clause.quote,
        "source": source_out(clause.source),
    }


def deal_value_out(deal: Deal) -> dict | None:
    if deal.value_min is None and deal.value_max is None:
        return None
    return {
        "min": plain(deal.value_min),
        "max": plain(deal.value_max),
        "currency": deal.currency or "USD",
        "qualifier": deal.headline_qualifier,
        "text": deal_value(deal),
    }


def deal_summary(deal: Deal, predecessor_slug: str | None) -> dict:
    """A deal as lists show it (parties and clauses prefetched)."""
    return {
        "slug": deal.slug,
        "title": deal.title,
        "kind": deal.kind,
        "status": deal.status,
        "announced_on": deal.announced_on,
        "announced_precision": deal.announced_precision,
        "value": deal_value_out(deal),
        "certainty": deal.certainty,
        "parties": [
            {"company": company_ref(party.company), "role": party.role} for party in deal.deal_parties.all()
        ],
        "predecessor": predecessor_slug,
        "url": absolute(deal.get_absolute_url()),
        "api_url": api_url(f"deals/{deal.slug}/"),
        "updated_at": deal.updated_at,
    }
