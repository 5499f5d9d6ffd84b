"""A subscriber's endpoints: add (signed verification first), verify again, test, pause, remove.

An endpoint's URL must pass the SSRF guard when it is saved (and again at every attempt, in
``transport``): http(s) only, no credentials, a host whose every address is public; https is
required unless ``SCRAPER_ALLOW_LOOPBACK`` is on (tests). The signing secret is returned once,
by ``webhook_endpoint_create``, for the page to show; it is never shown again.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships import tasks
from partnerships.emails import email_message, render_email
from partnerships.filters import DealFilter
from partnerships.models import Company, Subscription, WebhookDelivery, WebhookEndpoint
from partnerships.services.alerts.links import manage_url
from partnerships.services.webhooks import payloads
from partnerships.services.webhooks.signing import new_secret
from scrapers.fetch import FetchError, UnsafeURLError, check_url_allowed

SLACK_HOSTS = ("hooks.slack.com",)


def webhook_url_check(*, url: str, kind: str) -> str:
    """The URL, or a ValidationError saying why it cannot receive webhooks."""
    url = (url or "").strip()
    try:
        check_url_allowed(url)
    except UnsafeURLError as exc:
        raise ValidationError(exc.message, code="unsafe_url") from None
    except FetchError as exc:
        raise ValidationError(f"{exc.message} Check the address.", code="unresolvable") from None
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.SCRAPER_ALLOW_LOOPBACK:
        raise ValidationError("Use an https:// address: deal events are sent encrypted.", code="https")
    if (
        kind == WebhookEndpoint.Kind.SLACK
        and (parts.hostname or "") not in SLACK_HOSTS
        and not settings.SCRAPER_ALLOW_LOOPBACK
    ):
        raise ValidationError(
            "A Slack incoming webhook address starts with https://hooks.slack.com/.", code="slack"
        )
    return url


def _store_filter(endpoint: WebhookEndpoint, deal_filter: DealFilter) -> None:
    endpoint.deal_kind_list = deal_filter.kinds
    endpoint.clause_kind_list = deal_filter.clauses
    endpoint.min_amount = deal_filter.min_amount
    endpoint.save()
    endpoint.companies.set(Company.objects.filter(slug__in=deal_filter.companies))


def _one_off(endpoint: WebhookEndpoint, event_type: str) -> WebhookDelivery:
    """A verification or test delivery, sent by a worker right after commit."""
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    prefix = "verify" if event_type == payloads.VERIFICATION else "test"
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        key=f"{prefix}-{stamp}",
        event_type=event_type,
        message_id=f"msg_pw_{prefix}_{endpoint.pk}_{stamp}",
    )
    transaction.on_commit(lambda: tasks.webhooks_deliver_task.delay(delivery_ids=[delivery.pk]), robust=True)
    return delivery


@dataclass
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


@transaction.atomic
def webhook_endpoint_create(
    *, subscription: Subscription, url: str, kind: str, deal_filter: DealFilter, description: str = ""
) -> CreatedEndpoint:
    """Add an endpoint to a confirmed subscription; it is sent a signed verification event."""
    if subscription.status != Subscription.Status.ACTIVE:
        raise ValidationError("Confirm your alerts first: endpoints belong to a confirmed subscription.")
    if subscription.webhooks.count() >= settings.WEBHOOKS_PER_SUBSCRIPTION:
        raise ValidationError(
            f"At most {settings.WEBHOOKS_PER_SUBSCRIPTION} endpoints per subscription; remove one first."
        )
    url = webhook_url_check(url=url, kind=kind)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        subscription=subscription, url=url, kind=kind, secret=secret, description=description[:200]
    )
    _store_filter(endpoint, deal_filter)
    _one_off(endpoint, payloads.VERIFICATION)
    return CreatedEndpoint(endpoint, secret)


@transaction.atomic
def webhook_endpoint_verify(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a new verification event; a disabled or paused endpoint waits for it again."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).exclude(status=WebhookEndpoint.Status.ACTIVE).update(
        status=WebhookEndpoint.Status.PENDING, consecutive_failures=0, disabled_at=None
    )
    return _one_off(endpoint, payloads.VERIFICATION)


@transaction.atomic
def webhook_endpoint_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a test event (the latest published deal, marked ``"test": true``)."""
    return _one_off(endpoint, payloads.TEST)


def webhook_endpoint_pause(*, endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(status=WebhookEndpoint.Status.PAUSED)


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def webhook_disabled_notice_send(*, endpoint_id: int) -> bool:
    """Tell the owner an endpoint was disabled after failing again and again."""
    endpoint = WebhookEndpoint.objects.select_related("subscription").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.status != WebhookEndpoint.Status.DISABLED:
        return False
    subscription = endpoint.subscription
    ctx = {
        "endpoint": endpoint,
        "failures": endpoint.consecutive_failures,
        "manage_url": manage_url(subscription),
        "site_url": settings.SITE_URL,
    }
    email_message(render_email("webhook_disabled", ctx), to=subscription.email).send()
    return True
