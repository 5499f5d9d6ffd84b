"""Email alerts: who asked for which deals, and the record of every email we tried to send.

Three rows carry the exactly-once bookkeeping (see ``partnerships.services.alerts``):

- ``AlertEvent``: the outbox. One row per (deal, event) written in the same transaction as
  the change that caused it, so an alert cannot be lost between commit and the broker.
- ``AlertDelivery``: one row per (subscription, deal, event) under a unique constraint;
  the row, not the task, is what makes an instant alert go out at most once.
- ``Digest``: one row per (subscription, period) for daily and weekly summaries.

No signal writes these rows: the curation services that publish or change a deal record
its event explicitly (``partnerships.services.alerts.events``).
"""

from django.db import models
from django.db.models import Q

from partnerships.models.companies import Company
from partnerships.models.deals import Deal


def _pack(values) -> str:
    # ",investment,cloud," so that one ``contains`` lookup matches a whole value on every
    # database (JSON ``contains`` does not exist on SQLite). Empty string means "any".
    cleaned = sorted({v for v in values if v})
    return f",{','.join(cleaned)}," if cleaned else ""


def _unpack(packed: str) -> list[str]:
    return [v for v in (packed or "").split(",") if v]


class KindLists:
    """The ``deal_kinds`` / ``clause_kinds`` fields of a filter as lists (stored packed, see ``_pack``).

    Shared by subscriptions and webhook endpoints, which filter deals the same way.
    """

    @property
    def deal_kind_list(self) -> list[str]:
        return _unpack(self.deal_kinds)

    @deal_kind_list.setter
    def deal_kind_list(self, values) -> None:
        self.deal_kinds = _pack(values)

    @property
    def clause_kind_list(self) -> list[str]:
        return _unpack(self.clause_kinds)

    @clause_kind_list.setter
    def clause_kind_list(self, values) -> None:
        self.clause_kinds = _pack(values)


class Subscription(KindLists, models.Model):
    """One email address and the deals it wants to hear about. No account needed.

    One row per address (unique, lower-cased), so a deal matching several filters is still
    one email: "every deal at most once per subscriber".
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"

    class Frequency(models.TextChoices):
        INSTANT = "instant", "As soon as a deal is published"
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"

    email = models.EmailField(max_length=254, unique=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PENDING)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.INSTANT)

    # Filters: every non-empty one must match; an empty one matches anything.
    companies = models.ManyToManyField(Company, blank=True, related_name="subscriptions")
    deal_kinds = models.CharField(max_length=300, blank=True, default="", editable=False)
    clause_kinds = models.CharField(max_length=600, blank=True, default="", editable=False)
    min_amount = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Only deals whose headline value (in the deal's currency) is at least this.",
    )

    # Where the request came from, and where consent (the confirmation click) was given.
    requested_at = models.DateTimeField(null=True, blank=True)
    request_ip = models.GenericIPAddressField(null=True, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    consent_user_agent = models.CharField(max_length=300, blank=True)
    # Last email prompted by the form (confirmation or "already subscribed"): at most one an hour.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveSmallIntegerField(default=0)
    # Digest bookkeeping: the next digest covers deals published after this moment.
    last_digest_until = models.DateTimeField(null=True, blank=True)
    last_digest_sent_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True) | Q(min_amount__gte=0),
                name="subscription_min_amount_nonneg",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(consent_at__isnull=False),
                name="subscription_active_has_consent",
            ),
        ]
        indexes = [
            # Fan-out and digests: active subscriptions of one frequency.
            models.Index(
                fields=["frequency", "id"], condition=Q(status="active"), name="subscription_active_freq_idx"
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_status_display()}, {self.frequency})"

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)


def normalize_email(email: str) -> str:
    """Addresses are compared case-insensitively: one person, one row."""
    return (email or "").strip().lower()


class AlertEvent(models.Model):
    """Something about a published deal worth telling subscribers, written with the change.

    ``key`` is "published" for the first publication, "changed-<fingerprint>" for a
    material change and "regulatory-<review>-<fingerprint>" for a competition authority's
    decision on the deal, so the same change noticed twice is one event. ``snapshot`` holds the
    deal's material terms when the event was fanned out; the next change is diffed against it.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Published"
        CHANGED = "changed", "Changed materially"
        # Webhooks only: email subscribers are not told about withdrawals.
        RETRACTED = "retracted", "Retracted"
        # A competition authority decided on a review of the deal (``review`` says which).
        REGULATORY_DECISION = "regulatory.decision", "Regulatory decision"

    # The kinds that tell subscribers about the deal's own terms (change detection reads these).
    TERMS_KINDS = (Kind.PUBLISHED, Kind.CHANGED)

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="alert_events")
    key = models.CharField(max_length=40)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    review = models.ForeignKey(
        "partnerships.RegulatoryReview",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_events",
    )
    fingerprint = models.CharField(max_length=64, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    previous_snapshot = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    # Webhook endpoints have their own fan-out (partnerships.services.webhooks.delivery).
    webhooks_fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "key"], name="alertevent_deal_key_unique"),
        ]
        indexes = [
            # Digests: deals published in a window.
            models.Index(fields=["kind", "created_at"], name="alertevent_kind_created_idx"),
            # Reaper: events whose fan-out never finished.
            models.Index(
                fields=["created_at"], condition=Q(fanned_out_at__isnull=True), name="alertevent_unfanned_idx"
            ),
            # Webhook reaper: events whose webhook fan-out never finished.
            models.Index(
                fields=["created_at"],
                condition=Q(webhooks_fanned_out_at__isnull=True),
                name="alertevent_hooks_unfanned_idx",
            ),
        ]

    def __str__(self):
        return f"{self.key} of deal {self.deal_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class AlertDelivery(models.Model):
    """One instant alert to one subscriber about one event: the unit of exactly-once."""

    Status = DeliveryStatus

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="alert_deliveries")
    event = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "deal", "event"], name="alertdelivery_subscription_deal_event_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="alertdelivery_sent_has_time"
            ),
        ]
        indexes = [
            # Sender claims: pending rows of one (deal, event), oldest first.
            models.Index(
                fields=["deal", "event", "id"],
                condition=Q(status="pending"),
                name="alertdelivery_pending_idx",
            ),
            # Reaper: rows left in "sending" by a worker that died.
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="alertdelivery_sending_idx"
            ),
        ]

    def __str__(self):
        return f"{self.event} of deal {self.deal_id} to subscription {self.subscription_id}: {self.status}"


class Digest(models.Model):
    """One daily or weekly summary for one subscriber: exactly once per (subscription, period)."""

    Status = DeliveryStatus

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="digests")
    frequency = models.CharField(max_length=10, choices=Subscription.Frequency.choices)
    period = models.CharField(max_length=20, help_text="2026-11-28 for a day, 2026-W48 for a week.")
    since = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    deal_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period"], name="digest_subscription_period_unique"
            ),
        ]
        indexes = [
            # Digest sender claims pending rows of one period.
            models.Index(fields=["period", "id"], condition=Q(status="pending"), name="digest_pending_idx"),
            # Reaper.
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="digest_sending_idx"),
        ]

    def __str__(self):
        return f"{self.frequency} digest {self.period} for subscription {self.subscription_id}: {self.status}"
