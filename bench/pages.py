"""Dashboard pages at 20,000 deals: queries, cold server time, and throughput under load.

1. Builds (once) a synthetic dataset in its own PostgreSQL database — 500 companies,
   20,000 deals, ~50,000 deal parties, 60,000 clauses, 200,000 announcements, 50
   newsrooms — with COPY, so generation takes seconds, not hours. Re-runs reuse it.
2. Cold: each page rendered in-process with the page cache off; queries counted,
   median and p95 of ``ROUNDS`` requests after a warm-up (connections, template cache).
3. Under load: gunicorn (sync workers, one per core) on 127.0.0.1 with the page cache on,
   a bounded closed-loop Python load generator (``bench.baselines.load``); the hello-world
   Django view behind the same middleware is measured in the same run.

Goals: ≤ 8 queries, cold median ≤ 25 ms, cached ≥ 60 % of hello-world req/s.

Environment: ``BENCH_PAGES_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/
pactwatch_bench_pages``; never a test database), ``BENCH_REDIS_URL`` (default
``redis://127.0.0.1:6379/4``), ``BENCH_PAGES_DURATION`` seconds per load window (2; three
windows per page and three of hello-world, alternating, medians kept), ``BENCH_PAGES_MATCH``
(only pages whose label contains it, e.g. ``api``). Uses ``wrk`` when
installed (Debian package ``wrk``), else a bounded Python thread load generator.
"""

from __future__ import annotations

import datetime
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_URL = os.environ.get(
    "BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pactwatch_bench_pages"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
DURATION = float(os.environ.get("BENCH_PAGES_DURATION", "2.0"))
ROUNDS = 30
ROUNDS_UNDER_LOAD = 3
SIZES = {"companies": 500, "deals": 20_000, "clauses": 60_000, "announcements": 200_000, "newsrooms": 50}
GOALS = {"queries": 8, "cold_median_ms": 25.0, "cached_share": 0.60}

WORDS = [
    "cloud",
    "compute",
    "chips",
    "investment",
    "partnership",
    "datacenter",
    "gigawatt",
    "model",
    "training",
    "inference",
    "exclusive",
    "revenue",
    "share",
    "stake",
    "warrant",
    "licence",
    "distribution",
    "research",
    "agreement",
    "capacity",
    "sovereign",
    "energy",
    "supercomputer",
    "accelerator",
    "frontier",
    "safety",
    "enterprise",
    "customers",
    "multi-year",
    "commitment",
    "expansion",
]


def _env() -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "pactwatch-bench-pages",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # The load generator is one address: the API's per-address limit would answer 429.
        "API_RATE_LIMIT": "1000000000",
    }


def _ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


# The empty value COPY writes for a column the generator does not know (a later migration's
# NOT NULL field whose default lives in Django, not in the database).
_EMPTY = {"character varying": "", "text": "", "integer": 0, "smallint": 0, "bigint": 0, "boolean": False}


def _unlisted(cursor, table: str, columns: list[str]) -> tuple[list[str], tuple]:
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_generated = 'NEVER' AND is_identity = 'NO'",
        (table,),
    )
    extra = [(name, kind) for name, kind in cursor.fetchall() if name not in columns and kind in _EMPTY]
    return [name for name, _ in extra], tuple(_EMPTY[kind] for _, kind in extra)


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    extra, values = _unlisted(cursor, table, columns)
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns + extra)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row) + values)
            count += 1
    return count


