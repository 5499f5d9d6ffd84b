"""What the API answers, field by field. The OpenAPI schema is generated from these models and
every answer is validated against them before it leaves.

Amounts are decimal strings ("4000000000", "2.5"): exact, never floats. Money is in the
currency named beside it and never converted. Dates are ISO 8601; ``*_text`` fields are the
figure as the pages write it ("up to $4B").
"""

from __future__ import annotations

import datetime

from ninja import Field, Schema

DECIMAL = 'A decimal number written as a string, e.g. "4000000000" or "2.5".'


class Problem(Schema):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(..., description="A URI naming the kind of problem; explained on the docs page.")
    title: str
    status: int
    detail: str = Field(..., description="What went wrong and what to change.")
    instance: str = Field(..., description="The path and query that was asked for.")
    errors: dict[str, list[str]] | None = Field(None, description="Invalid parameters: name → messages.")


class CompanyRef(Schema):
    slug: str = Field(..., description="Permanent identifier of the company.")
    name: str
    api_url: str


class Party(Schema):
    company: CompanyRef
    role: str = Field(..., description="investor, investee, provider, customer, licensor, licensee, ...")


class Value(Schema):
    """A deal's headline value: ``min``..``max`` in ``currency``; one bound only for up to / at least."""

    min: str | None = Field(..., description=DECIMAL)
    max: str | None = Field(..., description=DECIMAL)
    currency: str
    qualifier: str = Field(..., description="up_to, at_least, or empty (exact or a range).")
    text: str = Field(..., description='As the pages write it, e.g. "up to $4B".')


class DealSummary(Schema):
    slug: str = Field(..., description="Permanent identifier; the page is /deals/<slug>/.")
    title: str
    kind: str
    status: str = Field(..., description="published, or retracted (the page stays up, marked so).")
    announced_on: datetime.date
    announced_precision: str = Field(
        ..., description="day, month, quarter or year: how much of the date is known."
    )
    value: Value | None
    certainty: str = Field(
        ..., description="confirmed, reported or unconfirmed: the deal's best-supported headline figure."
    )
    parties: list[Party]
    predecessor: str | None = Field(..., description="Slug of the previous phase of the same partnership.")
    url: str = Field(..., description="The deal's page.")
    api_url: str
    updated_at: datetime.datetime = Field(..., description="When Pactwatch last changed the record.")


class DealPage(Schema):
    data: list[DealSummary]
    next_cursor: str | None = Field(
        ..., description="Pass as ``cursor`` for the next page; null on the last."
    )
    next: str | None = Field(..., description="The next page's URL (also in the Link header).")
    filters: dict[str, str | int | list[str]] = Field(
        ..., description="The filters applied, as query parameters."
    )
    ignored: dict[str, list[str]] = Field(
        ..., description="Parameters read but not applied, with the reason."
    )


class Source(Schema):
    url: str = Field(..., description="The original page.")
    title: str
    publisher: str
    kind: str = Field(
        ..., description="filing, regulator, primary (the publisher's own page), press, mirror, or empty."
    )
    archived_url: str | None = Field(..., description="Pactwatch's archived copy, only when it holds one.")


class ClauseOut(Schema):
    id: int = Field(..., description="Pactwatch's number for the clause; part_of refers to it.")
    kind: str
    kind_label: str
    subject: str
    summary: str
    effect: str = Field(..., description="granted, or removed when a phase gives a right up.")
    amount: str | None = Field(..., description=DECIMAL)
    unit: str
    qualifier: str = Field(..., description="up_to, approximately, at_least, more_than, or empty (exact).")
    value_text: str = Field(..., description="The figure as the pages write it.")
    grantor: CompanyRef | None = Field(..., description="Who gives, pays, supplies or grants.")
    beneficiary: CompanyRef | None = Field(..., description="Who receives.")
    mutual: bool = Field(..., description="Both sides give.")
    basis: str = Field(..., description="incremental, total, or empty (not stated).")
    part_of: int | None = Field(
        ..., description="The clause this one is a tranche of; totals count that one only."
    )
    certainty: str
    review: str = Field(..., description="extracted (read by machine) or reviewed (by a curator).")
    quote: str = Field(..., description="The evidence sentence, as published by the source.")
    source: Source | None


