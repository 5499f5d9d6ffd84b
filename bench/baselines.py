"""Baselines every other benchmark is compared with, measured in the same run:

- hello-world: a Django view with the project's middleware under gunicorn on 127.0.0.1
  (requests per second), the ceiling for page throughput;
- sequential fetch loop: one httpx GET after another against a local server that waits
  200 ms per response, the naive scraper the real one must beat;
- plain smtplib loop: messages per second over one SMTP connection to a local sink, the
  ceiling for alert delivery.

Every loop is bounded in count and time; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import smtplib
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def production_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def load(port: int, path: str = "/", *, duration: float = 3.0, threads: int = 8, max_requests: int = 100_000):
    """Closed-loop load: ``threads`` clients for ``duration`` seconds. Returns (req/s, errors, latencies)."""
    deadline = time.monotonic() + duration
    counter = {"ok": 0, "err": 0}
    lock = threading.Lock()
    latencies: list[float] = []

    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()

    def client():
        # Raw sockets: http.client's overhead would make the client, not the server, the limit.
        local = []
        ok = err = 0
        while time.monotonic() < deadline and ok + err < max_requests // threads:
            started = time.perf_counter()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(request)
                    chunks = []
                    while chunk := sock.recv(65536):
                        chunks.append(chunk)
                status = b"".join(chunks)[9:12]
                if status == b"200":
                    ok += 1
                else:
                    err += 1
            except OSError:
                err += 1
            local.append(time.perf_counter() - started)
        with lock:
            counter["ok"] += ok
            counter["err"] += err
            latencies.extend(local)

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(threads):
            pool.submit(client)
    elapsed = time.monotonic() - started
    return counter["ok"] / elapsed, counter["err"], sorted(latencies)


def hello_world_throughput(*, workers: int | None = None, duration: float = 3.0) -> dict:
    workers = workers or os.cpu_count() or 2
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        # Not the project's gunicorn.conf.py: its access log would slow the baseline.
        [
            str(gunicorn),
            "-c",
            "python:bench.gunicorn_quiet",
            "bench.hello_wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=production_env(),
    )
    try:
        wait_for_port(port, process=process)
        load(port, duration=0.5)  # warm-up: imports, first connections
        rate, errors, latencies = load(port, duration=duration)
        if rate == 0:
            raise RuntimeError(f"hello-world view answered no request with 200 ({errors} errors)")
    finally:
        process.terminate()
        process.wait(timeout=20)
    return {
        "hello_world_rps": round(rate),
        "hello_world_errors": errors,
        "hello_world_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2) if latencies else None,
        "gunicorn_workers": workers,
    }


class _SlowHandler(BaseHTTPRequestHandler):
    latency = 0.2

    def do_GET(self):  # noqa: N802 - http.server's naming
        time.sleep(self.latency)
        body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def sequential_fetch_loop(*, count: int = 10, latency: float = 0.2) -> dict:
    import httpx

    _SlowHandler.latency = latency
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        started = time.perf_counter()
        with httpx.Client(timeout=5) as client:
            for n in range(count):
                client.get(f"http://127.0.0.1:{port}/feed/{n}.xml").raise_for_status()
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    per_fetch = elapsed / count
    return {
        "sequential_fetch_s_per_newsroom": round(per_fetch, 4),
        "sequential_fetch_latency_s": latency,
        "sequential_fetch_200_newsrooms_s_extrapolated": round(per_fetch * 200, 1),
    }


def smtplib_loop(*, count: int = 1000) -> dict:
    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
            Sink.received += 1
            return "250 OK"

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for n in range(count):
                message = EmailMessage()
                message["From"] = "bench@127.0.0.1"
                message["To"] = f"reader{n}@example.invalid"
                message["Subject"] = f"Baseline message {n}"
                message.set_content("A deal was published. This is the smtplib baseline.\n" * 5)
                smtp.send_message(message)
        elapsed = time.perf_counter() - started
    finally:
        controller.stop()
    return {
        "smtplib_msgs_per_s": round(count / elapsed),
        "smtplib_messages": count,
        "smtplib_received": Sink.received,
    }


def main() -> dict:
    figures: dict = {}
    errors = {}
    for name, measure in (
        ("hello_world", hello_world_throughput),
        ("sequential_fetch", sequential_fetch_loop),
        ("smtplib", smtplib_loop),
    ):
        try:
            figures.update(measure())
        except Exception as exc:  # noqa: BLE001 - one broken baseline must not hide the others
            errors[name] = f"{exc.__class__.__name__}: {exc}"
    print("## Baselines (same run)\n")
    print("| baseline | figure |\n| --- | --- |")
    if "hello_world_rps" in figures:
        print(
            f"| hello-world Django view, gunicorn {figures['gunicorn_workers']} sync workers | "
            f"{figures['hello_world_rps']} req/s (p50 {figures['hello_world_p50_ms']} ms) |"
        )
    if "sequential_fetch_s_per_newsroom" in figures:
        print(
            f"| sequential fetch loop, {figures['sequential_fetch_latency_s'] * 1000:.0f} ms latency | "
            f"{figures['sequential_fetch_s_per_newsroom']} s per newsroom; 200 newsrooms ≈ "
            f"{figures['sequential_fetch_200_newsrooms_s_extrapolated']} s |"
        )
    if "smtplib_msgs_per_s" in figures:
        print(
            f"| plain smtplib loop, one connection | {figures['smtplib_msgs_per_s']} msg/s "
            f"({figures['smtplib_received']}/{figures['smtplib_messages']} received) |"
        )
    for name, error in errors.items():
        print(f"| {name} | FAILED: {error} |")
    print()
    if errors:
        raise SystemExit(f"baselines failed: {errors}")
    return figures


if __name__ == "__main__":
    main()
