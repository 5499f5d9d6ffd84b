"""The deal list (the timeline's filter, keyset pages) and one deal with its phases and history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Prefetch, Q
from django.utils.datastructures import MultiValueDict

from partnerships.api import cursors
from partnerships.api.reads.common import api_url, clause_out, deal_summary, plain, source_out
from partnerships.changes import change_set
from partnerships.diff import clause_diff
from partnerships.filters import DealFilter
from partnerships.models import AlertEvent, Clause, Deal, DealParty, RegulatoryReview
from partnerships.selectors.common import ANNOUNCEMENT_HEAVY
from partnerships.selectors.deals import merge_survivor
from scrapers.models import Announcement

EVENT_TYPES = {
    AlertEvent.Kind.PUBLISHED: "deal.published",
    AlertEvent.Kind.CHANGED: "deal.terms_changed",
    AlertEvent.Kind.RETRACTED: "deal.retracted",
    AlertEvent.Kind.REGULATORY_DECISION: "regulatory.decision",
}
# What a deal's certainty needs from its clauses, and no more.
_CERTAINTY_FIELDS = ("id", "deal_id", "effect", "amount", "part_of_id", "certainty")


def parties_prefetch():
    return Prefetch("deal_parties", queryset=DealParty.objects.select_related("company").order_by("id"))


@dataclass
class DealPage:
    deals: list[dict]
    next_cursor: str | None
    filter: DealFilter
    ignored: dict[str, list[str]]


def _names_nobody(query, deal_filter: DealFilter) -> bool:
    """A company filter none of whose values is a known company matches no deal.

    The timeline drops such a filter and says so; an API client that mistyped a slug must not
    get every deal instead, so the page is empty (the message is still under ``ignored``).
    """
    return bool(
        (query.company and not deal_filter.companies)
        or (query.counterparty and not deal_filter.counterparties)
    )


def deal_page(*, query) -> DealPage:
    """One page of published deals: the timeline's filter, keyset by date or amount. 3 queries."""
    parsed = DealFilter.from_query(MultiValueDict(query.timeline_query()))
    cursor = cursors.DealCursor.parse(query.cursor) if query.cursor else None
    sort = cursor.sort if cursor else query.sort
    qs = parsed.filter.deals()
    if _names_nobody(query, parsed.filter):
        qs = qs.none()
    if cursor is not None:
        qs = cursors.after(qs, cursor)
    rows = list(
        cursors.ordered(qs, sort)
        .annotate(predecessor_slug=F("predecessor__slug"))
        .prefetch_related(
            parties_prefetch(), Prefetch("clauses", queryset=Clause.objects.only(*_CERTAINTY_FIELDS))
        )[: query.limit + 1]
    )
    deals = rows[: query.limit]
    next_cursor = str(cursors.DealCursor.after(deals[-1], sort)) if len(rows) > query.limit else None
    return DealPage(
        [deal_summary(deal, deal.predecessor_slug) for deal in deals],
        next_cursor,
        parsed.filter,
        parsed.errors,
    )


def clauses_prefetch(lookup: str = "clauses"):
    return Prefetch(
        lookup,
        queryset=Clause.objects.select_related("grantor", "beneficiary", "source")
        .defer(*(f"source__{name}" for name in ANNOUNCEMENT_HEAVY))
        .order_by("position", "id"),
    )


@dataclass
class DealAnswer:
    """A public deal's answer, or the survivor a merged deal now lives in (``redirect``)."""

    deal: dict | None = None
    redirect: str | None = None


def _phase(before: Deal, after: Deal, other: Deal) -> dict:
    diff = clause_diff(before.clauses.all(), after.clauses.all())
    return {
        "slug": other.slug,
        "title": other.title,
        "announced_on": other.announced_on,
        "api_url": api_url(f"deals/{other.slug}/"),
        "changes": phase_diff_out(diff),
    }


