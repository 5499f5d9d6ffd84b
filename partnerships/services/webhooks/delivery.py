"""Fan-out, claims, concurrent sending, one attempt row per request, retries, disabling.

Like email alerts (``partnerships.services.alerts``): an alert event fans out to one
``WebhookDelivery`` per matching active endpoint, inserted ignoring conflicts under a unique
(endpoint, key) constraint; senders claim batches with ``SELECT … FOR UPDATE SKIP LOCKED`` and
a conditional UPDATE (pending → sending), commit, then send. Requests of a batch run on a small
thread pool (``WEBHOOKS_CONCURRENCY``, HTTP only: the database is written from the sender's
thread), and each outcome is recorded as soon as it arrives, in one short transaction committed
with ``synchronous_commit`` off, as email's "sent" marks are (a killed worker loses none; only a
PostgreSQL crash within a fraction of a second could, and those rows are resent with their id). A worker killed mid-batch leaves
its claimed rows "sending"; the reaper returns them to "pending" after
``WEBHOOKS_CLAIM_TIMEOUT``. A request that reached the receiver just before the kill is sent
again, with the same ``webhook-id``, which is what receivers deduplicate on.

Outcomes: a 2xx is sent. A timeout, a network error, a 5xx, 408, 425 or 429 is retried with
exponential backoff and jitter (``Retry-After`` honoured), up to ``WEBHOOKS_MAX_ATTEMPTS``; any
other 4xx, a 3xx (redirects are not followed) or an address the SSRF guard refuses fails at
once. ``WEBHOOKS_DISABLE_AFTER`` failed event attempts in a row disable the endpoint and mail
its owner. Verifications and tests are tried once; a verification's 2xx activates the endpoint.
"""

from __future__ import annotations

import json
import logging
import random
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from partnerships import tasks
from partnerships.filters import filters_accepting
from partnerships.models import AlertEvent, Subscription, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partnerships.services.alerts.delivery import asynchronous_commits, deliveries_claim, deliveries_due
from partnerships.services.alerts.events import deal_snapshot, terms_fingerprint
from partnerships.services.webhooks import payloads, slack
from partnerships.services.webhooks.signing import signed_headers
from partnerships.services.webhooks.transport import Outcome, webhook_post

logger = logging.getLogger(__name__)
MAX_DELAY = timedelta(days=1)
ONE_OFF = (payloads.VERIFICATION, payloads.TEST)


@dataclass
class WebhookReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0


def message_id(*, event_id: int, endpoint_id: int) -> str:
    return f"msg_pw_{event_id}_{endpoint_id}"


def webhooks_fan_out(*, event_id: int, deliver: bool = True) -> int:
    """One delivery per active endpoint whose filter accepts the event's deal; safe to re-run."""
    alert_event = AlertEvent.objects.select_related("deal").filter(pk=event_id).first()
    if alert_event is None:
        return 0
    event_type = payloads.event_type_of(alert_event)
    now = timezone.now()
    if event_type is None or not event_type.deliverable(alert_event.deal):
        AlertEvent.objects.filter(pk=event_id).update(webhooks_fanned_out_at=now)
        return 0
    _ensure_snapshot(alert_event)
    active = WebhookEndpoint.objects.filter(
        status=WebhookEndpoint.Status.ACTIVE, subscription__status=Subscription.Status.ACTIVE
    )
    ids = list(filters_accepting(alert_event.deal, active).order_by("id").values_list("id", flat=True))
    iterator = iter(ids)
    while batch := list(islice(iterator, 1000)):
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint_id=endpoint_id,
                    alert_event_id=event_id,
                    key=f"event-{event_id}",
                    event_type=event_type.name,
                    message_id=message_id(event_id=event_id, endpoint_id=endpoint_id),
                )
                for endpoint_id in batch
            ],
            ignore_conflicts=True,
        )
    AlertEvent.objects.filter(pk=event_id).update(webhooks_fanned_out_at=now)
    if deliver and ids:
        for _ in range(min(settings.WEBHOOKS_SENDERS, -(-len(ids) // settings.WEBHOOKS_BATCH_SIZE))):
            tasks.webhooks_deliver_task.delay(event_id=event_id)
    return len(ids)


def _ensure_snapshot(alert_event: AlertEvent) -> None:
    """A publication's terms, taken now if the email fan-out has not taken them yet (the same
    conditional write as ``alert_fan_out``: whichever runs first stores them, once)."""
    if alert_event.kind != AlertEvent.Kind.PUBLISHED or alert_event.fingerprint:
        return
    snapshot = deal_snapshot(alert_event.deal)
    AlertEvent.objects.filter(pk=alert_event.pk, fingerprint="").update(
        snapshot=snapshot, fingerprint=terms_fingerprint(snapshot)
    )


def webhooks_deliver(
    *, event_id: int | None = None, delivery_ids: list[int] | None = None, max_batches: int | None = None
) -> WebhookReport:
    """Claim and send batches of one event's deliveries (or of the given ones) until none is due."""
    base = WebhookDelivery.objects.all()
    if event_id is not None:
        base = base.filter(alert_event_id=event_id)
    if delivery_ids is not None:
        base = base.filter(id__in=delivery_ids)
    report, bodies, batches = WebhookReport(), {}, 0
    while max_batches is None or batches < max_batches:
        ids = deliveries_claim(
            WebhookDelivery, deliveries_due(base, timezone.now()), limit=settings.WEBHOOKS_BATCH_SIZE
        )
        if not ids:
            break
        batches += 1
        rows = list(
            WebhookDelivery.objects.filter(id__in=ids)
            .select_related("endpoint", "alert_event__deal")
            .order_by("id")
        )
        _send_batch(rows, bodies, report)
    return report


def _sendable(row: WebhookDelivery) -> bool:
    status = row.endpoint.status
    if row.event_type == payloads.VERIFICATION:
        return status in (WebhookEndpoint.Status.PENDING, WebhookEndpoint.Status.ACTIVE)
    if row.event_type == payloads.TEST:
        return status != WebhookEndpoint.Status.DISABLED
    return status == WebhookEndpoint.Status.ACTIVE


def _send_batch(rows: list[WebhookDelivery], bodies: dict, report: WebhookReport) -> None:
    jobs = []
    for row in rows:
        if not _sendable(row):
            WebhookDelivery.objects.filter(pk=row.pk).update(
                status=WebhookDelivery.Status.SKIPPED, error=f"endpoint {row.endpoint.status}"
            )
            report.skipped += 1
            continue
        key = (row.key if row.alert_event_id is None else row.alert_event_id, row.endpoint.kind)
        if key not in bodies:
            bodies[key] = body_for(row)
        jobs.append((row, bodies[key]))
    if not jobs:
        return
    with (
        ThreadPoolExecutor(max_workers=min(settings.WEBHOOKS_CONCURRENCY, len(jobs))) as pool,
        asynchronous_commits(),
    ):
        started = {pool.submit(_attempt, row, body): row for row, body in jobs}
        for future in as_completed(started):
            row = started[future]
            moment, outcome = future.result()
            record_outcome(row, moment, outcome, report)


def body_for(row: WebhookDelivery) -> str:
    """The request body of a delivery: the Standard Webhooks JSON, or Slack's Block Kit."""
    at = row.alert_event.created_at if row.alert_event_id else row.created_at
    if row.alert_event_id:
        data = payloads.event_type_of(row.alert_event).data(row.alert_event)
    elif row.event_type == payloads.VERIFICATION:
        data = payloads.verification_data(row.endpoint)
    else:
        data = payloads.test_data()
    if row.endpoint.kind == WebhookEndpoint.Kind.SLACK:
        if "deal" in data:
            message = slack.deal_message(row.event_type, data)
        else:
            message = slack.notice_message(row.event_type, data["message"])
        return json.dumps(message, default=str)
    return json.dumps(payloads.envelope(row.event_type, at, data), default=str)


def _attempt(row: WebhookDelivery, body: str) -> tuple:
    moment = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"PactwatchWebhooks/1 (+{settings.SITE_URL})",
        "Accept-Encoding": "identity",
        **signed_headers(secret=row.endpoint.secret, message_id=row.message_id, body=body, at=moment),
    }
    return moment, webhook_post(row.endpoint.url, body=body.encode(), headers=headers)


def retry_delay(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential backoff with jitter (base, 2×base, 4×base… plus up to one base), or the
    server's ``Retry-After`` when it gave one; at most a day."""
    if retry_after is not None:
        return min(timedelta(seconds=max(retry_after, 1)), MAX_DELAY)
    base = settings.WEBHOOKS_RETRY_BASE_DELAY
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0) + random.uniform(0, base)), MAX_DELAY)


