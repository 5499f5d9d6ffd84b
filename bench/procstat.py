"""CPU and memory of process trees from /proc, for benchmarks that run real servers.

CPU of a tree is utime + stime of every live process in it plus cutime + cstime (the
children it has reaped, e.g. a Celery pool child replaced after ``--max-tasks-per-child``).
RSS is summed over the tree (shared pages counted once per process, as ``ps`` would); PSS
(``smaps_rollup``) splits shared pages between the processes that map them.

``Sampler`` reads everything on a fixed cadence in a thread, so figures can be taken for any
window afterwards: ``cpu_between``, ``max_of``.

``/proc/PID/stat`` counts in clock ticks (10 ms), too coarse for a PostgreSQL backend that lives
for one Celery task; the kernel adds a reaped child's exact time to its parent's cutime, so the
PostgreSQL server's tree (postmaster + children) is exact but counts every client of the server.
``BackendTracker`` reads ``/proc/PID/schedstat`` (nanoseconds) of the backends serving given
databases, found by their process title (``postgres: ... USER DB ADDRESS ...``); a backend's
last moments after the final sample, and backends shorter than one sample, are missed, so it is a
lower bound when connections churn.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds incl. reaped children, RSS bytes) or None when gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    # Fields after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14) ... rss(21)
    cpu = sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return int(fields[1]), cpu, int(fields[21]) * PAGE_BYTES


def _runtime(pid: int) -> float | None:
    """Seconds on a CPU, exact (``schedstat``), of a single-threaded process; None when gone."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def children(pid: int) -> list[int]:
    """Direct children, from every thread's ``children`` list (a thread may fork too)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                found += [int(v) for v in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
            except OSError:
                continue
    except OSError:
        pass
    return found


def tree(root: int) -> list[int]:
    """``root`` and its live descendants."""
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        found.append(pid)
        frontier.extend(children(pid))
    return found


def postmaster() -> int | None:
    """The PostgreSQL server process on this machine (a ``postgres`` whose parent is not one)."""
    for pid in all_pids():
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                continue
            parent = _stat(pid)
            if parent and Path(f"/proc/{parent[0]}/comm").read_text().strip() != "postgres":
                return pid
        except OSError:
            continue
    return None


def tree_usage(root: int, *, pss: bool = False) -> tuple[float, int, int, int]:
    """(CPU seconds, RSS bytes, PSS bytes, process count) of a live tree; zeros when gone."""
    cpu = rss = pss_total = count = 0
    for pid in tree(root):
        stat = _stat(pid)
        if stat is None:
            continue
        cpu += stat[1]
        rss += stat[2]
        count += 1
        if pss:
            pss_total += _pss(pid)
    return cpu, rss, pss_total, count


class BackendTracker:
    """CPU of the PostgreSQL backends serving the given databases, summed over their lives."""

    def __init__(self, databases: list[str], server: int | None):
        self.server = server
        self.marks = [f" {name} " for name in databases]
        self.titles: dict[int, bool] = {}
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.started = False

    def _matches(self, pid: int) -> bool:
        known = self.titles.get(pid)
        if known is None:
            try:
                title = (
                    Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
            except OSError:
                return False
            if not title.startswith("postgres: "):
                return False  # just forked, title not set yet: look again next time
            known = any(mark in title for mark in self.marks)
            self.titles[pid] = known
        return known

    def sample(self) -> float:
        for pid in children(self.server) if self.server else []:
            if not self._matches(pid):
                continue
            runtime = _runtime(pid)
            if runtime is None:
                continue
            # A backend alive at the first sample counts from there; a later one from its birth.
            self.first.setdefault(pid, runtime if not self.started else 0.0)
            self.last[pid] = runtime
        self.started = True
        return self.total()

    def total(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)

    @property
    def backends_seen(self) -> int:
        return len(self.last)


class Sampler:
    """Calls each probe every ``interval`` seconds in a thread; keeps (time, {name: value}) rows.

    A probe returns a dict of named values; a probe that fails leaves its values out of the row.
    """

    def __init__(self, probes: list[Callable[[], dict[str, float]]], *, interval: float = 0.5):
        self.probes = probes
        self.interval = interval
        self.rows: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.time()
            row: dict[str, float] = {}
            for probe in self.probes:
                try:
                    row.update(probe())
                except Exception:  # noqa: BLE001 - a probe of a server that just went away
                    continue
            self.rows.append((started, row))
            self._stop.wait(max(0.0, self.interval - (time.time() - started)))

    def value_at(self, name: str, when: float) -> float:
        """The last sampled value at or before ``when`` (the first sample if none)."""
        times = [t for t, _ in self.rows]
        index = max(0, bisect.bisect_right(times, when) - 1)
        for _t, row in reversed(self.rows[: index + 1]):
            if name in row:
                return row[name]
        for _t, row in self.rows:
            if name in row:
                return row[name]
        return float("nan")

    def cpu_between(self, name: str, start: float, end: float) -> float:
        return self.value_at(name, end) - self.value_at(name, start)

    def max_of(self, name: str, start: float = 0.0, end: float = float("inf")) -> float:
        values = [row[name] for t, row in self.rows if start <= t <= end and name in row]
        return max(values, default=float("nan"))
