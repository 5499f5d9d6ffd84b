"""Email alerts: subscriptions, signed links, matching, instant fan-out, digests, reaper.

Exactly once, as far as SMTP allows
-----------------------------------
Sending an email and writing "sent" to the database cannot be one atomic step, so the
design makes every other step idempotent and shrinks the one gap that remains:

1. The change that publishes a deal writes an ``AlertEvent`` row in the same transaction
   (an outbox); the fan-out task is enqueued with ``transaction.on_commit``. A lost broker
   message is re-dispatched by the reaper, which looks for events never fanned out.
2. Fan-out inserts one ``AlertDelivery`` per matching subscription with
   ``bulk_create(ignore_conflicts=True)`` under a unique (subscription, deal, event)
   constraint: re-running it, or two workers running it, creates nothing twice.
3. A sender claims a batch with ``select_for_update(skip_locked=True)`` and a conditional
   UPDATE (pending → sending, stamped with the claim time), commits, then sends the
   batch over one SMTP connection. No SMTP I/O ever happens inside a transaction.
4. Each message is recorded ("sent", its deterministic Message-ID) in its own autocommit
   UPDATE immediately after the server accepts it, in id order.

The window: between the server's "250 OK" to DATA and that UPDATE's commit (well under a
millisecond), a worker killed by SIGKILL leaves one row of its batch marked "sending"
although the message left. The rest of that batch is "sending" but provably unsent. The
reaper (``deliveries_reap``) returns rows whose claim is older than
``ALERTS_CLAIM_TIMEOUT`` (longer than the Celery hard time limit, so never a live
sender's) to "pending", so everyone still gets the alert. At most one subscriber per
killed batch may therefore receive the message twice, and that copy carries the same
``Message-ID`` (derived from subscription, deal and event), which mail stores such as
Gmail use to collapse duplicates. We prefer this to the alternative (marking in-doubt
rows as sent), which would silently lose an alert.

Transient SMTP failures (4xx, dropped connections) put the row back to "pending" with an
exponential, jittered ``next_attempt_at``; the reaper dispatches due rows every five
minutes (no long Celery countdowns: see REFERENCE). Permanent failures (5xx) fail the row
and count a bounce; ``ALERTS_BOUNCE_THRESHOLD`` bounces mark the address bounced.
"""

import contextlib
import functools
import hashlib
import json
import logging
import random
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from partnerships.diff import clause_diff
from partnerships.emails import MergeTemplate, RenderedEmail, email_message, one_line, render_email, send_on
from partnerships.models import AlertDelivery, AlertEvent, Clause, Deal, DealParty, Digest, Subscription
from partnerships.models.alerts import normalize_email

logger = logging.getLogger(__name__)

PUBLISHED = "published"
CONFIRMATION_INTERVAL = timedelta(hours=1)

# --- Signed links ---------------------------------------------------------------------


