"""A real Celery worker on the local Redis broker: one fan-out, and one killed mid-fan-out.

The worker is a separate process, so it needs a database both processes can open:
PostgreSQL (``DATABASE_URL=postgres://...``). On SQLite these tests skip with that reason.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from partnerships.models import AlertDelivery
from tests.alerts.conftest import make_deal
from tests.factories import SubscriptionFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _broker_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    return url if url and url.startswith("redis") else None


@pytest.fixture
def shared_backends():
    if connection.vendor != "postgresql":
        pytest.skip(
            "a real worker needs a database it can share with the test: set DATABASE_URL=postgres://..."
        )
    url = _broker_url()
    if url is None:
        pytest.skip("a real worker needs a Redis broker: set REDIS_URL=redis://127.0.0.1:6379/<db>")
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    # Leftovers of an earlier killed run must not be delivered into this one.
    client.delete(
        *(queue.name for queue in settings.CELERY_TASK_QUEUES), "unacked", "unacked_index", "unacked_mutex"
    )
    return url


def _database_url(db) -> str:
    """The test database (test_<name>) as a URL for the worker process, password included."""
    from urllib.parse import quote

    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, *, broker_url, smtp_port, extra_env=None):
        self.log = tempfile.NamedTemporaryFile(prefix="alerts-worker-", suffix=".log", delete=False)  # noqa: SIM115 (the worker writes to it for its lifetime)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": _database_url(connection.settings_dict),
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "SITE_URL": settings.SITE_URL,
            "CONN_MAX_AGE": "0",
            **(extra_env or {}),
        }
        env.pop("PYTEST_CURRENT_TEST", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"alerts-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.output():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker did not start:\n{self.output()[-3000:]}")

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture
def worker_factory(shared_backends, smtp_sink):
    workers = []

    def start(**extra_env):
        worker = Worker(broker_url=shared_backends, smtp_port=smtp_sink.port, extra_env=extra_env)
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def via_broker(shared_backends):
    """Make this process enqueue on the real broker instead of running tasks eagerly."""
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


def _per_recipient(sink):
    ids = defaultdict(list)
    for rcpts, message in sink.messages:
        for rcpt in rcpts:
            ids[rcpt].append(message["Message-ID"])
    return ids


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_it_delivers_a_fan_out_from_a_real_worker(worker_factory, via_broker, smtp_sink, openai):
    subscribers = SubscriptionFactory.create_batch(40)
    worker_factory(ALERTS_BATCH_SIZE="15")
    deal = make_deal(companies=[openai], title="Worker-delivered deal")  # event → on_commit → broker
    assert _wait(lambda: len(smtp_sink.messages) >= 40, 60), f"only {len(smtp_sink.messages)} delivered"
    received = _per_recipient(smtp_sink)
    assert {s.email for s in subscribers} == set(received)
    assert all(len(ids) == 1 for ids in received.values())
    assert all(m["Subject"] == deal.title for _r, m in smtp_sink.messages)
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for _r, m in smtp_sink.messages)
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_it_delivers_each_alert_once_when_the_worker_is_killed_mid_fan_out(
    worker_factory, via_broker, smtp_sink, openai
):
    total = 150
    subscribers = SubscriptionFactory.create_batch(total)
    smtp_sink.delay = 0.02  # ~3 s of sending: time to kill the worker in the middle
    first = worker_factory(ALERTS_BATCH_SIZE="20")
    make_deal(companies=[openai], title="Deal announced while a worker dies")
    assert _wait(lambda: len(smtp_sink.messages) >= 45, 60), first.output()[-3000:]
    first.kill()
    before = len(smtp_sink.messages)
    assert before < total, "the worker finished before it could be killed"
    # Usually a claimed batch is left "sending"; in any case some alerts are still owed.
    assert AlertDelivery.objects.exclude(status="sent").exists()

    smtp_sink.delay = 0.0
    worker_factory(ALERTS_BATCH_SIZE="20")
    time.sleep(1.1)
    # The beat schedule runs the reaper every five minutes; here it is sent at once, with a
    # claim timeout the dead worker's batch has certainly exceeded.
    celery_app.send_task("partnerships.tasks.reap_stuck_deliveries", kwargs={"claim_timeout": 1})
    assert _wait(lambda: len(_per_recipient(smtp_sink)) >= total, 60), (
        f"{len(_per_recipient(smtp_sink))} of {total}"
    )
    time.sleep(1.0)  # let any duplicate arrive before counting

    received = _per_recipient(smtp_sink)
    assert set(received) == {s.email for s in subscribers}
    # Exactly one distinct alert per subscriber...
    assert all(len(set(ids)) == 1 for ids in received.values())
    # ...and at most one message re-sent in the documented window (SMTP accepted it, the
    # worker died before recording it), carrying the same Message-ID so mail stores merge it.
    resent = sum(len(ids) - 1 for ids in received.values())
    assert resent <= 1, f"{resent} messages were sent twice"
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {"sent"}
