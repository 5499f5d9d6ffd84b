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

"sent" marks are committed with ``synchronous_commit = off`` (``delivery._asynchronous_commits``):
a killed worker loses none of them; only a PostgreSQL crash within a fraction of a second
could, and the reaper would then resend those few, again with the same Message-ID.

Modules: ``links`` (signed links, headers, abuse limits), ``subscriptions`` (subscribe,
confirm, manage, unsubscribe, matching), ``events`` (what is worth an alert), ``delivery``
(fan-out and sending), ``digests``, ``reaper``, ``content`` (what an email says).
"""

from partnerships.services.alerts.content import deal_email_context, event_changes, format_amount
from partnerships.services.alerts.delivery import (
    DeliveryReport,
    alert_deliver,
    alert_fan_out,
    claim_batch,
    due_rows,
    retry_delay,
)
from partnerships.services.alerts.digests import (
    digest_deals,
    digest_period,
    digests_deliver,
    digests_schedule,
)
from partnerships.services.alerts.events import (
    PUBLISHED,
    deal_detect_change,
    deal_event_notify,
    deal_saved,
    deal_snapshot,
    deal_terms_touched,
)
from partnerships.services.alerts.links import (
    TokenError,
    alert_message_id,
    confirm_url,
    deal_url,
    digest_message_id,
    feed_url,
    list_headers,
    manage_url,
    subscribe_address_ok,
    subscribe_ip_ok,
    subscription_from_token,
    subscription_token,
    unsubscribe_url,
)
from partnerships.services.alerts.reaper import ReapReport, deliveries_reap
from partnerships.services.alerts.subscriptions import (
    Filters,
    deals_matching_subscription,
    describe_filters,
    subscription_confirm,
    subscription_matches,
    subscription_notice_send,
    subscription_reactivate,
    subscription_request,
    subscription_unsubscribe,
    subscription_update,
    subscriptions_matching_deal,
)

__all__ = [
    "PUBLISHED",
    "DeliveryReport",
    "Filters",
    "ReapReport",
    "TokenError",
    "alert_deliver",
    "alert_fan_out",
    "alert_message_id",
    "claim_batch",
    "confirm_url",
    "deal_detect_change",
    "deal_email_context",
    "deal_event_notify",
    "deal_saved",
    "deal_snapshot",
    "deal_terms_touched",
    "deal_url",
    "deals_matching_subscription",
    "deliveries_reap",
    "describe_filters",
    "digest_deals",
    "digest_message_id",
    "digest_period",
    "digests_deliver",
    "digests_schedule",
    "due_rows",
    "event_changes",
    "feed_url",
    "format_amount",
    "list_headers",
    "manage_url",
    "retry_delay",
    "subscribe_address_ok",
    "subscribe_ip_ok",
    "subscription_confirm",
    "subscription_from_token",
    "subscription_matches",
    "subscription_notice_send",
    "subscription_reactivate",
    "subscription_request",
    "subscription_token",
    "subscription_unsubscribe",
    "subscription_update",
    "subscriptions_matching_deal",
    "unsubscribe_url",
]
