"""Fan-out, claims, sending over one SMTP connection per batch, retries, bounces (see the package docstring)."""

import contextlib
import logging
import random
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from partnerships import tasks
from partnerships.emails import MergeTemplate, RenderedEmail, one_line, render_email, send_on
from partnerships.filters import subscriptions_accepting
from partnerships.models import AlertDelivery, AlertEvent, Deal, Subscription
from partnerships.services.alerts.content import deal_email_context, event_changes, regulatory_lines
from partnerships.services.alerts.events import deal_snapshot, event_kind, terms_fingerprint
from partnerships.services.alerts.links import alert_message_id, list_headers, manage_url, unsubscribe_url

logger = logging.getLogger(__name__)


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
    alert_event, _ = AlertEvent.objects.get_or_create(
        deal_id=deal_id, key=event, defaults={"kind": event_kind(event)}
    )
    deal = Deal.objects.filter(pk=deal_id).first()
    now = timezone.now()
    if deal is None or deal.status != Deal.Status.PUBLISHED:
        # Candidates, rejected and retracted deals are never announced to anyone.
        AlertEvent.objects.filter(pk=alert_event.pk).update(fanned_out_at=now)
        return 0
    if not alert_event.fingerprint:
        snapshot = deal_snapshot(deal)
        AlertEvent.objects.filter(pk=alert_event.pk, fingerprint="").update(
            snapshot=snapshot, fingerprint=terms_fingerprint(snapshot)
        )
    ids = list(
        subscriptions_accepting(
            deal,
            Subscription.objects.filter(
                status=Subscription.Status.ACTIVE, frequency=Subscription.Frequency.INSTANT
            ),
        )
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
            tasks.alert_deliver_task.delay(deal_id=deal_id, event=event)
    return len(ids)


def deliveries_claim(model, queryset, *, limit: int) -> list[int]:
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


def deliveries_due(queryset, now: datetime):
    """Rows of ``queryset`` (alert deliveries or digests) waiting to be sent now."""
    return queryset.filter(status=AlertDelivery.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def alert_deliver(*, deal_id: int, event: str, max_batches: int | None = None) -> DeliveryReport:
    """Claim and send batches for one (deal, event) until none is due."""
    report = DeliveryReport()
    content = None
    batches = 0
    while max_batches is None or batches < max_batches:
        ids = deliveries_claim(
            AlertDelivery,
            deliveries_due(AlertDelivery.objects.filter(deal_id=deal_id, event=event), timezone.now()),
            limit=settings.ALERTS_BATCH_SIZE,
        )
        if not ids:
            break
        batches += 1
        if content is None:
            content = _alert_content(deal_id=deal_id, event=event)
        report.add(_send_alert_batch(ids, content))
    return report


@dataclass(frozen=True)
class _Placeholders:
    """Merge tokens for one rendering of an alert. Random, so no deal title can contain them:
    a title holding a known token would get each recipient's links merged into its subject."""

    manage: str
    unsubscribe: str
    message_id: str
    to: str

    @classmethod
    def fresh(cls) -> "_Placeholders":
        nonce = secrets.token_hex(8).upper()
        return cls(
            f"PWMANAGE{nonce}",
            f"PWUNSUBSCRIBE{nonce}",
            f"PWMESSAGEID{nonce}",
            f"pw-{nonce.lower()}@pactwatch.invalid",
        )


@dataclass
class _AlertContent:
    deal: Deal | None
    template: MergeTemplate | None
    placeholders: _Placeholders | None = None


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
    ctx["regulatory"] = regulatory_lines(alert_event)
    tokens = _Placeholders.fresh()
    ctx["manage_url"] = tokens.manage
    ctx["unsubscribe_url"] = tokens.unsubscribe
    rendered = render_email("deal_alert", ctx)
    # The subject is the deal's title on one line, whatever the template makes of it.
    subject = f"Regulatory decision: {deal.title}" if ctx["regulatory"] else deal.title
    rendered = RenderedEmail(one_line(subject), rendered.text, rendered.html)
    template = MergeTemplate(
        rendered,
        to=tokens.to,
        headers=list_headers(unsubscribe=tokens.unsubscribe, message_id=f"<{tokens.message_id}>"),
        placeholders=[tokens.manage, tokens.unsubscribe, tokens.message_id],
    )
    return _AlertContent(deal, template, tokens)


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
        tokens = content.placeholders
        replacements = {
            tokens.manage: manage_url(subscription),
            tokens.unsubscribe: unsubscribe_url(subscription),
            tokens.message_id: message_id.strip("<>"),
        }
        outgoing.append((row, content.template.message(to=subscription.email, replacements=replacements)))
    report.add(deliveries_send(AlertDelivery, outgoing))
    return report


def deliveries_send(model, outgoing) -> DeliveryReport:
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
        with asynchronous_commits():
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
def asynchronous_commits():
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
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            # Only a refused recipient says the address is bad; a refused sender or
            # message is our problem and must not unsubscribe anyone.
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
