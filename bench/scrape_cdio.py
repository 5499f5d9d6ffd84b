"""changedetection.io beside Pactwatch's worker, on the same loopback fixture, for
``bench/scrape_worker.py``.

It is a measuring tool, never a project dependency: install it into a virtualenv of its own
(``python -m venv ../cdio-venv && ../cdio-venv/bin/pip install changedetection.io==0.60.10``)
or point ``BENCH_CDIO`` at one; without it the benchmark says so and goes on.

It runs with its default fetch workers (5) and its own scheduler, logging at INFO like the
Celery processes. The first watch is given on the command line (so no example watches are
created: those point outside this machine); the other watches are added through its REST API
with the key it writes into its datastore. Its version check is switched off and loopback
addresses are allowed, so all its traffic stays on 127.0.0.0/8.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RECHECK = {"time_between_check_use_default": False, "time_between_check": {"seconds": 60}}


def cdio_executable() -> Path | None:
    venv = Path(os.environ.get("BENCH_CDIO") or ROOT.parent / "cdio-venv")
    executable = venv / "bin" / "changedetection.io"
    return executable if executable.exists() else None


def cdio_version(executable: Path) -> str:
    python = executable.parent / "python"
    completed = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('changedetection.io'))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return completed.stdout.strip() or "unknown"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Changedetection:
    """One changedetection.io server with a fresh datastore in ``workdir``."""

    def __init__(self, executable: Path, workdir: Path):
        self.executable = executable
        self.datastore = workdir / "cdio-datastore"
        self.log_path = workdir / "cdio.log"
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self.key = ""

    def start(self, first_url: str) -> float:
        env = dict(
            os.environ,
            DISABLE_VERSION_CHECK="yes",
            ALLOW_IANA_RESTRICTED_ADDRESSES="true",
            LITELLM_FETCH_PRICING_FROM_GITHUB="false",
        )
        command = [str(self.executable), "-h", "127.0.0.1", "-p", str(self.port), "-d", str(self.datastore)]
        command += ["-C", "-l", "INFO", "-u", first_url, "-u0", json.dumps(RECHECK)]
        started = time.time()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        return started

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        settings = self.datastore / "changedetection.json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"changedetection.io exited with {self.process.returncode}: {self.log_tail()}"
                )
            try:
                if settings.exists():
                    self.key = json.loads(settings.read_text())["settings"]["application"]["api_access_token"]
                    if self._get("/api/v1/systeminfo").status_code == 200:
                        return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"changedetection.io did not answer within {timeout:.0f} s: {self.log_tail()}")

    def _get(self, path: str) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", headers={"x-api-key": self.key}, timeout=30)

    def add_watches(self, urls: list[str]) -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}", headers={"x-api-key": self.key}, timeout=30
        ) as client:
            for url in urls:
                response = client.post("/api/v1/watch", json={"url": url, **RECHECK})
                if response.status_code != 201:
                    raise RuntimeError(
                        f"changedetection.io refused {url}: {response.status_code} {response.text}"
                    )

    def watches(self) -> dict[str, str]:
        """URL -> watch uuid."""
        return {w["url"]: uuid for uuid, w in self._get("/api/v1/watch").json().items()}

    def snapshots(self, uuid: str) -> list[float]:
        """Times of the stored snapshots of one watch (the first is the initial fetch)."""
        return sorted(float(t) for t in self._get(f"/api/v1/watch/{uuid}/history").json())

    def log_tail(self, lines: int = 8) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
