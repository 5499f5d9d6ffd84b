"""Webhooks and Slack for alert subscribers: endpoints, signed payloads that say what changed,
delivery exactly once per (endpoint, event) as far as HTTP allows, retries and a reaper.

The same alert events as email (``partnerships.services.alerts.events``) fan out here; the
modules: ``endpoints`` (add, verify, test, pause, remove, the owner's "disabled" email),
``payloads`` (one builder per event type, registered by alert event kind), ``slack`` (Block
Kit), ``signing`` (Standard Webhooks), ``transport`` (the SSRF-guarded, pinned POST),
``delivery`` (fan-out, claims, sending, outcomes) and ``reaper``.
"""

from partnerships.services.webhooks.delivery import webhooks_deliver, webhooks_fan_out
from partnerships.services.webhooks.endpoints import (
    CreatedEndpoint,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_pause,
    webhook_endpoint_test,
    webhook_endpoint_verify,
    webhook_url_check,
)
from partnerships.services.webhooks.payloads import EventType, register
from partnerships.services.webhooks.reaper import webhooks_reap

__all__ = [
    "CreatedEndpoint",
    "EventType",
    "register",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_pause",
    "webhook_endpoint_test",
    "webhook_endpoint_verify",
    "webhook_url_check",
    "webhooks_deliver",
    "webhooks_fan_out",
    "webhooks_reap",
]
