"""The whole app with Redis gone: a real gunicorn whose cache *and* Celery broker are a
private redis-server, killed while pages are served.

Readers keep getting every page (cache misses, logged); a visitor who subscribes while the
broker is down gets an answer, not a 500, and the confirmation email still arrives (sent
in-process when it cannot be queued).
"""

import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from tests.faults.support import ROOT, Gunicorn, PrivateRedis, app_env
from tests.security.pages import load_data, public_pages

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Browser:
    """A urllib client that keeps cookies itself: production settings mark them Secure, which
    a cookie jar would withhold over the plain-http loopback connection."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                self._keep(response.headers)
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def _keep(self, headers) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


@pytest.fixture
def stack(settings, tmp_path):
    from tests.browser.support import SmtpSink

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL so gunicorn and the test share the database (set DATABASE_URL=postgres://...)"
        )
    load_data()
    sink = SmtpSink().start()
    redis = PrivateRedis().start()
    env = app_env(
        settings.DATABASES["default"],
        REDIS_URL=redis.url,
        CELERY_BROKER_URL=redis.url.replace("/0", "/1"),
        CELERY_TASK_ALWAYS_EAGER="false",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="faults-secret-key-that-is-long-enough-0123456789",
        CONN_MAX_AGE="0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
    )
    # Production settings serve hashed static names from a manifest: collect them first,
    # as a deployment does, into a folder of this test's own.
    env["STATIC_ROOT"] = str(tmp_path / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    server = Gunicorn("config.wsgi:application", env, workers=2)
    yield server, redis, sink
    server.stop()
    redis.stop()
    sink.stop()


def test_it_serves_pages_and_takes_subscriptions_while_redis_is_down(stack):
    server, redis, sink = stack
    client = Browser(server.port)
    pages = [p for p in public_pages() if p.exists]
    for page in pages:
        status, _ = client.request(page.path)
        assert status == 200, f"{page.path} with Redis up"

    redis.kill()
    for page in pages:
        status, _ = client.request(page.path)
        assert status == 200, f"{page.path} with Redis down"

    subscribe = {"email": "outage@example.org", "company": ["openai"], "frequency": "instant"}
    status, html = client.request("/alerts/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, html = client.request("/alerts/", {"csrfmiddlewaretoken": token, **subscribe})
    assert status < 500, f"subscribing while the broker is down answered {status}"

    assert status == 200 and "Check your inbox" in html
    confirmation = sink.wait_for(lambda m: "outage@example.org" in str(m["To"]))
    assert "/alerts/confirm/" in confirmation.get_body(preferencelist=("plain",)).get_content()

    # The broker comes back: the next visitor's confirmation goes through the queue again.
    back = PrivateRedis(port=redis.port).start()
    try:
        status, html = client.request("/alerts/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, _ = client.request(
            "/alerts/", {"csrfmiddlewaretoken": token, **subscribe, "email": "later@example.org"}
        )
        assert status == 200
        import redis as redis_lib

        queued = redis_lib.Redis.from_url(back.url.replace("/0", "/1")).lrange("celery", 0, -1)
        assert any(b"send_subscription_notice" in message for message in queued)
    finally:
        back.stop()

    from partnerships.models import Subscription

    assert Subscription.objects.filter(email__in=["outage@example.org", "later@example.org"]).count() == 2
