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


CLAUSE_FIELDS = (
    "kind",
    "subject",
    "grantor",
    "beneficiary",
    "mutual",
    "amount",
    "unit",
    "qualifier",
    "basis",
    "part_of",
    "effect",
    "certainty",
    "quote",
    "source",
    "status",
    "confidence",
    "position",
)


def _direction_errors(cleaned: dict, party_ids: set[int], deal_id: int | None) -> dict[str, str]:
    """Field errors for a clause naming a company that is not a party, or a tranche of another deal."""
    errors = {}
    for side in ("grantor", "beneficiary"):
        company = cleaned.get(side)
        if company is not None and company.pk not in party_ids:
            errors[side] = f"{company.name} is not a party of this deal; add it as a party first."
    if cleaned.get("grantor") is not None and cleaned.get("grantor") == cleaned.get("beneficiary"):
        errors["beneficiary"] = "The beneficiary must be another company than the grantor."
    part_of = cleaned.get("part_of")
    if part_of is not None and part_of.deal_id != deal_id:
        errors["part_of"] = "A clause can only be part of another clause of the same deal."
    return errors


class ClauseInlineForm(forms.ModelForm):
    class Meta:
        model = Clause
        fields = CLAUSE_FIELDS
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 2, "cols": 50}),
            "subject": forms.TextInput(attrs={"size": 14}),
        }


class ClauseFormSet(forms.BaseInlineFormSet):
    """Checks each clause's grantor and beneficiary against the parties submitted with it."""

    party_formset = None  # set by DealAdmin._create_formsets

    def _party_ids(self) -> set[int]:
        if self.party_formset is None or not self.party_formset.is_valid():
            return (
                set(self.instance.deal_parties.values_list("company_id", flat=True))
                if self.instance.pk
                else set()
            )
        return {
            form.cleaned_data["company"].pk
            for form in self.party_formset.forms
            if form.cleaned_data.get("company") and not form.cleaned_data.get("DELETE")
        }

    def clean(self):
        super().clean()
        party_ids = self._party_ids()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            for field, message in _direction_errors(form.cleaned_data, party_ids, self.instance.pk).items():
                form.add_error(field, message)


class ClauseInline(admin.TabularInline):
    model = Clause
    form = ClauseInlineForm
    formset = ClauseFormSet
    extra = 0
    raw_id_fields = ("source", "part_of")
    autocomplete_fields = ("grantor", "beneficiary")
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

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        parties = next((fs for fs in formsets if fs.model is DealParty), None)
        for formset in formsets:
            if formset.model is Clause:
                formset.party_formset = parties
        return formsets, inline_instances

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
        written = {Clause: ([], []), DealParty: ([], [])}
        for formset in formsets:
            if formset.model in written:
                saved, deleted = written[formset.model]
                saved += formset.save(commit=False)
                deleted += formset.deleted_objects
        deal_update(
            deal=form.instance,
            clauses=written[Clause][0],
            deleted_clauses=written[Clause][1],
            parties=written[DealParty][0],
            deleted_parties=written[DealParty][1],
            actor=request.user,
        )
        form.save_m2m()
        for formset in formsets:
            if formset.model not in written:
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


class ClauseAdminForm(forms.ModelForm):
    class Meta:
        model = Clause
        fields = ("deal", *CLAUSE_FIELDS, "summary")

    def clean(self):
        cleaned = super().clean()
        deal = cleaned.get("deal") or (self.instance.deal if self.instance.deal_id else None)
        if deal is not None:
            party_ids = set(deal.deal_parties.values_list("company_id", flat=True))
            for field, message in _direction_errors(cleaned, party_ids, deal.pk).items():
                self.add_error(field, message)
        return cleaned


@admin.register(Clause)
class ClauseAdmin(GuardedHistoryAdmin):
    """Clauses on their own page (linked from the deal's inline); saves go through ``deal_update``."""

    form = ClauseAdminForm
    autocomplete_fields = ("grantor", "beneficiary")

    list_display = (
        "__str__",
        "kind",
        "subject",
        "grantor",
        "beneficiary",
        "value",
        "effect",
        "certainty",
        "status",
    )
    list_filter = ("status", "certainty", "basis", "kind", "unit", "qualifier", "effect")
    search_fields = ("quote", "subject", "summary", "deal__title")
    list_select_related = ("deal", "grantor", "beneficiary")
    raw_id_fields = ("deal", "source", "part_of")
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
    """Parties on their own page; saves go through ``deal_update`` (roles feed the ledger)."""

    list_display = ("deal", "company", "role")
    list_filter = ("role",)
    search_fields = ("deal__title", "company__name")
    list_select_related = ("deal", "company")
    raw_id_fields = ("deal",)
    autocomplete_fields = ("company",)

    def save_model(self, request, obj, form, change):
        deal_update(deal=obj.deal, parties=[obj], save_deal=False, actor=request.user)

    def delete_model(self, request, obj):
        deal_update(deal=obj.deal, deleted_parties=[obj], save_deal=False, actor=request.user)

    def delete_queryset(self, request, queryset):
        by_deal = defaultdict(list)
        for party in queryset.select_related("deal"):
            by_deal[party.deal_id].append(party)
        for parties in by_deal.values():
            deal_update(deal=parties[0].deal, deleted_parties=parties, save_deal=False, actor=request.user)
