"""Redis stopped while pages are served.

A private redis-server (never the shared one) backs the cache; the test kills it (SIGKILL)
or freezes it (SIGSTOP) and asserts readers still get every page, warnings are logged, and a
task sent while the broker is gone fails with a clear error and goes through once it is back.
"""

import inspect
import logging
import subprocess
import sys
import textwrap
import time

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

import config.cache
from config.cache import TolerantRedisCache
from tests.faults.support import ROOT, PrivateRedis, app_env
from tests.security.pages import load_data, public_pages

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_server():
    server = PrivateRedis().start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(settings, redis_server, monkeypatch):
    monkeypatch.setattr(config.cache, "CIRCUIT_SECONDS", 0.5)
    # Pages must read and write the cache for an outage to reach them.
    settings.PAGE_CACHE_ENABLED = True
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_timeout": 0.3, "socket_connect_timeout": 0.3},
        }
    }
    cache.set("probe", "up")
    assert cache.get("probe") == "up", "the private Redis must work before it is killed"
    return redis_server


def test_it_wraps_every_method_django_calls_on_a_redis_cache():
    public = {
        name
        for name, member in inspect.getmembers(RedisCache, inspect.isfunction)
        if not name.startswith("_") and name in RedisCache.__dict__ and name != "get_backend_timeout"
    }
    not_wrapped = {name for name in public if name not in TolerantRedisCache.__dict__}
    assert not not_wrapped, f"TolerantRedisCache lets these raise when Redis is down: {sorted(not_wrapped)}"


def test_it_answers_every_cache_call_with_a_default_when_redis_is_dead(redis_cache, caplog):
    redis_cache.kill()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        assert cache.get("probe") is None
        assert cache.get("probe", "fallback") == "fallback"
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.touch("k") is False
        assert cache.delete("k") is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.delete_many(["a"]) is None
        assert cache.has_key("k") is False
        assert cache.incr("counter") == 1
        assert cache.decr("counter") == -1
        assert cache.get_or_set("computed", lambda: 42) == 42
        cache.clear()
    warnings = [r for r in caplog.records if r.name == "config.cache" and r.levelno == logging.WARNING]
    assert warnings, "a cache outage must be logged"
    assert "continuing without cache" in warnings[0].getMessage()


def test_it_does_not_wait_on_a_frozen_redis_for_every_call(redis_cache):
    redis_cache.pause()  # accepts connections, never answers
    started = time.monotonic()
    for n in range(20):
        cache.get(f"key-{n}")
    elapsed = time.monotonic() - started
    redis_cache.resume()
    # One socket timeout (0.3 s), then the circuit breaker answers the rest at once.
    assert elapsed < 2.0, f"20 cache reads against a frozen Redis took {elapsed:.2f}s"


@pytest.mark.django_db
def test_it_serves_every_public_page_while_redis_is_down_and_recovers(client, redis_cache, caplog, monkeypatch):
    load_data()
    pages = [p for p in public_pages() if p.exists]
    for page in pages:
        assert client.get(page.path).status_code == 200, f"{page.path} before the outage"

    redis_cache.kill()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        for page in pages:
            assert client.get(page.path).status_code == 200, f"{page.path} with Redis down"
    assert any(r.name == "config.cache" for r in caplog.records), "the outage was not logged"

    # Redis comes back on the same port: after the circuit window the cache is used again.
    server = PrivateRedis(port=redis_cache.port).start()
    try:
        time.sleep(0.6)
        cache.set("back", "yes")
        assert cache.get("back") == "yes"
        for page in pages:
            assert client.get(page.path).status_code == 200, f"{page.path} after Redis returned"
    finally:
        server.stop()


BROKER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from kombu.exceptions import OperationalError
    from config.celery import app

    app.conf.broker_transport_options = {"max_retries": 1}
    started = time.monotonic()
    try:
        app.send_task("celery.accumulate", args=[1], retry=True,
                      retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2})
    except OperationalError as exc:
        print(f"ERROR {time.monotonic() - started:.1f} {exc}")
    else:
        print("SENT")
    """
)


def test_it_raises_a_clear_error_when_the_broker_is_down_and_sends_once_it_returns(db, settings):
    server = PrivateRedis()
    env = app_env(
        settings.DATABASES["default"],
        CELERY_BROKER_URL=f"redis://127.0.0.1:{server.port}/1",
        CELERY_TASK_ALWAYS_EAGER="false",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="faults-secret-key-that-is-long-enough-0123456789",
    )

    down = subprocess.run([sys.executable, "-c", BROKER_SCRIPT], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert down.stdout.startswith("ERROR"), down.stdout + down.stderr
    seconds = float(down.stdout.split()[1])
    assert seconds < 15, f"publishing to a dead broker took {seconds}s to fail"
    assert "connect" in down.stdout.lower() or "refused" in down.stdout.lower(), down.stdout

    server.start()
    try:
        up = subprocess.run([sys.executable, "-c", BROKER_SCRIPT], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
        assert up.stdout.strip() == "SENT", up.stdout + up.stderr
        import redis

        queued = redis.Redis.from_url(f"redis://127.0.0.1:{server.port}/1").llen("celery")
        assert queued == 1, "the task sent after the broker returned is on the queue exactly once"
    finally:
        server.stop()
