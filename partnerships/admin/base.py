"""What the admin modules share: a history admin with reverts locked down, and action reporting.

django-simple-history's "revert to this version" form saves on POST for anyone who may
*view* history, and a reverted row skips every validation a service applies. Reverting
needs the change permission here, and models whose status moves only through curation
services (deals) cannot be reverted at all.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    allow_revert = True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not (self.allow_revert and self.has_change_permission(request)):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return not self.allow_revert or super().revert_disabled(request, obj)


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
