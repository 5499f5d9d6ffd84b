"""The ledger's pages: every row once, in key order, with the totals of the whole export."""

import json

import pytest

from partnerships.models import Deal
from partnerships.services.ledger import ledger_refresh
from tests.partnerships.dashboard import World

pytestmark = pytest.mark.django_db


def _key(row):
    return row["grantor"], row["beneficiary"], row["flow"], row["unit"]


@pytest.fixture
def world():
    World().grow_to(12)
    ledger_refresh(deal_ids=list(Deal.objects.values_list("pk", flat=True)))


def _walk(client, url):
    rows, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += body["data"]
        pages += 1
        assert (body["next"] is None) == (body["next_cursor"] is None)
        if body["next"]:
            assert response["Link"] == f'<{body["next"]}>; rel="next"'
            assert f"cursor={body['next_cursor']}" in body["next"]
        url = body["next"] and body["next"].removeprefix("https://pactwatch.example")
    return rows, pages


def test_its_pages_walk_every_row_of_the_export_exactly_once(client, world):
    exported = json.loads(b"".join(client.get("/exports/ledger.json").streaming_content))["ledger"]
    assert len(exported) > 6
    rows, pages = _walk(client, "/api/v1/ledger/?limit=3")
    assert pages == -(-len(exported) // 3)
    assert len({_key(row) for row in rows}) == len(rows)  # no row twice
    assert sorted(rows, key=_key) == sorted(exported, key=_key)  # same rows, same totals
    assert client.get("/api/v1/ledger/?limit=500").json()["data"] == rows  # one page: the same order


def test_its_pages_keep_the_filters(client, world):
    whole = client.get("/api/v1/ledger/?company=alpha&limit=500").json()
    assert whole["next"] is None and whole["filters"] == {"company": "alpha"}
    rows, _ = _walk(client, "/api/v1/ledger/?company=alpha&limit=2")
    assert rows == whole["data"] and len(rows) > 2
    assert all("alpha" in (row["grantor"], row["beneficiary"]) for row in rows)


@pytest.mark.parametrize("cursor", ["zzz", "1.2.investment", "1.2.Investment.USD", "-1.2.investment.USD"])
def test_it_refuses_a_cursor_that_is_no_position_as_problem_details(client, world, cursor):
    response = client.get(f"/api/v1/ledger/?cursor={cursor}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "cursor" in response.json()["detail"]


def test_it_bounds_a_page(client, world):
    assert client.get("/api/v1/ledger/?limit=501").status_code == 400
    assert len(client.get("/api/v1/ledger/").json()["data"]) <= 100
