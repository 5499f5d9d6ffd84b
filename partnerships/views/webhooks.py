"""A subscriber's webhooks page: add an endpoint, verify it again, send a test event, pause, remove.

Reached from the manage page through the same signed manage link, so it needs no account. The
signing secret of a new endpoint is shown in the answer to the form that created it, once.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from partnerships.forms import WebhookEndpointForm
from partnerships.models import Subscription, WebhookEndpoint
from partnerships.services import webhooks
from partnerships.views.alerts import subscription_or_error

ACTIONS = {
    "verify": webhooks.webhook_endpoint_verify,
    "test": webhooks.webhook_endpoint_test,
    "pause": webhooks.webhook_endpoint_pause,
    "delete": webhooks.webhook_endpoint_delete,
}
DONE = {
    "verify": "A new verification event is on its way; the endpoint turns active when it answers 2xx.",
    "test": "A test event is on its way; its result appears below in a few seconds.",
    "pause": "Paused: nothing is sent until you verify it again.",
    "delete": "Removed.",
}


def _endpoints(subscription):
    return list(
        WebhookEndpoint.objects.filter(subscription=subscription).prefetch_related("companies").order_by("id")
    )


def _add(request, subscription, ctx) -> int:
    form = WebhookEndpointForm(request.POST)
    ctx["form"] = form
    if not form.is_valid():
        return 400
    try:
        created = webhooks.webhook_endpoint_create(
            subscription=subscription,
            url=form.cleaned_data["url"],
            kind=form.cleaned_data["format"],
            deal_filter=form.deal_filter(),
            description=form.cleaned_data["description"],
        )
    except ValidationError as exc:
        form.add_error("url", exc)
        return 400
    ctx.update(created=created.endpoint, secret=created.secret, form=WebhookEndpointForm())
    return 200


@require_http_methods(["GET", "POST"])
def webhooks_page(request, token):
    subscription, error = subscription_or_error(request, token, "manage")
    if error:
        return error
    ctx = {"subscription": subscription, "token": token, "form": WebhookEndpointForm(), "message": ""}
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST" and subscription.status != Subscription.Status.ACTIVE:
        ctx["message"], status = "Confirm your alerts first.", 400
    elif request.method == "POST" and action == "add":
        status = _add(request, subscription, ctx)
    elif request.method == "POST" and action in ACTIONS:
        endpoint = WebhookEndpoint.objects.filter(
            subscription=subscription, pk=request.POST.get("endpoint") or 0
        ).first()
        if endpoint is None:
            ctx["message"], status = "No such endpoint on this subscription.", 404
        else:
            ACTIONS[action](endpoint=endpoint)
            ctx["message"] = DONE[action]
    ctx["endpoints"] = _endpoints(subscription)
    ctx["is_active"] = subscription.status == Subscription.Status.ACTIVE
    return render(request, "partnerships/alerts/webhooks.html", ctx, status=status)
