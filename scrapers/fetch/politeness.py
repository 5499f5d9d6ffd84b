"""Per-host politeness: one request in flight per host, a pause between requests, robots.txt.

A host may have a policy of its own (``host_policy``): SEC EDGAR asks every client for a
User-Agent naming a contact and at most 10 requests per second across all its hosts, so
every ``*.sec.gov`` request shares one slot (``sec.gov``), waits ``SEC_REQUEST_DELAY`` after
the previous one and sends ``SEC_USER_AGENT``; without that setting no request is made.

With Redis every worker of a deployment shares a host's slot (``SET NX PX`` with a
lease, so a killed worker cannot hold a host forever) and its cool-down key; without
Redis the threads of one process share them. A request cannot outlive its slot: the
client aborts it at ``request_deadline()`` (connect, headers and body together), and the
lease is that deadline plus a margin.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from protego import Protego

from .errors import FetchError

ROBOTS_TTL = 24 * 3600
ROBOTS_MAX_BYTES = 512 * 1024
LEASE_MARGIN = 5.0  # seconds the lease outlasts the request deadline

_local_locks: dict[str, threading.Lock] = {}
_local_next: dict[str, float] = {}
_local_guard = threading.Lock()
_redis_client = None
# One round trip: take the slot (SET NX PX) and learn how long the host's cooldown still runs.
_ACQUIRE_SCRIPT = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local left = redis.call('pttl', KEYS[2])
  if left < 0 then return 0 end
  return left
end
return -1
"""
_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
end
if tonumber(ARGV[2]) > 0 then
  redis.call('set', KEYS[2], '1', 'PX', ARGV[2])
end
return 1
"""


@dataclass(frozen=True)
class HostPolicy:
    """How one host is asked: the slot its requests share, the pause between them, who we say we are.

    Empty values mean the defaults: the request's own host, ``SCRAPER_HOST_DELAY`` and
    ``SCRAPER_USER_AGENT``.
    """

    slot: str = ""
    delay: float | None = None
    user_agent: str = ""

    @property
    def agent(self) -> str:
        return self.user_agent or settings.SCRAPER_USER_AGENT


DEFAULT_POLICY = HostPolicy()
SEC_SLOT = "sec.gov"


def sec_policy() -> HostPolicy:
    """SEC EDGAR's rules, or a permanent error when no contact is configured."""
    if not settings.SEC_USER_AGENT:
        raise FetchError(
            "SEC EDGAR asks every automated client for a User-Agent with a contact address: set "
            'SEC_USER_AGENT (for example "Pactwatch admin@example.org") before fetching from sec.gov.',
            permanent=True,
        )
    return HostPolicy(slot=SEC_SLOT, delay=settings.SEC_REQUEST_DELAY, user_agent=settings.SEC_USER_AGENT)


def host_policy(host: str) -> HostPolicy:
    """The policy a host's requests follow when the caller names none."""
    host = host.lower().rstrip(".")
    if host == SEC_SLOT or host.endswith("." + SEC_SLOT):
        return sec_policy()
    return DEFAULT_POLICY


def request_deadline() -> float:
    """Seconds one request may take in total, from connecting to the last body byte."""
    return settings.SCRAPER_CONNECT_TIMEOUT + settings.SCRAPER_READ_TIMEOUT * 3


def slot_lease() -> float:
    """How long a held slot lasts in Redis: longer than any request can run."""
    return request_deadline() + LEASE_MARGIN


def _slot_wait_limit(delay: float) -> float:
    # Long enough to outlast the lease of a holder that was killed mid-request.
    return slot_lease() + delay + 5


def _redis():
    global _redis_client
    url = getattr(settings, "REDIS_URL", None)
    if not url:
        return None
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return _redis_client


def _slot_keys(host: str) -> tuple[str, str]:
    # Same prefix as the cache: shared by every worker of one deployment, apart from other users of the Redis.
    prefix = settings.CACHES.get("default", {}).get("KEY_PREFIX") or "pactwatch"
    return f"{prefix}:host:{host}:busy", f"{prefix}:host:{host}:cooldown"


