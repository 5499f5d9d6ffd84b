"""The one guarded HTTP client every scraper request goes through.

Vendor newsrooms are untrusted input on the network: a URL can point at our own
infrastructure (SSRF), a server can answer with 50 MB, trickle bytes forever, loop
redirects, or hide its body behind bot protection. Every request here therefore:

- is refused unless each address its host resolves to is public, and connects to the
  very address that was checked (the URL is rewritten to the IP, with Host / SNI set to
  the name) so a DNS answer cannot change between the check and the connection;
- re-checks every redirect hop and stops after ``SCRAPER_MAX_REDIRECTS``;
- honours robots.txt (protego, cached per host) and per-host politeness: one request
  in flight per host and ``SCRAPER_HOST_DELAY`` between requests, shared by all Celery
  workers through Redis (``SET NX PX``) or by threads of one process without Redis;
- streams the body and stops at ``SCRAPER_MAX_BYTES``;
- decodes gzip / deflate / brotli and picks the charset from headers, meta tags or
  detection, and rejects a body that still decodes to garbage;
- turns every failure into a typed :class:`FetchError` whose ``permanent`` flag says
  whether retrying can help.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import certifi
import httpx
from charset_normalizer import from_bytes
from django.conf import settings
from django.core.exceptions import ValidationError
from protego import Protego

logger = logging.getLogger(__name__)

# Pages that answer 403/503/429 with one of these are behind bot protection, not down.
BOT_PROTECTION_MARKERS = (
    "cf-chl",
    "challenge-platform",
    "just a moment...",
    "attention required! | cloudflare",
    "captcha",
    "_incapsula_resource",
    "datadome",
    "px-captcha",
    "perimeterx",
    "access denied",
    "are you a robot",
    "enable javascript and cookies to continue",
)
BOT_PROTECTION_HEADERS = ("cf-mitigated", "x-datadome", "x-px-block")

MAX_RETRY_AFTER = 6 * 3600  # a server asking for more than this is treated as asking for this
ROBOTS_TTL = 24 * 3600
ROBOTS_MAX_BYTES = 512 * 1024


class FetchError(Exception):
    """A request that did not yield a usable body; ``permanent`` decides retry or give up."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
        blocked: bool = False,
        url: str = "",
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        self.blocked = blocked
        self.url = url

    def __str__(self) -> str:
        return self.message


class UnsafeURLError(FetchError, ValidationError):
    """A URL we refuse to fetch; also a ValidationError so model and form validation can raise it."""

    def __init__(self, message: str, *, url: str = ""):
        ValidationError.__init__(self, message, code="unsafe_url")
        self.message = message
        self.permanent = True
        self.status = None
        self.retry_after = None
        self.blocked = False
        self.url = url

    def __str__(self) -> str:
        return self.message


@dataclass
class FetchResult:
    status: int
    body: bytes
    text: str
    headers: httpx.Headers
    url: str
    not_modified: bool = False
    encoding: str = ""
    redirects: list[str] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")[:500]

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")[:100]

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


# --- SSRF guard ------------------------------------------------------------------------


