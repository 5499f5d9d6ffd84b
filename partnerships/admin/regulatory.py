"""Competition reviews in the admin: link a review to the phases it concerns, fix its stages.

CMA polling links a review to phases when it can (``regulatory_case_ingest``); the rest wait
here, filtered by "linked to a deal: no", for a curator. Storing a decision here (an outcome,
a decision date, a decision-stage event) records the ``regulatory.decision`` alert, as
polling does.
"""

from django.contrib import admin

from partnerships.models import RegulatoryEvent, RegulatoryReview
from partnerships.models.regulatory import review_key
from partnerships.services.regulatory import regulatory_review_record_decision, review_decision_facts


class RegulatoryEventInline(admin.TabularInline):
    model = RegulatoryEvent
    fields = ("stage", "on", "precision", "note", "origin")
    extra = 0


class LinkedFilter(admin.SimpleListFilter):
    title = "linked to a deal"
    parameter_name = "linked"

    def lookups(self, request, model_admin):
        return (("yes", "Yes"), ("no", "No"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deals__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(deals__isnull=True)
        return queryset


@admin.register(RegulatoryReview)
class RegulatoryReviewAdmin(admin.ModelAdmin):
    list_display = ("case", "authority", "stage", "outcome", "decided_on", "certainty")
    list_filter = ("authority", "stage", "certainty", LinkedFilter)
    search_fields = ("case", "outcome", "key", "subjects__name")
    autocomplete_fields = ("deals", "subjects")
    readonly_fields = ("key", "source", "created_at", "updated_at")
    fields = (
        ("authority", "key"),
        "case",
        ("url", "case_url"),
        ("stage", "certainty"),
        ("outcome", "decided_on"),
        "decision_url",
        "summary",
        "subjects",
        "deals",
        "source",
        ("created_at", "updated_at"),
    )
    inlines = (RegulatoryEventInline,)

    def save_model(self, request, obj, form, change):
        stored = RegulatoryReview.objects.filter(pk=obj.pk).first() if change else None
        # Kept on the row being saved (the admin object is shared between requests).
        obj._decision_before = review_decision_facts(stored) if stored is not None else None
        if not obj.key:
            obj.key = review_key(obj.authority, obj.case)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        review = form.instance
        regulatory_review_record_decision(review=review, before=getattr(review, "_decision_before", None))


@admin.register(RegulatoryEvent)
class RegulatoryEventAdmin(admin.ModelAdmin):
    list_display = ("review", "stage", "on", "precision", "origin")
    list_filter = ("stage", "origin", "review__authority")
    search_fields = ("review__case", "note")
    list_select_related = ("review",)
    autocomplete_fields = ("review",)
    date_hierarchy = "on"