class ClauseChangeOut(Schema):
    kind: str
    subject: str
    fields: list[str] = Field(..., description="Which of amount, unit, qualifier, effect changed.")
    before: ClauseOut
    after: ClauseOut


class PhaseDiff(Schema):
    added: list[ClauseOut]
    removed: list[ClauseOut]
    changed: list[ClauseChangeOut]


class PhaseRef(Schema):
    slug: str
    title: str
    announced_on: datetime.date
    api_url: str
    changes: PhaseDiff = Field(..., description="From the earlier phase to the later one, clause by clause.")


class Valuation(Schema):
    amount: str = Field(..., description=DECIMAL)
    currency: str
    basis: str = Field(..., description="post_money or pre_money.")
    certainty: str


class RegulatoryReview(Schema):
    key: str = Field(..., description="Permanent identifier of the review.")
    authority: str = Field(..., description="uk-cma, us-ftc, eu-commission, ...")
    authority_name: str
    case: str = Field(..., description="The case as the authority names it.")
    stage: str = Field(..., description="Where the review stands: opened, phase1_decision, closed, ...")
    outcome: str = Field(..., description="Empty while undecided.")
    decided_on: datetime.date | None
    decision_url: str | None = Field(..., description="The decision document.")
    url: str | None = Field(..., description="The authority's case page, else where the facts were read.")
    certainty: str


class ClauseState(Schema):
    """A clause as an alert or a change record saw it."""

    kind: str
    subject: str
    effect: str
    amount: str | None = Field(..., description=DECIMAL)
    unit: str
    qualifier: str
    value_text: str
    basis: str
    certainty: str
    grantor: str | None = Field(..., description="Company slug.")
    beneficiary: str | None = Field(..., description="Company slug.")


class FieldChange(Schema):
    field: str
    before: str | None
    after: str | None


class ClauseChangeState(Schema):
    kind: str
    subject: str
    changes: list[FieldChange] = Field(..., description="Old → new, field by field.")
    before: ClauseState
    after: ClauseState


class ChangeSet(Schema):
    """What changed in a deal's material terms: its headline value, phase link and clauses."""

    added: list[ClauseState]
    removed: list[ClauseState]
    changed: list[ClauseChangeState]
    deal: list[FieldChange] = Field(..., description="Headline value and previous phase.")


class HistoryEntry(Schema):
    event: str = Field(
        ..., description="deal.published, deal.terms_changed, deal.retracted or regulatory.decision."
    )
    at: datetime.datetime
    changes: ChangeSet | None = Field(..., description="For terms_changed: what changed.")


class DealDetail(DealSummary):
    summary: str
    effective_on: datetime.date | None
    status_reason: str = Field(..., description="Why a retracted deal was withdrawn.")
    valuation: Valuation | None = Field(..., description="What the deal valued a party at; never a payment.")
    clauses: list[ClauseOut]
    sources: list[Source]
    previous_phase: PhaseRef | None
    next_phases: list[PhaseRef]
    regulatory_reviews: list[RegulatoryReview] = Field(..., description="Competition reviews of the deal.")
    history: list[HistoryEntry] = Field(..., description="Material changes since publication, oldest first.")


class CompanySummary(Schema):
    slug: str = Field(..., description="Permanent identifier; aliases redirect to it.")
    name: str
    kind: str
    website: str
    deals: int = Field(..., description="Published deals the company is a party to.")
    url: str
    api_url: str


class CompanyPage(Schema):
    data: list[CompanySummary]
    next_cursor: str | None = Field(..., description="Pass as ``after`` for the next page.")
    next: str | None


class Amounts(Schema):
    flow: str
    unit: str
    confirmed: str = Field(..., description=DECIMAL)
    reported: str = Field(..., description=DECIMAL)
    unconfirmed: str = Field(..., description=DECIMAL)


