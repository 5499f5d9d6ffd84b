import datetime
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from extraction import vocabulary
from partnerships.models.companies import Company


def text_choices(source: type[vocabulary.Vocabulary], qualname: str) -> type[models.TextChoices]:
    """Django choices with the members, values and labels of one list in ``extraction.vocabulary``.

    The models store what extraction emits, so both read the same list; Django needs its own
    ``TextChoices`` class for ``choices=``, ``get_FOO_display()`` and ``Deal.Kind.INVESTMENT``.
    """
    return models.TextChoices(
        qualname.rpartition(".")[2],
        [(member.name, (member.value, member.label)) for member in source],
        module=__name__,
        qualname=qualname,
    )


# How much of a date is known: "2023-09" is stored as 2023-09-01 with MONTH.
DatePrecision = text_choices(vocabulary.DatePrecision, "DatePrecision")
# confirmed (a party or a filing states it), reported (press only), unconfirmed (one weak source).
Certainty = text_choices(vocabulary.Certainty, "Certainty")


class ValuationBasis(models.TextChoices):
    POST_MONEY = "post_money", "Post-money"
    PRE_MONEY = "pre_money", "Pre-money"


_CERTAINTY_RANK = {Certainty.CONFIRMED: 0, Certainty.REPORTED: 1, Certainty.UNCONFIRMED: 2}


def headline_certainty(clauses) -> str:
    """A deal's certainty: the best-supported certainty among its headline clauses.

    Headline clauses are the granted clauses that state an amount and are not a tranche of
    another clause (``part_of`` empty); a deal without any amount falls back to all its
    granted clauses. "Best" means a deal with one confirmed figure is confirmed even if a
    press report adds a larger one: the deal happened; each figure still shows its own
    certainty. A deal with no clause at all is "reported" (nothing a party stated is on file).
    """
    granted = [c for c in clauses if c.effect == Clause.Effect.GRANTED]
    headline = [c for c in granted if c.amount is not None and c.part_of_id is None] or granted
    if not headline:
        return Certainty.REPORTED
    return min((c.certainty for c in headline), key=lambda value: _CERTAINTY_RANK.get(value, 9))


class DealQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Deal.Status.PUBLISHED)

    def public(self):
        """Deals whose pages readers may open: published ones and retracted ones (marked so)."""
        return self.filter(status__in=[Deal.Status.PUBLISHED, Deal.Status.RETRACTED])

    def candidates(self):
        return self.filter(status=Deal.Status.CANDIDATE)

    def with_parties(self):
        return self.prefetch_related(
            models.Prefetch("deal_parties", queryset=DealParty.objects.select_related("company"))
        )

    def newest_first(self):
        return self.order_by("-announced_on", "-id")

    def with_last_change(self):
        """Annotate ``last_material_change``: the latest "changed materially" alert event (or None).

        A material change is what ``deal_detect_change`` records: the headline value, the
        phase link or the clauses moved. ``Deal.last_changed`` reads it.

        A subquery per listed deal (the events' ``(deal, key)`` index), not a join grouped
        over every deal: with it, a newest-first page reads its first rows off the date index
        instead of aggregating the whole archive before the LIMIT.
        """
        events = apps.get_model("partnerships", "AlertEvent").objects.filter(
            deal=OuterRef("pk"), kind="changed"
        )
        return self.annotate(
            last_material_change=Subquery(events.order_by("-created_at").values("created_at")[:1])
        )


