"""Daily and weekly digests: exactly one per (subscription, period), each covering deals since the last."""

from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from partnerships.emails import email_message, render_email
from partnerships.filters import DealFilter
from partnerships.models import AlertEvent, Deal, Digest, Subscription
from partnerships.services.alerts.content import deal_email_context
from partnerships.services.alerts.delivery import (
    DeliveryReport,
    deliveries_claim,
    deliveries_due,
    deliveries_send,
)
from partnerships.services.alerts.links import digest_message_id, list_headers, manage_url, unsubscribe_url


def digest_period(*, frequency: str, now: datetime) -> str:
    if frequency == Subscription.Frequency.WEEKLY:
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    return now.date().isoformat()


def digests_schedule(*, frequency: str, now: datetime | None = None) -> str:
    """Create this period's digest rows (one per subscriber, ignoring ones that exist)."""
    now = now or timezone.now()
    period = digest_period(frequency=frequency, now=now)
    subscriptions = (
        Subscription.objects.filter(status=Subscription.Status.ACTIVE, frequency=frequency)
        .order_by("id")
        .values_list("id", "last_digest_until", "consent_at")
    )
    rows = iter(subscriptions)
    while batch := list(islice(rows, 1000)):
        Digest.objects.bulk_create(
            [
                Digest(
                    subscription_id=sid, frequency=frequency, period=period, since=since or consent, until=now
                )
                for sid, since, consent in batch
            ],
            ignore_conflicts=True,
        )
    # A digest still waiting from an earlier period (its SMTP sends kept failing) would cover
    # the same deals as this one, whose window starts where the last *sent* digest ended.
    Digest.objects.filter(frequency=frequency, status=Digest.Status.PENDING).exclude(period=period).update(
        status=Digest.Status.SKIPPED, error=f"superseded by the {period} digest"
    )
    return period


@dataclass(frozen=True)
class DigestRun:
    period: str
    report: DeliveryReport


def digests_send(*, frequency: str) -> DigestRun:
    """Beat's daily or weekly run: schedule this period's digests, then send them."""
    period = digests_schedule(frequency=frequency)
    return DigestRun(period, digests_deliver(period=period))


def digests_deliver(*, period: str, max_batches: int | None = None) -> DeliveryReport:
    report = DeliveryReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        ids = deliveries_claim(
            Digest,
            deliveries_due(Digest.objects.filter(period=period), timezone.now()),
            limit=settings.ALERTS_BATCH_SIZE,
        )
        if not ids:
            break
        batches += 1
        report.add(_send_digest_batch(ids))
    return report


def digest_deals(digest: Digest) -> list[Deal]:
    published_in_window = AlertEvent.objects.filter(
        deal=OuterRef("pk"), kind=AlertEvent.Kind.PUBLISHED, created_at__lte=digest.until
    )
    if digest.since is not None:
        published_in_window = published_in_window.filter(created_at__gt=digest.since)
    first_published = AlertEvent.objects.filter(deal=OuterRef("pk"), kind=AlertEvent.Kind.PUBLISHED).values(
        "created_at"
    )[:1]
    return list(
        DealFilter.of_subscription(digest.subscription)
        .deals()
        .filter(Exists(published_in_window))
        .annotate(alerted_at=Subquery(first_published))
        .order_by("-alerted_at", "-id")[:100]
    )


def _send_digest_batch(ids: list[int]) -> DeliveryReport:
    report = DeliveryReport()
    outgoing = []
    contexts = {}  # subscribers share deals: build each deal's email context once per batch
    for digest in Digest.objects.filter(id__in=ids).select_related("subscription").order_by("id"):
        subscription = digest.subscription
        if subscription.status != Subscription.Status.ACTIVE:
            Digest.objects.filter(pk=digest.pk).update(
                status=Digest.Status.SKIPPED, error=f"subscription {subscription.status}"
            )
            report.skipped += 1
            continue
        deals = digest_deals(digest)
        if not deals:
            # Nothing new: no email, but the period is done and the window moves on.
            Digest.objects.filter(pk=digest.pk).update(
                status=Digest.Status.SKIPPED, error="no matching deals"
            )
            _advance_digest_window(digest)
            report.skipped += 1
            continue
        unsubscribe = unsubscribe_url(subscription)
        ctx = {
            "subscription": subscription,
            "digest": digest,
            "frequency": subscription.get_frequency_display(),
            "deals": [
                contexts.get(deal.pk) or contexts.setdefault(deal.pk, deal_email_context(deal))
                for deal in deals
            ],
            "manage_url": manage_url(subscription),
            "unsubscribe_url": unsubscribe,
            "site_url": settings.SITE_URL,
        }
        Digest.objects.filter(pk=digest.pk).update(deal_count=len(deals))
        message_id = digest_message_id(subscription_id=subscription.pk, period=digest.period)
        message = email_message(
            render_email("digest", ctx),
            to=subscription.email,
            headers=list_headers(unsubscribe=unsubscribe, message_id=message_id),
        )
        outgoing.append((digest, message))
    report.add(deliveries_send(Digest, outgoing))
    for digest, _message in outgoing:
        if Digest.objects.filter(pk=digest.pk, status=Digest.Status.SENT).exists():
            _advance_digest_window(digest)
    return report


def _advance_digest_window(digest: Digest) -> None:
    Subscription.objects.filter(pk=digest.subscription_id).filter(
        Q(last_digest_until__isnull=True) | Q(last_digest_until__lt=digest.until)
    ).update(last_digest_until=digest.until, last_digest_sent_at=timezone.now())
