"""History admin with reverts locked down.

django-simple-history's "revert to this version" form saves on POST for anyone who may
*view* history, and a reverted row skips every validation a service applies. Reverting
needs the change permission here, and models whose status moves only through curation
services (deals) cannot be reverted at all.
"""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    allow_revert = True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not (self.allow_revert and self.has_change_permission(request)):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return not self.allow_revert or super().revert_disabled(request, obj)
