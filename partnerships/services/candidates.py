"""Candidate writes: from a stored announcement to a candidate deal in the database.

The extraction package reads the text (pure functions, no database); this service is
where its reading becomes rows, next to the other curation writes: the candidate deal,
its parties (a company nobody listed yet becomes a *proposed* company), its clauses,
the same deal reported by a second newsroom (one deal, two sources) and the link to the
previous phase of the same partnership.

Everything written here is a *candidate*: deals stay ``candidate`` and clauses stay
``extracted`` until a curator confirms them; nothing is ever published from here.
The announcement is the natural key, so running the task twice (a redelivered
message, a re-scrape of an edited page) updates the same rows instead of adding more.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from extraction.core import Extraction, extract_deal_value
from extraction.lexicon import SEED_COMPANIES, KnownCompany
from extraction.parties import ExtractedParty
from extraction.text import html_to_text
from partnerships.diff import ClauseDiff, clause_diff
from partnerships.models import Clause, Company, CompanyAlias, Deal, DealParty, normalize_name
from partnerships.search.index import search_index_update
from partnerships.services.candidate_clauses import clause_sides as _sides
from partnerships.services.candidate_clauses import clause_sync as _sync_clauses
from partnerships.services.candidate_clauses import clauses_new_to as _new_to
from partnerships.services.extractor import extract
from scrapers.models import Announcement

logger = logging.getLogger(__name__)

# Two newsrooms reporting one deal publish within days of each other.
SAME_DEAL_WINDOW = timedelta(days=7)
_LIVE_STATUSES = (Deal.Status.CANDIDATE, Deal.Status.PUBLISHED)


def known_companies(*, with_seed: bool = True) -> tuple[KnownCompany, ...]:
    """Every company and alias in the database, then seed companies the database does not cover.

    Seed companies matched in a text become proposed companies when first stored, under
    their usual name, instead of being missed.
    """
    companies = []
    for company in Company.objects.prefetch_related("aliases").order_by("id"):
        host = (urlsplit(company.website).hostname or "").lower() if company.website else ""
        companies.append(
            KnownCompany(
                name=company.name,
                slug=company.slug,
                aliases=tuple(alias.name for alias in company.aliases.all()),
                domains=(host.removeprefix("www."),) if host else (),
            )
        )
    if with_seed:
        covered = {normalize_name(n) for c in companies for n in (c.name, *c.aliases)}
        companies.extend(c for c in SEED_COMPANIES if normalize_name(c.name) not in covered)
    return tuple(companies)


def _as_known(company: Company | None) -> KnownCompany | None:
    if company is None:
        return None
    return KnownCompany(name=company.name, slug=company.slug)


def _announcement_text(announcement: Announcement) -> str:
    if announcement.text.strip():
        return announcement.text
    raw = announcement.get_raw_html()
    return html_to_text(raw.decode("utf-8", "replace")) if raw else announcement.summary


def announcement_extract(*, announcement_id: int) -> Deal | None:
    """Read one announcement and create or update its candidate deal; None when it is not a deal."""
    announcement = Announcement.objects.select_related("newsroom__company").filter(pk=announcement_id).first()
    if announcement is None:
        logger.info("announcement %s vanished before extraction", announcement_id)
        return None
    published_on = timezone.localdate(announcement.published_at) if announcement.published_at else None
    publisher = announcement.newsroom.company if announcement.newsroom else None
    # Outside the transaction: the optional model backend does network I/O.
    result = extract(
        _announcement_text(announcement),
        companies=known_companies(),
        title=announcement.title,
        source=announcement.url,
        published_on=published_on,
        publisher=_as_known(publisher),
    )
    with transaction.atomic():
        locked = Announcement.objects.select_for_update(of=("self",)).filter(pk=announcement_id).first()
        if locked is None:
            return None
        # The newsroom's own date beats one read from the text.
        announced_on = published_on or result.announced_on or timezone.localdate(locked.created_at)
        deal = _apply(locked, result, announced_on)
        locked.extracted_at = timezone.now()
        locked.save(update_fields=["extracted_at", "updated_at"])
        # Every stored announcement passes here, so this keeps the SQLite search index current.
        search_index_update(announcement_ids=[announcement_id], deal_ids=[deal.pk] if deal else [])
        return deal


def _apply(announcement: Announcement, result: Extraction, announced_on: date) -> Deal | None:
    own = Deal.objects.filter(sources=announcement).order_by("id").first()
    if not result.is_deal or not result.parties:
        if own is not None and own.status == Deal.Status.CANDIDATE and own.sources.count() == 1:
            # The page was edited into something that is no longer a deal.
            own.status = Deal.Status.REJECTED
            own.status_reason = "Re-extraction of its only source no longer reads a deal."
            own.save(update_fields=["status", "status_reason", "updated_at"])
        return None

    companies = [_company_for(party) for party in result.parties]
    # Two workers reading both newsrooms' posts of one deal must not both create it:
    # extraction between the same companies runs one at a time (rows locked in pk order).
    list(Company.objects.select_for_update().filter(pk__in=[c.pk for c in companies]).order_by("pk"))
    if own is not None:
        if own.status == Deal.Status.CANDIDATE:
            _update_candidate(own, result, announced_on)
            _sync_parties(own, result.parties, companies)
            _sync_clauses(own, announcement, result.clauses, _sides(result.parties, companies))
        return own

    same = _same_filing_deal(announcement, companies) or _same_deal(companies, announced_on, result)
    if same is not None:
        same.sources.add(announcement)
        if same.status == Deal.Status.CANDIDATE:
            _sync_clauses(
                same, announcement, _new_to(same, result.clauses), _sides(result.parties, companies)
            )
            if result.confidence > same.confidence:
                same.confidence = result.confidence
                same.save(update_fields=["confidence", "updated_at"])
        return same

    value_min, value_max, currency = extract_deal_value(result)
    deal = Deal.objects.create(
        title=_title(result, companies),
        slug=_slug(result, companies, announcement),
        kind=result.kind or Deal.Kind.OTHER,
        status=Deal.Status.CANDIDATE,
        announced_on=announced_on,
        value_min=value_min,
        value_max=value_max,
        currency=currency or "USD",
        confidence=result.confidence,
        predecessor=_predecessor(companies, announced_on) if result.is_expansion else None,
    )
    deal.sources.add(announcement)
    _sync_parties(deal, result.parties, companies)
    _sync_clauses(deal, announcement, result.clauses, _sides(result.parties, companies))
    return deal


def _title(result: Extraction, companies: list[Company]) -> str:
    title = " ".join(result.title.split())[:300]
    if title:
        return title
    names = " and ".join(c.name for c in companies[:3])
    return f"{names}: {Deal.Kind(result.kind or 'other').label.lower()} deal"[:300]


def _slug(result: Extraction, companies: list[Company], announcement: Announcement) -> str:
    base = slugify("-".join(c.slug for c in companies[:3]) + "-" + (result.kind or "deal"))[:150]
    return f"{base}-{announcement.pk}"


def _update_candidate(deal: Deal, result: Extraction, announced_on: date) -> None:
    value_min, value_max, currency = extract_deal_value(result)
    fields = {
        "kind": result.kind or Deal.Kind.OTHER,
        "confidence": result.confidence,
        "announced_on": announced_on,
        "value_min": value_min,
        "value_max": value_max,
        "currency": currency or "USD",
    }
    changed = [name for name, value in fields.items() if getattr(deal, name) != value]
    if changed:
        for name in changed:
            setattr(deal, name, fields[name])
        deal.save(update_fields=[*changed, "updated_at"])


def _company_for(party: ExtractedParty) -> Company:
    """The party's company; an organisation nobody listed yet becomes a proposed company."""
    if party.slug:
        company = Company.objects.filter(slug=party.slug).first()
        if company is not None:
            return company
        if not Company.objects.filter(name__iexact=party.name).exists():
            # A seed-list company not stored yet: proposed, under its usual name and slug.
            company, _ = Company.objects.get_or_create(
                slug=party.slug, defaults={"name": party.name, "is_proposed": True}
            )
            return company
    key = normalize_name(party.name)
    alias = CompanyAlias.objects.select_related("company").filter(normalized=key).first()
    if alias is not None:
        return alias.company
    for company in Company.objects.filter(name__iexact=party.name.strip()):
        return company
    slug = slugify(party.name)[:180] or "company"
    if Company.objects.filter(slug=slug).exists():
        slug = f"{slug[:170]}-{Company.objects.count() + 1}"
    company, _ = Company.objects.get_or_create(
        name=party.name.strip()[:200], defaults={"slug": slug, "is_proposed": True}
    )
    return company


