"""Companies and their aliases, with the "merge companies" action."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse

from partnerships.admin.base import GuardedHistoryAdmin
from partnerships.models import Company, CompanyAlias
from partnerships.services.merges import company_merge


class CompanyAliasInline(admin.TabularInline):
    model = CompanyAlias
    extra = 1
    fields = ("name", "normalized")
    readonly_fields = ("normalized",)


@admin.register(Company)
class CompanyAdmin(GuardedHistoryAdmin):
    list_display = ("name", "kind", "is_proposed", "deal_count", "alias_names", "website")
    list_filter = ("kind", "is_proposed")
    search_fields = ("name", "slug", "aliases__name")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (CompanyAliasInline,)
    actions = ("merge_companies",)
    list_per_page = 100

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(deal_count=Count("deal_parties", distinct=True))
            .prefetch_related("aliases")
        )

    @admin.display(description="deals", ordering="deal_count")
    def deal_count(self, obj):
        return obj.deal_count

    @admin.display(description="aliases")
    def alias_names(self, obj):
        return ", ".join(a.name for a in obj.aliases.all())

    @admin.action(description="Merge selected companies into one", permissions=["change", "delete"])
    def merge_companies(self, request, queryset):
        companies = list(queryset)
        if len(companies) < 2:
            self.message_user(request, "Select at least two companies to merge.", messages.ERROR)
            return None
        survivor_id = request.POST.get("survivor", "")
        survivor = next((c for c in companies if str(c.pk) == survivor_id), None)
        if request.POST.get("confirm") == "yes" and survivor is not None:
            for company in companies:
                if company.pk == survivor.pk:
                    continue
                try:
                    result = company_merge(company=company, into=survivor, actor=request.user)
                except ValidationError as exc:
                    for text in exc.messages:
                        self.message_user(request, text, messages.ERROR)
                    continue
                self.message_user(request, result.message, messages.SUCCESS)
            return None
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Merge companies",
            "opts": self.model._meta,
            "companies": companies,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/partnerships/company/merge_companies.html", ctx)


@admin.register(CompanyAlias)
class CompanyAliasAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "normalized")
    search_fields = ("name", "normalized", "company__name")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    readonly_fields = ("normalized",)
