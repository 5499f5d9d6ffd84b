"""Pages and API endpoints at 2,000, 20,000 and 200,000 deals: queries, cold time, throughput.

1. For each size (``bench.pages_data.sizes``: the 20,000-deal shape of 500 companies, 3
   clauses and 10 announcements a deal, scaled), a synthetic archive in its own PostgreSQL
   database, built once with COPY and reused by later runs (the ledger and its rollups are
   built once at the end, as a bulk load does).
2. Cold: each page rendered in-process with the page cache off; queries counted, median
   and p95 of ``ROUNDS`` requests after a warm-up (connections, template cache). Chart
   layouts shared by all readers stay cached per data version (``partnerships.cache``);
   the first render after a change is measured apart ("first after a change").
3. Under load (20,000 deals): gunicorn (sync workers, one per core) on 127.0.0.1 with the
   page cache on, wrk or a bounded Python load generator; the hello-world Django view is
   measured beside every page on the same server.
4. Rollup maintenance: a publish's rollup refresh, and the whole ledger + rollups rebuilt
   (what a bulk ``load_dataset`` of that many deals does at its end).

Goals: ≤ 8 queries constant in size, cold median ≤ 25 ms at 20,000 deals and ≤ 40 ms at
200,000, cached ≥ 60 % of hello-world req/s, ≤ 5 ms of rollups per publish.

Environment: ``BENCH_PAGES_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/
pactwatch_bench_pages``, the 20,000-deal database; other sizes add ``_2k`` / ``_200k``; never
a test database), ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/4``),
``BENCH_PAGES_SIZES`` (deal counts, default ``2000,20000,200000``), ``BENCH_PAGES_DURATION``
seconds per load window (2; three windows per page and three of hello-world, alternating,
medians kept), ``BENCH_PAGES_MATCH`` (only pages whose label contains it, e.g. ``api``),
``BENCH_PAGES_REGENERATE=1`` (rebuild the data). Uses ``wrk`` when installed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get(
    "BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pactwatch_bench_pages"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
DURATION = float(os.environ.get("BENCH_PAGES_DURATION", "2.0"))
ROUNDS = 30
FIRST_ROUNDS = 5  # renders after a data-version bump (shared layouts recomputed)
ROUNDS_UNDER_LOAD = 3
LOAD_SIZE = 20_000  # the size measured under load
GOALS = {"queries": 8, "cold_median_ms": {20_000: 25.0, 200_000: 40.0}, "cached_share": 0.60}
MARK = "@@PAGES-SIZE@@"


def database_url(deals: int) -> str:
    if deals == LOAD_SIZE:
        return BASE_URL
    suffix = f"{deals // 1000}k" if deals % 1000 == 0 else str(deals)
    return f"{BASE_URL}_{suffix}"


def _env(deals: int = LOAD_SIZE) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(deals),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"pactwatch-bench-pages-{deals}",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # The load generator is one address: the API's per-address limit would answer 429.
        "API_RATE_LIMIT": "1000000000",
    }


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def measure_cold(targets) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.PAGE_CACHE_ENABLED = False
    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for label, path in targets:
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results[label] = {
            "queries": len(queries),
            "cold_median_ms": round(statistics.median(times), 2),
            "cold_p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        }
    return results


def _wrk(port: int, path: str, duration: float) -> dict:
    """req/s and latency percentiles from wrk (a C load generator: the client costs little CPU)."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            "-c8",
            f"-d{max(int(duration), 1)}s",
            "--latency",
            "-H",
            "Host: 127.0.0.1",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=True,
    ).stdout

    def ms(text: str) -> float:
        value = float(re.match(r"[0-9.]+", text).group(0))
        return (
            value / 1000
            if text.endswith("us")
            else value * 1000
            if text.endswith("s") and not text.endswith("ms")
            else value
        )

    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": round(float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))),
        "p50_ms": round(ms(percentiles["50"]), 2) if "50" in percentiles else None,
        "p99_ms": round(ms(percentiles["99"]), 2) if "99" in percentiles else None,
        "errors": int(errors.group(1)) if errors else 0,
    }


def _python_load(port: int, path: str, duration: float) -> dict:
    from bench.baselines import load

    rate, errors, latencies = load(port, path, duration=duration, threads=8)
    return {
        "rps": round(rate),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2) if latencies else None,
        "errors": errors,
    }


