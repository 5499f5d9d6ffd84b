"""Subscribing, confirming, managing and leaving; and which subscriptions want which deals."""

import logging
import smtplib
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from partnerships import tasks
from partnerships.emails import email_message, render_email
from partnerships.filters import DealFilter
from partnerships.models import Company, Subscription
from partnerships.models.alerts import normalize_email
from partnerships.services.alerts.links import confirm_url, manage_url

CONFIRMATION_INTERVAL = timedelta(hours=1)
# States a subscribe request from the form leaves alone: only the owner's manage link changes them.
KEPT_ON_REQUEST = {Subscription.Status.ACTIVE, Subscription.Status.UNSUBSCRIBED}

logger = logging.getLogger(__name__)


def _filter_save(subscription: Subscription, *, deal_filter: DealFilter, frequency: str) -> None:
    """Store what a subscriber asked for on a saved subscription (the M2M needs a primary key)."""
    subscription.deal_kind_list = deal_filter.kinds
    subscription.clause_kind_list = deal_filter.clauses
    subscription.min_amount = deal_filter.min_amount
    subscription.frequency = frequency
    subscription.save(update_fields=["deal_kinds", "clause_kinds", "min_amount", "frequency", "updated_at"])
    subscription.companies.set(Company.objects.filter(slug__in=deal_filter.companies))


def _prefill(deal_filter: DealFilter, frequency: str) -> str:
    return urlencode([*deal_filter.query_pairs(), ("frequency", frequency)])


def subscription_request(
    *, email: str, deal_filter: DealFilter, frequency: str, ip: str | None
) -> Subscription:
    """Handle a subscribe form: the visitor sees the same answer whatever the address's state.

    New, pending or bounced addresses become pending with the requested filters and get a
    confirmation link. An active or unsubscribed address keeps its state and filters (a
    stranger must neither change them nor revive an address that left, and its feed with
    it) and gets a note with its manage link, prefilled with the request, from which the
    owner can change filters or resubscribe. Either email goes at most once an hour per address.
    """
    email = normalize_email(email)
    now = timezone.now()
    for _ in range(2):  # a concurrent first request for the same address wins the insert
        try:
            with transaction.atomic():
                subscription, _created = Subscription.objects.select_for_update().get_or_create(email=email)
                if subscription.status in KEPT_ON_REQUEST:
                    notice = "subscription_exists"
                else:
                    notice = "subscription_confirm"
                    subscription.status = Subscription.Status.PENDING
                    subscription.requested_at = now
                    subscription.request_ip = ip
                    subscription.save()
                    _filter_save(subscription, deal_filter=deal_filter, frequency=frequency)
                claimed = (
                    Subscription.objects.filter(pk=subscription.pk)
                    .filter(
                        Q(confirmation_sent_at__isnull=True)
                        | Q(confirmation_sent_at__lte=now - CONFIRMATION_INTERVAL)
                    )
                    .update(confirmation_sent_at=now)
                )
                if claimed:
                    _enqueue_notice(subscription.pk, notice, _prefill(deal_filter, frequency))
            return subscription
        except IntegrityError:
            continue
    raise RuntimeError(f"could not create a subscription for {email!r}")


def _enqueue_notice(subscription_id: int, notice: str, prefill: str) -> None:
    transaction.on_commit(lambda: _queue_or_send_notice(subscription_id, notice, prefill))


def _queue_or_send_notice(subscription_id: int, notice: str, prefill: str) -> None:
    """Queue the email; with the broker down, send it in this process instead.

    The hourly claim (``confirmation_sent_at``) is already taken when this runs, so a lost
    message would block every retry for an hour: the visitor would be told to check an inbox
    that never gets the link. If sending here fails too, the claim is released so the next
    attempt can send it. (tests/faults/test_redis_down_app.py)
    """
    kwargs = {"subscription_id": subscription_id, "notice": notice, "prefill": prefill}
    try:
        tasks.subscription_notice_send_task.delay(**kwargs)
        return
    except OperationalError as exc:
        logger.warning("alerts: broker unavailable (%s); sending the %s email in-process", exc, notice)
    try:
        subscription_notice_send(**kwargs)
    except (smtplib.SMTPException, OSError):
        Subscription.objects.filter(pk=subscription_id).update(confirmation_sent_at=None)
        logger.exception("alerts: could not send the %s email for subscription %s", notice, subscription_id)


def subscription_notice_send(*, subscription_id: int, notice: str, prefill: str = "") -> bool:
    """Send the confirmation (to a pending address) or the "already subscribed" note."""
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return False
    wanted = {Subscription.Status.PENDING} if notice == "subscription_confirm" else KEPT_ON_REQUEST
    if subscription.status not in wanted:
        return False
    manage = manage_url(subscription) + (f"?{prefill}" if prefill else "")
    ctx = {
        "subscription": subscription,
        "filters": subscription_description(subscription),
        "confirm_url": confirm_url(subscription) if notice == "subscription_confirm" else "",
        "manage_url": manage,
        "site_url": settings.SITE_URL,
        "confirm_days": settings.ALERTS_CONFIRM_MAX_AGE // 86400,
    }
    email_message(render_email(notice, ctx), to=subscription.email).send()
    return True


def _activate(rows, *, subscription: Subscription, ip: str | None, user_agent: str) -> bool:
    """Activate the subscription if ``rows`` still matches it, recording consent (when, from where)."""
    now = timezone.now()
    changed = rows.filter(pk=subscription.pk).update(
        status=Subscription.Status.ACTIVE,
        consent_at=now,
        consent_ip=ip,
        consent_user_agent=(user_agent or "")[:300],
        bounce_count=0,
        unsubscribed_at=None,
        # The first digest covers deals published from now on, not the whole archive.
        last_digest_until=now,
        updated_at=now,
    )
    subscription.refresh_from_db()
    return bool(changed)


def subscription_confirm(*, subscription: Subscription, ip: str | None, user_agent: str = "") -> bool:
    """Activate a pending address from its confirmation link. Idempotent: False if nothing changed."""
    pending = Subscription.objects.filter(status=Subscription.Status.PENDING)
    return _activate(pending, subscription=subscription, ip=ip, user_agent=user_agent)


def subscription_update(
    *, subscription: Subscription, deal_filter: DealFilter, frequency: str
) -> Subscription:
    with transaction.atomic():
        if subscription.frequency != frequency and subscription.last_digest_until is None:
            subscription.last_digest_until = timezone.now()
            subscription.save(update_fields=["last_digest_until"])
        _filter_save(subscription, deal_filter=deal_filter, frequency=frequency)
    return subscription


def subscription_reactivate(*, subscription: Subscription, ip: str | None, user_agent: str = "") -> bool:
    """Resubscribe from the manage page: the signed link proves the address, so consent is fresh."""
    inactive = Subscription.objects.exclude(status=Subscription.Status.ACTIVE)
    return _activate(inactive, subscription=subscription, ip=ip, user_agent=user_agent)


def subscription_unsubscribe(*, subscription: Subscription) -> bool:
    """Idempotent: unsubscribing twice is fine and changes nothing the second time."""
    now = timezone.now()
    changed = (
        Subscription.objects.filter(pk=subscription.pk)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now, updated_at=now)
    )
    subscription.refresh_from_db()
    return bool(changed)


def subscription_description(subscription: Subscription) -> list[str]:
    """What a subscription asks for, as short sentences for emails, the manage page and its feed."""
    frequency = dict(Subscription.Frequency.choices)[subscription.frequency]
    return [*DealFilter.of_subscription(subscription).describe(), f"Frequency: {frequency}"]
