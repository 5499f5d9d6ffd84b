"""Every page's query count, at 5 rows and at 50: it must not grow, and stays ≤ 8."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.partnerships.dashboard import World

MAX_QUERIES = 8

PAGES = [
    "/",
    "/deals/",
    "/deals/?sort=largest&company=Alpha%20Labs",
    "/deals/?company=alpha&counterparty=beta&kind=investment&clause=investment&year_from=2019&year_to=2030&min_amount=1B",
    "/deals/focus/",
    "/partnerships/alpha/beta/",
    "/companies/alpha/",
    "/compare/?deals=focus,deal-0,deal-1",
    "/compare/companies/?companies=alpha,beta",
    "/search/?q=sovereign",
    "/network/?year=all",
    "/network/?year=2020",
    "/flows/?year=all",
    "/announcements/",
    "ANNOUNCEMENT",
    "/sources/",
    "/feeds/deals/",
    "/feeds/companies/alpha/",
    "/feeds/clauses/investment/",
    "/exports/",
    "/glossary/",
    "/exports/deals.csv",
    "/exports/clauses.json?company=alpha",
]


# The pages drawn from the ledger, pinned exactly: a new query on them is a decision, not a drift.
PINNED = {
    "/": 7,
    "/deals/focus/": 7,
    "/partnerships/alpha/beta/": 7,
    "/companies/alpha/": 8,  # totals from the rollups beside the busiest counterparties
    "/compare/companies/?companies=alpha,beta": 4,
    "/network/?year=all": 4,
    "/network/?year=2020": 4,
    "/flows/?year=all": 4,
}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_it_keeps_the_query_count_flat_from_5_to_50_rows(client, settings, url):
    settings.PAGE_CACHE_ENABLED = False
    world = World().grow_to(5)
    if url == "ANNOUNCEMENT":
        url = world.focus_source.get_absolute_url()
    small = _count(client, url)
    world.grow_to(50)
    large = _count(client, url)
    assert large == small, f"{url}: {small} queries with 5 rows, {large} with 50"
    assert large <= MAX_QUERIES, f"{url}: {large} queries"
    if url in PINNED:
        assert large == PINNED[url], f"{url}: {large} queries, pinned at {PINNED[url]}"


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["", "oldest", "largest"])
def test_it_serves_the_timeline_without_offset_and_counts_at_most_a_capped_number(client, settings, sort):
    from partnerships.selectors.timeline import COUNT_CAP

    settings.PAGE_CACHE_ENABLED = False
    World().grow_to(30)
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/deals/?before=2021-01-01.99999&sort={sort}")
    statements = [q["sql"].upper() for q in ctx.captured_queries]
    assert not any("OFFSET" in sql for sql in statements)
    counts = [sql for sql in statements if "COUNT(" in sql]
    # The result count reads at most COUNT_CAP + 1 rows: a COUNT over a LIMITed subquery.
    assert len(counts) == 1 and f"LIMIT {COUNT_CAP + 1}" in counts[0]
