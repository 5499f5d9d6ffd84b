"""Problem details, CORS, rate limits, HEAD and OPTIONS: what the edge middleware promises."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "status", "kind", "words"),
    [
        ("/api/v1/deals/?year_from=abc", 400, "invalid-parameters", "year_from"),
        ("/api/v1/deals/?kind=pizza", 400, "invalid-parameters", "kind"),
        ("/api/v1/deals/?cursor=zzz", 400, "invalid-parameters", "cursor"),
        ("/api/v1/deals/?min_amount=lots", 400, "invalid-parameters", "min_amount"),
        ("/api/v1/ledger/?unit=MW", 400, "invalid-parameters", "unit"),
        ("/api/v1/search/", 400, "invalid-parameters", "q"),
        ("/api/v1/deals/no-such-deal/", 404, "not-found", "no-such-deal"),
        ("/api/v1/companies/nobody/", 404, "not-found", "nobody"),
        ("/api/v1/no-such-endpoint/", 404, "not-found", "/api/v1/docs/"),
        ("/api/v1/search/?q=a%00b", 400, None, "could not be read"),
    ],
)
def test_it_answers_every_error_as_problem_details(client, chain, url, status, kind, words):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"} and body["status"] == status
    if kind:
        assert body["type"] == f"https://pactwatch.example/api/v1/docs/#problem-{kind}"
    assert words in body["detail"]
    assert body["instance"] == url.replace("%00", "\x00") or body["instance"].startswith("/api/v1/")


def test_it_names_each_invalid_parameter(client, chain):
    body = client.get("/api/v1/deals/?year_from=1800&limit=0").json()
    assert set(body["errors"]) == {"year_from", "limit"}


def test_it_refuses_writes_with_405_and_allow(client, chain):
    response = client.post("/api/v1/deals/", data={})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Content-Type"] == "application/problem+json"


def test_it_allows_any_origin_to_read(client, chain):
    response = client.get("/api/v1/deals/", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/deals/", HTTP_ORIGIN="https://newsroom.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]


def test_it_answers_head_as_get_without_a_body(client, chain):
    get = client.get("/api/v1/deals/")
    head = client.head("/api/v1/deals/")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"] and int(head["Content-Length"]) == len(get.content)


def test_it_limits_each_address_and_says_when_to_come_back(client, chain, settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW = 3600
    statuses = [client.get("/api/v1/sources/", REMOTE_ADDR="198.51.100.7").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/sources/", REMOTE_ADDR="198.51.100.7")
    assert limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 3600
    # Another address has its own allowance.
    assert client.get("/api/v1/sources/", REMOTE_ADDR="198.51.100.8").status_code == 200


def test_it_counts_the_visitor_behind_a_trusted_proxy(client, chain, settings):
    import ipaddress

    settings.API_RATE_LIMIT = 1
    settings.API_RATE_WINDOW = 3600
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    first = client.get("/api/v1/sources/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = client.get("/api/v1/sources/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert (first.status_code, other.status_code) == (200, 200)


def test_it_serves_the_schema_and_the_docs(client, chain):
    schema = client.get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.")
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operations == {
        "deals_list",
        "deals_detail",
        "companies_list",
        "companies_detail",
        "partnerships_detail",
        "ledger",
        "search",
        "announcements_list",
        "sources",
    }
    problem = schema["paths"]["/api/v1/deals/"]["get"]["responses"]["400"]["content"]
    assert list(problem) == ["application/problem+json"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "<script>" not in html
    assert "cdn" not in html.lower()
