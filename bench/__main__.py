"""``python -m bench`` (``make bench``): run every benchmark and write bench/REPORT.md.

Each benchmark module (``bench/scrape.py``, ``bench/extraction_eval.py``, ``bench/pages.py``,
``bench/alerts.py``, and the baselines) runs in its own subprocess, so one that crashes,
hangs past its time limit or leaves Django configured differently cannot take the others
down: its failure is reported in the table and the run goes on.

PostgreSQL and Redis on 127.0.0.1 are used unless ``DATABASE_URL`` / ``REDIS_URL`` say
otherwise (``BENCH_DATABASE_URL`` / ``BENCH_REDIS_URL`` take precedence). Options:

    python -m bench [--only NAME ...] [--merge] [--timeout SECONDS] [--report PATH]

With ``--merge`` the modules not run this time keep their section, summary row and goal rows
from the existing report (``python -m bench --only scrape_worker --merge`` re-measures one).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["baselines", "scrape", "scrape_worker", "extraction_eval", "pages", "alerts", "webhooks"]
MARKER = "@@BENCH-RESULT@@"
MARKDOWN_LINES = 150  # per module in REPORT.md; long lists (extraction misses) stay in the console

# Figures the issues set goals for: (module, figure, goal text, check). Each is shown with the
# baseline its module measured in the same run (``BASELINES``) and whether the goal was met.
GOALS = [
    ("pages", "max_queries", "≤ 8 queries per page", lambda v: v <= 8),
    ("pages", "max_cold_median_ms", "cold median ≤ 25 ms per page", lambda v: v <= 25),
    ("pages", "cached_rps", "cached pages ≥ 60 % of hello-world", None),
    ("scrape", "cycle_wall_s", "full cycle ≤ 3 s", lambda v: v <= 3),
    ("scrape", "speedup_vs_sequential", "≥ 13× the sequential loop", lambda v: v >= 13),
    ("scrape", "max_in_flight_per_host", "1 request in flight per host", lambda v: v == 1),
    ("scrape", "unchanged_304_share", "unchanged cycle 100 % 304", lambda v: v >= 1.0),
    ("scrape", "unchanged_new_announcements", "unchanged cycle writes nothing", lambda v: v == 0),
    ("scrape_worker", "first_round_s", "worker + beat: first round ≤ 5 s", lambda v: v <= 5),
    ("scrape_worker", "cpu_ms_per_check", "worker + beat: CPU per check ≤ 2 ms", lambda v: v <= 2),
    ("scrape_worker", "cpu_vs_cdio", "≥ 5× less CPU per check than changedetection.io", lambda v: v >= 5),
    ("scrape_worker", "detection_p50_s", "detection p50 ≤ 35 s", lambda v: v <= 35),
    ("scrape_worker", "detection_max_s", "detection max ≤ 65 s", lambda v: v <= 65),
    ("scrape_worker", "undetected", "every publish detected in the window", lambda v: v == 0),
    ("scrape_worker", "rss_mb", "worker + beat RSS ≤ 250 MB", lambda v: v <= 250),
    (
        "scrape_worker",
        "conditional_share",
        "100 % conditional requests on unchanged feeds",
        lambda v: v >= 1.0,
    ),
    (
        "scrape_worker",
        "polite_max_in_flight_per_host",
        "host delay on: 1 request in flight per host",
        lambda v: v == 1,
    ),
    (
        "scrape_worker",
        "polite_gaps_below_delay",
        "host delay on: no two requests closer than it",
        lambda v: v == 0,
    ),
    ("alerts", "total_s", "10,000 subscribers ≤ 30 s", lambda v: v <= 30),
    ("alerts", "msgs_per_s", "≥ 50 % of the smtplib loop", None),
    ("alerts", "duplicates", "0 duplicates", lambda v: v == 0),
    ("webhooks", "duplicates", "webhooks to 1,000 endpoints: 0 duplicates", lambda v: v == 0),
    ("extraction_eval", "held_out_is_deal_f1", "is_deal F1 ≥ 0.92 (held out)", lambda v: v >= 0.92),
    ("extraction_eval", "held_out_kind_accuracy", "kind accuracy ≥ 0.8 (held out)", lambda v: v >= 0.8),
    ("extraction_eval", "held_out_parties_exact", "parties exact-set ≥ 0.9 (held out)", lambda v: v >= 0.9),
    ("extraction_eval", "held_out_clause_kind_f1", "clause-kind F1 ≥ 0.85 (held out)", lambda v: v >= 0.85),
    ("extraction_eval", "held_out_direction_accuracy", "direction ≥ 0.9 (held out)", lambda v: v >= 0.9),
    ("extraction_eval", "held_out_amount_accuracy", "amounts ≥ 0.9 (held out)", lambda v: v >= 0.9),
    ("extraction_eval", "held_out_clauses_on_non_deals", "no clauses on non-deals (held out)", lambda v: v == 0),
    ("extraction_eval", "throughput_per_s", "≥ 100 announcements/s", lambda v: v >= 100),
]
# (module, figure) -> (baseline module, baseline figure, ratio goal): a module's own same-run
# baseline first; the runner's baselines module otherwise.
BASELINES = {
    ("pages", "cached_rps"): [("pages", "hello_world_rps", 0.60), ("baselines", "hello_world_rps", 0.60)],
    ("scrape", "cycle_wall_s"): [
        ("scrape", "sequential_wall_s", None),
        ("baselines", "sequential_fetch_200_newsrooms_s_extrapolated", None),
    ],
    ("alerts", "msgs_per_s"): [
        ("alerts", "smtplib_msgs_per_s", 0.50),
        ("baselines", "smtplib_msgs_per_s", 0.50),
    ],
}

RUNNER = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
import bench.{{name}} as module
result = module.main()
print({MARKER!r} + json.dumps(result, default=str))
"""


