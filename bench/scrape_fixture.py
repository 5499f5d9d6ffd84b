"""Loopback newsrooms for ``bench/scrape_worker.py``: one RSS feed per address, 127.0.0.2 and up.

Run as ``python -m bench.scrape_fixture CONFIG_JSON``; it prints ``READY <port> <control port>``
once every address listens. Each feed address serves, after a fixed latency:

- ``/robots.txt`` (everything allowed);
- ``/feed.xml``: the newest 20 items, with an ETag and a Last-Modified that change only when
  an item is published, answering 304 to a matching ``If-None-Match`` / ``If-Modified-Since``;
- ``/news/item-N``: the article page of item N (ETag too).

A publish schedule (``POST /__schedule`` on the control port: ``[[epoch, host index], ...]``)
makes a new item appear at a known time; the feed's version is computed from the schedule at
each request, so there are no timers. Every request is logged (client, address, kind, start,
end, status, conditional, feed version) and returned by ``GET /__log``; ``GET /__reset`` empties
the log. The client is told apart by User-Agent: ``pw`` for Pactwatch's bot, ``cdio`` otherwise.
Everything is asyncio in one process, so the fixture is cheap next to what it serves.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import random
import sys
import time
from email.utils import formatdate, parsedate_to_datetime

FEED_ITEMS = 20
BASE_EPOCH = 1_764_000_000  # the base items' publication time (late November 2025)
ARTICLE_WORDS = (
    "The two companies said the agreement covers model training capacity, joint research on "
    "evaluation methods and a shared program for enterprise customers. Financial terms include "
    "a commitment of {amount} million dollars over three years, with an option to extend. "
    "Engineers from both teams will work on inference efficiency and on tooling for regulated "
    "industries, and the first results are expected within two quarters."
)


def host_address(index: int) -> str:
    """Feed ``index`` (0-based) listens on 127.0.0.(index + 2): 127.0.0.2 ... 127.0.0.201 for 200."""
    return f"127.0.{(index + 2) // 256}.{(index + 2) % 256}"


class Fixture:
    def __init__(self, *, hosts: int, latency: float, base_items: int):
        self.hosts = hosts
        self.latency = latency
        self.base_items = base_items
        self.port = 0
        self.index = {host_address(i): i for i in range(hosts)}
        self.publishes: dict[int, list[float]] = {}  # host index -> sorted publish epochs
        self.log: list[list] = []
        self.in_flight: dict[tuple[str, int], int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.feeds: dict[tuple[int, int], bytes] = {}

    # --- content -------------------------------------------------------------------

    def version(self, host: int, now: float) -> tuple[int, float]:
        """Items listed by the host's feed at ``now`` and when the newest appeared."""
        times = self.publishes.get(host, [])
        published = bisect.bisect_right(times, now)
        changed = times[published - 1] if published else BASE_EPOCH
        return self.base_items + published, changed

    def item_time(self, host: int, number: int) -> float:
        if number <= self.base_items:
            return BASE_EPOCH - (self.base_items - number) * 3600
        return self.publishes[host][number - self.base_items - 1]

    def feed_body(self, host: int, version: int) -> bytes:
        body = self.feeds.get((host, version))
        if body is None:
            address = f"{host_address(host)}:{self.port}"
            items = "".join(
                f"<item><title>Partnership update {n} from newsroom {host}</title>"
                f"<link>http://{address}/news/item-{n}</link><guid>http://{address}/news/item-{n}</guid>"
                f"<pubDate>{formatdate(int(self.item_time(host, n)), usegmt=True)}</pubDate>"
                f"<description>Summary of update {n} from newsroom {host}.</description></item>"
                for n in range(version, max(0, version - FEED_ITEMS), -1)
            )
            body = (
                f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>Newsroom {host}</title><link>http://{address}/news</link>"
                f"<description>Bench newsroom {host}</description>{items}</channel></rss>"
            ).encode()
            self.feeds[(host, version)] = body
        return body

    def article_body(self, host: int, number: int) -> bytes:
        amount = random.Random(host * 1000 + number).randrange(50, 900)
        text = ARTICLE_WORDS.format(amount=amount)
        return (
            f"<!doctype html><html><head><meta charset='utf-8'><title>Partnership update {number}</title>"
            f"</head><body><nav>Home | News</nav><article><h1>Partnership update {number} from newsroom "
            f"{host}</h1><p>Newsroom {host} and its partner announced a multi-year partnership today.</p>"
            f"<p>{text}</p><p>{text}</p></article><footer>Contact the press office.</footer></body></html>"
        ).encode()

    # --- HTTP ----------------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("sockname")[0]
        host = self.index.get(address, -1)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path = (lines[0].split(" ") + ["", ""])[:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                if host < 0:
                    status, extra, payload = self.control(method, path, body)
                else:
                    status, extra, payload = await self.serve(host, path, headers)
                await self.reply(writer, status, extra, payload if method != "HEAD" else b"")
                if headers.get("connection", "").lower() == "close":
                    return
        except ConnectionError:
            return
        finally:
            writer.close()

    async def reply(self, writer, status: int, headers: dict, payload: bytes) -> None:
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}.get(status, "OK")
        lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(payload)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
        await writer.drain()

    async def serve(self, host: int, path: str, headers: dict) -> tuple[int, dict, bytes]:
        client = "pw" if "pactwatch" in headers.get("user-agent", "").lower() else "cdio"
        started = time.time()
        key = (client, host)
        self.in_flight[key] = self.in_flight.get(key, 0) + 1
        self.max_in_flight[client] = max(self.max_in_flight.get(client, 0), self.in_flight[key])
        conditional = bool(headers.get("if-none-match") or headers.get("if-modified-since"))
        version = 0
        try:
            await asyncio.sleep(self.latency)
            if path == "/robots.txt":
                kind, status, extra, payload = (
                    "robots",
                    200,
                    {"Content-Type": "text/plain"},
                    b"User-agent: *\nAllow: /\n",
                )
            elif path == "/feed.xml":
                kind = "feed"
                version, changed = self.version(host, started)
                status, extra, payload = self.conditional(
                    headers,
                    f'"f{host}-v{version}"',
                    changed,
                    "application/rss+xml; charset=utf-8",
                    lambda: self.feed_body(host, version),
                )
            elif path.startswith("/news/item-") and path[11:].isdigit():
                kind = "article"
                number = int(path[11:])
                status, extra, payload = self.conditional(
                    headers,
                    f'"a{host}-{number}"',
                    BASE_EPOCH,
                    "text/html; charset=utf-8",
                    lambda: self.article_body(host, number),
                )
            else:
                kind, status, extra, payload = "other", 404, {"Content-Type": "text/plain"}, b"not found"
        finally:
            self.in_flight[key] -= 1
        self.log.append([client, host, kind, started, time.time(), status, conditional, version])
        return status, extra, payload

    @staticmethod
    def conditional(headers: dict, etag: str, changed: float, ctype: str, body) -> tuple[int, dict, bytes]:
        extra = {"ETag": etag, "Last-Modified": formatdate(int(changed), usegmt=True), "Content-Type": ctype}
        match = headers.get("if-none-match")
        since = headers.get("if-modified-since")
        if match:
            fresh = match == etag
        elif since:
            try:
                fresh = parsedate_to_datetime(since).timestamp() >= int(changed)
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if fresh:
            return 304, {"ETag": etag}, b""
        return 200, extra, body()

    def control(self, method: str, path: str, body: bytes) -> tuple[int, dict, bytes]:
        if path == "/__schedule" and method == "POST":
            self.publishes = {}
            for epoch, host in json.loads(body):
                self.publishes.setdefault(int(host), []).append(float(epoch))
            for times in self.publishes.values():
                times.sort()
            answer = {"publishes": sum(len(t) for t in self.publishes.values())}
        elif path == "/__log":
            answer = {"log": self.log, "max_in_flight_per_host": self.max_in_flight}
        elif path == "/__reset":
            self.log, self.max_in_flight = [], {}
            answer = {"reset": True}
        else:
            return 404, {}, b""
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()


async def serve(config: dict) -> None:
    fixture = Fixture(hosts=config["hosts"], latency=config["latency"], base_items=config["base_items"])
    addresses = [host_address(i) for i in range(config["hosts"])]
    rng = random.Random()
    for _attempt in range(50):
        port = rng.randrange(20000, 60000)
        try:
            feeds = await asyncio.start_server(fixture.handle, host=addresses, port=port, backlog=1024)
            break
        except OSError:
            continue
    else:
        raise SystemExit("no port free on every loopback address")
    fixture.port = port
    control = await asyncio.start_server(fixture.handle, host="127.0.0.1", port=0)
    control_port = control.sockets[0].getsockname()[1]
    print(f"READY {port} {control_port}", flush=True)
    async with feeds, control:
        await asyncio.gather(feeds.serve_forever(), control.serve_forever())


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(json.loads(sys.argv[1])))