class Counterparty(Schema):
    company: CompanyRef
    deals: int
    gives: list[Amounts] = Field(..., description="What the company gives this counterparty.")
    receives: list[Amounts] = Field(..., description="What the company receives from it.")


class Relationship(Schema):
    key: str
    label: str
    companies: list[Counterparty] = Field(
        ..., description="The busiest counterparties (most deals first), at most 25."
    )
    truncated: bool = Field(
        ..., description="More counterparties than listed: the ledger endpoint (`company=`) has every one."
    )


class NewsroomRef(Schema):
    slug: str
    name: str
    kind: str
    url: str
    health: str


class CompanyDetail(Schema):
    slug: str
    name: str
    kind: str
    description: str
    website: str
    aliases: list[str]
    gives: list[Amounts] = Field(
        ..., description="Totals the company gives, per flow kind and unit (the ledger)."
    )
    receives: list[Amounts]
    relationships: list[Relationship]
    newsrooms: list[NewsroomRef]
    deals_api_url: str
    url: str
    api_url: str


class PartnershipPhase(Schema):
    deal: DealSummary
    changes: PhaseDiff | None = Field(..., description="From its previous phase, when that one is listed.")


class PartnershipOut(Schema):
    a: CompanyRef
    b: CompanyRef
    phases: list[PartnershipPhase] = Field(..., description="Oldest first.")


class LedgerRowOut(Schema):
    grantor: str
    grantor_name: str
    beneficiary: str
    beneficiary_name: str
    flow: str
    unit: str
    confirmed: str = Field(..., description=DECIMAL)
    reported: str = Field(..., description=DECIMAL)
    unconfirmed: str = Field(..., description=DECIMAL)
    clauses: int
    mutual: bool
    deals: list[str]


class LedgerOut(Schema):
    data: list[LedgerRowOut] = Field(..., description="In grantor, beneficiary (by id), flow, unit order.")
    next_cursor: str | None = Field(
        ..., description="Pass as ``cursor`` for the next page; null on the last."
    )
    next: str | None = Field(..., description="The next page's URL (also in the Link header).")
    filters: dict[str, str | int]
    documentation: str


class AnnouncementOut(Schema):
    id: int
    url: str
    title: str
    publisher: str
    source_kind: str
    published_at: datetime.datetime | None
    published_precision: str
    newsroom: str | None = Field(..., description="Newsroom slug.")
    archived_url: str | None
    deals: list[str] = Field(..., description="Slugs of the public deals citing it.")


class AnnouncementPage(Schema):
    data: list[AnnouncementOut]
    next_cursor: int | None = Field(..., description="Pass as ``before`` for the next page.")
    next: str | None


class LastRun(Schema):
    at: datetime.datetime
    status: str
    items_seen: int
    items_new: int
    items_updated: int


class LastError(Schema):
    at: datetime.datetime
    message: str


class NewsroomHealth(Schema):
    slug: str
    name: str
    kind: str
    url: str
    homepage: str
    company: CompanyRef | None
    is_active: bool
    health: str = Field(..., description="unknown, ok, stale, broken or blocked.")
    health_detail: str
    health_changed_at: datetime.datetime | None
    consecutive_failures: int
    last_success_at: datetime.datetime | None
    last_new_item_at: datetime.datetime | None
    last_run: LastRun | None
    last_error: LastError | None


class SourcesOut(Schema):
    data: list[NewsroomHealth]


class DealHit(Schema):
    slug: str
    title: str
    kind: str
    status: str
    announced_on: datetime.date
    snippet: str
    api_url: str


class ClauseHit(Schema):
    id: int
    deal: str
    kind: str
    subject: str
    snippet: str
    api_url: str


class AnnouncementHit(Schema):
    id: int
    title: str
    url: str
    snippet: str


class SearchOut(Schema):
    query: str
    deals: list[DealHit]
    clauses: list[ClauseHit]
    announcements: list[AnnouncementHit]
