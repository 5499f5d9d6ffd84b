"""Every API endpoint's query count, at 5 rows and at 50: it must not grow, and stays ≤ 8."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.models import Deal
from partnerships.services.alerts.events import deal_snapshot
from partnerships.services.ledger import ledger_refresh
from tests.partnerships.dashboard import World

MAX_QUERIES = 8
URLS = [
    "/api/v1/deals/",
    "/api/v1/deals/?company=alpha&counterparty=beta&kind=investment&clause=investment&year_from=2019&min_amount=1B",
    "/api/v1/deals/?sort=amount&limit=10",
    "/api/v1/deals/focus/",
    "/api/v1/deals/deal-3/",
    "/api/v1/companies/",
    "/api/v1/companies/alpha/",
    "/api/v1/partnerships/alpha/beta/",
    "/api/v1/ledger/",
    "/api/v1/ledger/?company=alpha&flow=investment",
    "/api/v1/ledger/?limit=3&cursor=1.1.investment.USD",
    "/api/v1/search/?q=sovereign",
    "/api/v1/announcements/",
    "/api/v1/sources/",
]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(ctx.captured_queries)


def _grow(world, n):
    world.grow_to(n)
    for deal in Deal.objects.all():
        deal.alert_events.get_or_create(
            key="published", defaults={"kind": "published", "snapshot": deal_snapshot(deal)}
        )
    ledger_refresh(deal_ids=list(Deal.objects.values_list("pk", flat=True)))


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_it_keeps_the_query_count_flat_from_5_to_50_rows(client, url):
    world = World()
    _grow(world, 5)
    small = _count(client, url)
    _grow(world, 50)
    large = _count(client, url)
    assert large == small, f"{url}: {small} queries with 5 rows, {large} with 50"
    assert large <= MAX_QUERIES, f"{url}: {large} queries"