class TokenError(Exception):
    """A signed link that cannot be used; ``message`` is safe to show to the visitor."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.message = message
        self.expired = expired


_PURPOSES = {
    # purpose: settings name of its max age (None: never expires, e.g. a feed reader's URL)
    "confirm": "ALERTS_CONFIRM_MAX_AGE",
    "manage": "ALERTS_MANAGE_MAX_AGE",
    "unsubscribe": "ALERTS_UNSUBSCRIBE_MAX_AGE",
    "feed": None,
}


def _salt(purpose: str) -> str:
    if purpose not in _PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    # A salt per purpose: a feed or unsubscribe link can never be replayed as a manage link.
    return f"pactwatch.alerts.{purpose}"


def subscription_token(*, subscription: Subscription, purpose: str) -> str:
    # The address is bound by a short hash, never carried in the URL in the clear.
    return signing.dumps({"s": subscription.pk, "h": _email_hash(subscription.email)}, salt=_salt(purpose))


def subscription_from_token(*, token: str, purpose: str) -> Subscription:
    setting = _PURPOSES.get(purpose, "missing")
    max_age = getattr(settings, setting) if setting else None
    try:
        data = signing.loads(token, salt=_salt(purpose), max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError("This link has expired.", expired=True) from None
    except signing.BadSignature:
        raise TokenError("This link is not valid.") from None
    subscription = Subscription.objects.filter(pk=data.get("s")).first() if isinstance(data, dict) else None
    if subscription is None or _email_hash(subscription.email) != data.get("h"):
        raise TokenError("This link is not valid.")
    return subscription


def _email_hash(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:12]


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


@functools.lru_cache(maxsize=32)
def _link_prefix(name: str, site_url: str) -> str:
    # Resolved once: fan-out builds two links per subscriber and ``reverse`` is not free.
    return site_url + reverse(f"partnerships:{name}", kwargs={"token": "TOKEN"}).removesuffix("TOKEN/")


def _signed_link(subscription, purpose: str, name: str) -> str:
    token = subscription_token(subscription=subscription, purpose=purpose)
    return f"{_link_prefix(name, settings.SITE_URL)}{token}/"


def confirm_url(subscription) -> str:
    return _signed_link(subscription, "confirm", "alert_confirm")


def manage_url(subscription) -> str:
    return _signed_link(subscription, "manage", "alert_manage")


def unsubscribe_url(subscription) -> str:
    return _signed_link(subscription, "unsubscribe", "alert_unsubscribe")


def feed_url(subscription) -> str:
    return _signed_link(subscription, "feed", "alert_feed")


def deal_url(deal) -> str:
    return _absolute(deal.get_absolute_url())


def list_headers(*, unsubscribe: str, message_id: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe, plus a Message-ID that is the same on every retry."""
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": message_id,
        "Auto-Submitted": "auto-generated",
    }


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def alert_message_id(*, subscription_id: int, deal_id: int, event: str) -> str:
    return f"<alert.{deal_id}.{event}.{subscription_id}@{_mail_domain()}>"


def digest_message_id(*, subscription_id: int, period: str) -> str:
    return f"<digest.{period}.{subscription_id}@{_mail_domain()}>"


# --- Abuse limits ---------------------------------------------------------------------


