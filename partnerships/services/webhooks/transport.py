"""One webhook request: SSRF-checked, pinned to the checked address, one deadline, no redirects.

The URL goes through the scraper's guard (``scrapers.fetch.check_url_allowed``) at every
attempt, not only when it was saved: a name that resolved to a public address yesterday may
point at 127.0.0.1 today. The request then connects to the very addresses the guard returned
(the URL is rewritten to the IP, ``Host`` and TLS SNI keep the name), so DNS cannot change the
answer between the check and the connection. Redirects are never followed: a 3xx is a failure.
One deadline covers connect, send and the answer, and at most ``EXCERPT`` bytes of the answer
are read (undecoded).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from scrapers.fetch import FetchError, UnsafeURLError, check_url_allowed, parse_retry_after
from scrapers.fetch.client import Deadline, DeadlineTransport, pinned_request_url
from scrapers.fetch.guard import split_checked

EXCERPT = 300
TRANSIENT_STATUSES = frozenset({408, 425, 429})


@dataclass
class Outcome:
    """What one attempt gave: a status code, or an error; whether a retry can help."""

    status: int | None = None
    latency_ms: int = 0
    error: str = ""
    excerpt: str = ""
    retry_after: float | None = None
    transient: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _classify(response: httpx.Response, excerpt: bytes) -> Outcome:
    status = response.status_code
    outcome = Outcome(status=status, excerpt=excerpt.decode("utf-8", errors="replace")[:EXCERPT])
    if 200 <= status < 300:
        return outcome
    if 300 <= status < 400:
        outcome.error = f"answered {status}: redirects are not followed; register the final URL"
    else:
        outcome.error = f"answered HTTP {status}"
        outcome.transient = status >= 500 or status in TRANSIENT_STATUSES
        if status in (429, 503):
            outcome.retry_after = parse_retry_after(response.headers.get("retry-after"))
    return outcome


def _read_excerpt(response: httpx.Response, deadline: Deadline) -> bytes:
    data = b""
    for chunk in response.iter_raw():
        data += chunk
        if len(data) >= EXCERPT or deadline.passed:
            break
    return data[:EXCERPT]


def _send(client, url: str, addresses: list[str], body: bytes, headers: dict, deadline) -> Outcome:
    scheme, host, _port = split_checked(url)
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    headers = {**headers, "Host": urlsplit(url).netloc.rsplit("@", 1)[-1]}
    for index, address in enumerate(addresses):
        request = client.build_request(
            "POST", pinned_request_url(url, address), content=body, headers=headers, extensions=extensions
        )
        try:
            response = client.send(request, stream=True)
        except httpx.ConnectError:
            if index == len(addresses) - 1:
                raise
            continue
        try:
            return _classify(response, _read_excerpt(response, deadline))
        finally:
            response.close()
    raise httpx.ConnectError(f"no address to connect to for {url}")


def webhook_post(url: str, *, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to ``url`` once, through the guard; every failure is an ``Outcome``, never raised."""
    started = time.monotonic()
    try:
        addresses = check_url_allowed(url)
    except UnsafeURLError as exc:
        return Outcome(error=f"refused: {exc.message}")
    except FetchError as exc:
        return Outcome(error=exc.message, transient=not exc.permanent)
    seconds = settings.WEBHOOKS_TIMEOUT
    deadline = Deadline()
    timeout = httpx.Timeout(seconds)
    try:
        with httpx.Client(
            transport=DeadlineTransport(deadline), timeout=timeout, follow_redirects=False
        ) as client:
            deadline.start(seconds)
            outcome = _send(client, url, addresses, body, headers, deadline)
    except httpx.TimeoutException:
        outcome = Outcome(error=f"no answer within {seconds:g} s", transient=True)
    except httpx.HTTPError as exc:
        outcome = Outcome(error=f"network error: {exc}"[:500], transient=True)
    outcome.latency_ms = int((time.monotonic() - started) * 1000)
    return outcome