def generate(*, force: bool = False) -> dict:
    """Fill the bench database (deterministic: seeded RNG). Skipped when already the right size."""
    from django.db import connection

    from partnerships.models import Clause, Company, Deal, LedgerEntry
    from partnerships.services.ledger import ledger_rebuild

    if not force and Deal.objects.count() == SIZES["deals"]:
        if not LedgerEntry.objects.exists():  # a database made before the pages read the ledger
            ledger_rebuild()
        return {"generated": False, "generate_s": 0.0}
    started = time.monotonic()
    rng = random.Random(20260101)
    now = datetime.datetime.now(datetime.UTC)
    tables = [
        "partnerships_deal_sources",
        "partnerships_clause",
        "partnerships_dealparty",
        "partnerships_deal",
        "scrapers_announcementrevision",
        "scrapers_scraperun",
        "scrapers_announcement",
        "scrapers_newsroom",
        "partnerships_companyalias",
    ]
    with connection.cursor() as wrapper:
        cur = wrapper.cursor
        extra = [
            t
            for t in ("partnerships_subscription_companies", "partnerships_alertdelivery")
            if t in connection.introspection.table_names()
        ]
        cur.execute(f"TRUNCATE {', '.join(tables + extra)}, partnerships_company RESTART IDENTITY CASCADE")
        kinds = list(Company.Kind.values)
        _copy(
            cur,
            "partnerships_company",
            [
                "id",
                "name",
                "slug",
                "kind",
                "website",
                "description",
                "is_proposed",
                "created_at",
                "updated_at",
            ],
            (
                (
                    i,
                    f"Company {i:03d}",
                    f"company-{i:03d}",
                    kinds[i % len(kinds)],
                    "",
                    _words(rng, 8),
                    False,
                    now,
                    now,
                )
                for i in range(1, SIZES["companies"] + 1)
            ),
        )
        _copy(
            cur,
            "scrapers_newsroom",
            [
                "id",
                "name",
                "slug",
                "company_id",
                "kind",
                "url",
                "homepage",
                "selectors",
                "is_active",
                "expected_cadence",
                "fetch_interval",
                "next_fetch_at",
                "etag",
                "last_modified",
                "health",
                "health_detail",
                "consecutive_failures",
                "typical_item_count",
                "notes",
                "created_at",
                "updated_at",
            ],
            (
                (
                    i,
                    f"Newsroom {i}",
                    f"newsroom-{i}",
                    i,
                    "feed",
                    f"https://news{i}.example.com/feed",
                    "",
                    "{}",
                    True,
                    datetime.timedelta(days=14),
                    datetime.timedelta(hours=1),
                    now,
                    "",
                    "",
                    "ok",
                    "",
                    0,
                    20,
                    "",
                    now,
                    now,
                )
                for i in range(1, SIZES["newsrooms"] + 1)
            ),
        )
        _copy(
            cur,
            "scrapers_scraperun",
            [
                "newsroom_id",
                "started_at",
                "finished_at",
                "status",
                "items_seen",
                "items_new",
                "items_updated",
                "items_skipped",
                "bytes_received",
                "error",
            ],
            (
                (
                    n,
                    now - datetime.timedelta(hours=h),
                    now - datetime.timedelta(hours=h),
                    "failed" if h % 7 == 0 else "ok",
                    20,
                    h % 3,
                    0,
                    0,
                    40000,
                    "HTTP 503" if h % 7 == 0 else "",
                )
                for n in range(1, SIZES["newsrooms"] + 1)
                for h in range(1, 21)
            ),
        )
        start_day = datetime.date(2015, 1, 1)
        span = (datetime.date(2026, 11, 1) - start_day).days
        ann_columns = [
            "id",
            "newsroom_id",
            "url",
            "title",
            "published_at",
            "published_precision",
            "summary",
            "text",
            "content_hash",
            "etag",
            "last_modified",
            "fetch_status",
            "fetch_error",
            "fetch_attempts",
            "created_at",
            "updated_at",
            "url_key",  # unique: the canonical form of the url (no tracking parameters here)
        ]
        # Later migrations may add NOT NULL columns with defaults: _copy writes them empty.
        _copy(
            cur,
            "scrapers_announcement",
            ann_columns,
            (
                (
                    i,
                    (i % SIZES["newsrooms"]) + 1,
                    f"https://news.example.com/posts/{i}",
                    f"{_words(rng, 6)} {i}",
                    now - datetime.timedelta(hours=i),
                    "day",
                    _words(rng, 12),
                    _words(rng, 60),
                    f"{i:064x}",
                    "",
                    "",
                    "fetched",
                    "",
                    1,
                    now,
                    now,
                    f"https://news.example.com/posts/{i}",
                )
                for i in range(1, SIZES["announcements"] + 1)
            ),
        )
        _copy(
            cur,
            "scrapers_announcementrevision",
            ["announcement_id", "title", "text", "content_hash", "fetched_at", "diff"],
            (
                (
                    i,
                    f"title {i} v{v}",
                    _words(rng, 40),
                    f"{i:056x}{v:08x}",
                    now - datetime.timedelta(days=3 - v),
                    "",
                )
                for i in range(1, 2001)
                for v in range(2)
            ),
        )
        deal_kinds = list(Deal.Kind.values)
        deals = []
        for i in range(1, SIZES["deals"] + 1):
            day = start_day + datetime.timedelta(days=rng.randrange(span))
            value = (
                rng.choice([None, None, 10**8, 5 * 10**8, 10**9, 4 * 10**9, 10**10, 10**11])
                if i % 3
                else None
            )
            upto = value is not None and i % 4 == 0
            status = "published" if i % 50 else rng.choice(["candidate", "retracted", "rejected"])
            predecessor = i - 7 if i > 7 and i % 5 == 0 else None
            deals.append(
                (
                    i,
                    f"{_words(rng, 5).capitalize()} deal {i}",
                    f"deal-{i}",
                    deal_kinds[i % len(deal_kinds)],
                    status,
                    day,
                    "day",
                    _words(rng, 25),
                    None if upto else value,
                    value,
                    "USD",
                    predecessor,
                    "",
                    1.0,
                    now,
                    now,
                )
            )
        _copy(
            cur,
            "partnerships_deal",
            [
                "id",
                "title",
                "slug",
                "kind",
                "status",
                "announced_on",
                "announced_precision",
                "summary",
                "value_min",
                "value_max",
                "currency",
                "predecessor_id",
                "status_reason",
                "confidence",
                "created_at",
                "updated_at",
            ],
            deals,
        )
        # Parties: a skewed popularity so a few companies are very busy, like real labs.
        weights = [1 / (rank**0.8) for rank in range(1, SIZES["companies"] + 1)]
        roles = {
            "investment": ("investor", "investee"),
            "cloud": ("customer", "provider"),
            "compute": ("customer", "provider"),
            "chips": ("customer", "provider"),
            "licensing": ("licensee", "licensor"),
        }
        parties = []
        for deal in deals:
            chosen = set()
            while len(chosen) < (2 if deal[0] % 4 else 3):
                chosen.add(rng.choices(range(1, SIZES["companies"] + 1), weights)[0])
            pair = roles.get(deal[3], ("partner", "partner"))
            for n, company in enumerate(sorted(chosen)):
                parties.append((deal[0], company, pair[n] if n < 2 else "partner"))
        _copy(cur, "partnerships_dealparty", ["deal_id", "company_id", "role"], parties)
        # Each clause gives from one of its deal's first two parties to the other, as the
        # curation services require, so the ledger (and every page's figures) has rows.
        sides: dict[int, list[int]] = {}
        for deal_id, company, _role in parties:
            sides.setdefault(deal_id, []).append(company)
        clause_kinds = list(Clause.Kind.values)
        units = [("USD", 10**9), ("GW", 2), ("percent", 20), ("", None), ("years", 5)]
        _copy(
            cur,
            "partnerships_clause",
            [
                "deal_id",
                "kind",
                "subject",
                "summary",
                "effect",
                "amount",
                "unit",
                "qualifier",
                "quote",
                "source_id",
                "confidence",
                "status",
                "position",
                "grantor_id",
                "beneficiary_id",
                "certainty",
                "basis",
                "created_at",
                "updated_at",
            ],
            (
                (
                    (i % SIZES["deals"]) + 1,
                    clause_kinds[i % len(clause_kinds)],
                    rng.choice(["", "cloud", "compute", "api"]),
                    _words(rng, 8),
                    "removed" if i % 31 == 0 else "granted",
                    units[i % 5][1],
                    units[i % 5][0],
                    "up_to" if i % 6 == 0 and units[i % 5][1] else "",
                    _words(rng, 20),
                    rng.randrange(1, SIZES["announcements"]),
                    0.9,
                    "confirmed",
                    i // SIZES["deals"],
                    sides[(i % SIZES["deals"]) + 1][i % 2],
                    sides[(i % SIZES["deals"]) + 1][1 - i % 2],
                    "reported" if i % 3 == 0 else "confirmed",
                    "incremental",
                    now,
                    now,
                )
                for i in range(SIZES["clauses"])
            ),
        )
        _copy(
            cur,
            "partnerships_deal_sources",
            ["deal_id", "announcement_id"],
            ((i, (i * 7) % SIZES["announcements"] + 1) for i in range(1, SIZES["deals"] + 1)),
        )
        for table in (
            "partnerships_company",
            "partnerships_deal",
            "scrapers_announcement",
            "scrapers_newsroom",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    ledger_rebuild()  # the rows every total, network edge and flow is read from
    with connection.cursor() as cur:
        # Autovacuum would do this in production: visibility map for index-only scans, statistics.
        cur.execute("VACUUM ANALYZE")
    return {"generated": True, "generate_s": round(time.monotonic() - started, 1)}


def pages() -> list[tuple[str, str]]:
    """(label, path) for every page, with real slugs from the bench data."""
    from django.db.models import Count

    from partnerships.models import Company, Deal, DealParty
    from scrapers.models import AnnouncementRevision

    busy = list(
        DealParty.objects.values("company__slug")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("company__slug", flat=True)[:2]
    )
    deal = Deal.objects.published().filter(predecessor__isnull=False).order_by("-announced_on").first()
    deep = Deal.objects.published().order_by("-announced_on", "-id")[5000]
    compare = ",".join(Deal.objects.published().order_by("-announced_on").values_list("slug", flat=True)[:4])
    revised = (
        AnnouncementRevision.objects.order_by("announcement_id")
        .values_list("announcement_id", flat=True)
        .first()
    )
    a, b = sorted(busy)
    assert Company.objects.filter(slug__in=busy).count() == 2
    return [
        ("home", "/"),
        ("timeline", "/deals/"),
        ("timeline, filtered", f"/deals/?company={busy[0]}&kind=cloud&min_amount=1B"),
        ("timeline, clause filter", "/deals/?clause=exclusivity&year_from=2020"),
        ("timeline, page 200 (keyset)", f"/deals/?before={deep.announced_on.isoformat()}.{deep.pk}"),
        ("deal", f"/deals/{deal.slug}/"),
        ("partnership", f"/partnerships/{a}/{b}/"),
        ("company", f"/companies/{busy[0]}/"),
        ("compare deals", f"/compare/?deals={compare}"),
        ("compare companies", f"/compare/companies/?companies={busy[0]},{busy[1]}"),
        ("search", "/search/?q=12345+deal"),
        ("network", "/network/"),
        ("network, one year", "/network/?year=2024"),
        ("flows", "/flows/"),
        ("announcements", "/announcements/"),
        ("announcement", f"/announcements/{revised}/"),
        ("sources", "/sources/"),
        ("feed", "/feeds/deals/"),
        # The read API (partnerships.api): lists, one deal, one company, the ledger.
        ("api: deals", "/api/v1/deals/"),
        ("api: deals, filtered", f"/api/v1/deals/?company={busy[0]}&kind=cloud&min_amount=1B"),
        ("api: deals by amount", "/api/v1/deals/?sort=amount"),
        ("api: deal", f"/api/v1/deals/{deal.slug}/"),
        ("api: company", f"/api/v1/companies/{busy[0]}/"),
        ("api: companies", "/api/v1/companies/"),
        ("api: partnership", f"/api/v1/partnerships/{a}/{b}/"),
        ("api: ledger", f"/api/v1/ledger/?company={busy[0]}"),
        ("api: announcements", "/api/v1/announcements/"),
    ]


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


def main() -> dict:
    env = _env()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    _ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    gen = generate(force=os.environ.get("BENCH_PAGES_REGENERATE") == "1")
    targets = pages()
    only = os.environ.get("BENCH_PAGES_MATCH", "")
    if only:  # e.g. BENCH_PAGES_MATCH=api: re-measure some pages only (labels containing it)
        targets = [(label, path) for label, path in targets if only in label]
    cold = measure_cold(targets)
    load_results, hello = measure_load(targets, env)
    hello_rps = hello["hello_world_rps"]
    rows = []
    for label, path in targets:
        row = {"page": label, "path": path, **cold[label], **load_results[label]}
        # Each page is compared with the hello-world view measured just before it, same server.
        beside = row["hello_rps_beside"] or hello_rps
        row["share_of_hello"] = round(row["cached_rps"] / beside, 2) if beside else None
        rows.append(row)
    cached = [r["cached_rps"] for r in rows]
    figures = {
        **gen,
        **SIZES,
        "hello_world_rps": hello_rps,
        "cached_rps": round(statistics.median(cached)),
        "cached_rps_min": min(cached),
        "median_share_of_hello": statistics.median(r["share_of_hello"] or 0 for r in rows),
        "max_queries": max(r["queries"] for r in rows),
        "max_cold_median_ms": max(r["cold_median_ms"] for r in rows),
        "pages_over_25ms": [r["page"] for r in rows if r["cold_median_ms"] > GOALS["cold_median_ms"]],
        "pages_under_60pct": [r["page"] for r in rows if (r["share_of_hello"] or 0) < GOALS["cached_share"]],
        "pages": rows,
    }
    print(
        f"Dataset: {SIZES['deals']:,} deals, {SIZES['clauses']:,} clauses, {SIZES['companies']} companies, "
        f"{SIZES['announcements']:,} announcements ({'generated in ' + str(gen['generate_s']) + ' s' if gen['generated'] else 'reused'})."
    )
    print(
        f"Hello-world Django view: {hello_rps} req/s ({hello['gunicorn_workers']} gunicorn sync workers, same run).\n"
    )
    print(
        "| page | queries | cold median ms | cold p95 ms | cached req/s | hello req/s beside | % of hello | load p50 ms | load p99 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['page']} | {r['queries']} | {r['cold_median_ms']} | {r['cold_p95_ms']} | {r['cached_rps']} | "
            f"{r['hello_rps_beside']} | {round((r['share_of_hello'] or 0) * 100)} % | {r['load_p50_ms']} | "
            f"{r['load_p99_ms']} |"
        )
    print(
        f"\nGoals: ≤ {GOALS['queries']} queries (max {figures['max_queries']}), cold median ≤ 25 ms "
        f"(over: {', '.join(figures['pages_over_25ms']) or 'none'}), cached ≥ 60 % of hello-world "
        f"(under: {', '.join(figures['pages_under_60pct']) or 'none'})."
    )
    return figures


if __name__ == "__main__":
    main()