def _sync_parties(deal: Deal, parties: list[ExtractedParty], companies: list[Company]) -> None:
    existing = set(deal.deal_parties.values_list("company_id", flat=True))
    DealParty.objects.bulk_create(
        [
            DealParty(deal=deal, company=company, role=party.role)
            for party, company in zip(parties, companies, strict=True)
            if company.pk not in existing and not existing.add(company.pk)
        ]
    )


def _deals_between(companies: list[Company]):
    ids = sorted({c.pk for c in companies})
    return (
        Deal.objects.filter(status__in=_LIVE_STATUSES)
        .annotate(party_count=Count("deal_parties", distinct=True))
        .filter(party_count=len(ids))
        .filter(pk__in=_deals_with_all(ids))
    )


def _deals_with_all(ids: list[int]):
    query = Deal.objects.all()
    for company_id in ids:
        query = query.filter(pk__in=DealParty.objects.filter(company_id=company_id).values("deal_id"))
    return query.values("pk")


def _same_deal(companies: list[Company], announced_on: date, result: Extraction) -> Deal | None:
    """A deal between the same parties, a few days apart, with overlapping terms: one deal, two sources."""
    window = _deals_between(companies).filter(
        announced_on__gte=announced_on - SAME_DEAL_WINDOW, announced_on__lte=announced_on + SAME_DEAL_WINDOW
    )
    amounts = {(c.kind, c.amount.normalize(), c.unit) for c in result.clauses if c.amount is not None}
    kinds = {c.kind for c in result.clauses} - {Clause.Kind.TERM, Clause.Kind.OTHER}
    for deal in window.prefetch_related("clauses").order_by("announced_on", "id"):
        theirs = list(deal.clauses.all())
        their_amounts = {(c.kind, c.amount.normalize(), c.unit) for c in theirs if c.amount is not None}
        their_kinds = {c.kind for c in theirs}
        if amounts & their_amounts or (kinds & their_kinds and not (amounts and their_amounts)):
            return deal
        if not theirs and not result.clauses:
            return deal
    return None


def _same_filing_deal(announcement: Announcement, companies: list[Company]) -> Deal | None:
    """Passages of one filing that name the same counterparty describe one relationship: one candidate."""
    if announcement.filing_id is None:
        return None
    return (
        _deals_between(companies)
        .filter(sources__filing_id=announcement.filing_id)
        .exclude(sources=announcement)
        .order_by("id")
        .first()
    )


def _predecessor(companies: list[Company], announced_on: date) -> Deal | None:
    """The latest earlier phase between the same parties, published or still a candidate."""
    return (
        _deals_between(companies)
        .filter(announced_on__lt=announced_on)
        .order_by("-announced_on", "-id")
        .first()
    )


def deal_phase_diff(deal: Deal) -> ClauseDiff | None:
    """What this phase changed compared with its predecessor (None for a first phase)."""
    if deal.predecessor_id is None:
        return None
    return clause_diff(list(deal.predecessor.clauses.all()), list(deal.clauses.all()))
