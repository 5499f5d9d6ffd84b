"""The processes ``bench/scrape_worker.py`` starts, and the probes it reads them with.

Every process is started in a session of its own with a parent-death signal, and stopped by
its process group (SIGTERM, then SIGKILL): a benchmark killed by its runner's time limit leaves
nothing behind.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

from bench import procstat
from bench.scrape_fixture import host_address

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")
QUEUES = ["feeds", "pages", "extract", "celery"]
QUEUE_KEYS = [
    f"{queue}{suffix}" for queue in QUEUES for suffix in ("", "\x06\x163", "\x06\x166", "\x06\x169")
]


def compose_arguments(service: str) -> list[str]:
    """The arguments after ``celery`` of a docker-compose.yml service: the benchmark runs what deploys."""
    import yaml

    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service]["command"]
    if command[0] != "celery":
        raise ValueError(f"{service} does not run celery: {command}")
    return [arg for arg in command[1:] if not arg.startswith("--schedule")]


# The worker and beat exactly as docker-compose.yml's production services start them
# (beat's schedule file goes to the phase's directory instead).
WORKER_ARGS = compose_arguments("worker-prod")
BEAT_ARGS = compose_arguments("beat-prod")
CACHE_PREFIX = "bench-sw"
_LOG_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): (\w+)/([\w-]+)\] (.*)$")
_TASK_DONE = re.compile(r"Task (\S+)\[[^\]]+\] succeeded in ([\d.e-]+)s")


def _die_with_parent() -> None:
    """Run in the child before exec: get SIGTERM when the benchmark process dies."""
    os.setsid()
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start(command: list[str], *, log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("ab") as handle:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )


def stop(process: subprocess.Popen | None, *, grace: float = 20.0) -> None:
    """SIGTERM to the process (a Celery worker then stops its own pool), its whole group if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=grace)
        os.killpg(process.pid, signal.SIGKILL)  # anything it left behind in its group
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


class FixtureProcess:
    """``bench/scrape_fixture.py`` in a subprocess, and its control endpoints."""

    def __init__(self, *, hosts: int, latency: float, base_items: int, log: Path):
        config = json.dumps({"hosts": hosts, "latency": latency, "base_items": base_items})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.scrape_fixture", config],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log.open("ab"),
            text=True,
            preexec_fn=_die_with_parent,
        )
        line = self.process.stdout.readline().split()
        if not line or line[0] != "READY":
            stop(self.process)
            raise RuntimeError(f"the fixture server did not start (see {log})")
        self.port, self.control_port = int(line[1]), int(line[2])

    def feed_url(self, host: int) -> str:
        return f"http://{host_address(host)}:{self.port}/feed.xml"

    def article_url(self, host: int, number: int) -> str:
        return f"http://{host_address(host)}:{self.port}/news/item-{number}"

    def _control(self, path: str, body=None) -> dict:
        url = f"http://127.0.0.1:{self.control_port}{path}"
        if body is None:
            return httpx.get(url, timeout=60).json()
        return httpx.post(url, content=json.dumps(body), timeout=60).json()

    def schedule(self, publishes: list[tuple[float, int]]) -> None:
        self._control("/__schedule", [list(p) for p in publishes])

    def reset(self) -> None:
        self._control("/__reset")

    def log(self) -> dict:
        return self._control("/__log")

    def cpu(self) -> float:
        return procstat.tree_usage(self.process.pid)[0]

    def stop(self) -> None:
        stop(self.process, grace=5)


def celery_env(*, host_delay: float) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SCRAPER_ALLOW_LOOPBACK="true",  # the fixture's feeds are on 127.0.0.2 and up
        SCRAPER_HOST_DELAY=str(host_delay),
        CACHE_KEY_PREFIX=CACHE_PREFIX,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
    )
    return env


def redis_client():
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)


def redis_clear(client) -> None:
    """Forget queued tasks and the benchmark's cache, politeness and robots.txt keys."""
    client.delete(*QUEUE_KEYS, "unacked", "unacked_index", "unacked_mutex")
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    for start_at in range(0, len(keys), 500):
        client.delete(*keys[start_at : start_at + 500])


def redis_probe(client):
    def probe() -> dict[str, float]:
        pipe = client.pipeline(transaction=False)
        for key in QUEUE_KEYS:
            pipe.llen(key)
        pipe.hlen("unacked")
        pipe.info("cpu")
        *lengths, unacked, cpu = pipe.execute()
        return {
            "queued": float(sum(lengths)),
            "unacked": float(unacked),
            "redis_cpu": float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"]),
        }

    return probe


def redis_cpu(client) -> float:
    cpu = client.info("cpu")
    return float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"])


def pg_sessions(database_url: str, names: list[str]) -> int:
    """Sessions ever opened to these databases (PostgreSQL's own counter, read from ``postgres``)."""
    import psycopg

    admin = database_url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(sessions), 0) FROM pg_stat_database WHERE datname = ANY(%s)", [names]
        ).fetchone()
    return int(row[0])


def tree_probe(name: str, process: subprocess.Popen, *, pss: bool = True):
    def probe() -> dict[str, float]:
        cpu, rss, pss_bytes, count = procstat.tree_usage(process.pid, pss=pss)
        if not count:
            return {}
        return {f"{name}_cpu": cpu, f"{name}_rss": rss, f"{name}_pss": pss_bytes, f"{name}_procs": count}

    return probe


def parse_celery_log(path: Path) -> dict:
    """Tasks finished per name (count and seconds), beat's dispatch times, the worker's ready time."""
    tasks: dict[str, list[float]] = {}
    dispatches: list[float] = []
    ready = None
    errors: list[str] = []
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        match = _LOG_LINE.match(line)
        if not match:
            continue
        when = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        message = match[4]
        if done := _TASK_DONE.search(message):
            entry = tasks.setdefault(done[1].rsplit(".", 1)[-1], [0, 0.0])
            entry[0] += 1
            entry[1] += float(done[2])
        elif "Sending due task dispatch-due-newsrooms" in message:
            dispatches.append(when)
        elif message.endswith(" ready.") and ready is None:
            ready = when
        elif match[2] in ("ERROR", "CRITICAL"):
            errors.append(message[:300])
    return {"tasks": tasks, "dispatches": dispatches, "ready": ready, "errors": errors}


def wait_until(deadline: float, processes: dict[str, subprocess.Popen], *, step: float = 1.0) -> None:
    """Sleep until ``deadline`` (epoch), failing early when a process dies."""
    while (left := deadline - time.time()) > 0:
        for name, process in processes.items():
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode} during the run")
        time.sleep(min(step, left))
