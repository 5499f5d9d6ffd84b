"""The request itself: pinned connections, one deadline, redirects hop by hop, typed outcomes.

Each hop is checked by the SSRF guard, waits for the host's politeness slot, and then
connects to the addresses the guard returned (the URL is rewritten to the IP, with the
Host header and TLS SNI set to the name), so a DNS answer cannot change between the
check and the connection.

One deadline covers the whole request (connect, TLS, headers, body): every socket
operation is given only the time left, so a server trickling one byte a second cannot
stretch a request past it, and the request always ends inside its host-slot lease.
"""

from __future__ import annotations

import email.utils
import functools
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import certifi
import httpcore
import httpx
from django.conf import settings

from .decode import ACCEPT_ENCODING, TooLarge, content_decoder, decode_checked, decode_stream
from .errors import FetchError
from .guard import check_url_allowed, split_checked
from .politeness import HostPolicy, host_policy, host_slot, request_deadline, robots_allowed

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
# Challenge pages sometimes answer 200. Only markers no article carries in its markup count
# then (the challenge's own script and endpoints), and only on a page small enough to be one.
CHALLENGE_MARKERS = (
    "window._cf_chl_opt",
    "/cdn-cgi/challenge-platform/",
    "cf-browser-verification",
    "geo.captcha-delivery.com",
    "px-captcha",
)
CHALLENGE_MAX_BYTES = 256 * 1024
MAX_RETRY_AFTER = 6 * 3600  # a server asking for more than this is treated as asking for this


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


# --- One deadline for every socket operation ----------------------------------------------


class Deadline:
    """The moment the current request must be over; restarted for each redirect hop."""

    def __init__(self):
        self.at = float("inf")
        self.seconds = 0.0

    def start(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def bound(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise error(f"the {self.seconds:.0f} s deadline for the whole request passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline):
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded), self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: Deadline):
        self._backend, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, bounded, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("The scraper never connects to local sockets.")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport on a network backend that applies the deadline (httpx has no option for it)."""

    def __init__(self, deadline: Deadline):
        super().__init__(verify=_ssl(), trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=_ssl(), network_backend=_DeadlineBackend(deadline))


_ssl_context: ssl.SSLContext | None = None


def _ssl() -> ssl.SSLContext:
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = ssl.create_default_context(cafile=certifi.where())
    return _ssl_context


# --- Answers --------------------------------------------------------------------------------


@dataclass
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str

    @property
    def location(self) -> str | None:
        # httpx calls a 304 a redirect; only a Location on a redirect status makes it one for us.
        if self.status in (301, 302, 303, 307, 308) and "location" in self.headers:
            return self.headers["location"]
        return None


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


def looks_like_challenge(body: bytes) -> bool:
    """A bot-challenge page (whatever status it came with): the challenge's own script, small."""
    if len(body) > CHALLENGE_MAX_BYTES:
        return False
    sample = body[:65536].decode("utf-8", errors="replace").lower()
    return any(marker in sample for marker in CHALLENGE_MARKERS)


def _is_challenge_page(headers: httpx.Headers, body: bytes) -> bool:
    """A bot challenge served with a success status: it holds no content, so it is no listing."""
    return headers.get("cf-mitigated", "").lower() == "challenge" or looks_like_challenge(body)


def pinned_request_url(url: str, address: str) -> str:
    """The URL with its host replaced by the address the SSRF check approved, so the connection
    goes where the check looked; the Host header and TLS name still carry the real host."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _raw_chunks(response: httpx.Response, max_bytes: int, url: str, deadline: Deadline):
    """The body as sent (still compressed), counted against the cap as it arrives."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            f"The response declares {int(declared):,} bytes, over the {max_bytes:,} byte limit.",
            permanent=True,
            status=response.status_code,
            url=url,
        )
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(max_bytes, url=url, status=response.status_code)
        if deadline.passed:
            raise httpx.ReadTimeout(f"the {deadline.seconds:.0f} s deadline for the whole request passed")
        yield chunk


def _read_body(response: httpx.Response, max_bytes: int, url: str, deadline: Deadline) -> bytes:
    decoder = content_decoder(response.headers.get("content-encoding", ""), url=url)
    chunks = _raw_chunks(response, max_bytes, url, deadline)
    return decode_stream(chunks, decoder, max_bytes=max_bytes, url=url, status=response.status_code)


def _exchange(
    client: httpx.Client, url: str, addresses: list[str], headers: dict, max_bytes: int, deadline
) -> _Answer:
    """Connect to the checked addresses only, in order, moving on when one refuses the connection."""
    scheme, host, _port = split_checked(url)
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    for index, address in enumerate(addresses):
        request = client.build_request(
            "GET", pinned_request_url(url, address), headers=headers, extensions=extensions
        )
        try:
            response = client.send(request, stream=True)
        except httpx.ConnectError:
            if index == len(addresses) - 1:
                raise
            continue
        except httpx.InvalidURL as exc:
            # The request was built already: httpx failed on the Location it reads from every redirect.
            raise FetchError(
                f"{url} redirects to a malformed address ({exc}).", permanent=True, url=url
            ) from exc
        try:
            answer = _Answer(response.status_code, response.headers, b"", url)
            if answer.location is None:
                answer.body = _read_body(response, max_bytes, url, deadline)
            return answer
        finally:
            response.close()
    raise httpx.ConnectError(f"No address to connect to for {url}")