def _resolve(host: str, port: int) -> list[str]:
    """Indirection so tests and the benchmark can map fake names; production uses DNS."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


resolve_host: Callable[[str, int], list[str]] = _resolve


def _address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 reports is_loopback False: judge the IPv4 address inside.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None or ip.teredo is not None:
            return False
    if ip.is_loopback and getattr(settings, "SCRAPER_ALLOW_LOOPBACK", False):
        return True
    # is_global is False for private, loopback, link-local, CGNAT (100.64/10), reserved...
    return ip.is_global and not ip.is_multicast


def _split_checked(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"Not a valid URL: {url!r}", url=url) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(
            f"Only http and https URLs can be fetched, not {parts.scheme or 'none'!r}.", url=url
        )
    if parts.username or parts.password:
        raise UnsafeURLError("URLs with credentials are refused.", url=url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeURLError("The URL has no host.", url=url)
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def check_url_allowed(url: str, *, resolve: bool = True, allow_unresolvable: bool = False) -> list[str]:
    """Refuse URLs whose host is, or resolves to, a non-public address; return the checked IPs.

    Used at save time (a validator on ``Newsroom.url``, where a name that does not resolve
    *yet* is accepted) and at fetch time for every hop (where it is an error).
    """
    _scheme, host, port = _split_checked(url)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        if not _address_allowed(literal):
            raise UnsafeURLError(f"{host} is not a public address.", url=url)
        return [str(literal)]
    is_local_name = host == "localhost" or host.endswith(".localhost")
    if is_local_name and not getattr(settings, "SCRAPER_ALLOW_LOOPBACK", False):
        raise UnsafeURLError(f"{host} is not a public host.", url=url)
    if not resolve:
        return []
    try:
        addresses = resolve_host(host, port)
    except (OSError, UnicodeError) as exc:
        if allow_unresolvable:
            return []
        raise FetchError(f"{host} does not resolve ({exc}).", permanent=False, url=url) from exc
    if not addresses:
        if allow_unresolvable:
            return []
        raise FetchError(f"{host} does not resolve.", permanent=False, url=url)
    for address in addresses:
        if not _address_allowed(ipaddress.ip_address(address.split("%")[0])):
            raise UnsafeURLError(f"{host} resolves to {address}, which is not a public address.", url=url)
    return addresses


def validate_public_url(url: str) -> None:
    """Model-field validator: the save-time half of the SSRF guard."""
    check_url_allowed(url, allow_unresolvable=True)


# --- Politeness ------------------------------------------------------------------------

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


def _redis():
    global _redis_client
    url = getattr(settings, "REDIS_URL", None)
    if not url:
        return None
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return _redis_client


def _request_budget() -> float:
    """The longest one request can take: the streaming deadline in ``_fetch_once`` plus slack."""
    return settings.SCRAPER_CONNECT_TIMEOUT + settings.SCRAPER_READ_TIMEOUT * 3 + 1


def _slot_wait_limit() -> float:
    # Long enough to outlast the lease of a holder that was killed mid-request.
    return _request_budget() + settings.SCRAPER_HOST_DELAY + 5


@contextmanager
def host_slot(host: str) -> Iterator[None]:
    """Hold the host's only request slot; wait out the host's minimum delay first.

    With Redis every worker shares the slot (``SET NX PX`` with a lease so a killed worker
    cannot hold a host forever); without Redis the threads of this process share it.
    """
    delay = float(settings.SCRAPER_HOST_DELAY)
    deadline = time.monotonic() + _slot_wait_limit()
    client = _redis()
    if client is not None:
        # Same prefix as the cache: shared by every worker of one deployment, apart from other users of the Redis.
        prefix = settings.CACHES.get("default", {}).get("KEY_PREFIX") or "pactwatch"
        lock_key, delay_key = f"{prefix}:host:{host}:busy", f"{prefix}:host:{host}:cooldown"
        token = uuid.uuid4().hex
        lease_ms = int(_request_budget() * 1000)
        pause = 0.005
        while True:
            wait_ms = client.eval(_ACQUIRE_SCRIPT, 2, lock_key, delay_key, token, lease_ms)
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
        return

    with _local_guard:
        lock = _local_locks.setdefault(host, threading.Lock())
    if not lock.acquire(timeout=_slot_wait_limit()):
        raise FetchError(f"{host} stayed busy in this process.", permanent=False)
    try:
        wait = _local_next.get(host, 0.0) - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        yield
    finally:
        _local_next[host] = time.monotonic() + delay
        lock.release()


# --- robots.txt ------------------------------------------------------------------------

_robots_cache: dict[str, tuple[float, Protego | None]] = {}
_robots_guard = threading.Lock()


def _robots_for(scheme: str, netloc: str) -> Protego | None:
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
        try:
            result = _fetch_once(f"{origin}/robots.txt", max_bytes=ROBOTS_MAX_BYTES, check_robots=False)
            body = result.text if result.status == 200 else ""
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                body = ""  # RFC 9309: an unavailable robots.txt allows everything
            else:
                raise FetchError(
                    f"robots.txt of {netloc} could not be read ({exc}); not fetching until it can.",
                    permanent=False,
                    status=exc.status,
                    retry_after=exc.retry_after,
                ) from exc
        cache.set(cache_key, body, ROBOTS_TTL)
    parsed = Protego.parse(body) if body.strip() else None
    with _robots_guard:
        _robots_cache[origin] = (now + min(ROBOTS_TTL, 3600), parsed)
    return parsed


def robots_allowed(url: str) -> bool:
    parts = urlsplit(url)
    robots = _robots_for(parts.scheme, parts.netloc)
    return robots is None or robots.can_fetch(url, settings.SCRAPER_USER_AGENT)


def clear_caches() -> None:
    """Forget robots.txt and politeness state (tests, benchmark)."""
    from django.core.cache import cache

    with _robots_guard:
        for origin in list(_robots_cache):
            cache.delete(f"scrapers:robots:{origin}")
        _robots_cache.clear()
    _local_next.clear()


# --- Decoding --------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""", re.I)


