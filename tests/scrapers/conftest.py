"""A real HTTP server on 127.0.0.1 and settings that let the scraper talk to it.

Only fixtures named here are used by the scraping tests; nothing is autouse, so the
extraction tests that share this directory are unaffected.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scrapers import fetch as fetch_module


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    stream_bytes: int = 0  # send this many bytes in chunks instead of ``body``
    etag: str = ""  # answer 304 when If-None-Match matches
    trickle: float = 0.0  # send the headers one byte every this many seconds, for ``trickle_for`` seconds
    trickle_for: float = 10.0


class LocalServer:
    """Routes by path; counts requests and concurrent requests per Host header."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                host = self.headers.get("Host", "")
                with server.lock:
                    server.requests.append((self.path, dict(self.headers)))
                    server.in_flight[host] = server.in_flight.get(host, 0) + 1
                    server.max_in_flight[host] = max(
                        server.max_in_flight.get(host, 0), server.in_flight[host]
                    )
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server.lock:
                        server.in_flight[host] -= 1

            def _answer(self):
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    route = Route(b"not here", status=404)
                if route.delay:
                    time.sleep(route.delay)
                if route.trickle:
                    self._trickle(route)
                    return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
                if route.etag:
                    headers["ETag"] = route.etag
                for name, value in headers.items():
                    self.send_header(name, value)
                if route.stream_bytes:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"<p>" + b"x" * 65530 + b"</p>"
                    sent = 0
                    while sent < route.stream_bytes:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                    return
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def _trickle(self, route):
                """A header line that never ends, one byte at a time: each read gets a byte in time."""
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Padding: ")
                started = time.monotonic()
                while time.monotonic() - started < route.trickle_for:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(route.trickle)

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that hung up mid-request (a refused bomb, a deadline) is expected

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body, **kwargs)
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p.split("?")[0] == path)

    def reset(self):
        self.routes.clear()
        self.requests.clear()
        self.max_in_flight.clear()


@pytest.fixture(scope="session")
def _server():
    server = LocalServer()
    yield server
    server.httpd.shutdown()


@pytest.fixture
def scraper_settings(settings):
    """Loopback allowed, short timeouts, small caps; fresh robots and politeness state."""
    settings.SCRAPER_ALLOW_LOOPBACK = True
    settings.SCRAPER_CONNECT_TIMEOUT = 1.0
    settings.SCRAPER_READ_TIMEOUT = 0.5
    settings.SCRAPER_MAX_BYTES = 1024 * 1024
    settings.SCRAPER_MAX_REDIRECTS = 3
    settings.SCRAPER_HOST_DELAY = 0.0
    settings.ADMINS = [("Staff", "staff@example.com")]
    fetch_module.clear_caches()
    yield settings
    fetch_module.clear_caches()


@pytest.fixture
def server(_server, scraper_settings):
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture
def extraction_calls(monkeypatch):
    """Record extraction enqueues instead of running the extraction task."""
    from scrapers.services import articles

    calls: list[int] = []
    monkeypatch.setattr(articles, "_enqueue_extraction", calls.append)
    return calls


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def rss(items: list[tuple[str, str, str]], title: str = "Test newsroom") -> str:
    """An RSS 2.0 document written for tests: (title, link, RFC 822 date) per item."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{date}</pubDate>"
        f"<description>About {t}</description></item>"
        for t, link, date in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://vendor.example/news</link>{entries}</channel></rss>"
    )


def article(title: str, text: str) -> str:
    return (
        f"<html><head><title>{title}</title>"
        '<meta property="article:published_time" content="2025-11-18T09:00:00Z"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1><p>{text}</p></article>"
        "<footer>Footer links</footer></body></html>"
    )
