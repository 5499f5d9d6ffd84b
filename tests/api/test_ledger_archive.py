import json

import pytest

from scrapers.models import Newsroom, ScrapeRun

pytestmark = pytest.mark.django_db


def test_it_serves_the_ledger_exports_rows(client, chain):
    exported = b"".join(client.get("/exports/ledger.json").streaming_content)

    def key(row):
        return row["grantor"], row["beneficiary"], row["flow"], row["unit"]

    rows = client.get("/api/v1/ledger/").json()["data"]
    assert sorted(rows, key=key) == sorted(json.loads(exported)["ledger"], key=key) and rows


def test_it_narrows_the_ledger_by_company_flow_unit_year_and_certainty(client, chain):
    rows = client.get("/api/v1/ledger/?company=acme&flow=investment&unit=USD&certainty=confirmed").json()[
        "data"
    ]
    assert [(r["grantor"], r["beneficiary"], r["confirmed"], r["deals"]) for r in rows] == [
        ("northwind", "acme", "5000000000", ["northwind-acme-2023", "northwind-acme-2025"])
    ]
    assert (
        client.get("/api/v1/ledger/?year=2023&flow=investment").json()["data"][0]["confirmed"] == "1000000000"
    )
    assert client.get("/api/v1/ledger/?certainty=reported&flow=investment").json()["data"] == []
    assert client.get("/api/v1/ledger/?company=nobody").json()["data"] == []


def test_it_searches_with_plain_text_snippets(client, chain):
    body = client.get("/api/v1/search/?q=Northwind").json()
    assert {d["slug"] for d in body["deals"]} == {"northwind-acme-2023", "northwind-acme-2025"}
    assert all("<mark>" not in hit["snippet"] for hit in body["deals"] + body["clauses"])


def test_it_lists_announcements_and_newsroom_health(client, chain):
    newsroom = Newsroom.objects.create(
        name="Acme news", slug="acme-news", kind="feed", url="https://acme.example/feed"
    )
    ScrapeRun.objects.create(newsroom=newsroom, status="failed", error="HTTP 503")
    items = client.get("/api/v1/announcements/").json()["data"]
    assert items[0]["deals"] == ["northwind-acme-2023", "northwind-acme-2025"]
    health = client.get("/api/v1/sources/").json()["data"]
    assert health[0]["slug"] == "acme-news" and health[0]["last_error"]["message"] == "HTTP 503"
