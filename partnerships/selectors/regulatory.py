"""Competition reviews as pages show them: a deal's reviews, and a partnership's dated events.

``deal_reviews`` (deal page): the reviews linked to a deal with their events, two queries.
``chain_events`` (partnership page): every dated stage of the reviews of the chain's phases,
one query, merged with the phases into one dated list (``phase_chain``) so a reader sees the
CMA's invitation to comment between the 2023 and 2025 phases of Microsoft and OpenAI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from partnerships.models import Deal, RegulatoryEvent, RegulatoryReview
from partnerships.models.regulatory import RegulatoryStage


def deal_reviews(*, deal: Deal) -> list[RegulatoryReview]:
    """The reviews of one deal, each with its events oldest first (2 queries)."""
    return list(
        RegulatoryReview.objects.filter(deals=deal)
        .prefetch_related(Prefetch("events", queryset=RegulatoryEvent.objects.order_by("on", "id")))
        .order_by("authority", "case")
    )


@dataclass(frozen=True)
class ChainEvent:
    """One dated entry of a partnership's phase chain: a phase (deal) or a review's stage."""

    on: date
    precision: str
    deal: Deal | None = None
    event: RegulatoryEvent | None = None

    @property
    def is_phase(self) -> bool:
        return self.deal is not None

    @property
    def review(self) -> RegulatoryReview | None:
        return self.event.review if self.event is not None else None


def chain_events(*, deal_ids: list[int]) -> list[RegulatoryEvent]:
    """Dated stages of the reviews concerning these deals (page updates left out), once each: 1 query."""
    if not deal_ids:
        return []
    events = (
        RegulatoryEvent.objects.filter(review__deals__in=deal_ids)
        .exclude(stage=RegulatoryStage.UPDATE)
        .select_related("review")
        .order_by("on", "id")
    )
    unique: dict[int, RegulatoryEvent] = {}
    for event in events:
        unique.setdefault(event.pk, event)
    return list(unique.values())


def phase_chain(phases: list[Deal], events: list[RegulatoryEvent]) -> list[ChainEvent]:
    """Phases and review stages in date order; on the same day, the phase first."""
    entries = [ChainEvent(deal.announced_on, deal.announced_precision, deal=deal) for deal in phases]
    entries += [ChainEvent(event.on, event.precision, event=event) for event in events]
    return sorted(entries, key=lambda entry: (entry.on, not entry.is_phase))
