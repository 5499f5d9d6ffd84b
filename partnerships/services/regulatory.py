"""Regulatory reviews: a CMA case page read into a review, matched to the deal phases it concerns.

``regulatory_case_ingest`` is the curation half of CMA polling: the scraper archived the
case page (an announcement of kind "regulator" whose raw page is GOV.UK's Content API JSON);
this reads it with ``parse_cma_case`` and upserts the review (found by its case page, else by
``review_key``), its subjects and its dated events. A review nobody linked yet is matched to
phases (``review_phases``). The case page then goes through extraction like any announcement,
so it reaches the review queue with its quotes highlighted; a review no phase matched and
extraction did not read as a deal becomes a bare candidate for a curator to link.

Storing a decision (an outcome, a decision date or a decision-stage event that was not there
before) records a ``regulatory.decision`` alert event for every published deal the review
concerns (``alerts.events.regulatory_decision_record``). The dataset loader never does: an
initial load is not news.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from partnerships.models import (
    Company,
    CompanyAlias,
    Deal,
    DealParty,
    RegulatoryEvent,
    RegulatoryReview,
    normalize_name,
)
from partnerships.models.deals import Certainty
from partnerships.models.regulatory import DECISION_STAGES, STAGE_ORDER, RegulatoryStage, review_key
from partnerships.services.alerts.events import regulatory_decision_record
from scrapers.filings import FilingParseError, parse_cma_case
from scrapers.filings import RegulatoryReview as Case
from scrapers.models import Announcement
from scrapers.untrusted import db_text, http_url

logger = logging.getLogger(__name__)

S = RegulatoryStage
# The parser's stage and event names → the model's.
_STAGES = {
    "opened": S.OPENED,
    "invitation_to_comment": S.INVITATION_TO_COMMENT,
    "phase_1": S.PHASE1_LAUNCHED,
    "phase_1_decision": S.PHASE1_DECISION,
    "phase_2": S.PHASE2,
    "phase_2_decision": S.PHASE2_DECISION,
    "closed": S.CLOSED,
    "update": S.UPDATE,
}
_FULL_TEXT = re.compile(r"full text|reasons for|final report", re.I)


def companies_named(names) -> list[Company]:
    """The reviewed companies a list of names means (names and aliases, normalised), deduplicated."""
    keys = {normalize_name(name): name for name in names if normalize_name(name)}
    found: dict[int, Company] = {}
    for company in Company.objects.filter(is_proposed=False):
        if normalize_name(company.name) in keys:
            found.setdefault(company.pk, company)
    for alias in CompanyAlias.objects.select_related("company").filter(normalized__in=list(keys)):
        if not alias.company.is_proposed:
            found.setdefault(alias.company_id, alias.company)
    return list(found.values())


def review_phases(*, subjects: list[Company], opened: date | None, decided: date | None) -> list[Deal]:
    """The public bilateral phases between the subjects a review concerns.

    The latest phase announced by the day the review opened, and every phase announced while
    it was open (up to its decision): the CMA's Microsoft / OpenAI inquiry opened in December
    2023 (after the January 2023 phase) and closed in March 2025 (after the January 2025 one).
    """
    ids = {company.pk for company in subjects}
    if len(ids) < 2 or opened is None:
        return []
    deals = list(
        Deal.objects.public()
        .annotate(
            named=Count("deal_parties", filter=Q(deal_parties__company_id__in=ids), distinct=True),
            parties=Count("deal_parties", distinct=True),
        )
        .filter(named__gte=2, named=F("parties"))
        .order_by("announced_on", "id")
    )
    before = [deal for deal in deals if deal.announced_on <= opened]
    during = [deal for deal in deals if opened < deal.announced_on <= (decided or timezone.localdate())]
    return before[-1:] + during


@dataclass(frozen=True)
class EventRow:
    stage: str
    on: date
    precision: str
    note: str


def case_events(case: Case) -> list[EventRow]:
    """The case's dated events under the model's stages, one per (stage, day)."""
    rows: dict[tuple[str, date], EventRow] = {}
    reached_phase2 = False
    for event in case.events:
        stage = _STAGES.get(event.kind)
        if event.kind == "decision":
            if _FULL_TEXT.search(event.note):
                stage = S.DECISION_PUBLISHED
            else:
                stage = S.PHASE2_DECISION if reached_phase2 else S.PHASE1_DECISION
        reached_phase2 = reached_phase2 or stage == S.PHASE2
        if stage is None:
            continue
        rows.setdefault((stage, event.on), EventRow(stage, event.on, "day", db_text(event.note, 500)))
    return list(rows.values())


@dataclass
class EventsSynced:
    created: int = 0
    updated: int = 0
    removed: int = 0


def review_events_sync(*, review: RegulatoryReview, rows: list[EventRow], origin: str) -> EventsSynced:
    """Make the review's events of this origin equal ``rows`` (others' events stay as they are).

    An event another origin already recorded on the same stage and day is left to it.
    """
    current = {(e.stage, e.on): e for e in review.events.all()}
    synced = EventsSynced()
    for row in rows:
        found = current.pop((row.stage, row.on), None)
        if found is None:
            RegulatoryEvent.objects.create(
                review=review,
                stage=row.stage,
                on=row.on,
                precision=row.precision,
                note=row.note,
                origin=origin,
            )
            synced.created += 1
        elif found.origin == origin and (found.precision, found.note) != (row.precision, row.note):
            found.precision, found.note = row.precision, row.note
            found.save(update_fields=["precision", "note"])
            synced.updated += 1
    for leftover in current.values():
        if leftover.origin == origin:
            leftover.delete()
            synced.removed += 1
    return synced


def furthest_stage(stages) -> str:
    stages = [s for s in stages if s != S.UPDATE]
    return max(stages, key=lambda s: STAGE_ORDER.get(s, -1), default=S.OPENED)


def review_decision_facts(review: RegulatoryReview) -> tuple:
    decisions = sorted((e.stage, e.on.isoformat()) for e in review.events.all() if e.stage in DECISION_STAGES)
    return (review.outcome, review.decided_on.isoformat() if review.decided_on else "", tuple(decisions))


def _find_review(case: Case) -> RegulatoryReview | None:
    authority = RegulatoryReview.Authority.UK_CMA
    return (
        RegulatoryReview.objects.filter(case_url=case.url).first()
        or RegulatoryReview.objects.filter(key=review_key(authority, case.title)).first()
    )


def _review_values(case: Case) -> dict:
    documents = case.decision_documents
    return {
        "case_url": case.url,
        "case": db_text(case.title, 300),
        "stage": _STAGES.get(case.stage, S.OPENED),
        "outcome": db_text(case.outcome, 300),
        "decided_on": case.decided_on,
        "decision_url": http_url(documents[0].url) if documents else "",
        # The authority's own page states it.
        "certainty": Certainty.CONFIRMED,
        "summary": db_text(case.summary),
    }


def review_from_case(*, case: Case, source: Announcement) -> tuple[RegulatoryReview, bool]:
    """Upsert the review a case page describes; returns it and whether a decision is new."""
    review = _find_review(case)
    before = review_decision_facts(review) if review is not None else ("", "", ())
    values = _review_values(case)
    if review is None:
        review = RegulatoryReview(
            key=review_key(RegulatoryReview.Authority.UK_CMA, case.title),
            authority=RegulatoryReview.Authority.UK_CMA,
            url=case.url,
        )
    for name, value in values.items():
        setattr(review, name, value)
    review.source = source
    review.save()
    rows = case_events(case)
    review_events_sync(review=review, rows=rows, origin=RegulatoryEvent.Origin.AUTHORITY)
    stage = furthest_stage([review.stage, *(e.stage for e in review.events.all())])
    if stage != review.stage:
        review.stage = stage
        review.save(update_fields=["stage", "updated_at"])
    subjects = companies_named(case.subjects)
    if subjects:
        review.subjects.add(*subjects)
    after = review_decision_facts(review)
    return review, review.is_decided and after != before


def _case_of(announcement: Announcement) -> Case | None:
    raw = announcement.get_raw_html()
    if not raw:
        return None
    try:
        return parse_cma_case(raw)
    except FilingParseError:
        logger.warning("announcement %s is not a CMA case page", announcement.pk, exc_info=True)
        return None


def regulatory_case_ingest(*, announcement_id: int) -> RegulatoryReview | None:
    """Read an archived CMA case page into its review; match, alert, then extract like any page."""
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    case = _case_of(announcement) if announcement is not None else None
    if case is None:
        return None
    with transaction.atomic():
        review, decided = review_from_case(case=case, source=announcement)
        if not review.deals.exists():
            opened = case.opened_on or min((e.on for e in review.events.all()), default=None)
            review.deals.add(
                *review_phases(subjects=list(review.subjects.all()), opened=opened, decided=case.decided_on)
            )
        if decided:
            regulatory_decision_record(review=review)
    from partnerships.services.candidates import announcement_extract

    candidate = announcement_extract(announcement_id=announcement.pk)
    if not review.deals.exists():
        review_candidate_link(review=review, candidate=candidate, source=announcement)
    return review


def review_candidate_link(*, review: RegulatoryReview, candidate: Deal | None, source: Announcement) -> Deal:
    """A review no phase matched waits in the review queue as a candidate, linked to it."""
    with transaction.atomic():
        if candidate is None:
            candidate = Deal.objects.create(
                title=db_text(f"{review.get_authority_display()}: {review.case}", 300),
                slug=f"review-{review.key}"[:190] + f"-{review.pk}",
                kind=Deal.Kind.OTHER,
                status=Deal.Status.CANDIDATE,
                announced_on=min((e.on for e in review.events.all()), default=timezone.localdate()),
                summary="A competition authority's review that no deal in Pactwatch matched: link it to the "
                "phases it concerns (Regulatory reviews in the admin), or publish this as a deal.",
                confidence=0.3,
            )
            candidate.sources.add(source)
            DealParty.objects.bulk_create(
                [DealParty(deal=candidate, company=c) for c in review.subjects.all()], ignore_conflicts=True
            )
        review.deals.add(candidate)
    return candidate


def regulatory_review_record_decision(*, review: RegulatoryReview, before: tuple | None) -> bool:
    """A curator saved a review: when its decision is new or different, alert as polling does."""
    if not review.is_decided or review_decision_facts(review) == before:
        return False
    regulatory_decision_record(review=review)
    return True
