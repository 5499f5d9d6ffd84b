"""The pages benchmark's data: one synthetic archive of a given size, built once per database.

``sizes(deals)`` scales the shape of the 20,000-deal archive (500 companies, 3 clauses and 10
announcements a deal, a few very busy companies) to any number of deals; ``generate`` fills
the current database with COPY (seconds, not hours) and builds the ledger and its rollups
once at the end, as a bulk load does; a database already holding that many deals is reused.
``pages`` names the pages and API endpoints measured, with real slugs from the data.
"""

from __future__ import annotations

import datetime
import itertools
import random
import time


def sizes(deals: int) -> dict[str, int]:
    """The 20,000-deal shape scaled to ``deals``: companies, clauses and announcements in proportion."""
    companies = max(20, deals // 40)
    return {
        "companies": companies,
        "deals": deals,
        "clauses": deals * 3,
        "announcements": deals * 10,
        "newsrooms": min(50, companies),
    }


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


def _truncate(cur, table_names: list[str]) -> None:
    """Empty every table the generator fills (and those pointing at them), ids restarted so rows match run to run."""
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
    extra = [
        t for t in ("partnerships_subscription_companies", "partnerships_alertdelivery") if t in table_names
    ]
    cur.execute(f"TRUNCATE {', '.join(tables + extra)}, partnerships_company RESTART IDENTITY CASCADE")


def _companies(cur, rng: random.Random, now, shape: dict[str, int]) -> None:
    """Companies first: every later table points at them by id."""
    from partnerships.models import Company

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
            for i in range(1, shape["companies"] + 1)
        ),
    )


def _newsrooms(cur, now, shape: dict[str, int]) -> None:
    """One newsroom a company for the first fifty, so every announcement has a source."""
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
            for i in range(1, shape["newsrooms"] + 1)
        ),
    )


def _scrape_runs(cur, now, shape: dict[str, int]) -> None:
    """Twenty hourly runs a newsroom, one in seven failed, so the sources page has health to show."""
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
            for n in range(1, shape["newsrooms"] + 1)
            for h in range(1, 21)
        ),
    )


def _announcements(cur, rng: random.Random, now, shape: dict[str, int]) -> None:
    """Ten announcements a deal, the bulk of the archive's rows (the search and announcement pages)."""
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
                (i % shape["newsrooms"]) + 1,
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
            for i in range(1, shape["announcements"] + 1)
        ),
    )


def _revisions(cur, rng: random.Random, now) -> None:
    """Two revisions for each of the first 2,000 announcements, so announcement pages have diffs."""
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


def _deals(cur, rng: random.Random, now, shape: dict[str, int]) -> list[tuple]:
    """Deals over 2015-2026; the rows are returned because parties are drawn per deal."""
    from partnerships.models import Deal

    start_day = datetime.date(2015, 1, 1)
    span = (datetime.date(2026, 11, 1) - start_day).days
    deal_kinds = list(Deal.Kind.values)
    deals = []
    for i in range(1, shape["deals"] + 1):
        day = start_day + datetime.timedelta(days=rng.randrange(span))
        value = (
            rng.choice([None, None, 10**8, 5 * 10**8, 10**9, 4 * 10**9, 10**10, 10**11]) if i % 3 else None
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
    return deals


def _parties(cur, rng: random.Random, deals: list[tuple], shape: dict[str, int]) -> list[tuple]:
    """Two or three parties a deal; returned so clauses can run between a deal's first two."""
    # Parties: a skewed popularity so a few companies are very busy, like real labs.
    weights = [1 / (rank**0.8) for rank in range(1, shape["companies"] + 1)]
    # Cumulative once (what ``choices`` computes from ``weights`` at every call): same draws.
    cumulative = list(itertools.accumulate(weights))
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
            chosen.add(rng.choices(range(1, shape["companies"] + 1), cum_weights=cumulative)[0])
        pair = roles.get(deal[3], ("partner", "partner"))
        for n, company in enumerate(sorted(chosen)):
            parties.append((deal[0], company, pair[n] if n < 2 else "partner"))
    _copy(cur, "partnerships_dealparty", ["deal_id", "company_id", "role"], parties)
    return parties


def _clauses(cur, rng: random.Random, now, parties: list[tuple], shape: dict[str, int]) -> None:
    """Clauses, each citing a random announcement as its source."""
    from partnerships.models import Clause

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
                (i % shape["deals"]) + 1,
                clause_kinds[i % len(clause_kinds)],
                rng.choice(["", "cloud", "compute", "api"]),
                _words(rng, 8),
                "removed" if i % 31 == 0 else "granted",
                units[i % 5][1],
                units[i % 5][0],
                "up_to" if i % 6 == 0 and units[i % 5][1] else "",
                _words(rng, 20),
                rng.randrange(1, shape["announcements"]),
                0.9,
                "confirmed",
                i // shape["deals"],
                sides[(i % shape["deals"]) + 1][i % 2],
                sides[(i % shape["deals"]) + 1][1 - i % 2],
                "reported" if i % 3 == 0 else "confirmed",
                "incremental",
                now,
                now,
            )
            for i in range(shape["clauses"])
        ),
    )


def _sources_and_sequences(cur, shape: dict[str, int]) -> None:
    """Deal sources, then the id sequences moved past the copied ids so later inserts do not collide."""
    _copy(
        cur,
        "partnerships_deal_sources",
        ["deal_id", "announcement_id"],
        ((i, (i * 7) % shape["announcements"] + 1) for i in range(1, shape["deals"] + 1)),
    )
    for table in (
        "partnerships_company",
        "partnerships_deal",
        "scrapers_announcement",
        "scrapers_newsroom",
    ):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def generate(SIZES: dict[str, int], *, force: bool = False) -> dict:  # noqa: N803 - the shape, read-only
    """Fill the bench database (deterministic: seeded RNG). Skipped when already the right size."""
    from django.db import connection

    from partnerships.models import Deal, LedgerEntry
    from partnerships.services.ledger import ledger_rebuild

    if not force and Deal.objects.count() == SIZES["deals"]:
        if not LedgerEntry.objects.exists():  # a database made before the pages read the ledger
            ledger_rebuild()
        return {"generated": False, "generate_s": 0.0}
    started = time.monotonic()
    rng = random.Random(20260101)
    now = datetime.datetime.now(datetime.UTC)
    # The steps share one RNG: their order is the data's, so it must not change.
    with connection.cursor() as wrapper:
        cur = wrapper.cursor
        _truncate(cur, connection.introspection.table_names())
        _companies(cur, rng, now, SIZES)
        _newsrooms(cur, now, SIZES)
        _scrape_runs(cur, now, SIZES)
        _announcements(cur, rng, now, SIZES)
        _revisions(cur, rng, now)
        deals = _deals(cur, rng, now, SIZES)
        parties = _parties(cur, rng, deals, SIZES)
        _clauses(cur, rng, now, parties, SIZES)
        _sources_and_sequences(cur, SIZES)
    ledger_rebuild()  # the rows every total, network edge and flow is read from
    with connection.cursor() as cur:
        # Autovacuum would do this in production: visibility map for index-only scans, statistics.
        cur.execute("VACUUM ANALYZE")
    return {"generated": True, "generate_s": round(time.monotonic() - started, 1)}


def pages() -> list[tuple[str, str]]:  # noqa: C901
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
    published = Deal.objects.published()
    deep = published.order_by("-announced_on", "-id")[min(5000, published.count() // 4)]
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
