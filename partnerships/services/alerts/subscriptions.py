"""Subscribing, confirming, managing and leaving; and which subscriptions want which deals."""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnerships.emails import email_message, render_email
from partnerships.models import Clause, Deal, DealParty, Subscription
from partnerships.models.alerts import normalize_email
from partnerships.services.alerts.content import format_amount
from partnerships.services.alerts.links import confirm_url, manage_url

CONFIRMATION_INTERVAL = timedelta(hours=1)
# States a subscribe request from the form leaves alone: only the owner's manage link changes them.
KEPT_ON_REQUEST = {Subscription.Status.ACTIVE, Subscription.Status.UNSUBSCRIBED}

logger = logging.getLogger(__name__)


@dataclass
class Filters:
    """What a subscriber asked for; an empty list or None means "any"."""

    companies: list = field(default_factory=list)
    deal_kinds: list[str] = field(default_factory=list)
    clause_kinds: list[str] = field(default_factory=list)
    min_amount: Decimal | None = None
    frequency: str = Subscription.Frequency.INSTANT

    @classmethod
    def of(cls, subscription: Subscription) -> "Filters":
        return cls(
            companies=list(subscription.companies.all()),
            deal_kinds=subscription.deal_kind_list,
            clause_kinds=subscription.clause_kind_list,
            min_amount=subscription.min_amount,
            frequency=subscription.frequency,
        )

    def apply(self, subscription: Subscription) -> None:
        """Write onto a saved subscription (the M2M needs a primary key)."""
        subscription.deal_kind_list = self.deal_kinds
        subscription.clause_kind_list = self.clause_kinds
        subscription.min_amount = self.min_amount
        subscription.frequency = self.frequency
        subscription.save(
            update_fields=["deal_kinds", "clause_kinds", "min_amount", "frequency", "updated_at"]
        )
        subscription.companies.set(self.companies)

    def querystring(self) -> str:
        pairs = [("company", c.slug) for c in self.companies]
        pairs += [("kind", k) for k in self.deal_kinds] + [("clause", k) for k in self.clause_kinds]
        if self.min_amount is not None:
            pairs.append(("min_amount", str(self.min_amount)))
        pairs.append(("frequency", self.frequency))
        return urlencode(pairs)


def subscription_request(*, email: str, filters: Filters, ip: str | None) -> Subscription:
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
                    filters.apply(subscription)
                claimed = (
                    Subscription.objects.filter(pk=subscription.pk)
                    .filter(
                        Q(confirmation_sent_at__isnull=True)
                        | Q(confirmation_sent_at__lte=now - CONFIRMATION_INTERVAL)
                    )
                    .update(confirmation_sent_at=now)
                )
                if claimed:
                    _enqueue_notice(subscription.pk, notice, filters.querystring())
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
    from kombu.exceptions import OperationalError

    from partnerships import tasks

    kwargs = {"subscription_id": subscription_id, "notice": notice, "prefill": prefill}
    try:
        tasks.send_subscription_notice.delay(**kwargs)
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
    filters = Filters.of(subscription)
    manage = manage_url(subscription) + (f"?{prefill}" if prefill else "")
    ctx = {
        "subscription": subscription,
        "filters": describe_filters(filters),
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


def subscription_update(*, subscription: Subscription, filters: Filters) -> Subscription:
    with transaction.atomic():
        if subscription.frequency != filters.frequency and subscription.last_digest_until is None:
            subscription.last_digest_until = timezone.now()
            subscription.save(update_fields=["last_digest_until"])
        filters.apply(subscription)
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


def describe_filters(filters: Filters) -> list[str]:
    """The filters as short sentences for emails and the manage page."""
    lines = []
    if filters.companies:
        lines.append("Companies: " + ", ".join(c.name for c in filters.companies))
    if filters.deal_kinds:
        labels = dict(Deal.Kind.choices)
        lines.append("Deal kinds: " + ", ".join(str(labels.get(k, k)) for k in filters.deal_kinds))
    if filters.clause_kinds:
        labels = dict(Clause.Kind.choices)
        lines.append("Clauses: any of " + ", ".join(str(labels.get(k, k)) for k in filters.clause_kinds))
    if filters.min_amount is not None:
        lines.append(f"Headline value at least {format_amount(filters.min_amount, 'USD')}")
    if not lines:
        lines.append("Every published deal")
    lines.append("Frequency: " + str(dict(Subscription.Frequency.choices)[filters.frequency]))
    return lines


def subscriptions_matching_deal(*, deal: Deal, frequency: str | None = None):
    """Active subscriptions whose every non-empty filter accepts this deal, in the database."""
    party_ids = list(DealParty.objects.filter(deal=deal).values_list("company_id", flat=True))
    clause_kinds = set(Clause.objects.filter(deal=deal).values_list("kind", flat=True))
    through = Subscription.companies.through
    qs = Subscription.objects.filter(status=Subscription.Status.ACTIVE)
    if frequency:
        qs = qs.filter(frequency=frequency)
    any_company = ~Exists(through.objects.filter(subscription_id=OuterRef("pk")))
    qs = qs.filter(
        any_company | Exists(through.objects.filter(subscription_id=OuterRef("pk"), company_id__in=party_ids))
    )
    qs = qs.filter(Q(deal_kinds="") | Q(deal_kinds__contains=f",{deal.kind},"))
    clause_q = Q(clause_kinds="")
    for kind in clause_kinds:
        clause_q |= Q(clause_kinds__contains=f",{kind},")
    qs = qs.filter(clause_q)
    headline = deal.headline_value
    if headline is None:
        qs = qs.filter(min_amount__isnull=True)
    else:
        qs = qs.filter(Q(min_amount__isnull=True) | Q(min_amount__lte=headline))
    return qs


def deals_matching_subscription(*, subscription: Subscription):
    """Published deals this subscription's filters accept (feeds and digests)."""
    qs = Deal.objects.published()
    company_ids = list(subscription.companies.values_list("id", flat=True))
    if company_ids:
        qs = qs.filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company_id__in=company_ids)))
    if subscription.deal_kind_list:
        qs = qs.filter(kind__in=subscription.deal_kind_list)
    if subscription.clause_kind_list:
        qs = qs.filter(
            Exists(Clause.objects.filter(deal=OuterRef("pk"), kind__in=subscription.clause_kind_list))
        )
    if subscription.min_amount is not None:
        qs = qs.annotate(_headline=Coalesce("value_max", "value_min")).filter(
            _headline__gte=subscription.min_amount
        )
    return qs


def subscription_matches(*, subscription: Subscription, deal: Deal) -> bool:
    return deals_matching_subscription(subscription=subscription).filter(pk=deal.pk).exists()