def measure_load(targets, env) -> tuple[dict, dict]:
    """Every page and the hello-world view served by the same gunicorn, measured alternately."""
    from bench.baselines import free_port, load, wait_for_port

    measure = _wrk if shutil.which("wrk") else _python_load
    workers = os.cpu_count() or 2
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "bench.pages_wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env={**os.environ, **env, "PAGE_CACHE_ENABLED": "true"},
    )
    results, hellos = {}, []
    try:
        wait_for_port(port, process=process)
        load(port, "/__hello__/", duration=0.5, threads=2)
        for label, path in targets:
            load(port, path, duration=0.3, threads=2)  # prime the cache in every worker
            # Alternate hello-world and page windows and keep medians: the machine is shared,
            # and a burst of someone else's work must not land on one side only.
            hello_runs, page_runs = [], []
            for _ in range(ROUNDS_UNDER_LOAD):
                hello_runs.append(measure(port, "/__hello__/", DURATION))
                page_runs.append(measure(port, path, DURATION))
            page = sorted(page_runs, key=lambda run: run["rps"])[len(page_runs) // 2]
            hello_rps = round(statistics.median(run["rps"] for run in hello_runs))
            hellos.append(hello_rps)
            results[label] = {
                "cached_rps": page["rps"],
                "hello_rps_beside": hello_rps,
                "load_p50_ms": page["p50_ms"],
                "load_p99_ms": page["p99_ms"],
                "errors": sum(run["errors"] for run in page_runs),
            }
    finally:
        process.terminate()
        process.wait(timeout=20)
    return results, {
        "hello_world_rps": round(statistics.median(hellos)),
        "gunicorn_workers": workers,
        "load_generator": "wrk -t1 -c8" if measure is _wrk else "python threads (bench.baselines.load)",
    }


def measure_first(targets) -> dict:
    """Median render right after a data-version bump: what the first reader after a change waits."""
    from django.test import Client

    from partnerships.cache import bump_content_version

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for label, path in targets:
        times = []
        for _ in range(FIRST_ROUNDS):
            bump_content_version()
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        results[label] = {"first_median_ms": round(statistics.median(times), 2)}
    return results


def measure_maintenance(*, rebuild: bool) -> dict:
    """A publish's rollup refresh (median of 20, rolled back) and, optionally, a full rebuild."""
    from django.db import transaction

    from partnerships.models import LedgerEntry
    from partnerships.services.ledger import ledger_rebuild
    from partnerships.services.rollups import rollups_rebuild, rollups_refresh

    deal_ids = list(
        LedgerEntry.objects.order_by("-announced_on").values_list("deal_id", flat=True).distinct()[:20]
    )
    times = []
    for deal_id in deal_ids:
        keys = set(
            LedgerEntry.objects.filter(deal_id=deal_id).values_list("grantor_id", "beneficiary_id", "year")
        )
        with transaction.atomic():
            started = time.perf_counter()
            rollups_refresh(keys=keys)
            times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    out = {"rollup_refresh_per_publish_ms": round(statistics.median(times), 2) if times else None}
    if rebuild:
        started = time.perf_counter()
        with transaction.atomic():
            rollups_rebuild()
        out["rollups_rebuild_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        ledger_rebuild()
        out["ledger_and_rollups_rebuild_s"] = round(time.perf_counter() - started, 2)
    return out


def measure_size(deals: int) -> dict:
    """One size, in this process: generate or reuse, then cold, first-after-change, maintenance, load."""
    from bench import pages_data

    shape = pages_data.sizes(deals)
    env = _env(deals)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    _ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    gen = pages_data.generate(shape, force=os.environ.get("BENCH_PAGES_REGENERATE") == "1")
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does after a migration or a load
        cursor.execute("ANALYZE")
    targets = pages_data.pages()
    only = os.environ.get("BENCH_PAGES_MATCH", "")
    if only:  # e.g. BENCH_PAGES_MATCH=api: re-measure some pages only (labels containing it)
        targets = [(label, path) for label, path in targets if only in label]
    cold = measure_cold(targets)
    first = measure_first(targets)
    result = {
        "shape": shape,
        **gen,
        **measure_maintenance(rebuild=deals <= LOAD_SIZE),
        "pages": [{"page": label, "path": path, **cold[label], **first[label]} for label, path in targets],
    }
    if deals == LOAD_SIZE:
        load_results, hello = measure_load(targets, env)
        result["hello"] = hello
        for row in result["pages"]:
            row.update(load_results[row["page"]])
            beside = row["hello_rps_beside"] or hello["hello_world_rps"]
            row["share_of_hello"] = round(row["cached_rps"] / beside, 2) if beside else None
    return result


def _run_size(deals: int) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.pages", "--size", str(deals)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    tail = "\n".join(completed.stderr.strip().splitlines()[-10:])
    return {"error": f"exit {completed.returncode}: {tail}", "pages": []}


def _cell(runs: dict, deals: int, label: str, name: str) -> str:
    row = next((r for r in runs[deals].get("pages", []) if r["page"] == label), None)
    return "—" if row is None or row.get(name) is None else str(row[name])


def _size_table(runs: dict, order: list[int]) -> list[str]:
    labels = [row["page"] for row in runs[LOAD_SIZE if LOAD_SIZE in runs else order[0]]["pages"]]
    heads = [f"{d // 1000}k" for d in order]
    lines = [
        "| page | queries (" + " / ".join(heads) + ") | cold median ms (" + " / ".join(heads) + ") | cold p95 ms ("
        + " / ".join(heads) + ") | first after a change ms (" + " / ".join(heads) + ") |",
        "|---|---:|---:|---:|---:|",
    ]  # fmt: skip
    for label in labels:
        cells = [
            " / ".join(_cell(runs, d, label, name) for d in order)
            for name in ("queries", "cold_median_ms", "cold_p95_ms", "first_median_ms")
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _load_table(run: dict) -> list[str]:
    lines = [
        "| page | cached req/s | hello req/s beside | % of hello | load p50 ms | load p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in run["pages"]:
        lines.append(
            f"| {r['page']} | {r['cached_rps']} | {r['hello_rps_beside']} | "
            f"{round((r['share_of_hello'] or 0) * 100)} % | {r['load_p50_ms']} | {r['load_p99_ms']} |"
        )
    return lines


def _figures(runs: dict, order: list[int]) -> dict:
    figures: dict = {}
    for deals in order:
        rows = runs[deals].get("pages", [])
        tag = f"{deals // 1000}k"
        if runs[deals].get("error"):
            figures[f"error_{tag}"] = runs[deals]["error"]
        if not rows:
            continue
        figures[f"max_queries_{tag}"] = max(r["queries"] for r in rows)
        figures[f"max_cold_median_ms_{tag}"] = max(r["cold_median_ms"] for r in rows)
        figures[f"max_first_median_ms_{tag}"] = max(r["first_median_ms"] for r in rows)
        figures[f"generate_s_{tag}"] = runs[deals].get("generate_s")
        for name in ("rollup_refresh_per_publish_ms", "rollups_rebuild_s", "ledger_and_rollups_rebuild_s"):
            if runs[deals].get(name) is not None:
                figures[f"{name}_{tag}"] = runs[deals][name]
        limit = GOALS["cold_median_ms"].get(deals)
        if limit:
            figures[f"pages_over_{int(limit)}ms_{tag}"] = [
                r["page"] for r in rows if r["cold_median_ms"] > limit
            ]
    counts = {r["page"]: set() for d in order for r in runs[d].get("pages", [])}
    for deals in order:
        for r in runs[deals].get("pages", []):
            counts[r["page"]].add(r["queries"])
    figures["queries_vary_with_size"] = [page for page, found in counts.items() if len(found) > 1]
    figures["max_queries"] = max(
        (v for k, v in figures.items() if k.startswith("max_queries_")), default=None
    )
    figures["max_cold_median_ms"] = figures.get("max_cold_median_ms_20k")
    load = runs.get(LOAD_SIZE, {})
    if load.get("hello"):
        rows = load["pages"]
        figures["hello_world_rps"] = load["hello"]["hello_world_rps"]
        figures["cached_rps"] = round(statistics.median(r["cached_rps"] for r in rows))
        figures["cached_rps_min"] = min(r["cached_rps"] for r in rows)
        figures["pages_under_60pct"] = [
            r["page"] for r in rows if (r["share_of_hello"] or 0) < GOALS["cached_share"]
        ]
    return figures


def main() -> dict:
    order = [int(x) for x in os.environ.get("BENCH_PAGES_SIZES", "2000,20000,200000").split(",") if x]
    runs = {deals: _run_size(deals) for deals in order}
    figures = _figures(runs, order)
    print("Datasets (one PostgreSQL database each, reused between runs):\n")
    print("| deals | companies | clauses | announcements | generated |\n|---:|---:|---:|---:|---|")
    for deals in order:
        shape = runs[deals].get("shape") or {}
        made = f"in {runs[deals]['generate_s']} s" if runs[deals].get("generated") else "reused"
        print(
            f"| {deals:,} | {shape.get('companies', '—')} | {shape.get('clauses', 0):,} | "
            f"{shape.get('announcements', 0):,} | {made if shape else runs[deals].get('error', '')[:200]} |"
        )
    print(
        "\nCold: page cache off, median and p95 of 30 renders in-process; first after a change: the data version"
    )
    print("bumped before each render, so shared chart layouts are recomputed.\n")
    print("\n".join(_size_table(runs, order)))
    if runs.get(LOAD_SIZE, {}).get("hello"):
        hello = runs[LOAD_SIZE]["hello"]
        print(
            f"\nCached throughput at {LOAD_SIZE:,} deals ({hello['gunicorn_workers']} gunicorn sync workers, "
            f"{hello['load_generator']}); hello-world {hello['hello_world_rps']} req/s in the same run:\n"
        )
        print("\n".join(_load_table(runs[LOAD_SIZE])))
    print("\nRollup maintenance: " + ", ".join(
        f"{k} = {v}" for k, v in figures.items() if k.startswith(("rollup", "ledger_and"))
    ) + ".")  # fmt: skip
    return figures


if __name__ == "__main__":
    if "--size" in sys.argv:
        size = int(sys.argv[sys.argv.index("--size") + 1])
        print(MARK + json.dumps(measure_size(size), default=str))
    else:
        print(MARK + json.dumps(main(), default=str))