def record_outcome(row: WebhookDelivery, moment, outcome: Outcome, report: WebhookReport) -> None:
    """Store the attempt and move the delivery and its endpoint on, in one short transaction."""
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery_id=row.pk,
            started_at=moment,
            status_code=outcome.status,
            latency_ms=outcome.latency_ms,
            error=outcome.error[:500],
            response_excerpt=outcome.excerpt[:300],
        )
        seen = {
            "last_attempt_at": moment,
            "last_status_code": outcome.status,
            "last_error": outcome.error[:500],
        }
        if outcome.ok and row.event_type not in ONE_OFF:
            seen["consecutive_failures"] = 0
        WebhookEndpoint.objects.filter(pk=row.endpoint_id).update(**seen)
        if outcome.ok:
            _record_sent(row, report)
        else:
            _record_failure(row, outcome, report)


def _record_sent(row: WebhookDelivery, report: WebhookReport) -> None:
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=WebhookDelivery.Status.SENT, sent_at=now, error=""
    )
    report.sent += 1
    if row.event_type == payloads.VERIFICATION:
        WebhookEndpoint.objects.filter(pk=row.endpoint_id, status=WebhookEndpoint.Status.PENDING).update(
            status=WebhookEndpoint.Status.ACTIVE, verified_at=now, consecutive_failures=0
        )


def _record_failure(row: WebhookDelivery, outcome: Outcome, report: WebhookReport) -> None:
    attempts = row.attempts or 1  # the claim counted this attempt
    retry = outcome.transient and row.event_type not in ONE_OFF and attempts < settings.WEBHOOKS_MAX_ATTEMPTS
    if retry:
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at=timezone.now() + retry_delay(attempts, outcome.retry_after),
            error=outcome.error[:500],
        )
        report.retrying += 1
    else:
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=WebhookDelivery.Status.FAILED, error=outcome.error[:500]
        )
        report.failed += 1
    if row.event_type not in ONE_OFF:
        _count_failure(row.endpoint_id)


def _count_failure(endpoint_id: int) -> None:
    """One more failure in a row; at the threshold the endpoint is disabled and its owner told once."""
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint_id,
        status=WebhookEndpoint.Status.ACTIVE,
        consecutive_failures__gte=settings.WEBHOOKS_DISABLE_AFTER,
    ).update(status=WebhookEndpoint.Status.DISABLED, disabled_at=timezone.now())
    if disabled:
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.SKIPPED, error="endpoint disabled"
        )
        try:
            tasks.webhook_disabled_notice_send_task.delay(endpoint_id=endpoint_id)
        except KombuOperationalError:  # the broker being down must not undo the disabling
            logger.warning("could not queue the disabled-endpoint email for %s", endpoint_id, exc_info=True)
