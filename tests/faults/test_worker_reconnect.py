"""A Celery worker outlives a Redis restart: it reconnects by itself and runs the next task.

Its broker is a private redis-server that the test kills and starts again on the same port
(without persistence, as after a crash), so the shared Redis is never touched.
"""

import time

import pytest
from celery import Celery

from tests.faults.support import CeleryWorker, PrivateRedis, app_env, wait_until

pytestmark = pytest.mark.integration


def _send(broker_url: str, marker: int) -> None:
    sender = Celery("pactwatch-proof-sender", broker=broker_url)
    try:
        sender.send_task("celery.accumulate", args=[marker])
    finally:
        sender.close()


def test_a_worker_reconnects_after_redis_restarts(settings):
    redis = PrivateRedis().start()
    env = app_env(
        settings.DATABASES["default"],
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="faults-secret-key-that-is-long-enough-0123456789",
        REDIS_URL=redis.url,
        CELERY_BROKER_URL=redis.url,
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    worker = CeleryWorker(env, name="reconnect")
    try:
        _send(redis.url, 1)
        wait_until(lambda: "celery.accumulate" in worker.output() and "succeeded" in worker.output(),
                   timeout=30, message="the first task")

        redis.kill()
        wait_until(lambda: "Connection to broker lost" in worker.output() or "Cannot connect" in worker.output(),
                   timeout=30, message="the worker to notice the broker is gone")
        assert worker.process.poll() is None, "the worker exited instead of waiting for the broker"
        time.sleep(1.0)

        redis = PrivateRedis(port=redis.port).start()
        before = worker.output().count("succeeded")
        deadline = time.monotonic() + 60
        while worker.output().count("succeeded") == before and time.monotonic() < deadline:
            _send(redis.url, 2)  # the queue starts empty again after a crash; keep offering work
            time.sleep(2.0)
        assert worker.output().count("succeeded") > before, worker.output()[-3000:]
        assert worker.process.poll() is None
    finally:
        worker.stop()
        redis.stop()
