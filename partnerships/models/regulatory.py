"""Competition authorities' reviews of deals: the case, its dated stages and the outcome.

A review concerns one or more phases of a partnership (the UK CMA's Microsoft / OpenAI
inquiry opened after the 2023 phase and closed after the January 2025 one) and names the
companies it is about. Each dated stage is a ``RegulatoryEvent``, shown in the partnership
page's phase chain. Reviews come from the shipped dataset (``load_dataset``) and from the
CMA's case pages (``scrapers.services.filings`` archives them, ``regulatory_case_ingest``
reads them); a curator links the ones nobody could match.
"""

from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from partnerships.models.companies import Company
from partnerships.models.deals import Certainty, DatePrecision, Deal
from scrapers.untrusted import http_url


class RegulatoryStage(models.TextChoices):
    """Where a review stands or what a dated event was, in the order a review reaches them."""

    OPENED = "opened", "Opened"
    INVITATION_TO_COMMENT = "invitation_to_comment", "Invitation to comment"
    ORDERS_ISSUED = "orders_issued", "Orders issued"
    PHASE1_LAUNCHED = "phase1_launched", "Phase 1 investigation launched"
    PHASE1_DECISION = "phase1_decision", "Phase 1 decision"
    PHASE2 = "phase2", "Phase 2 investigation"
    PHASE2_DECISION = "phase2_decision", "Phase 2 decision"
    DECISION_PUBLISHED = "decision_published", "Full decision published"
    REPORT_PUBLISHED = "report_published", "Report published"
    CLOSED = "closed", "Closed"
    UPDATE = "update", "Update"


STAGE_ORDER = {value: index for index, value in enumerate(RegulatoryStage.values)}
# Stages at which the authority has said what it found: storing one is a decision.
DECISION_STAGES = frozenset(
    {
        RegulatoryStage.PHASE1_DECISION,
        RegulatoryStage.PHASE2_DECISION,
        RegulatoryStage.DECISION_PUBLISHED,
        RegulatoryStage.REPORT_PUBLISHED,
        RegulatoryStage.CLOSED,
    }
)


class RegulatoryReview(models.Model):
    class Authority(models.TextChoices):
        UK_CMA = "uk-cma", "UK CMA"
        EU_COMMISSION = "eu-commission", "European Commission"
        US_FTC = "us-ftc", "US FTC"
        OTHER = "other", "Other authority"

    Stage = RegulatoryStage

    # Natural key: authority and case name, as ``review_key`` spells them (the dataset and a
    # polled CMA case page meet on it).
    key = models.SlugField(max_length=200, unique=True)
    authority = models.CharField(max_length=20, choices=Authority.choices)
    case = models.CharField(max_length=300, help_text="The case as the authority names it.")
    url = models.URLField(max_length=1000, blank=True, help_text="Where the review's facts were read.")
    case_url = models.URLField(max_length=1000, blank=True, help_text="The authority's own case page.")
    stage = models.CharField(max_length=30, choices=RegulatoryStage.choices, default=RegulatoryStage.OPENED)
    outcome = models.CharField(max_length=300, blank=True, help_text="Empty while undecided.")
    decided_on = models.DateField(null=True, blank=True)
    decision_url = models.URLField(max_length=1000, blank=True, help_text="The decision document.")
    certainty = models.CharField(max_length=12, choices=Certainty.choices, default=Certainty.REPORTED)
    summary = models.TextField(blank=True)
    subjects = models.ManyToManyField(Company, blank=True, related_name="regulatory_reviews")
    deals = models.ManyToManyField(
        Deal, blank=True, related_name="regulatory_reviews", help_text="The deal phases the review concerns."
    )
    # The archived case page, for reviews read from the authority's site.
    source = models.ForeignKey(
        "scrapers.Announcement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="regulatory_reviews",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["authority", "case"]
        constraints = [
            # CMA polling finds a review again by its case page.
            models.UniqueConstraint(
                fields=["case_url"], condition=~Q(case_url=""), name="regulatoryreview_case_url_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_authority_display()}: {self.case}"

    @property
    def link(self) -> str:
        """The case page, else where the facts were read, when safe to render as a link."""
        return http_url(self.case_url) or http_url(self.url)

    @property
    def decision_link(self) -> str:
        return http_url(self.decision_url)

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome) or self.decided_on is not None


def review_key(authority: str, case: str) -> str:
    return slugify(f"{authority} {case}")[:200]


class RegulatoryEvent(models.Model):
    """One dated stage of a review: what the partnership page's phase chain shows."""

    class Origin(models.TextChoices):
        DATASET = "dataset", "Shipped dataset"
        AUTHORITY = "authority", "The authority's case page"
        CURATOR = "curator", "Curator"

    Stage = RegulatoryStage

    review = models.ForeignKey(RegulatoryReview, on_delete=models.CASCADE, related_name="events")
    stage = models.CharField(max_length=30, choices=RegulatoryStage.choices)
    on = models.DateField()
    precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    note = models.CharField(max_length=500, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.CURATOR)

    class Meta:
        ordering = ["review", "on", "id"]
        constraints = [
            # load_dataset and CMA polling upsert a review's events by stage and day.
            models.UniqueConstraint(
                fields=["review", "stage", "on"], name="regulatoryevent_stage_day_unique"
            ),
        ]

    def __str__(self):
        return f"{self.review}: {self.get_stage_display()} on {self.on:%Y-%m-%d}"

    @property
    def is_decision(self) -> bool:
        return self.stage in DECISION_STAGES
