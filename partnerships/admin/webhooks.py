"""Webhook endpoints in the admin: status, last answer, deliveries with their attempts; send a
test event or a new verification from the list."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from partnerships.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partnerships.services import webhooks
from partnerships.services.webhooks.signing import new_secret


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ("event_type", "key", "status", "attempts", "next_attempt_at", "sent_at", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-id",)

    def has_add_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=1000, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ("subscription", "url", "kind", "description", "companies", "min_amount")

    def clean(self):
        data = super().clean()
        if data.get("url"):
            # A URL typed here passes the same guard as one from the subscriber's page.
            try:
                data["url"] = webhooks.webhook_url_check(url=data["url"], kind=data.get("kind", ""))
            except ValidationError as exc:
                self.add_error("url", exc)
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = (
        "url",
        "kind",
        "status",
        "subscription",
        "consecutive_failures",
        "last_status_code",
        "last_attempt_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("url", "subscription__email")
    raw_id_fields = ("subscription",)
    filter_horizontal = ("companies",)
    readonly_fields = (
        "status",
        "consecutive_failures",
        "verified_at",
        "disabled_at",
        "last_attempt_at",
        "last_status_code",
        "last_error",
    )
    inlines = [DeliveryInline]
    actions = ["send_test_event", "send_verification"]

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = new_secret()
        super().save_model(request, obj, form, change)
        if not change:
            webhooks.webhook_endpoint_verify(endpoint=obj)
            self.message_user(request, f"Signing secret (shown once): {obj.secret}", messages.WARNING)

    @admin.action(description="Send a test event")
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            webhooks.webhook_endpoint_test(endpoint=endpoint)
        self.message_user(request, f"Test events queued for {queryset.count()} endpoints.", messages.SUCCESS)

    @admin.action(description="Send a new verification event")
    def send_verification(self, request, queryset):
        for endpoint in queryset:
            webhooks.webhook_endpoint_verify(endpoint=endpoint)
        self.message_user(request, f"Verification queued for {queryset.count()} endpoints.", messages.SUCCESS)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("started_at", "status_code", "latency_ms", "error", "response_excerpt")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_type", "endpoint", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "event_type")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    list_display = ("delivery", "started_at", "status_code", "latency_ms", "error")
    readonly_fields = [f.name for f in WebhookAttempt._meta.fields]

    def has_add_permission(self, request):
        return False