@contextmanager
def _shared_slot(client, host: str, delay: float) -> Iterator[None]:
    lock_key, delay_key = _slot_keys(host)
    token = uuid.uuid4().hex
    deadline = time.monotonic() + _slot_wait_limit(delay)
    pause = 0.005
    while True:
        wait_ms = client.eval(_ACQUIRE_SCRIPT, 2, lock_key, delay_key, token, int(slot_lease() * 1000))
        if wait_ms is not None and wait_ms >= 0:
            if wait_ms > 0:
                time.sleep(wait_ms / 1000)
            break
        if time.monotonic() > deadline:
            raise FetchError(f"{host} stayed busy; another worker holds it.", permanent=False)
        time.sleep(pause)
        pause = min(pause * 2, 0.2)
    try:
        yield
    finally:
        client.eval(_RELEASE_SCRIPT, 2, lock_key, delay_key, token, int(delay * 1000))


@contextmanager
def _local_slot(host: str, delay: float) -> Iterator[None]:
    with _local_guard:
        lock = _local_locks.setdefault(host, threading.Lock())
    if not lock.acquire(timeout=_slot_wait_limit(delay)):
        raise FetchError(f"{host} stayed busy in this process.", permanent=False)
    try:
        wait = _local_next.get(host, 0.0) - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        yield
    finally:
        _local_next[host] = time.monotonic() + delay
        lock.release()


def host_slot(host: str, *, delay: float | None = None):
    """Hold the host's only request slot; wait out the host's minimum delay first.

    ``delay`` (default ``SCRAPER_HOST_DELAY``) is the pause this request leaves after it.
    """
    pause = float(settings.SCRAPER_HOST_DELAY if delay is None else delay)
    client = _redis()
    return _shared_slot(client, host, pause) if client is not None else _local_slot(host, pause)


# --- robots.txt -------------------------------------------------------------------------

_robots_cache: dict[str, tuple[float, Protego | None]] = {}
_robots_guard = threading.Lock()


def _robots_body(origin: str, netloc: str, fetcher: Callable[..., object]) -> str:
    try:
        result = fetcher(f"{origin}/robots.txt", max_bytes=ROBOTS_MAX_BYTES, check_robots=False)
    except FetchError as exc:
        if exc.status is not None and 400 <= exc.status < 500:
            return ""  # RFC 9309: an unavailable robots.txt allows everything
        raise FetchError(
            f"robots.txt of {netloc} could not be read ({exc}); not fetching until it can.",
            permanent=False,
            status=exc.status,
            retry_after=exc.retry_after,
        ) from exc
    return result.text if result.status == 200 else ""


def _robots_for(scheme: str, netloc: str, fetcher: Callable[..., object]) -> Protego | None:
    """The parsed robots.txt of an origin; None means "everything allowed"."""
    from django.core.cache import cache

    origin = f"{scheme}://{netloc}"
    now = time.monotonic()
    with _robots_guard:
        cached = _robots_cache.get(origin)
    if cached and cached[0] > now:
        return cached[1]
    cache_key = f"scrapers:robots:{origin}"
    body = cache.get(cache_key)
    if body is None:
        body = _robots_body(origin, netloc, fetcher)
        cache.set(cache_key, body, ROBOTS_TTL)
    parsed = Protego.parse(body) if body.strip() else None
    with _robots_guard:
        _robots_cache[origin] = (now + min(ROBOTS_TTL, 3600), parsed)
    return parsed


def robots_allowed(url: str, *, fetcher: Callable[..., object], user_agent: str = "") -> bool:
    """Whether robots.txt lets our User-Agent fetch ``url``; ``fetcher`` reads robots.txt itself."""
    parts = urlsplit(url)
    robots = _robots_for(parts.scheme, parts.netloc, fetcher)
    return robots is None or robots.can_fetch(url, user_agent or settings.SCRAPER_USER_AGENT)


def clear_caches() -> None:
    """Forget robots.txt and politeness state (tests, benchmark)."""
    from django.core.cache import cache

    with _robots_guard:
        for origin in list(_robots_cache):
            cache.delete(f"scrapers:robots:{origin}")
        _robots_cache.clear()
    _local_next.clear()
