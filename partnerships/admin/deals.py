"""Deals in the admin: list, edit with parties and clauses inline, and the curation actions.

Status, predecessor and merge target are read-only on the form: they change only through
the actions and the review page, which validate (at least two parties, no phase loops...)
and record who did it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from partnerships.admin import review
from partnerships.admin.base import GuardedHistoryAdmin
from partnerships.diff import clause_diff
from partnerships.history import deal_change_log
from partnerships.models import Clause, Deal, DealParty
from partnerships.services.deals import deal_publish, deal_reject, deal_retract

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


def report_each(request, deals, act) -> tuple[int, int]:
    """Run one curation step per deal; every success and every refusal becomes a message."""
    done = failed = 0
    for deal in deals:
        try:
            result = act(deal)
        except ValidationError as exc:
            failed += 1
            for text in exc.messages:
                messages.error(request, text)
            continue
        done += result.changed
        messages.add_message(request, messages.SUCCESS if result.changed else messages.INFO, result.message)
    return done, failed


def render_clause_diff(before: Deal, after: Deal):
    diff = clause_diff(list(before.clauses.all()), list(after.clauses.all()))
    rows = []
    rows += [("added", review.clause_label(c), "", review.clause_value(c)) for c in diff.added]
    rows += [("removed", review.clause_label(c), review.clause_value(c), "") for c in diff.removed]
    rows += [
        ("changed", review.clause_label(ch.after), review.clause_value(ch.before), review.clause_value(ch.after)) for ch in diff.changed
    ]
    rows += [("unchanged", review.clause_label(c), review.clause_value(c), review.clause_value(c)) for c in diff.unchanged]
    head = format_html(
        'Against <a href="{}">{}</a> ({}):',
        reverse("admin:partnerships_deal_change", args=[before.pk]),
        before.title,
        before.announced_on,
    )
    if not rows:
        return format_html("{} neither phase lists clauses.", head)
    return format_html(
        '{}<table class="clause-diff"><thead><tr><th>change</th><th>clause</th><th>before</th><th>after</th>'
        "</tr></thead><tbody>{}</tbody></table>",
        head,
        format_html_join(
            "", '<tr class="diff-{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>', ((r[0], *r) for r in rows)
        ),
    )


@admin.register(Clause)
class ClauseAdmin(GuardedHistoryAdmin):
    list_display = ("__str__", "kind", "subject", "amount", "unit", "qualifier", "effect", "status", "confidence")
    list_filter = ("status", "kind", "unit", "qualifier", "effect")
    search_fields = ("quote", "subject", "summary", "deal__title")
    list_select_related = ("deal",)
    raw_id_fields = ("deal", "source")
    list_per_page = 50


@admin.register(DealParty)
class DealPartyAdmin(GuardedHistoryAdmin):
    list_display = ("deal", "company", "role")
    list_filter = ("role",)
    search_fields = ("deal__title", "company__name")
    list_select_related = ("deal", "company")
    raw_id_fields = ("deal",)
    autocomplete_fields = ("company",)
