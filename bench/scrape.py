"""Scrape benchmark: 200 newsrooms on a local server that waits 200 ms per response.

Each newsroom is its own host name (``nr007.bench.test``, resolved to 127.0.0.1 by a
resolver hook), so per-host politeness applies as in production while all traffic stays
on 127.0.0.1. The server runs in a subprocess (its CPU is not counted) and records the
largest number of requests it ever had in flight for one Host.

Cycles, all through the real ``newsroom_scrape`` service (fetch, parse, ingest, health,
run record), with article fetching left to its own tasks:

- cold: robots.txt + listing for every host, 5 new items each;
- full (the headline figure): every feed changed (one new item, new ETag);
- unchanged: every feed answers 304; the writes made during it are counted;
- sequential: the full-cycle work again, one newsroom after another, in the same run.

Run: ``python -m bench.scrape`` (uses DATABASE_URL / REDIS_URL; without DATABASE_URL a
SQLite file in /tmp).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = r"""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

latency = float(sys.argv[2])
lock = threading.Lock()
state = {"version": {}, "in_flight": {}, "max_in_flight": {}, "requests": 0, "not_modified": 0, "ok": 0}

def feed(host, version):
    items = "".join(
        f"<item><title>Post {v} of {host}</title><link>http://{host}/news/post-{v}</link>"
        f"<pubDate>Mon, 17 Nov 2025 09:{v % 60:02d}:00 +0000</pubDate><description>About post {v}</description></item>"
        for v in range(max(0, version - 4), version + 1)
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{host}</title>'
            f"<link>http://{host}/news</link>{items}</channel></rss>").encode()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        host = self.headers.get("Host", "")
        if self.path.startswith("/__"):
            return self.control()
        with lock:
            state["requests"] += 1
            state["in_flight"][host] = state["in_flight"].get(host, 0) + 1
            state["max_in_flight"][host] = max(state["max_in_flight"].get(host, 0), state["in_flight"][host])
            version = state["version"].get(host.split(":")[0], 4)
        try:
            time.sleep(latency)
            if self.path == "/robots.txt":
                return self.reply(200, b"User-agent: *\nAllow: /\n", "text/plain")
            etag = f'"v{version}"'
            if self.headers.get("If-None-Match") == etag:
                with lock:
                    state["not_modified"] += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with lock:
                state["ok"] += 1
            self.reply(200, feed(host.split(":")[0], version), "application/rss+xml; charset=utf-8", etag)
        finally:
            with lock:
                state["in_flight"][host] -= 1
    def reply(self, status, body, ctype, etag=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def control(self):
        with lock:
            if self.path == "/__bump":
                for name in list(state["version"]) or []:
                    state["version"][name] += 1
            if self.path.startswith("/__hosts="):
                for name in self.path.split("=", 1)[1].split(","):
                    state["version"].setdefault(name, 4)
            body = json.dumps({k: v for k, v in state.items() if k not in ("in_flight", "version")}).encode()
            if self.path == "/__reset":
                state.update(max_in_flight={}, requests=0, not_modified=0, ok=0)
        self.reply(200, body, "application/json")

class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789abcdef")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/pactwatch-bench-scrape.sqlite3")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["SCRAPER_ALLOW_LOOPBACK"] = "true"  # the benchmark server is on 127.0.0.1
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    if connection.vendor == "sqlite":
        # The benchmark's own file: WAL lets 32 threads read while one writes (it persists in the file).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


def _control(port: int, path: str) -> dict:
    import httpx

    return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10).json()


