"""Throwaway servers for fault tests: a private redis-server the test may kill, and a gunicorn
serving the test database, so outages never touch the shared services on this machine."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bench.baselines import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


class PrivateRedis:
    """A redis-server on its own port and directory, started and killed by the test."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="pactwatch-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if not binary:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir, "--logfile", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, timeout=10, process=self.process)
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.resume()
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def app_env(database: dict, **extra: str) -> dict[str, str]:
    """Environment for a subprocess (gunicorn, celery) using the test database."""
    env = dict(os.environ)
    if database["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
            f"{database['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    env.update(
        DJANGO_SETTINGS_MODULE="config.test_settings",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


class Gunicorn:
    def __init__(self, app: str, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "python:bench.gunicorn_quiet", app, "-b", f"127.0.0.1:{self.port}",
             "-w", str(workers), "--log-level", "warning", "--timeout", "30"],
            cwd=ROOT,
            env=env,
        )
        wait_for_port(self.port, timeout=20, process=self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def wait_until(predicate, *, timeout: float, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{message} not met within {timeout}s")


# --- a Celery worker the test can kill -9 ------------------------------------------------------


class CeleryWorker:
    """``celery -A config worker`` in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], *, pool: str = "solo", concurrency: int = 1, name: str = "faults"):
        import uuid

        self.log = tempfile.NamedTemporaryFile(prefix=f"{name}-worker-", suffix=".log", delete=False)  # noqa: SIM115
        env = {**env}
        env.pop("PYTEST_CURRENT_TEST", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}",
             f"--concurrency={concurrency}", "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"{name}-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while "ready." not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker did not start:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def kill9(self) -> None:
        """kill -9 the worker's whole process group: main process and pool children at once."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()
        Path(self.log.name).unlink(missing_ok=True)


def worker_env(database: dict, broker_url: str, secret_key: str, **extra: str) -> dict[str, str]:
    env = app_env(database)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secret_key,
        DEBUG="false",
        REDIS_URL=broker_url,
        CELERY_BROKER_URL=broker_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        CONN_MAX_AGE="0",
    )
    env.update(extra)
    return env


def shared_broker(connection) -> str:
    """The Redis broker for real-worker tests, or a skip saying what is missing."""
    if connection.vendor != "postgresql":
        pytest.skip("a real worker needs a database it shares with the test: set DATABASE_URL=postgres://...")
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if not url or not url.startswith("redis"):
        pytest.skip("a real worker needs a Redis broker: set REDIS_URL=redis://127.0.0.1:6379/<db>")
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    client.delete(
        *(queue.name for queue in settings.CELERY_TASK_QUEUES), "unacked", "unacked_index", "unacked_mutex"
    )
    return url


# --- a slow local newsroom ----------------------------------------------------------------------


class Newsroom:
    """An HTTP server on 127.0.0.1 serving one feed and its articles, slowly, counting hits."""

    def __init__(self, items: int, *, delay: float):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.delay = delay
        self.hits: dict[str, int] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                owner.hits[self.path] = owner.hits.get(self.path, 0) + 1
                if self.path == "/robots.txt":
                    body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
                elif self.path == "/feed.xml":
                    time.sleep(owner.delay)
                    body, kind = owner.feed().encode(), "application/rss+xml"
                elif self.path.startswith("/news/"):
                    time.sleep(owner.delay)
                    slug = self.path.rsplit("/", 1)[-1]
                    body = (f"<html><head><title>{slug}</title></head><body><article><h1>{slug}</h1>"
                            f"<p>Example Corp and Sample Labs sign agreement {slug} for compute.</p>"
                            + "<p>Filler paragraph about the partnership terms.</p>" * 5
                            + "</article></body></html>").encode()
                    kind = "text/html; charset=utf-8"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        self.items = items
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        import threading

        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def feed(self) -> str:
        import datetime
        from email.utils import format_datetime

        date = format_datetime(datetime.datetime.now(datetime.UTC))
        entries = "".join(
            f"<item><title>Agreement {n}</title><link>{self.url(f'/news/agreement-{n}')}</link>"
            f"<pubDate>{date}</pubDate><description>Agreement {n}</description></item>"
            for n in range(self.items)
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Proof</title>{entries}</channel></rss>"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