def _within_limit(key: str, *, limit: int, window: int) -> bool:
    """Fixed-window counter on the shared cache (Redis in production): add then incr, atomic."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def subscribe_ip_ok(*, ip: str | None) -> bool:
    """Counts every subscribe POST from one client IP, valid or not."""
    return _within_limit(
        f"alerts:subscribe:ip:{ip or 'unknown'}", limit=settings.ALERTS_SUBSCRIBE_PER_IP, window=3600
    )


def subscribe_address_ok(*, email: str) -> bool:
    """Counts requests for one address from anywhere: nobody can mail-bomb it through us."""
    return _within_limit(
        f"alerts:subscribe:addr:{_email_hash(email)}",
        limit=settings.ALERTS_SUBSCRIBE_PER_ADDRESS,
        window=3600,
    )


# --- Subscriptions ----------------------------------------------------------------------


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
        from urllib.parse import urlencode

        pairs = [("company", c.slug) for c in self.companies]
        pairs += [("kind", k) for k in self.deal_kinds] + [("clause", k) for k in self.clause_kinds]
        if self.min_amount is not None:
            pairs.append(("min_amount", str(self.min_amount)))
        pairs.append(("frequency", self.frequency))
        return urlencode(pairs)


def subscription_request(
    *, email: str, filters: Filters, ip: str | None, user_agent: str = ""
) -> Subscription:
    """Handle a subscribe form: the visitor sees the same answer whatever the address's state.

    New, pending, unsubscribed or bounced addresses become pending with the requested
    filters and get a confirmation link. An active address keeps its filters (a stranger
    must not change them) and gets a note with its manage link, prefilled with the request.
    Either email goes at most once an hour per address.
    """
    email = normalize_email(email)
    now = timezone.now()
    for _ in range(2):  # a concurrent first request for the same address wins the insert
        try:
            with transaction.atomic():
                subscription, _created = Subscription.objects.select_for_update().get_or_create(email=email)
                if subscription.status == Subscription.Status.ACTIVE:
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
    from partnerships import tasks

    transaction.on_commit(
        lambda: tasks.send_subscription_notice.delay(
            subscription_id=subscription_id, notice=notice, prefill=prefill
        )
    )


def subscription_notice_send(*, subscription_id: int, notice: str, prefill: str = "") -> bool:
    """Send the confirmation (to a pending address) or the "already subscribed" note."""
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return False
    wanted = Subscription.Status.PENDING if notice == "subscription_confirm" else Subscription.Status.ACTIVE
    if subscription.status != wanted:
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


def subscription_confirm(*, subscription: Subscription, ip: str | None, user_agent: str = "") -> bool:
    """Record consent (when, from where) and activate. Idempotent: False if nothing changed."""
    now = timezone.now()
    changed = Subscription.objects.filter(pk=subscription.pk, status=Subscription.Status.PENDING).update(
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


def subscription_update(*, subscription: Subscription, filters: Filters) -> Subscription:
    with transaction.atomic():
        if subscription.frequency != filters.frequency and subscription.last_digest_until is None:
            subscription.last_digest_until = timezone.now()
            subscription.save(update_fields=["last_digest_until"])
        filters.apply(subscription)
    return subscription


def subscription_reactivate(*, subscription: Subscription, ip: str | None, user_agent: str = "") -> bool:
    """Resubscribe from the manage page: the signed link proves the address, so consent is fresh."""
    now = timezone.now()
    changed = (
        Subscription.objects.filter(pk=subscription.pk)
        .exclude(status=Subscription.Status.ACTIVE)
        .update(
            status=Subscription.Status.ACTIVE,
            consent_at=now,
            consent_ip=ip,
            consent_user_agent=(user_agent or "")[:300],
            bounce_count=0,
            unsubscribed_at=None,
            last_digest_until=now,
            updated_at=now,
        )
    )
    subscription.refresh_from_db()
    return bool(changed)


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


# --- Matching (both directions agree: tests check them against each other) ---------------


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


# --- Deal events ----------------------------------------------------------------------


def deal_event_notify(*, deal_id: int, event: str) -> None:
    """Record an alert-worthy event for a deal and fan it out once the transaction commits."""
    from partnerships import tasks

    kind = AlertEvent.Kind.PUBLISHED if event == PUBLISHED else AlertEvent.Kind.CHANGED
    AlertEvent.objects.get_or_create(deal_id=deal_id, key=event, defaults={"kind": kind})
    transaction.on_commit(lambda: tasks.fan_out_deal_event.delay(deal_id=deal_id, event=event))


def deal_saved(*, deal: Deal, previous: dict | None) -> None:
    """post_save hook: ``previous`` is the row as it was in the database before this save."""
    if deal.status != Deal.Status.PUBLISHED:
        return
    if previous is None or previous["status"] != Deal.Status.PUBLISHED:
        deal_event_notify(deal_id=deal.pk, event=PUBLISHED)
        return
    material = ("predecessor_id", "value_min", "value_max", "currency")
    if any(_norm(previous.get(name)) != _norm(getattr(deal, name)) for name in material):
        _schedule_change_check(deal.pk)


def deal_terms_touched(*, deal_id: int) -> None:
    """A clause was saved or deleted: a published deal may have changed materially."""
    if Deal.objects.filter(pk=deal_id, status=Deal.Status.PUBLISHED).exists():
        _schedule_change_check(deal_id)


def _schedule_change_check(deal_id: int) -> None:
    from partnerships import tasks

    transaction.on_commit(lambda: tasks.check_deal_changes.delay(deal_id=deal_id))


def _norm(value):
    if value is None or value == "":
        return ""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    return str(value)


def deal_snapshot(deal: Deal) -> dict:
    """The terms whose change is worth an email: phase link, headline value and clauses."""
    clauses = sorted(
        (
            {
                "kind": c.kind,
                "subject": (c.subject or "").strip().lower(),
                "effect": c.effect,
                "amount": _norm(c.amount),
                "unit": c.unit,
                "qualifier": c.qualifier,
            }
            for c in Clause.objects.filter(deal=deal)
        ),
        key=lambda c: json.dumps(c, sort_keys=True),
    )
    return {
        "predecessor": deal.predecessor_id,
        "value_min": _norm(deal.value_min),
        "value_max": _norm(deal.value_max),
        "currency": deal.currency or "",
        "clauses": clauses,
    }


def _fingerprint(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()


def deal_detect_change(*, deal_id: int) -> AlertEvent | None:
    """Create a "changed" event when a published deal's material terms differ from the last alert."""
    deal = Deal.objects.filter(pk=deal_id, status=Deal.Status.PUBLISHED).first()
    if deal is None:
        return None
    last = AlertEvent.objects.filter(deal=deal).exclude(fingerprint="").order_by("-created_at", "-id").first()
    if last is None:
        return None  # the publish fan-out has not snapshotted yet; it will see these terms
    snapshot = deal_snapshot(deal)
    fingerprint = _fingerprint(snapshot)
    if fingerprint == last.fingerprint:
        return None
    key = f"changed-{fingerprint[:24]}"
    with transaction.atomic():
        event, created = AlertEvent.objects.get_or_create(
            deal=deal,
            key=key,
            defaults={
                "kind": AlertEvent.Kind.CHANGED,
                "snapshot": snapshot,
                "fingerprint": fingerprint,
                "previous_snapshot": last.snapshot,
            },
        )
        if created:
            deal_event_notify(deal_id=deal.pk, event=key)
    return event if created else None


