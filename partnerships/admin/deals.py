"""Deals in the admin: list, edit with parties and clauses inline, and the curation actions.

Status, predecessor and merge target are read-only on the form: they change only through
the actions and the review page, which validate (at least two parties, no phase loops...)
and record who did it. Edits of a deal and its clauses are written by ``deal_update``, one
call per form submission, so a published deal's subscribers hear of one edit once.
"""

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from partnerships import formatting
from partnerships.admin import review
from partnerships.admin.base import GuardedHistoryAdmin, report_each
from partnerships.admin.display import clause_value, render_clause_diff
from partnerships.history import deal_change_log
from partnerships.models import Clause, Deal, DealParty
from partnerships.services.deals import deal_publish, deal_reject, deal_retract, deal_update

PUBLISH_PERMISSION = "partnerships.publish_deal"


class ClauseInlineForm(forms.ModelForm):
    class Meta:
        model = Clause
        fields = (
            "kind",
            "subject",
            "amount",
            "unit",
            "qualifier",
            "effect",
            "quote",
            "source",
            "status",
            "confidence",
            "position",
        )
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 2, "cols": 50}),
            "subject": forms.TextInput(attrs={"size": 14}),
        }


class ClauseInline(admin.TabularInline):
    model = Clause
    form = ClauseInlineForm
    extra = 0
    raw_id_fields = ("source",)
    show_change_link = True


class DealPartyInline(admin.TabularInline):
    model = DealParty
    extra = 0
    autocomplete_fields = ("company",)


@admin.register(Deal)
class DealAdmin(GuardedHistoryAdmin):
    allow_revert = False  # status, predecessor and merges change only through validated services
    list_display = (
        "title",
        "status",
        "kind",
        "announced_on",
        "headline",
        "party_names",
        "clause_count",
        "confidence",
        "updated_at",
    )
    list_display_links = ("title",)
    list_filter = ("status", "kind", "announced_precision", "currency")
    search_fields = ("title", "slug", "summary", "deal_parties__company__name")
    date_hierarchy = "announced_on"
    list_per_page = 50
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("sources",)
    readonly_fields = (
        "status",
        "status_reason",
        "published_at",
        "merged_into",
        "predecessor",
        "review_link",
        "phase_diff",
        "change_log",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "summary")}),
        ("Dates", {"fields": (("announced_on", "announced_precision"), "effective_on")}),
        ("Headline value", {"fields": (("value_min", "value_max", "currency"),)}),
        ("Sources", {"fields": ("sources",)}),
        (
            "Curation",
            {
                "fields": (
                    "review_link",
                    ("status", "published_at"),
                    "status_reason",
                    ("predecessor", "merged_into"),
                    "confidence",
                    ("created_at", "updated_at"),
                )
            },
        ),
        ("What changed since the previous phase", {"fields": ("phase_diff",)}),
        ("Change log", {"classes": ("collapse",), "fields": ("change_log",)}),
    )
    inlines = (DealPartyInline, ClauseInline)
    actions = ("publish_selected", "reject_selected", "retract_selected")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(clause_count=Count("clauses", distinct=True))
            .prefetch_related(Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")))
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("review/", view(self.review_queue_view), name="partnerships_deal_review_queue"),
            path("<path:object_id>/review/", view(self.review_view), name="partnerships_deal_review"),
            *super().get_urls(),
        ]

    def review_queue_view(self, request):
        return review.queue_view(self, request)

    def review_view(self, request, object_id):
        return review.review_view(self, request, object_id)

    def has_publish_permission(self, request, obj=None):
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.display(description="value")
    def headline(self, obj):
        return formatting.deal_value(obj)

    @admin.display(description="parties")
    def party_names(self, obj):
        return ", ".join(p.company.name for p in obj.deal_parties.all())

    @admin.display(description="clauses", ordering="clause_count")
    def clause_count(self, obj):
        return obj.clause_count

    @admin.display(description="review")
    def review_link(self, obj):
        if obj is None or obj.pk is None:
            return "Save the deal first."
        url = reverse("admin:partnerships_deal_review", args=[obj.pk])
        return format_html('<a href="{}">Review with its sources, publish, merge or link a phase</a>', url)

    @admin.display(description="clause diff")
    def phase_diff(self, obj):
        if obj is None or obj.predecessor_id is None:
            return "No previous phase linked."
        return render_clause_diff(obj.predecessor, obj)

    @admin.display(description="changes")
    def change_log(self, obj):
        if obj is None or obj.pk is None:
            return ""
        entries = deal_change_log(obj, limit=50)
        if not entries:
            return "No recorded changes."
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((str(e),) for e in entries)))

    # --- Saving: the deal row and its clause inlines in one service call -------------------

    def save_model(self, request, obj, form, change):
        """Deferred to ``save_related``, which writes the deal together with its clauses.

        (The history "revert" form, which calls only this method, is closed for deals:
        ``allow_revert = False``.)
        """

    def save_related(self, request, form, formsets, change):
        clause_sets = [fs for fs in formsets if fs.model is Clause]
        saved, deleted = [], []
        for formset in clause_sets:
            saved += formset.save(commit=False)
            deleted += formset.deleted_objects
        deal_update(deal=form.instance, clauses=saved, deleted_clauses=deleted, actor=request.user)
        form.save_m2m()
        for formset in formsets:
            if formset not in clause_sets:
                self.save_formset(request, form, formset, change=change)

    # --- Actions ----------------------------------------------------------------------

    @admin.action(description="Publish selected deals", permissions=["publish"])
    def publish_selected(self, request, queryset):
        report_each(request, queryset, lambda deal: deal_publish(deal=deal, actor=request.user))

    @admin.action(description="Reject selected candidates (asks for a reason)", permissions=["publish"])
    def reject_selected(self, request, queryset):
        return self._with_reason(request, queryset, "reject_selected", "Reject", deal_reject)

    @admin.action(description="Retract selected published deals (asks for a reason)", permissions=["publish"])
    def retract_selected(self, request, queryset):
        return self._with_reason(request, queryset, "retract_selected", "Retract", deal_retract)

    def _with_reason(self, request, queryset, action, verb, service):
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") == "yes" and reason:
            report_each(request, queryset, lambda deal: service(deal=deal, reason=reason, actor=request.user))
            return None
        if request.POST.get("confirm") == "yes":
            self.message_user(request, f"{verb}: give a reason; it is kept with each deal.", messages.ERROR)
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"{verb} {queryset.count()} deal(s)",
            "opts": self.model._meta,
            "deals": queryset,
            "action": action,
            "verb": verb,
            "reason": reason,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/partnerships/deal/action_reason.html", ctx)