class Deal(models.Model):
    """One phase of a partnership: an investment, a compute contract, a licence...

    Successive phases of the same partnership are chained through ``predecessor``
    (Microsoft–OpenAI 2019 → 2023 → Jan 2025 → Oct 2025) so what changed can be computed.
    """

    Kind = text_choices(vocabulary.DealKind, "Deal.Kind")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        MERGED = "merged", "Merged"
        RETRACTED = "retracted", "Retracted"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    announced_on = models.DateField()
    announced_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    effective_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    # Headline value: "up to $4B" is min=None/max=4e9; "$1B" is min=max=1e9.
    value_min = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    value_max = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD", blank=True)
    # What the deal valued a party at, apart from what anyone paid: "$183B post-money" is a
    # valuation, never money that changed hands, so it never enters a total.
    valuation_amount = models.DecimalField(max_digits=24, decimal_places=2, null=True, blank=True)
    valuation_currency = models.CharField(max_length=3, blank=True)
    valuation_basis = models.CharField(max_length=10, choices=ValuationBasis.choices, blank=True)
    valuation_certainty = models.CharField(max_length=12, choices=Certainty.choices, blank=True)
    predecessor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_deals"
    )
    status_reason = models.TextField(
        blank=True, help_text="Why the deal was rejected or retracted; shown on retracted pages."
    )
    confidence = models.FloatField(default=1.0)
    published_at = models.DateTimeField(null=True, blank=True)
    sources = models.ManyToManyField("scrapers.Announcement", related_name="deals", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-announced_on", "-id"]
        permissions = [("publish_deal", "Can publish, reject, merge and retract deals")]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_min__isnull=True) | Q(value_min__gte=0), name="deal_value_min_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value_max__gte=0), name="deal_value_max_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(value_min__isnull=True)
                | Q(value_max__isnull=True)
                | Q(value_max__gte=models.F("value_min")),
                name="deal_value_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="deal_confidence_0_1"
            ),
            models.CheckConstraint(condition=~Q(predecessor=models.F("id")), name="deal_not_own_predecessor"),
            models.CheckConstraint(
                condition=Q(valuation_amount__isnull=True) | Q(valuation_amount__gte=0),
                name="deal_valuation_nonnegative",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="deal_merged_has_target"
            ),
        ]
        indexes = [
            # Timeline keyset pagination and "latest deals": status filter, newest first.
            models.Index(fields=["status", "-announced_on", "-id"], name="deal_status_announced_idx"),
            # API deal list sorted by amount: published deals, largest headline value first, those
            # without a value last (-1: values are never negative). partnerships.api.cursors.
            models.Index(
                Coalesce("value_max", "value_min", models.Value(Decimal(-1))).desc(),
                F("id").desc(),
                condition=Q(status="published"),
                name="deal_published_value_idx",
            ),
            # Review queue: candidates by newest and confidence.
            models.Index(
                fields=["-created_at", "-confidence"],
                condition=Q(status="candidate"),
                name="deal_candidate_queue_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("partnerships:deal_detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status in {self.Status.PUBLISHED, self.Status.RETRACTED}

    @property
    def last_changed(self):
        """When the deal last changed materially: its publication, or a later material change.

        A dataset deal is published at its announcement, so a loaded deal reads as last
        changed when it was announced, never at the load. Querysets annotate the change with
        ``with_last_change()``; without it only the publication counts.
        """
        published = self.published_at or datetime.datetime.combine(
            self.announced_on, datetime.time(), tzinfo=datetime.UTC
        )
        change = getattr(self, "last_material_change", None)
        return max(published, change) if change else published

    @property
    def headline_qualifier(self) -> str:
        if self.value_max is not None and self.value_min is None:
            return Clause.Qualifier.UP_TO
        if self.value_min is not None and self.value_max is None:
            return Clause.Qualifier.AT_LEAST
        return ""

    @property
    def headline_value(self) -> Decimal | None:
        return self.value_max if self.value_max is not None else self.value_min

    @property
    def certainty(self) -> str:
        """How sure the deal's headline facts are: see ``headline_certainty``.

        Reads ``self.clauses.all()``, so list pages prefetch the clauses.
        """
        return headline_certainty(self.clauses.all())


class DealParty(models.Model):
    Role = text_choices(vocabulary.PartyRole, "DealParty.Role")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_parties")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="deal_parties")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTNER)

    history = HistoricalRecords()

    class Meta:
        ordering = ["deal", "id"]
        verbose_name_plural = "deal parties"
        constraints = [
            models.UniqueConstraint(fields=["deal", "company"], name="dealparty_deal_company_unique"),
        ]
        indexes = [
            # Company pages and partnership pages: a company's deals.
            models.Index(fields=["company", "deal"], name="dealparty_company_deal_idx"),
        ]

    def __str__(self):
        return f"{self.company} ({self.get_role_display()}) in {self.deal}"


class ClauseQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Clause.Status.CONFIRMED)


class Clause(models.Model):
    """One term of a deal, with the sentence it came from.

    Kinds follow the families of the FTC's January 2025 staff report on AI partnerships
    and investments (equity, revenue share, exclusivity, rights of first refusal,
    compute commitments...), so Pactwatch's comparisons line up with that vocabulary.
    """

    Kind = text_choices(vocabulary.ClauseKind, "Clause.Kind")
    Unit = text_choices(vocabulary.ClauseUnit, "Clause.Unit")
    Qualifier = text_choices(vocabulary.ClauseQualifier, "Clause.Qualifier")
    Effect = text_choices(vocabulary.ClauseEffect, "Clause.Effect")
    Basis = text_choices(vocabulary.ClauseBasis, "Clause.Basis")
    Certainty = Certainty

    class Status(models.TextChoices):
        """Curation state (has a curator reviewed the clause?), not how sure the fact is: ``certainty``."""

        EXTRACTED = "extracted", "Extracted"
        CONFIRMED = "confirmed", "Reviewed"

    MONEY_UNITS = vocabulary.MONEY_UNITS
    POWER_UNITS = vocabulary.POWER_UNITS

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="clauses")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject = models.CharField(
        max_length=200, blank=True, help_text="What the clause is about, e.g. exclusivity of 'cloud'."
    )
    summary = models.CharField(max_length=500, blank=True)
    effect = models.CharField(max_length=10, choices=Effect.choices, default=Effect.GRANTED)
    # Who gives what to whom: money flows grantor → beneficiary (investor → investee, customer →
    # provider for a spend commitment); compute or chips flow supplier → customer; a right is
    # granted by its grantor. Both are parties of the deal (checked by the curation services,
    # the admin forms and the publish gate). ``mutual``: both sides give (research together).
    grantor = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="clauses_granted"
    )
    beneficiary = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="clauses_received"
    )
    mutual = models.BooleanField(default=False)
    basis = models.CharField(max_length=12, choices=Basis.choices, blank=True, default="")
    # This clause is a tranche or subset of another clause of the same deal ("the first 1 GW of
    # the 6 GW"): totals count the parent, never the tranche. Deleting the parent frees it.
    part_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="tranches"
    )
    # Extracted clauses start as "reported": a machine reading is not a party's confirmation;
    # a curator (or the dataset) says when a party's own page or a filing states the figure.
    certainty = models.CharField(max_length=12, choices=Certainty.choices, default=Certainty.REPORTED)
    amount = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=12, choices=Unit.choices, blank=True)
    qualifier = models.CharField(max_length=15, choices=Qualifier.choices, blank=True, default="")
    quote = models.TextField(blank=True, help_text="The sentence the clause was read from.")
    source = models.ForeignKey(
        "scrapers.Announcement", null=True, blank=True, on_delete=models.SET_NULL, related_name="clauses"
    )
    confidence = models.FloatField(default=1.0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.EXTRACTED)
    position = models.PositiveSmallIntegerField(default=0)
    # The shipped dataset's key for this clause ("c1"): how ``load_dataset`` finds it again.
    dataset_key = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["deal", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="clause_amount_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(unit=""), name="clause_amount_has_unit"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="clause_confidence_0_1"
            ),
            models.CheckConstraint(condition=~Q(part_of=models.F("id")), name="clause_not_own_part"),
            # load_dataset upserts dataset clauses by (deal, key).
            models.UniqueConstraint(
                fields=["deal", "dataset_key"],
                condition=~Q(dataset_key=""),
                name="clause_deal_dataset_key_unique",
            ),
        ]
        indexes = [
            # Timeline filter "clause kind" and per-clause-kind feeds.
            models.Index(fields=["kind", "deal"], name="clause_kind_deal_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} in {self.deal}"

    @property
    def is_tranche(self) -> bool:
        return self.part_of_id is not None

    @property
    def needs_direction(self) -> bool:
        """Whether the publish gate asks this clause for a grantor and a beneficiary."""
        return self.kind not in DIRECTIONLESS_KINDS

    @property
    def diff_key(self) -> tuple[str, str]:
        """Duplicate clauses of one deal (a merge) are told by kind and subject."""
        return (self.kind, self.subject.strip().lower())

    @property
    def phase_key(self) -> tuple:
        """Clauses of two phases are compared on kind, subject, grantor and beneficiary."""
        return (self.kind, self.subject.strip().lower(), self.grantor_id, self.beneficiary_id)


# Terms that describe the deal rather than something one side gives the other: a contract's
# length, an AGI clause. Every other kind needs a grantor and a beneficiary to be published.
DIRECTIONLESS_KINDS = frozenset({Clause.Kind.TERM, Clause.Kind.AGI_CLAUSE})