def _run_module(name: str, timeout: float, env: dict[str, str]) -> dict:
    path = ROOT / "bench" / f"{name}.py"
    if not path.exists():
        return {"name": name, "status": "missing", "figures": {}, "markdown": "", "seconds": 0.0}
    print(f"\n### bench.{name}\n", flush=True)
    started = time.monotonic()
    try:
        completed = subprocess.run(
            [sys.executable, "-c", RUNNER.format(name=name)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return {
            "name": name,
            "status": f"failed: timed out after {timeout:.0f}s",
            "figures": {},
            "markdown": output,
            "seconds": time.monotonic() - started,
        }
    seconds = time.monotonic() - started
    markdown_lines, figures = [], {}
    for line in completed.stdout.splitlines():
        if line.startswith(MARKER):
            figures = json.loads(line[len(MARKER) :])
        else:
            markdown_lines.append(line)
    markdown = "\n".join(markdown_lines).strip()
    print(markdown, flush=True)
    if completed.returncode != 0 or not isinstance(figures, dict):
        tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
        print(tail, file=sys.stderr, flush=True)
        return {
            "name": name,
            "status": f"failed: exit {completed.returncode}",
            "figures": figures if isinstance(figures, dict) else {},
            "markdown": markdown,
            "error": tail,
            "seconds": seconds,
        }
    return {"name": name, "status": "ok", "figures": figures, "markdown": markdown, "seconds": seconds}


def _machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cpus (nproc)": str(os.cpu_count()),
        "cpu model": cpu,
        "memory": memory,
        "os": platform.platform(),
    }


def _service_versions(env: dict[str, str]) -> dict[str, str]:
    versions = {}
    try:
        import psycopg

        with psycopg.connect(_libpq_url(env["DATABASE_URL"]), connect_timeout=3) as conn:
            versions["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - a report line, not control flow
        versions["PostgreSQL"] = f"unavailable ({exc.__class__.__name__})"
    try:
        import redis

        info = redis.Redis.from_url(env["REDIS_URL"], socket_timeout=3).info("server")
        versions["Redis"] = info["redis_version"]
    except Exception as exc:  # noqa: BLE001
        versions["Redis"] = f"unavailable ({exc.__class__.__name__})"
    return versions


def _libpq_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _package_versions() -> dict[str, str]:
    out = {"Python": platform.python_version()}
    for package in ("Django", "celery", "kombu", "redis", "psycopg", "gunicorn", "httpx", "aiosmtpd"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def _ensure_database(url: str) -> None:
    """Create the benchmark database if missing and migrate it, so modules find tables."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(_libpq_url(admin_url), autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL",
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pactwatch_bench"),
    )
    env["REDIS_URL"] = os.environ.get(
        "BENCH_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.setdefault("DEBUG", "0")
    env.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789abcdef")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    env.setdefault("SECURE_SSL_REDIRECT", "false")
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict | list):
        return f"`{json.dumps(value, default=str)[:120]}`"
    return str(value)


def _machine_lines(env: dict[str, str], started: datetime.datetime) -> list[str]:
    lines = [
        "# Pactwatch benchmark report",
        "",
        f"Generated by `python -m bench` on {started:%Y-%m-%d %H:%M} UTC. Every loop is bounded; all traffic "
        "went to 127.0.0.1. Re-run it on your machine: the figures below are only comparable with the "
        "baselines measured in the same run.",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "| --- | --- |",
    ]
    for key, value in {**_machine(), **_service_versions(env), **_package_versions()}.items():
        lines.append(f"| {key} | {value} |")
    return [
        *lines,
        f"| database | `{env['DATABASE_URL'].split('@')[-1]}` |",
        f"| redis | `{env['REDIS_URL'].split('@')[-1]}` |",
        "",
    ]


def _summary_lines(results: list[dict]) -> list[str]:
    lines = ["## Summary", "", "| benchmark | status | time (s) |", "| --- | --- | --- |"]
    for result in results:
        lines.append(f"| `bench/{result['name']}.py` | {result['status']} | {result['seconds']:.1f} |")
    return lines


def _baseline(module: str, figure: str, value, by_name: dict) -> tuple[str, str, str]:
    """The same-run baseline of one figure: its text, the ratio to it, and whether a ratio goal is met."""
    for base_module, base_figure, ratio_goal in BASELINES.get((module, figure), []):
        base = by_name.get(base_module, {}).get(base_figure)
        if not isinstance(base, int | float) or not base:
            continue
        base_text, ratio_text, met = f"{base_module}.{base_figure} = {_fmt(base)}", "", ""
        if isinstance(value, int | float) and value:
            ratio = value / base
            ratio_text = f"{ratio:.2f}×" if module != "scrape" else f"{base / value:.1f}× faster"
            if ratio_goal is not None:
                met = "yes" if ratio >= ratio_goal else "**no**"
        return base_text, ratio_text, met
    return "—", "", ""


def _goal_lines(results: list[dict]) -> list[str]:
    lines = [
        "",
        "## Goals, figures and same-run baselines",
        "",
        "| module | figure | value | baseline (same run) | ratio | goal | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    by_name = {r["name"]: r["figures"] for r in results}
    for module, figure, goal, check in GOALS:
        value = by_name.get(module, {}).get(figure)
        base_text, ratio_text, met = _baseline(module, figure, value, by_name)
        if check is not None and isinstance(value, int | float):
            met = "yes" if check(value) else "**no**"
        shown = _fmt(value) if value is not None else "not reported"
        if value is None:
            met = "—"
        lines.append(f"| {module} | {figure} | {shown} | {base_text} | {ratio_text} | {goal} | {met} |")
    lines.append("")
    return lines


def _module_lines(result: dict) -> list[str]:
    lines = [f"## bench/{result['name']}.py — {result['status']}", ""]
    if result["status"] == "missing":
        return [*lines, "Not present in this checkout.", ""]
    if result.get("error"):
        lines += ["```", result["error"], "```", ""]
    if result["markdown"]:
        markdown = result["markdown"].splitlines()
        if len(markdown) > MARKDOWN_LINES:
            cut = len(markdown) - MARKDOWN_LINES
            markdown = [*markdown[:MARKDOWN_LINES], "", f"*({cut} more lines in the module's own output)*"]
        lines += [*markdown, ""]
    if result["figures"]:
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [f"| {key} | {_fmt(value)} |" for key, value in result["figures"].items()]
        lines.append("")
    return lines


def write_report(path: Path, results: list[dict], env: dict[str, str], started: datetime.datetime) -> None:
    lines = [*_machine_lines(env, started), *_summary_lines(results), *_goal_lines(results)]
    for result in results:
        lines += _module_lines(result)
    path.write_text("\n".join(lines) + "\n")


_SECTION = re.compile(r"^## bench/(\w+)\.py — ", re.MULTILINE)


def _split_sections(text: str) -> tuple[list[str], dict[str, str]]:
    """The report's lines before the first module section, and each module's section."""
    matches = list(_SECTION.finditer(text))
    head = text[: matches[0].start()] if matches else text
    ends = [m.start() for m in matches[1:]] + [len(text)]
    return head.splitlines(), {
        m[1]: text[m.start() : end].rstrip("\n") for m, end in zip(matches, ends, strict=True)
    }


def _module_order(name: str) -> int:
    return MODULES.index(name) if name in MODULES else len(MODULES)


def _merge_table(lines: list[str], header: str, extra: list[str], key) -> list[str]:
    """Add ``extra`` rows to the table under ``header`` and order its rows by module."""
    if header not in lines:
        return lines
    start = lines.index(header) + 2
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    rows = sorted(lines[start:end] + extra, key=key)  # stable: goal order within a module stays
    return lines[:start] + rows + lines[end:]


def merge_reports(previous: str, current: str, ran: set[str]) -> str:
    """``current`` plus what ``previous`` says about the modules not in ``ran``."""
    old_head, old_sections = _split_sections(previous)
    head, sections = _split_sections(current)
    kept = [name for name in old_sections if name not in ran]
    if not kept:
        return current
    summary = [line for line in old_head if any(line.startswith(f"| `bench/{n}.py` |") for n in kept)]
    goals = [line for line in old_head if any(line.startswith(f"| {n} | ") for n in kept)]
    # This run lists every goal; the kept modules' rows say "not reported": the old rows replace them.
    head = [line for line in head if not any(line.startswith(f"| {n} | ") for n in kept)]
    head = _merge_table(
        head,
        "| benchmark | status | time (s) |",
        summary,
        lambda row: _module_order(row.split("`bench/")[-1].split(".py")[0]),
    )
    head = _merge_table(
        head,
        "| module | figure | value | baseline (same run) | ratio | goal | met |",
        goals,
        lambda row: _module_order(row.split("|")[1].strip()),
    )
    note = (
        f"Only {', '.join(sorted(ran))} ran this time; the sections of {', '.join(kept)} are kept from the "
        "previous report, with the machine and date they were measured on there."
    )
    head[3:3] = ["", note]
    merged = {**{n: old_sections[n] for n in kept}, **sections}
    body = "\n\n".join(merged[n] for n in sorted(merged, key=_module_order))
    return "\n".join(head).rstrip("\n") + "\n\n" + body + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=MODULES, help="run only these modules")
    parser.add_argument("--merge", action="store_true", help="keep the existing report's other modules")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per module (default 900)")
    parser.add_argument("--report", type=Path, default=ROOT / "bench" / "REPORT.md")
    args = parser.parse_args(argv)

    started = datetime.datetime.now(datetime.UTC)
    env = _environment()
    if env["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        try:
            _ensure_database(env["DATABASE_URL"])
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=600,
            )
        except Exception as exc:  # noqa: BLE001 - reported, and each module then reports its own failure
            print(f"warning: could not prepare {env['DATABASE_URL']}: {exc}", file=sys.stderr)

    results = [_run_module(name, args.timeout, env) for name in (args.only or MODULES)]
    previous = args.report.read_text() if args.merge and args.report.exists() else None
    write_report(args.report, results, env, started)
    if previous is not None:
        args.report.write_text(merge_reports(previous, args.report.read_text(), {r["name"] for r in results}))
    print(
        f"\nbench: wrote {args.report.relative_to(ROOT) if args.report.is_relative_to(ROOT) else args.report}"
    )
    failed = [r["name"] for r in results if r["status"].startswith("failed")]
    missing = [r["name"] for r in results if r["status"] == "missing"]
    print(
        f"bench: {len(results) - len(failed) - len(missing)} ran, {len(failed)} failed {failed}, "
        f"{len(missing)} missing {missing}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
