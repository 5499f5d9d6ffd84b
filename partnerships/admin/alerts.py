"""Alert subscriptions and their delivery records, for superusers.

Subscribers' addresses are personal data: neither staff role sees these (partnerships/
roles.py). Outbox, delivery and digest rows are written only by the alert tasks, so they
are read-only here — editing one by hand would break the exactly-once bookkeeping.
"""

from django.contrib import admin

from partnerships.models import AlertDelivery, AlertEvent, Digest, Subscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "frequency", "consent_at", "bounce_count", "created_at")
    list_filter = ("status", "frequency")
    search_fields = ("email",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("companies",)
    readonly_fields = (
        "requested_at",
        "request_ip",
        "consent_at",
        "consent_ip",
        "consent_user_agent",
        "confirmation_sent_at",
        "unsubscribed_at",
        "last_digest_until",
        "last_digest_sent_at",
        "created_at",
        "updated_at",
    )


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAdmin):
    list_display = ("deal", "key", "kind", "created_at", "fanned_out_at")
    list_filter = ("kind",)
    search_fields = ("deal__title", "key")
    list_select_related = ("deal",)
    date_hierarchy = "created_at"


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("subscription", "deal", "event", "status", "attempts", "sent_at", "error")
    list_filter = ("status", "event")
    search_fields = ("subscription__email", "deal__title", "message_id")
    list_select_related = ("subscription", "deal")
    date_hierarchy = "created_at"


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ("subscription", "frequency", "period", "status", "deal_count", "sent_at")
    list_filter = ("status", "frequency")
    search_fields = ("subscription__email", "period")
    list_select_related = ("subscription",)
