"""The ledger in the admin: read-only, because every row is derived from a clause.

A wrong row is fixed at its clause (grantor, beneficiary, basis, tranche, certainty); the
clause's save refreshes the ledger. ``manage.py rebuild_ledger`` recomputes everything.
"""

from django.contrib import admin

from partnerships.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = (
        "deal", "grantor", "beneficiary", "flow", "stated_amount", "stated_unit", "counted", "unit",
        "certainty", "is_tranche", "year",
    )  # fmt: skip
    list_filter = ("flow", "unit", "certainty", "is_tranche", "year")
    search_fields = ("deal__title", "deal__slug", "grantor__name", "beneficiary__name")
    list_select_related = ("deal", "grantor", "beneficiary")
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a clause takes its row with it: whoever may delete clauses may let it go.
        return request.user.has_perm("partnerships.delete_clause")

    def get_actions(self, request):
        return {}