def _table_writes() -> dict[str, tuple[int, int]] | None:
    """Rows inserted/updated per scrapers table so far (PostgreSQL statistics), or None elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd + n_tup_del FROM pg_stat_user_tables WHERE relname LIKE 'scrapers_%%'"
        )
        return {name: (ins, upd) for name, ins, upd in cursor.fetchall()}


def _start_server(latency: float) -> tuple[subprocess.Popen, int]:
    """The feed server in a subprocess (its CPU is not the scraper's), once it answers."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(latency)])
    deadline = time.monotonic() + 10
    while True:
        try:
            _control(port, "/__reset")
            return server, port
        except Exception:  # noqa: BLE001 - waiting for the server to listen
            if time.monotonic() > deadline:
                server.terminate()
                server.wait(timeout=10)
                raise
            time.sleep(0.05)


def _cleanup() -> None:
    from scrapers.models import Announcement, Newsroom

    Newsroom.objects.filter(slug__startswith="bench-scrape-").delete()
    Announcement.objects.filter(url__contains=".bench.test").delete()


def _create_newsrooms(port: int, count: int) -> None:
    """One newsroom a host name, so per-host politeness applies as in production."""
    from scrapers.models import Newsroom

    hosts = [f"nr{i:03d}.bench.test" for i in range(count)]
    _control(port, "/__hosts=" + ",".join(hosts))
    Newsroom.objects.bulk_create(
        Newsroom(
            name=f"Bench {host}",
            slug=f"bench-scrape-{i:03d}",
            kind=Newsroom.Kind.FEED,
            url=f"http://{host}:{port}/feed.xml",
        )
        for i, host in enumerate(hosts)
    )


def _rooms() -> list:
    from scrapers.models import Newsroom

    return list(Newsroom.objects.filter(slug__startswith="bench-scrape-"))


def _concurrent_cycle(delay: float, workers: int, errors: list[str]) -> tuple[float, float, list]:
    """(wall s, CPU s, runs) of one concurrent cycle over every bench newsroom."""
    from scrapers.services import newsrooms_scrape_concurrently

    newsrooms = _rooms()
    time.sleep(delay)  # let every host's politeness delay from the last cycle pass
    cpu, wall = time.process_time(), time.perf_counter()
    runs = newsrooms_scrape_concurrently(
        newsrooms,
        workers=workers,
        fetch_articles=False,
        on_done=lambda n, r, e: errors.append(f"{n.slug}: {e}") if e else None,
    )
    return time.perf_counter() - wall, time.process_time() - cpu, runs


def _unchanged_cycle(port: int, delay: float, workers: int, errors: list[str]) -> tuple:
    """The all-304 cycle, with the rows it added and the table writes PostgreSQL saw during it."""
    from django.db import connections

    from scrapers.models import Announcement, AnnouncementRevision, ScrapeRun

    announcements_before = Announcement.objects.count()
    revisions_before = AnnouncementRevision.objects.count()
    stamp_before = Announcement.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    runs_before = ScrapeRun.objects.count()
    time.sleep(1.0)
    writes_before = _table_writes()
    wall, cpu, runs = _concurrent_cycle(delay, workers, errors)
    stats = _control(port, "/__reset")
    rows = {
        "announcements": Announcement.objects.count() - announcements_before,
        "revisions": AnnouncementRevision.objects.count() - revisions_before,
        "touched": Announcement.objects.filter(updated_at__gt=stamp_before).count(),
        "runs": ScrapeRun.objects.count() - runs_before,
    }
    connections.close_all()
    time.sleep(1.5)  # PostgreSQL publishes a backend's counters shortly after it goes idle
    writes_after = _table_writes()
    writes = None
    if writes_before is not None and writes_after is not None:
        writes = {
            name: {
                "inserted": writes_after[name][0] - writes_before.get(name, (0, 0))[0],
                "updated_or_deleted": writes_after[name][1] - writes_before.get(name, (0, 0))[1],
            }
            for name in writes_after
            if writes_after[name] != writes_before.get(name, (0, 0))
        }
    return wall, cpu, runs, stats, rows, writes


def _sequential_cycle(port: int, delay: float) -> tuple[float, float, list, dict]:
    """The full-cycle work again, one newsroom after another: the speed-up's baseline."""
    from scrapers.services import newsroom_scrape

    _control(port, "/__bump")
    time.sleep(delay)
    cpu, wall = time.process_time(), time.perf_counter()
    runs = [newsroom_scrape(newsroom=n, fetch_articles=False) for n in _rooms()]
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    return wall, cpu, runs, _control(port, "/__reset")


def _measure(port: int, count: int, latency: float, workers: int) -> dict:
    """Every cycle against the running server, as the report's figures."""
    from django.conf import settings
    from django.db import connections

    delay = settings.SCRAPER_HOST_DELAY
    errors: list[str] = []
    _cleanup()
    _create_newsrooms(port, count)
    cold_wall, _cold_cpu, _cold_runs = _concurrent_cycle(delay, workers, errors)
    cold_stats = _control(port, "/__reset")
    _control(port, "/__bump")
    full_wall, full_cpu, full_runs = _concurrent_cycle(delay, workers, errors)
    full_stats = _control(port, "/__reset")
    same_wall, same_cpu, same_runs, same_stats, same_rows, unchanged_writes = _unchanged_cycle(
        port, delay, workers, errors
    )
    seq_wall, seq_cpu, seq_runs, seq_stats = _sequential_cycle(port, delay)
    max_in_flight = max(
        max(s["max_in_flight"].values(), default=0) for s in (cold_stats, full_stats, same_stats, seq_stats)
    )
    return {
        "newsrooms": count,
        "latency_s": latency,
        "threads": workers,
        "host_delay_s": delay,
        "cold_cycle_wall_s": round(cold_wall, 3),
        "cold_cycle_requests": cold_stats["requests"],
        "cycle_wall_s": round(full_wall, 3),
        "cycle_ok_runs": sum(r.status == "ok" and r.items_new == 1 for r in full_runs),
        "sequential_wall_s": round(seq_wall, 3),
        "sequential_ok_runs": sum(r.status == "ok" and r.items_new == 1 for r in seq_runs),
        "speedup_vs_sequential": round(seq_wall / full_wall, 1),
        "max_in_flight_per_host": max_in_flight,
        "unchanged_cycle_wall_s": round(same_wall, 3),
        "unchanged_304_share": round(same_stats["not_modified"] / max(1, same_stats["requests"]), 3),
        "unchanged_runs_not_modified": sum(r.status == "not_modified" for r in same_runs),
        "unchanged_new_announcements": same_rows["announcements"],
        "unchanged_new_revisions": same_rows["revisions"],
        "unchanged_announcements_touched": same_rows["touched"],
        "unchanged_run_records": same_rows["runs"],
        "unchanged_table_writes": unchanged_writes,
        "cpu_s_per_check_full": round(full_cpu / count, 4),
        "cpu_s_per_check_unchanged": round(same_cpu / count, 4),
        "cpu_s_per_check_sequential": round(seq_cpu / count, 4),
        "errors": errors[:5],
        "database": connections["default"].vendor,
        "politeness": "redis" if settings.REDIS_URL else "in-process",
    }


def _print_report(f: dict) -> None:
    count, latency, workers, delay = f["newsrooms"], f["latency_s"], f["threads"], f["host_delay_s"]
    print(
        "\n".join(
            [
                f"## Scrape: {count} newsrooms, {latency * 1000:.0f} ms per response "
                f"({f['database']}, {f['politeness']} politeness, {workers} threads, host delay {delay} s)",
                "",
                "| figure | value | goal |",
                "| --- | --- | --- |",
                f"| full cycle (every feed changed: fetch, parse, ingest, run record) | {f['cycle_wall_s']} s | ≤ 3 s |",
                f"| same work sequentially, measured in this run | {f['sequential_wall_s']} s | |",
                f"| speed-up | {f['speedup_vs_sequential']}× | ≥ 13× |",
                f"| cold cycle (robots.txt + listing per host, 5 new items each) | {f['cold_cycle_wall_s']} s | |",
                f"| max requests in flight per host | {f['max_in_flight_per_host']} | 1 |",
                f"| unchanged cycle wall time | {f['unchanged_cycle_wall_s']} s | |",
                f"| unchanged cycle answered 304 | {f['unchanged_304_share'] * 100:.0f} % | 100 % |",
                f"| unchanged cycle: new announcements / revisions / announcements touched | "
                f"{f['unchanged_new_announcements']} / {f['unchanged_new_revisions']} / "
                f"{f['unchanged_announcements_touched']} | 0 |",
                f"| unchanged cycle: run records written | {f['unchanged_run_records']} | {count} |",
                f"| unchanged cycle: rows written per table (PostgreSQL stats) | "
                f"`{json.dumps(f['unchanged_table_writes'])}` | run records only |",
                f"| CPU per newsroom check (changed / unchanged / sequential) | {f['cpu_s_per_check_full']} / "
                f"{f['cpu_s_per_check_unchanged']} / {f['cpu_s_per_check_sequential']} s | |",
            ]
        )
    )


def main(count: int = 200, latency: float = 0.2, workers: int = 32) -> dict:
    _setup_django()
    from scrapers import fetch as fetch_module
    from scrapers.fetch import guard as fetch_guard

    real_resolve = fetch_guard.resolve_host
    fetch_guard.resolve_host = lambda host, port: (
        ["127.0.0.1"] if host.endswith(".bench.test") else real_resolve(host, port)
    )
    server = None
    try:
        server, port = _start_server(latency)
        figures = _measure(port, count, latency, workers)
        _cleanup()
        fetch_module.clear_caches()  # the benchmark's robots.txt entries, in Redis when configured
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        fetch_guard.resolve_host = real_resolve
    _print_report(figures)
    return figures


if __name__ == "__main__":
    main()
