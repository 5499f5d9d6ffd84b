"""The ledger in the admin: read-only, because every row is derived from a clause.

A wrong row is fixed at its clause (grantor, beneficiary, basis, tranche, certainty); the
clause's save refreshes the ledger. ``manage.py rebuild_ledger`` recomputes everything.
"""

from django.contrib import admin

from partnerships.models import CompanyFlowYear, CompanyPartner, CompanyPartnerFlow, LedgerEntry


class _DerivedAdmin(admin.ModelAdmin):
    """Rows derived from clauses: shown, never added, edited or acted on in bulk here."""

    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(LedgerEntry)
class LedgerEntryAdmin(_DerivedAdmin):
    list_display = (
        "deal", "grantor", "beneficiary", "flow", "stated_amount", "stated_unit", "counted", "unit",
        "certainty", "is_tranche", "year",
    )  # fmt: skip
    list_filter = ("flow", "unit", "certainty", "is_tranche", "year")
    search_fields = ("deal__title", "deal__slug", "grantor__name", "beneficiary__name")
    list_select_related = ("deal", "grantor", "beneficiary")

    def has_delete_permission(self, request, obj=None):
        # Deleting a clause takes its row with it: whoever may delete clauses may let it go.
        return request.user.has_perm("partnerships.delete_clause")


class _RollupAdmin(_DerivedAdmin):
    """Rollups are sums of ledger rows (``partnerships.services.rollups``): read-only too."""

    list_select_related = ("company",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompanyFlowYear)
class CompanyFlowYearAdmin(_RollupAdmin):
    list_display = ("company", "direction", "flow", "unit", "year", "confirmed", "reported", "unconfirmed")
    list_filter = ("direction", "flow", "unit", "year")
    search_fields = ("company__name",)


@admin.register(CompanyPartnerFlow)
class CompanyPartnerFlowAdmin(_RollupAdmin):
    list_display = (
        "company", "counterparty", "relationship", "direction", "flow", "unit", "deals", "confirmed",
        "reported",
    )  # fmt: skip
    list_filter = ("relationship", "direction", "flow", "unit")
    list_select_related = ("company", "counterparty")
    search_fields = ("company__name", "counterparty__name")


@admin.register(CompanyPartner)
class CompanyPartnerAdmin(_RollupAdmin):
    list_display = ("company", "counterparty", "relationship", "deals")
    list_filter = ("relationship",)
    list_select_related = ("company", "counterparty")
    search_fields = ("company__name", "counterparty__name")
