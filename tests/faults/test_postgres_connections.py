"""PostgreSQL "restarted" under load: the app recovers without a restart.

The shared PostgreSQL on this machine must not be restarted, so the test does what a restart
does to the app — every server-side connection disappears — with ``pg_terminate_backend`` on
the backends a real gunicorn (persistent connections, ``CONN_MAX_AGE=60``) holds to the test
database. With ``CONN_HEALTH_CHECKS`` a connection that died between requests is replaced
before it is used, so those requests never fail; only a query in flight at the instant of the
kill can fail, and the next request on that worker succeeds again.
"""

import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.faults.support import Gunicorn, app_env, wait_until
from tests.security.pages import load_data

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
WORKERS = 2


def _get(port: int, path: str = "/") -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": "127.0.0.1"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _app_backends(dbname: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'",
            [dbname],
        )
        return [row[0] for row in cursor.fetchall()]


def _terminate(dbname: str) -> list[int]:
    pids = _app_backends(dbname)
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    return pids


@pytest.fixture
def app_server(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    load_data()
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    server = Gunicorn(
        "tests.faults.wsgi_nocache:application",
        app_env(settings.DATABASES["default"], CONN_MAX_AGE="60"),
        workers=WORKERS,
    )
    yield server
    server.stop()


def test_it_replaces_connections_killed_between_requests(app_server):
    dbname = connection.settings_dict["NAME"]
    for _ in range(10):
        assert _get(app_server.port) == 200
    killed = wait_until(lambda: _app_backends(dbname), timeout=5, message="persistent app connections")

    for round_ in range(3):
        assert _terminate(dbname), "the app held no connection to kill"
        statuses = [_get(app_server.port) for _ in range(12)]
        assert statuses == [200] * 12, f"round {round_}: requests after the kill got {statuses}"

    assert app_server.process.poll() is None, "gunicorn had to exit"
    assert set(_app_backends(dbname)).isdisjoint(killed), "the app reconnected with new backends"


def test_it_recovers_from_connections_killed_under_load(app_server):
    dbname = connection.settings_dict["NAME"]
    statuses: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client():
        while not stop.is_set():
            status = _get(app_server.port)
            with lock:
                statuses.append((time.monotonic(), status))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    kills = killed_backends = 0
    try:
        for _ in range(12):  # bounded: at most ~9 s of load
            time.sleep(0.75)
            killed = _terminate(dbname)
            if killed:
                kills += 1
                killed_backends += len(killed)
            if kills == 4:
                break
        time.sleep(0.75)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)

    failed = [s for _, s in statuses if s != 200]
    assert kills >= 3
    assert len(statuses) > 40, f"only {len(statuses)} requests completed under load"
    # At most the request in flight on each killed backend may fail.
    assert len(failed) <= killed_backends, f"{len(failed)} failures for {killed_backends} killed backends: {failed}"
    after = [_get(app_server.port) for _ in range(10)]
    assert after == [200] * 10
    assert app_server.process.poll() is None
