"""Alert pages: subscribe, confirm, manage and one-click unsubscribe (the subscriber's own feed
is ``partnerships.feeds.SubscriptionFeed``).

Links in emails are signed (``django.core.signing``, one salt per purpose) and carry no
password. A GET never changes anything, because mail scanners open every link: confirm
and unsubscribe show a button that POSTs.
"""

from urllib.parse import urlsplit

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.client_ip import client_ip
from partnerships.forms import SubscribeForm, SubscriptionFiltersForm
from partnerships.models import Subscription
from partnerships.services import alerts


def _user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


@require_http_methods(["GET", "POST"])
def subscribe(request):
    template = (
        "partnerships/alerts/_subscribe_form.html" if request.htmx else "partnerships/alerts/subscribe.html"
    )
    if request.method == "GET":
        form = SubscribeForm(initial=SubscribeForm.initial_from_query(request.GET))
        return render(request, template, {"alert_form": form})
    form = SubscribeForm(request.POST)
    ip = client_ip(request)
    if not alerts.subscribe_ip_ok(ip=ip):
        return _refused(request, template, form, 429)
    if not form.is_valid():
        return _refused(request, template, form, 400)
    email = form.cleaned_data["email"]
    if not alerts.subscribe_address_ok(email=email):
        return _refused(request, template, form, 429)
    if not form.is_bot:
        alerts.subscription_request(
            email=email, deal_filter=form.deal_filter(), frequency=form.cleaned_data["frequency"], ip=ip
        )
    # The same answer for new, pending, active and unknown addresses (and for bots).
    return render(request, template, {"alert_done": True, "alert_email": email})


def _refused(request, template, form, status):
    ctx = {"alert_form": form, "alert_rate_limited": status == 429}
    # htmx swaps only 2xx responses: the fragment carries the errors, the status stays 200.
    return render(request, template, ctx, status=200 if request.htmx else status)


def subscription_or_error(request, token, purpose):
    """The subscription a signed link names, or the page that explains why the link is refused."""
    try:
        return alerts.subscription_from_token(token=token, purpose=purpose), None
    except alerts.TokenError as exc:
        response = render(
            request,
            "partnerships/alerts/bad_link.html",
            {"message": exc.message, "expired": exc.expired},
            status=400,
        )
        return None, response


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    subscription, error = subscription_or_error(request, token, "confirm")
    if error:
        return error
    ctx = {"subscription": subscription, "token": token}
    if request.method == "POST":
        ctx["confirmed"] = alerts.subscription_confirm(
            subscription=subscription, ip=client_ip(request), user_agent=_user_agent(request)
        )
        ctx["manage_url"] = alerts.manage_url(subscription)
    return render(request, "partnerships/alerts/confirm.html", ctx)


@require_http_methods(["GET", "POST"])
def manage(request, token):
    subscription, error = subscription_or_error(request, token, "manage")
    if error:
        return error
    saved = False
    if request.method == "POST" and request.POST.get("action") == "resubscribe":
        alerts.subscription_reactivate(
            subscription=subscription, ip=client_ip(request), user_agent=_user_agent(request)
        )
        form = SubscriptionFiltersForm(
            initial=SubscriptionFiltersForm.initial_from_subscription(subscription)
        )
    elif request.method == "POST":
        form = SubscriptionFiltersForm(request.POST)
        if form.is_valid():
            alerts.subscription_update(
                subscription=subscription,
                deal_filter=form.deal_filter(),
                frequency=form.cleaned_data["frequency"],
            )
            saved = True
    else:
        initial = SubscriptionFiltersForm.initial_from_subscription(subscription)
        if request.GET:
            # A link from an "already subscribed" email proposes the filters asked for.
            initial.update(SubscriptionFiltersForm.initial_from_query(request.GET))
        form = SubscriptionFiltersForm(initial=initial)
    ctx = {
        "subscription": subscription,
        "token": token,
        "form": form,
        "saved": saved,
        "filters": alerts.subscription_description(subscription),
        "feed_url": alerts.feed_url(subscription),
        "unsubscribe_path": urlsplit(alerts.unsubscribe_url(subscription)).path,
        "is_active": subscription.status == Subscription.Status.ACTIVE,
    }
    return render(request, "partnerships/alerts/manage.html", ctx, status=400 if form.errors else 200)


@csrf_exempt  # RFC 8058: mail providers POST without cookies or a CSRF token. The only exempt view.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscription, error = subscription_or_error(request, token, "unsubscribe")
    if error:
        return error
    ctx = {"subscription": subscription, "token": token, "done": False}
    if request.method == "POST":
        alerts.subscription_unsubscribe(subscription=subscription)
        ctx["done"] = True
        ctx["manage_url"] = alerts.manage_url(subscription)
    # 200 and no redirect: one-click clients treat anything else as failure.
    return render(request, "partnerships/alerts/unsubscribe.html", ctx)
