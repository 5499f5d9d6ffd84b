"""Email alerts: subscriptions, signed links, matching, instant fan-out, digests, reaper.

Exactly once, as far as SMTP allows
-----------------------------------
Sending an email and writing "sent" to the database cannot be one atomic step, so the
design makes every other step idempotent and shrinks the one gap that remains:

1. The curation service that publishes or changes a deal writes an ``AlertEvent`` row in
   the same transaction (an outbox, ``events``); the fan-out task is enqueued with
   ``transaction.on_commit``. A lost broker
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
minutes. Retries are not Celery countdowns: a countdown longer than the broker's visibility
timeout is redelivered again and again (four runs of one task were seen in a test), so long
waits live in the database. Permanent failures (5xx) fail the row
and count a bounce; ``ALERTS_BOUNCE_THRESHOLD`` bounces mark the address bounced.

"sent" marks are committed with ``synchronous_commit = off`` (``delivery.asynchronous_commits``):
a killed worker loses none of them; only a PostgreSQL crash within a fraction of a second
could, and the reaper would then resend those few, again with the same Message-ID.

Modules: ``links`` (signed links, headers, abuse limits), ``subscriptions`` (subscribe,
confirm, manage, unsubscribe), ``events`` (what is worth an alert), ``delivery`` (fan-out and
sending), ``digests``, ``reaper``, ``content`` (what an email says). Which subscriptions
want which deals is ``partnerships.filters``. This package exports what views and callers
outside it use; the rest is imported from its module.
"""

from partnerships.services.alerts.delivery import alert_deliver, alert_fan_out
from partnerships.services.alerts.events import alert_event_record, deal_detect_change
from partnerships.services.alerts.links import (
    TokenError,
    confirm_url,
    feed_url,
    manage_url,
    subscribe_address_ok,
    subscribe_ip_ok,
    subscription_from_token,
    subscription_token,
    unsubscribe_url,
)
from partnerships.services.alerts.reaper import deliveries_reap
from partnerships.services.alerts.subscriptions import (
    subscription_confirm,
    subscription_description,
    subscription_reactivate,
    subscription_request,
    subscription_unsubscribe,
    subscription_update,
)

__all__ = [
    "TokenError",
    "alert_deliver",
    "alert_event_record",
    "alert_fan_out",
    "confirm_url",
    "deal_detect_change",
    "deliveries_reap",
    "feed_url",
    "manage_url",
    "subscribe_address_ok",
    "subscribe_ip_ok",
    "subscription_confirm",
    "subscription_description",
    "subscription_from_token",
    "subscription_reactivate",
    "subscription_request",
    "subscription_token",
    "subscription_unsubscribe",
    "subscription_update",
    "unsubscribe_url",
]