def _header_charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", content_type, re.I)
    return match.group(1) if match else None


def _valid_codec(name: str | None) -> str | None:
    if not name:
        return None
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _maybe_decompress(body: bytes) -> bytes:
    """Undo a compression the server applied without saying so (seen in the wild)."""
    if body[:2] == b"\x1f\x8b":
        try:
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        except zlib.error:
            return body
    return body


def garbage_ratio(text: str) -> float:
    """Share of replacement and control characters: high means the bytes were not text."""
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    return bad / len(sample)


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Bytes to text: BOM, then declared charsets (header, XML, meta) that decode cleanly, then detection."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    head = body[:4096]
    declared = _valid_codec(_header_charset(content_type))
    if declared and declared.startswith(("utf-16", "utf-32")):
        try:
            return body.decode(declared), declared
        except UnicodeDecodeError:
            pass
    try:
        # Valid UTF-8 with non-ASCII bytes is almost never an accident, while "charset=iso-8859-1"
        # on a UTF-8 page is a common lie: prefer UTF-8 whenever it decodes strictly.
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = [declared]
    xml_match = _XML_ENCODING.search(head)
    meta_match = _META_CHARSET.search(head)
    candidates.append(xml_match.group(1).decode("ascii") if xml_match else None)
    candidates.append(meta_match.group(1).decode("ascii") if meta_match else None)
    for name in candidates:
        codec = _valid_codec(name)
        if not codec:
            continue
        try:
            return body.decode(codec), codec
        except UnicodeDecodeError:
            continue  # a declared charset that does not fit the bytes: the declaration lies
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace"), best.encoding
    return body.decode("utf-8", errors="replace"), "utf-8"


def decode_checked(body: bytes, content_type: str = "", *, url: str = "") -> tuple[str, str]:
    """Decode and refuse garbage, so a misdecoded or binary body never becomes an announcement."""
    text, encoding = decode_body(_maybe_decompress(body), content_type)
    ratio = garbage_ratio(text)
    if ratio > 0.02:
        raise FetchError(
            f"The body does not decode to text ({ratio:.0%} replacement or control characters); "
            "it is probably compressed or binary data served as text.",
            permanent=False,
            url=url,
        )
    return text, encoding


# --- Requests --------------------------------------------------------------------------

_ssl_context: ssl.SSLContext | None = None


def _ssl() -> ssl.SSLContext:
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = ssl.create_default_context(cafile=certifi.where())
    return _ssl_context


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min((when - datetime.now(UTC)).total_seconds(), MAX_RETRY_AFTER))


def _looks_blocked(status: int, headers: httpx.Headers, body: bytes) -> bool:
    if status not in (403, 429, 503):
        return False
    if any(name in headers for name in BOT_PROTECTION_HEADERS):
        return True
    sample = body[:65536].decode("utf-8", errors="replace").lower()
    return any(marker in sample for marker in BOT_PROTECTION_MARKERS)


def _pinned_request_url(url: str, address: str) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _read_capped(response: httpx.Response, max_bytes: int, url: str, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            f"The response declares {int(declared):,} bytes, over the {max_bytes:,} byte limit.",
            permanent=True,
            status=response.status_code,
            url=url,
        )
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(
                f"The response exceeded the {max_bytes:,} byte limit; stopped reading.",
                permanent=True,
                status=response.status_code,
                url=url,
            )
        if time.monotonic() > deadline:
            raise FetchError("The response took too long to arrive.", permanent=False, url=url)
        chunks.append(chunk)
    return b"".join(chunks)


