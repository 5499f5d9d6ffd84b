"""Webhooks across kill -9 of a whole Celery worker: every endpoint gets its event, once.

Two real workers share one event's fan-out to 60 endpoints on a slow loopback receiver; one is
killed mid-send. The reaper (beat runs it every minute) returns the dead worker's claimed rows
to "pending" and the survivor sends them. A request in flight at the kill may arrive twice; it
carries the same ``webhook-id``, which is what receivers deduplicate on, so each endpoint
processes the event exactly once. Needs PostgreSQL and Redis (skips otherwise).
"""

import time

import pytest
from django.db import connection
from standardwebhooks.webhooks import Webhook

from config.celery import app as celery_app
from partnerships.models import WebhookDelivery
from tests.faults.support import CeleryWorker, shared_broker, wait_until, worker_env
from tests.webhooks.conftest import Receiver, make_deal, make_endpoint

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]
ENDPOINTS = 60
CLAIM_TIMEOUT = 5


@pytest.fixture
def workers():
    started: list[CeleryWorker] = []
    yield started
    for worker in started:
        worker.stop()


@pytest.fixture
def slow_receiver():
    server = Receiver(replies=[(200, {}, 0.05)] * (ENDPOINTS * 3)).start()
    yield server
    server.stop()


def test_a_killed_worker_loses_no_webhook_and_each_endpoint_processes_it_once(
    workers, slow_receiver, settings
):
    broker = shared_broker(connection)
    settings.SCRAPER_ALLOW_LOOPBACK = True
    endpoints = [make_endpoint(slow_receiver.url(f"/hook/{n}")) for n in range(ENDPOINTS)]
    env = worker_env(
        connection.settings_dict,
        broker,
        settings.SECRET_KEY,
        SCRAPER_ALLOW_LOOPBACK="true",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        WEBHOOKS_BATCH_SIZE="5",
        WEBHOOKS_CONCURRENCY="1",
        WEBHOOKS_SENDERS="4",
        SITE_URL="https://pactwatch.example",
    )
    workers.append(CeleryWorker(env, name="hooks-a"))
    workers.append(CeleryWorker(env, name="hooks-b"))

    deal = make_deal()
    event = deal.alert_events.create(key="published", kind="published")
    celery_app.send_task("partnerships.tasks.webhooks_fan_out_task", kwargs={"event_id": event.pk})
    wait_until(lambda: len(slow_receiver.received) >= 15, timeout=60, message="the fan-out to be under way")
    workers[0].kill9()
    assert len(slow_receiver.received) < ENDPOINTS, "the fan-out finished before a worker could be killed"

    # The reaper frees claims older than its timeout: long enough that the survivor's own batch
    # in progress (5 requests) is never taken from it, short enough for the test.
    time.sleep(CLAIM_TIMEOUT + 0.5)
    celery_app.send_task("partnerships.tasks.webhooks_reap_task", kwargs={"claim_timeout": CLAIM_TIMEOUT})
    paths = lambda: {r.path for r in slow_receiver.received}  # noqa: E731
    wait_until(lambda: len(paths()) >= ENDPOINTS, timeout=90, message=f"all {ENDPOINTS} endpoints")
    time.sleep(1.0)  # let any duplicate arrive before counting

    by_endpoint = {}
    for request in slow_receiver.received:
        by_endpoint.setdefault(request.path, []).append(request)
    assert set(by_endpoint) == {f"/hook/{n}" for n in range(ENDPOINTS)}
    secrets = {f"/hook/{n}": endpoint.secret for n, endpoint in enumerate(endpoints)}
    for path, requests in by_endpoint.items():
        assert len({r.headers["webhook-id"] for r in requests}) == 1, f"{path} got two different events"
        for request in requests:
            assert Webhook(secrets[path]).verify(request.body, request.headers)["type"] == "deal.published"
    resent = sum(len(requests) - 1 for requests in by_endpoint.values())
    # The one request in flight when the worker died, sent again with the same webhook-id.
    assert resent <= 1, f"{resent} requests sent twice"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert WebhookDelivery.objects.count() == ENDPOINTS