@admin.register(Clause)
class ClauseAdmin(GuardedHistoryAdmin):
    """Clauses on their own page (linked from the deal's inline); saves go through ``deal_update``."""

    list_display = ("__str__", "kind", "subject", "value", "effect", "status", "confidence")
    list_filter = ("status", "kind", "unit", "qualifier", "effect")
    search_fields = ("quote", "subject", "summary", "deal__title")
    list_select_related = ("deal",)
    raw_id_fields = ("deal", "source")
    list_per_page = 50

    @admin.display(description="value")
    def value(self, obj):
        return clause_value(obj)

    def get_readonly_fields(self, request, obj=None):
        # A clause moves to another deal only when the deals are merged (which checks the survivor).
        return ("deal",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        deal_update(deal=obj.deal, clauses=[obj], save_deal=False, actor=request.user)

    def delete_model(self, request, obj):
        deal_update(deal=obj.deal, deleted_clauses=[obj], save_deal=False, actor=request.user)

    def delete_queryset(self, request, queryset):
        by_deal = defaultdict(list)
        for clause in queryset.select_related("deal"):
            by_deal[clause.deal_id].append(clause)
        for clauses in by_deal.values():
            deal_update(deal=clauses[0].deal, deleted_clauses=clauses, save_deal=False, actor=request.user)


@admin.register(DealParty)
class DealPartyAdmin(GuardedHistoryAdmin):
    list_display = ("deal", "company", "role")
    list_filter = ("role",)
    search_fields = ("deal__title", "company__name")
    list_select_related = ("deal", "company")
    raw_id_fields = ("deal",)
    autocomplete_fields = ("company",)