def phase_diff_out(diff) -> dict:
    return {
        "added": [clause_out(c) for c in diff.added],
        "removed": [clause_out(c) for c in diff.removed],
        "changed": [
            {
                "kind": change.kind,
                "subject": change.subject,
                "fields": list(change.fields),
                "before": clause_out(change.before),
                "after": clause_out(change.after),
            }
            for change in diff.changed
        ],
    }


def _history(deal: Deal, events: list[AlertEvent]) -> list[dict]:
    """Material changes from the alert events, oldest first; a deal loaded from the dataset
    (published without an event) starts with its publication."""
    history = []
    if not any(event.kind == AlertEvent.Kind.PUBLISHED for event in events) and deal.published_at:
        history.append({"event": "deal.published", "at": deal.published_at, "changes": None})
    for event in events:
        changes = None
        if event.kind == AlertEvent.Kind.CHANGED and event.snapshot:
            changes = change_set(event.previous_snapshot, event.snapshot)
        if event.kind in EVENT_TYPES:
            history.append({"event": EVENT_TYPES[event.kind], "at": event.created_at, "changes": changes})
    return history


def review_out(review) -> dict:
    return {
        "key": review.key,
        "authority": review.authority,
        "authority_name": review.get_authority_display(),
        "case": review.case,
        "stage": review.stage,
        "outcome": review.outcome,
        "decided_on": review.decided_on,
        "decision_url": review.decision_link or None,
        "url": review.link or None,
        "certainty": review.certainty,
    }


def _valuation(deal: Deal) -> dict | None:
    if deal.valuation_amount is None:
        return None
    return {
        "amount": plain(deal.valuation_amount),
        "currency": deal.valuation_currency,
        "basis": deal.valuation_basis,
        "certainty": deal.valuation_certainty,
    }


def deal_answer(*, slug: str) -> DealAnswer:
    """A public deal with its clauses, sources, reviews, phases and history: 8 queries; a merged deal's survivor."""
    deal = (
        Deal.objects.filter(slug=slug)
        .select_related("predecessor", "merged_into")
        .prefetch_related(
            parties_prefetch(),
            clauses_prefetch(),
            Prefetch("sources", queryset=Announcement.objects.defer(*ANNOUNCEMENT_HEAVY).order_by("id")),
            Prefetch("regulatory_reviews", queryset=RegulatoryReview.objects.order_by("authority", "case")),
        )
        .first()
    )
    if deal is None:
        return DealAnswer()
    if deal.status == Deal.Status.MERGED:
        survivor = merge_survivor(deal)
        return DealAnswer(redirect=survivor.slug if survivor is not None and survivor.is_public else None)
    if not deal.is_public:
        return DealAnswer()
    phases = {
        phase.pk: phase
        for phase in Deal.objects.public()
        .filter(Q(pk=deal.predecessor_id) | Q(predecessor_id=deal.pk))
        .prefetch_related(clauses_prefetch())
        .order_by("announced_on", "id")
    }
    previous = phases.get(deal.predecessor_id)
    following = [phase for phase in phases.values() if phase.predecessor_id == deal.pk]
    events = list(AlertEvent.objects.filter(deal=deal).order_by("created_at", "id"))
    answer = deal_summary(deal, deal.predecessor.slug if deal.predecessor else None)
    answer.update(
        summary=deal.summary,
        effective_on=deal.effective_on,
        status_reason=deal.status_reason if deal.status == Deal.Status.RETRACTED else "",
        valuation=_valuation(deal),
        clauses=[clause_out(clause) for clause in deal.clauses.all()],
        sources=[source_out(source) for source in deal.sources.all()],
        previous_phase=_phase(previous, deal, previous) if previous is not None else None,
        next_phases=[_phase(deal, nxt, nxt) for nxt in following],
        regulatory_reviews=[review_out(review) for review in deal.regulatory_reviews.all()],
        history=_history(deal, events),
    )
    return DealAnswer(deal=answer)