# --- Fan-out and delivery ---------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, other: "DeliveryReport") -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.skipped += other.skipped


def alert_fan_out(*, deal_id: int, event: str, deliver: bool = True) -> int:
    """Create one delivery row per matching instant subscription, then start the senders.

    Safe to run any number of times: rows are unique and inserted ignoring conflicts.
    Returns the number of matching subscriptions.
    """
    from partnerships import tasks

    kind = AlertEvent.Kind.PUBLISHED if event == PUBLISHED else AlertEvent.Kind.CHANGED
    alert_event, _ = AlertEvent.objects.get_or_create(deal_id=deal_id, key=event, defaults={"kind": kind})
    deal = Deal.objects.filter(pk=deal_id).first()
    now = timezone.now()
    if deal is None or deal.status != Deal.Status.PUBLISHED:
        # Candidates, rejected and retracted deals are never announced to anyone.
        AlertEvent.objects.filter(pk=alert_event.pk).update(fanned_out_at=now)
        return 0
    if not alert_event.fingerprint:
        snapshot = deal_snapshot(deal)
        AlertEvent.objects.filter(pk=alert_event.pk, fingerprint="").update(
            snapshot=snapshot, fingerprint=_fingerprint(snapshot)
        )
    ids = list(
        subscriptions_matching_deal(deal=deal, frequency=Subscription.Frequency.INSTANT)
        .order_by("id")
        .values_list("id", flat=True)
    )
    chunk = max(settings.ALERTS_BATCH_SIZE, 1000)
    iterator = iter(ids)
    while batch := list(islice(iterator, chunk)):
        AlertDelivery.objects.bulk_create(
            [AlertDelivery(subscription_id=sid, deal_id=deal_id, event=event) for sid in batch],
            ignore_conflicts=True,
        )
    AlertEvent.objects.filter(pk=alert_event.pk).update(fanned_out_at=now)
    if deliver and ids:
        for _ in range(min(settings.ALERTS_SENDERS, -(-len(ids) // settings.ALERTS_BATCH_SIZE))):
            tasks.deliver_deal_event.delay(deal_id=deal_id, event=event)
    return len(ids)


def _claim(model, queryset, *, limit: int) -> list[int]:
    """Move up to ``limit`` pending rows to "sending" and return their ids.

    ``skip_locked`` lets concurrent senders take disjoint batches on PostgreSQL; the
    conditional UPDATE stamped with this claim's time makes the claim correct on SQLite too.
    """
    stamp = timezone.now()
    with transaction.atomic():
        ids = list(
            queryset.select_for_update(skip_locked=True).order_by("id").values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        model.objects.filter(id__in=ids, status=model.Status.PENDING).update(
            status=model.Status.SENDING, claimed_at=stamp, attempts=F("attempts") + 1
        )
    return list(
        model.objects.filter(id__in=ids, status=model.Status.SENDING, claimed_at=stamp)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _due(queryset, now: datetime):
    return queryset.filter(status=AlertDelivery.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def alert_deliver(*, deal_id: int, event: str, max_batches: int | None = None) -> DeliveryReport:
    """Claim and send batches for one (deal, event) until none is due."""
    report = DeliveryReport()
    content = None
    batches = 0
    while max_batches is None or batches < max_batches:
        ids = _claim(
            AlertDelivery,
            _due(AlertDelivery.objects.filter(deal_id=deal_id, event=event), timezone.now()),
            limit=settings.ALERTS_BATCH_SIZE,
        )
        if not ids:
            break
        batches += 1
        if content is None:
            content = _alert_content(deal_id=deal_id, event=event)
        report.add(_send_alert_batch(ids, content))
    return report


PLACEHOLDER_MANAGE = "PWMANAGEURLPLACEHOLDER"
PLACEHOLDER_UNSUBSCRIBE = "PWUNSUBSCRIBEURLPLACEHOLDER"
PLACEHOLDER_MESSAGE_ID = "PWMESSAGEIDPLACEHOLDER"
PLACEHOLDER_TO = "pw-recipient-placeholder@pactwatch.invalid"


@dataclass
class _AlertContent:
    deal: Deal | None
    template: MergeTemplate | None


def _alert_content(*, deal_id: int, event: str) -> _AlertContent:
    """Render the alert once per (deal, event); each subscriber's links are merged in later."""
    deal = Deal.objects.filter(pk=deal_id, status=Deal.Status.PUBLISHED).first()
    if deal is None:
        return _AlertContent(None, None)
    alert_event = AlertEvent.objects.filter(deal_id=deal_id, key=event).first()
    ctx = deal_email_context(deal)
    ctx["event"] = alert_event
    ctx["is_change"] = alert_event is not None and alert_event.kind == AlertEvent.Kind.CHANGED
    ctx["event_changes"] = event_changes(alert_event) if ctx["is_change"] else []
    ctx["manage_url"] = PLACEHOLDER_MANAGE
    ctx["unsubscribe_url"] = PLACEHOLDER_UNSUBSCRIBE
    rendered = render_email("deal_alert", ctx)
    # The subject is the deal's title on one line, whatever the template makes of it.
    rendered = RenderedEmail(one_line(deal.title), rendered.text, rendered.html)
    template = MergeTemplate(
        rendered,
        to=PLACEHOLDER_TO,
        headers=list_headers(unsubscribe=PLACEHOLDER_UNSUBSCRIBE, message_id=f"<{PLACEHOLDER_MESSAGE_ID}>"),
        placeholders=[PLACEHOLDER_MANAGE, PLACEHOLDER_UNSUBSCRIBE, PLACEHOLDER_MESSAGE_ID],
    )
    return _AlertContent(deal, template)


def _send_alert_batch(ids: list[int], content: _AlertContent) -> DeliveryReport:
    report = DeliveryReport()
    rows = list(AlertDelivery.objects.filter(id__in=ids).select_related("subscription").order_by("id"))
    if content.deal is None:
        AlertDelivery.objects.filter(id__in=ids).update(
            status=AlertDelivery.Status.SKIPPED, error="deal not published"
        )
        report.skipped += len(ids)
        return report
    outgoing = []
    for row in rows:
        subscription = row.subscription
        if subscription.status != Subscription.Status.ACTIVE:
            AlertDelivery.objects.filter(pk=row.pk).update(
                status=AlertDelivery.Status.SKIPPED, error=f"subscription {subscription.status}"
            )
            report.skipped += 1
            continue
        message_id = alert_message_id(subscription_id=subscription.pk, deal_id=row.deal_id, event=row.event)
        replacements = {
            PLACEHOLDER_MANAGE: manage_url(subscription),
            PLACEHOLDER_UNSUBSCRIBE: unsubscribe_url(subscription),
            PLACEHOLDER_MESSAGE_ID: message_id.strip("<>"),
        }
        outgoing.append((row, content.template.message(to=subscription.email, replacements=replacements)))
    report.add(_send_over_one_connection(AlertDelivery, outgoing))
    return report


def _send_over_one_connection(model, outgoing) -> DeliveryReport:
    """Send (row, message) pairs over one SMTP connection, recording each outcome at once."""
    report = DeliveryReport()
    if not outgoing:
        return report
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        for row, _message in outgoing:
            _record_failure(model, row, exc, report)
        return report
    try:
        with _asynchronous_commits():
            _send_each(model, connection, outgoing, report)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            logger.warning("closing the SMTP connection failed", exc_info=True)
    return report


def _send_each(model, connection, outgoing, report: DeliveryReport) -> None:
    """Send in id order and record each outcome at once: at most one row is ever in doubt."""
    for row, message in outgoing:
        try:
            send_on(connection, message)
        except (OSError, smtplib.SMTPException) as exc:
            _record_failure(model, row, exc, report)
            if not _is_permanent(exc):
                # The connection may be half-dead after a transient error: start a new one.
                _reopen(connection)
            continue
        _record_sent(model, row.pk, message.extra_headers["Message-ID"])
        report.sent += 1


def _record_sent(model, pk: int, message_id: str) -> None:
    # The hottest statement of a fan-out (one per message): plain SQL skips the ORM's
    # per-call query compilation, which costs as much CPU as the rest of the loop.
    with db_connection.cursor() as cursor:
        cursor.execute(
            # The table name is our own model's, never input.
            f"UPDATE {model._meta.db_table} SET status = %s, sent_at = %s, message_id = %s, error = '' WHERE id = %s",  # noqa: S608  # nosec B608
            [model.Status.SENT, timezone.now(), message_id, pk],
        )


@contextlib.contextmanager
def _asynchronous_commits():
    """Let PostgreSQL acknowledge each "sent" record before flushing it to disk.

    Waiting for an fsync per message costs more than the SMTP exchange itself. A killed
    worker loses nothing this way (the commit is already in the server); only a crash of
    PostgreSQL itself within ``wal_writer_delay`` (×3) could forget a few "sent" marks,
    which the reaper then resends with the same Message-ID: the same, documented class of
    duplicate as the SMTP window. Scoped to this connection and reset afterwards.
    """
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _reopen(connection) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.close()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException):
        logger.warning("could not reopen the SMTP connection", exc_info=True)


def _smtp_code(exc) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return max(codes) if codes else None
    return getattr(exc, "smtp_code", None)


def _is_permanent(exc) -> bool:
    code = _smtp_code(exc)
    return code is not None and 500 <= code < 600


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base, 2×base, 4×base... plus up to one base at random."""
    base = settings.ALERTS_RETRY_BASE_DELAY
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0) + random.uniform(0, base))


def _record_failure(model, row, exc, report: DeliveryReport) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    subscription_id = row.subscription_id
    if _is_permanent(exc):
        model.objects.filter(pk=row.pk).update(status=model.Status.FAILED, error=error)
        Subscription.objects.filter(pk=subscription_id).update(bounce_count=F("bounce_count") + 1)
        Subscription.objects.filter(
            pk=subscription_id,
            status=Subscription.Status.ACTIVE,
            bounce_count__gte=settings.ALERTS_BOUNCE_THRESHOLD,
        ).update(status=Subscription.Status.BOUNCED)
        report.failed += 1
        return
    attempts = model.objects.filter(pk=row.pk).values_list("attempts", flat=True).first() or 1
    if attempts >= settings.ALERTS_MAX_ATTEMPTS:
        model.objects.filter(pk=row.pk).update(status=model.Status.FAILED, error=error)
        report.failed += 1
        return
    model.objects.filter(pk=row.pk).update(
        status=model.Status.PENDING, next_attempt_at=timezone.now() + retry_delay(attempts), error=error
    )
    report.retrying += 1


# --- Email content ----------------------------------------------------------------------

_SCALE = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K"))
_SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def format_amount(value, unit: str = "USD", qualifier: str = "") -> str:
    """Short human figure: "$4B", "up to €1.5B", "1.2 GW", "49 %"."""
    if value is None:
        return ""
    value = Decimal(value)
    prefix = {"up_to": "up to ", "at_least": "at least ", "approximately": "about "}.get(qualifier or "", "")
    if unit in _SYMBOL or unit in {"", None}:
        symbol = _SYMBOL.get(unit or "USD", "")
        for size, suffix in _SCALE:
            if value >= size:
                return f"{prefix}{symbol}{_trim(value / size)}{suffix}"
        return f"{prefix}{symbol}{_trim(value)}"
    labels = {"percent": "%", "years": "years", "until_year": "through", "shares": "shares", "chips": "chips"}
    if unit == "until_year":
        return f"{prefix}through {int(value)}"
    return f"{prefix}{_trim(value)} {labels.get(unit, unit)}"


def _trim(value: Decimal) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def _clause_line(clause) -> str:
    label = dict(Clause.Kind.choices).get(clause.kind, clause.kind)
    parts = [str(label)]
    if getattr(clause, "subject", ""):
        parts.append(f"({clause.subject})")
    if getattr(clause, "amount", None) not in (None, ""):
        parts.append(format_amount(clause.amount, clause.unit, clause.qualifier))
    if getattr(clause, "effect", "granted") == Clause.Effect.REMOVED:
        parts.append("— removed")
    return " ".join(parts)


def _diff_lines(diff) -> list[str]:
    lines = [f"New: {_clause_line(c)}" for c in diff.added]
    lines += [f"Removed: {_clause_line(c)}" for c in diff.removed]
    for change in diff.changed:
        lines.append(f"Changed: {_clause_line(change.before)} → {_clause_line(change.after)}")
    return lines


def deal_email_context(deal: Deal) -> dict:
    """Everything an alert or digest shows about one deal, computed once in Python."""
    parties = list(DealParty.objects.filter(deal=deal).select_related("company").order_by("id"))
    clauses = list(Clause.objects.filter(deal=deal).order_by("position", "id"))
    phase_changes = []
    predecessor = None
    if deal.predecessor_id:
        predecessor = Deal.objects.filter(pk=deal.predecessor_id).first()
        if predecessor is not None:
            phase_changes = _diff_lines(clause_diff(list(Clause.objects.filter(deal=predecessor)), clauses))
    return {
        "deal": deal,
        "title": one_line(deal.title, limit=300),
        "parties": [f"{p.company.name} ({p.get_role_display().lower()})" for p in parties],
        "kind": deal.get_kind_display(),
        "headline_value": format_amount(deal.headline_value, deal.currency or "USD", deal.headline_qualifier),
        "key_clauses": [_clause_line(c) for c in clauses[:8]],
        "predecessor": predecessor,
        "phase_changes": phase_changes,
        "deal_url": deal_url(deal),
        "site_url": settings.SITE_URL,
    }


def event_changes(alert_event: AlertEvent | None) -> list[str]:
    """What changed since the previous alert about this deal, from the two snapshots."""
    if alert_event is None or not alert_event.snapshot or not alert_event.previous_snapshot:
        return []
    before, after = alert_event.previous_snapshot, alert_event.snapshot
    lines = []
    if before.get("predecessor") != after.get("predecessor") and after.get("predecessor"):
        lines.append("Linked as a new phase of an earlier deal")
    for name, label in (("value_min", "Minimum value"), ("value_max", "Headline value")):
        if before.get(name) != after.get(name):
            old = format_amount(before[name], after.get("currency") or "USD") if before.get(name) else "none"
            new = format_amount(after[name], after.get("currency") or "USD") if after.get(name) else "none"
            lines.append(f"{label}: {old} → {new}")

    def clauses(snapshot):
        return [SimpleNamespace(**c) for c in snapshot.get("clauses", [])]

    lines += _diff_lines(clause_diff(clauses(before), clauses(after)))
    return lines or ["The deal's terms were revised"]


# --- Digests ----------------------------------------------------------------------------


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
    return period


def digests_deliver(*, period: str, max_batches: int | None = None) -> DeliveryReport:
    report = DeliveryReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        ids = _claim(
            Digest,
            _due(Digest.objects.filter(period=period), timezone.now()),
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
        deals_matching_subscription(subscription=digest.subscription)
        .filter(Exists(published_in_window))
        .annotate(alerted_at=Subquery(first_published))
        .order_by("-alerted_at", "-id")[:100]
    )


def _send_digest_batch(ids: list[int]) -> DeliveryReport:
    report = DeliveryReport()
    outgoing = []
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
            "deals": [deal_email_context(deal) for deal in deals],
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
    report.add(_send_over_one_connection(Digest, outgoing))
    for digest, _message in outgoing:
        if Digest.objects.filter(pk=digest.pk, status=Digest.Status.SENT).exists():
            _advance_digest_window(digest)
    return report


def _advance_digest_window(digest: Digest) -> None:
    Subscription.objects.filter(pk=digest.subscription_id).filter(
        Q(last_digest_until__isnull=True) | Q(last_digest_until__lt=digest.until)
    ).update(last_digest_until=digest.until, last_digest_sent_at=timezone.now())


# --- Reaper -----------------------------------------------------------------------------


@dataclass
class ReapReport:
    released: int = 0
    failed: int = 0
    events: int = 0
    dispatched: list = field(default_factory=list)
    digest_periods: list = field(default_factory=list)


def deliveries_reap(*, claim_timeout: int | None = None, dispatch: bool = True) -> ReapReport:
    """Recover from dead workers and lost broker messages; safe to run at any time.

    - rows "sending" for longer than the claim timeout go back to "pending" (or "failed"
      once they used every attempt, so a message that kills workers cannot loop forever);
    - events whose fan-out never finished are fanned out again;
    - every (deal, event) and digest period with due pending rows gets a sender task.
    """
    from partnerships import tasks

    report = ReapReport()
    now = timezone.now()
    cutoff = now - timedelta(
        seconds=claim_timeout if claim_timeout is not None else settings.ALERTS_CLAIM_TIMEOUT
    )
    for model in (AlertDelivery, Digest):
        stuck = model.objects.filter(status=model.Status.SENDING, claimed_at__lt=cutoff)
        report.failed += stuck.filter(attempts__gte=settings.ALERTS_MAX_ATTEMPTS).update(
            status=model.Status.FAILED, error="worker stopped while sending; attempts exhausted"
        )
        report.released += stuck.update(status=model.Status.PENDING, error="worker stopped while sending")
    # An event younger than a minute is probably still on its way through the broker.
    unfanned = AlertEvent.objects.filter(
        fanned_out_at__isnull=True, created_at__lt=min(cutoff, now - timedelta(seconds=60))
    )
    if claim_timeout is not None:
        unfanned = AlertEvent.objects.filter(fanned_out_at__isnull=True, created_at__lt=cutoff)
    for deal_id, key in unfanned.values_list("deal_id", "key"):
        report.events += 1
        if dispatch:
            tasks.fan_out_deal_event.delay(deal_id=deal_id, event=key)
    pairs = _due(AlertDelivery.objects.all(), now).values_list("deal_id", "event").distinct()
    report.dispatched = list(pairs)
    report.digest_periods = list(_due(Digest.objects.all(), now).values_list("period", flat=True).distinct())
    if dispatch:
        for deal_id, event in report.dispatched:
            tasks.deliver_deal_event.delay(deal_id=deal_id, event=event)
        for period in report.digest_periods:
            tasks.deliver_digests.delay(period=period)
    return report