def _send_pinned(client: httpx.Client, url: str, addresses: list[str], headers: dict, extensions: dict):
    """Connect to the checked addresses only, in order, moving on when one refuses the connection."""
    for index, address in enumerate(addresses):
        request = client.build_request(
            "GET", _pinned_request_url(url, address), headers=headers, extensions=extensions
        )
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError:
            if index == len(addresses) - 1:
                raise
    raise httpx.ConnectError(f"No address to connect to for {url}")


def _fetch_once(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int | None = None,
    check_robots: bool = True,
) -> FetchResult:
    max_bytes = max_bytes or settings.SCRAPER_MAX_BYTES
    timeout = httpx.Timeout(
        connect=settings.SCRAPER_CONNECT_TIMEOUT,
        read=settings.SCRAPER_READ_TIMEOUT,
        write=settings.SCRAPER_READ_TIMEOUT,
        pool=settings.SCRAPER_CONNECT_TIMEOUT,
    )
    headers = {
        "User-Agent": settings.SCRAPER_USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/xml,application/rss+xml,"
        "application/atom+xml,application/json;q=0.9,*/*;q=0.8",
        "Accept-Encoding": "gzip, deflate, br",
        "Accept-Language": "en",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current, hops = url, []
    with httpx.Client(timeout=timeout, verify=_ssl(), follow_redirects=False, trust_env=False) as client:
        while True:
            addresses = check_url_allowed(current)
            if check_robots and not robots_allowed(current):
                raise FetchError(f"robots.txt disallows {current}.", permanent=True, url=current)
            scheme, host, _port = _split_checked(current)
            request_headers = dict(headers, Host=urlsplit(current).netloc.rsplit("@", 1)[-1])
            extensions = {"sni_hostname": host} if scheme == "https" else {}
            try:
                with host_slot(host):
                    # The clock starts once the host is ours: waiting for a slot is not slowness.
                    deadline = (
                        time.monotonic()
                        + settings.SCRAPER_CONNECT_TIMEOUT
                        + settings.SCRAPER_READ_TIMEOUT * 3
                    )
                    response = _send_pinned(client, current, addresses, request_headers, extensions)
                    try:
                        # httpx calls a 304 a redirect; only a Location makes it one for us.
                        if response.has_redirect_location:
                            body = b""
                        else:
                            body = _read_capped(response, max_bytes, current, deadline)
                    finally:
                        response.close()
            except httpx.TimeoutException as exc:
                raise FetchError(
                    f"Timed out fetching {current} ({type(exc).__name__}).", permanent=False, url=current
                ) from exc
            except httpx.DecodingError as exc:
                raise FetchError(
                    f"Could not decompress the body of {current}: {exc}", permanent=False, url=current
                ) from exc
            except httpx.HTTPError as exc:
                raise FetchError(
                    f"Network error fetching {current}: {exc}", permanent=False, url=current
                ) from exc

            status = response.status_code
            if response.has_redirect_location:
                if len(hops) >= settings.SCRAPER_MAX_REDIRECTS:
                    raise FetchError(
                        f"More than {settings.SCRAPER_MAX_REDIRECTS} redirects starting at {url}.",
                        permanent=True,
                        status=status,
                        url=url,
                    )
                hops.append(current)
                current = urljoin(current, response.headers["location"])
                continue
            if status == 304 and (etag or last_modified):
                return FetchResult(
                    status, b"", "", response.headers, current, not_modified=True, redirects=hops
                )
            if status >= 400 or status < 200 or status in (204, 304):
                blocked = _looks_blocked(status, response.headers, body)
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                transient = status in (408, 425, 429) or status >= 500
                label = "blocked by bot protection" if blocked else f"HTTP {status}"
                raise FetchError(
                    f"{current} answered {label}.",
                    permanent=not transient and not blocked,
                    status=status,
                    retry_after=retry_after if status in (429, 503) else None,
                    blocked=blocked,
                    url=current,
                )
            content_type = response.headers.get("content-type", "")
            text, encoding = decode_checked(body, content_type, url=current)
            return FetchResult(
                status, body, text, response.headers, current, encoding=encoding, redirects=hops
            )


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
    """GET ``url`` through every guard; a 304 to a conditional request returns ``not_modified``."""
    return _fetch_once(url, etag=etag or None, last_modified=last_modified or None)