def _hop(
    client,
    deadline: Deadline,
    url: str,
    headers: dict,
    *,
    max_bytes: int,
    check_robots: bool,
    policy: HostPolicy | None,
) -> _Answer:
    """One request of a redirect chain, with every failure turned into a ``FetchError``."""
    _scheme, host, _port = split_checked(url)
    policy = policy or host_policy(host)  # before any lookup: a refused host is not even resolved
    addresses = check_url_allowed(url)
    if check_robots and not robots_allowed(
        url, fetcher=functools.partial(_fetch_once, policy=policy), user_agent=policy.agent
    ):
        raise FetchError(f"robots.txt disallows {url}.", permanent=True, url=url)
    request_headers = dict(headers, Host=urlsplit(url).netloc.rsplit("@", 1)[-1])
    request_headers["User-Agent"] = policy.agent
    try:
        with host_slot(policy.slot or host, delay=policy.delay):
            # The clock starts once the host is ours: waiting for a slot is not slowness.
            deadline.start(request_deadline())
            return _exchange(client, url, addresses, request_headers, max_bytes, deadline)
    except httpx.TimeoutException as exc:
        reason = (
            f"the whole request must finish within {deadline.seconds:.0f} s"
            if deadline.passed
            else type(exc).__name__
        )
        raise FetchError(f"Timed out fetching {url} ({reason}).", permanent=False, url=url) from exc
    except httpx.InvalidURL as exc:
        raise FetchError(f"Cannot request {url}: {exc}", permanent=True, url=url) from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"Network error fetching {url}: {exc}", permanent=False, url=url) from exc


def redirect_target(current: str, location: str) -> str:
    """Where a Location header points; a malformed one (``http:\\\\host``, spaces) is refused."""
    if "\\" in location or any(ord(ch) < 33 or ord(ch) == 127 for ch in location):
        raise FetchError(
            f"{current} redirects to a malformed address {location[:200]!r}.", permanent=True, url=current
        )
    return urljoin(current, location)


def _failure(answer: _Answer) -> FetchError:
    status = answer.status
    blocked = _looks_blocked(status, answer.headers, answer.body)
    retry_after = parse_retry_after(answer.headers.get("retry-after"))
    transient = status in (408, 425, 429) or status >= 500
    label = f"HTTP {status}: blocked by a bot challenge" if blocked else f"HTTP {status}"
    return FetchError(
        f"{answer.url} answered {label}.",
        permanent=not transient and not blocked,
        status=status,
        retry_after=retry_after if status in (429, 503) else None,
        blocked=blocked,
        url=answer.url,
    )


def _result(answer: _Answer, hops: list[str], *, conditional: bool, max_bytes: int) -> FetchResult:
    if answer.status == 304 and conditional:
        return FetchResult(
            answer.status, b"", "", answer.headers, answer.url, not_modified=True, redirects=hops
        )
    if answer.status >= 400 or answer.status < 200 or answer.status in (204, 304):
        raise _failure(answer)
    if _is_challenge_page(answer.headers, answer.body):
        raise FetchError(
            f"{answer.url} answered HTTP {answer.status} with a challenge page: blocked by a bot challenge.",
            permanent=False,
            status=answer.status,
            blocked=True,
            url=answer.url,
        )
    content_type = answer.headers.get("content-type", "")
    text, encoding = decode_checked(answer.body, content_type, url=answer.url, max_bytes=max_bytes)
    return FetchResult(
        answer.status, answer.body, text, answer.headers, answer.url, encoding=encoding, redirects=hops
    )


def _request_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Headers of every hop; the User-Agent is the hop's policy's (``_hop``)."""
    headers = {
        "Accept": "text/html,application/xhtml+xml,application/xml,application/rss+xml,"
        "application/atom+xml,application/json;q=0.9,*/*;q=0.8",
        "Accept-Encoding": ACCEPT_ENCODING,
        "Accept-Language": "en",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _fetch_once(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int | None = None,
    check_robots: bool = True,
    policy: HostPolicy | None = None,
) -> FetchResult:
    max_bytes = max_bytes or settings.SCRAPER_MAX_BYTES
    timeout = httpx.Timeout(
        connect=settings.SCRAPER_CONNECT_TIMEOUT,
        read=settings.SCRAPER_READ_TIMEOUT,
        write=settings.SCRAPER_READ_TIMEOUT,
        pool=settings.SCRAPER_CONNECT_TIMEOUT,
    )
    headers = _request_headers(etag, last_modified)
    deadline = Deadline()
    current, hops = url, []
    with httpx.Client(
        timeout=timeout, transport=DeadlineTransport(deadline), follow_redirects=False
    ) as client:
        while True:
            answer = _hop(
                client,
                deadline,
                current,
                headers,
                max_bytes=max_bytes,
                check_robots=check_robots,
                policy=policy,
            )
            if answer.location is None:
                return _result(answer, hops, conditional=bool(etag or last_modified), max_bytes=max_bytes)
            if len(hops) >= settings.SCRAPER_MAX_REDIRECTS:
                raise FetchError(
                    f"More than {settings.SCRAPER_MAX_REDIRECTS} redirects starting at {url}.",
                    permanent=True,
                    status=answer.status,
                    url=url,
                )
            hops.append(current)
            current = redirect_target(current, answer.location)


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    policy: HostPolicy | None = None,
) -> FetchResult:
    """GET ``url`` through every guard; a 304 to a conditional request returns ``not_modified``.

    ``policy`` overrides the host's own (``host_policy``): a mirror of EDGAR is asked the way
    sec.gov is. Without one, each hop follows its host's policy.
    """
    return _fetch_once(url, etag=etag or None, last_modified=last_modified or None, policy=policy)
