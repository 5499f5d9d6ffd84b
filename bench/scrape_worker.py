"""Scraping in the deployed shape: a real Celery worker and beat, beside changedetection.io.

A loopback fixture (``bench/scrape_fixture.py``) serves one RSS feed per address, 127.0.0.2 and
up, each answering after 200 ms and honouring conditional GET, with article pages and
robots.txt. The worker and beat run the commands of docker-compose.yml's ``worker-prod`` and
``beat-prod`` services (``bench/scrape_services.py`` reads them from the file, so what is measured
is what deploys)
against PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``). Newsrooms are registered for
every feed with a 60 s ``fetch_interval``; a seeded schedule publishes new items at known times.

Phases (each with fresh processes):

- ``steady``: the archive already holds every listed item and each newsroom its ETag, as after
  a day of running; host delay 0. changedetection.io (``scrape_cdio.py``) watches the same
  feeds in the same run when it is installed.
- ``cold`` (``--full`` only): a first start on an empty archive, 20 items per feed, so every
  item's page is fetched and extracted while feed checks go on.
- ``polite``: a short cold run with the host delay on (2 s): per-host politeness must hold.

Figures: first round (launch until every feed was checked once), CPU per check in the steady
window (after the first round) for worker + beat, and also counting PostgreSQL and Redis,
detection latency (publish time to announcement row), tasks queued (Redis list length,
sampled), RSS/PSS of the process trees, conditional requests on unchanged feeds, new
PostgreSQL sessions, and round cadence (interval between two checks of one feed).

Run: ``python -m bench.scrape_worker [--full]`` (``python -m bench`` runs the quick form;
``BENCH_SCRAPE_WORKER=full`` makes it the full one). Needs PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INTERVAL = 60  # seconds: every newsroom's fetch_interval, and changedetection.io's recheck
# The same benchmark's full run before the worker shape changed (prefork worker, concurrency 4,
# one queue; beat with the project's app, dispatching every 60 s), kept beside every new run.
BEFORE = {
    "first_round_s": "83.2 s (first dispatch at 61.6 s)",
    "cpu_ms_per_check": "10.7 ms (400 / 385)",
    "cpu_ms_per_check_with_db": "15.9 ms (4.29 / 0.95 ms)",
    "detection": "34.6 s / 85.1 s",
    "max_queued": "196 / 4",
    "rss_mb": "583 MB (377.6 MB; 5 worker processes + beat)",
    "conditional_share": "1 (1)",
    "pg_sessions": "646 (1)",
    "cadence": "110.4 s / 128.3 s (208)",
}


@dataclass
class Phase:
    name: str
    hosts: int
    window: float  # seconds from launching the processes to the end of the measurement
    base_items: int
    publishes: int = 0
    host_delay: float = 0.0
    warm: bool = False
    with_cdio: bool = False
    notes: list[str] = field(default_factory=list)


QUICK = [
    Phase("steady", hosts=200, window=220, base_items=20, publishes=20, warm=True, with_cdio=True),
    Phase("polite", hosts=20, window=100, base_items=3, host_delay=2.0),
]
FULL = [
    Phase("steady", hosts=200, window=330, base_items=20, publishes=20, warm=True, with_cdio=True),
    Phase("cold", hosts=200, window=300, base_items=20, publishes=20),
    Phase("polite", hosts=40, window=120, base_items=5, host_delay=2.0),
]


def _environment() -> str | None:
    """The runner's defaults (bench database, Redis DB); the reason to skip, if any."""
    from bench.__main__ import _environment as runner_environment

    for key, value in runner_environment().items():
        os.environ.setdefault(key, value)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        return "skipped: needs PostgreSQL (DATABASE_URL=postgres://...)"
    if not os.environ.get("REDIS_URL", "").startswith(("redis://", "rediss://")):
        return "skipped: needs Redis (REDIS_URL=redis://...)"
    return None


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _schedule(phase: Phase, launch: float) -> list[tuple[float, int]]:
    """Publishes spread over the window, leaving a round at the end to notice the last one."""
    rng = random.Random(17)
    hosts = rng.sample(range(phase.hosts), phase.publishes)
    first, last = 15.0, phase.window - INTERVAL - 10
    return sorted((launch + rng.uniform(first, last), host) for host in hosts)


def _phases(phases: list[Phase], args) -> list[Phase]:
    chosen = [p for p in phases if not args.phase or p.name in args.phase]
    for phase in chosen:
        phase.window = args.window or phase.window
        phase.hosts = args.hosts or phase.hosts
        phase.publishes = min(phase.publishes, phase.hosts)
    return chosen


def _on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scrape_worker", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--full", action="store_true", help="longer steady window, a cold start, more hosts")
    parser.add_argument(
        "--phase", action="append", choices=["steady", "cold", "polite"], help="only these phases"
    )
    parser.add_argument(
        "--window", type=float, help="seconds per phase instead of the mode's (short trial runs)"
    )
    parser.add_argument("--hosts", type=int, help="feeds per phase instead of the mode's (short trial runs)")
    args = parser.parse_args(argv if argv is not None else [])
    full = args.full or os.environ.get("BENCH_SCRAPE_WORKER") == "full"
    signal.signal(signal.SIGTERM, _on_signal)
    from bench import scrape_worker_phase as phase_runner
    from bench import scrape_worker_report as report

    skipped = _environment()
    if skipped:
        print(f"## Scraping in the deployed shape\n\n{skipped}")
        return {"skipped": skipped}
    _setup_django()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-scrape-worker-") as workdir:
        for phase in _phases(FULL if full else QUICK, args):
            print(
                f"bench.scrape_worker: phase {phase.name} ({phase.window:.0f} s)", file=sys.stderr, flush=True
            )
            results[phase.name] = phase_runner.run(phase, Path(workdir) / phase.name, _schedule)
    figures = report.figures(results, mode="full" if full else "quick")
    print(report.markdown(results, figures))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
