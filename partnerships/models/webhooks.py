"""Webhooks and Slack: endpoints an alert subscriber registers, and every delivery and attempt.

Exactly-once bookkeeping mirrors email alerts (``partnerships.models.alerts``):

- ``WebhookEndpoint``: a URL, its kind (generic JSON signed per the Standard Webhooks spec, or
  a Slack incoming webhook), the subscription that owns it and the same filters as email alerts.
  It delivers only once it has answered a signed verification event with a 2xx.
- ``WebhookDelivery``: one row per (endpoint, key) under a unique constraint; the key is the
  alert event's ("event-<id>") or a one-off's ("verify-…", "test-…"). Its ``message_id`` is
  the ``webhook-id`` header, the same on every retry, so receivers can drop duplicates.
- ``WebhookAttempt``: one row per HTTP attempt, with status code, latency and error.

No signal writes these rows: the alert event services enqueue the fan-out explicitly.
"""

from django.db import models
from django.db.models import Q

from partnerships.models.alerts import AlertEvent, DeliveryStatus, KindLists, Subscription
from partnerships.models.companies import Company


class WebhookEndpoint(KindLists, models.Model):
    class Kind(models.TextChoices):
        JSON = "json", "Generic JSON (Standard Webhooks signatures)"
        SLACK = "slack", "Slack incoming webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for verification"
        ACTIVE = "active", "Active"
        DISABLED = "disabled", "Disabled after failures"
        PAUSED = "paused", "Paused by its owner"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(
        max_length=1000, help_text="Checked against the SSRF guard when saved and at every attempt."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.JSON)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The signing key, "whsec_" + base64; shown to the owner once, when the endpoint is created.
    secret = models.CharField(max_length=100, editable=False)
    description = models.CharField(max_length=200, blank=True)

    # Filters, stored like Subscription's (see partnerships.filters.subscriptions_accepting).
    companies = models.ManyToManyField(Company, blank=True, related_name="webhooks")
    deal_kinds = models.CharField(max_length=300, blank=True, default="", editable=False)
    clause_kinds = models.CharField(max_length=600, blank=True, default="", editable=False)
    min_amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)

    consecutive_failures = models.PositiveIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["subscription", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True) | Q(min_amount__gte=0),
                name="webhookendpoint_min_amount_nonneg",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(verified_at__isnull=False),
                name="webhookendpoint_active_verified",
            ),
        ]
        indexes = [
            # Fan-out: active endpoints.
            models.Index(fields=["id"], condition=Q(status="active"), name="webhookendpoint_active_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.url} ({self.status})"


class WebhookDelivery(models.Model):
    """One event (or verification, or test) to one endpoint: the unit of exactly-once."""

    Status = DeliveryStatus

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    alert_event = models.ForeignKey(
        AlertEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    key = models.CharField(max_length=60)
    # deal.published, deal.terms_changed, deal.retracted, endpoint.verification, endpoint.test...
    event_type = models.CharField(max_length=40)
    message_id = models.CharField(max_length=80, help_text="The webhook-id header, the same on every retry.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "key"], name="webhookdelivery_endpoint_key_unique"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="webhookdelivery_sent_has_time"
            ),
        ]
        indexes = [
            # Sender claims: pending rows of one event, oldest first.
            models.Index(
                fields=["alert_event", "id"],
                condition=Q(status="pending"),
                name="webhookdelivery_pending_idx",
            ),
            # Reaper: rows left "sending" by a worker that died.
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="webhookdelivery_sending_idx"
            ),
        ]

    def __str__(self):
        return f"{self.event_type} to endpoint {self.endpoint_id}: {self.status}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: what the endpoint answered, or why it did not."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_rows")
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["delivery", "started_at", "id"]
        indexes = [
            # Manage page and admin: the latest attempts of one delivery.
            models.Index(fields=["delivery", "-started_at"], name="webhookattempt_delivery_idx"),
        ]

    def __str__(self):
        return f"attempt of delivery {self.delivery_id}: {self.status_code or self.error[:40]}"
