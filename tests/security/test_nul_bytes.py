"""NUL bytes in any parameter get a 400, never a PostgreSQL DataError (500)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/search/?q=%00", "/compare/companies/?companies=%00", "/deals/?company=a%00b", "/?x%00=1", "/deals/%00/"],
)
def test_it_rejects_nul_bytes_in_query_parameters(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


@pytest.mark.django_db
def test_it_rejects_nul_bytes_in_form_posts(client):
    response = client.post("/alerts/", {"email": "a\x00@example.org"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_it_lets_ordinary_requests_through(client):
    assert client.get("/search/", {"q": "Microsoft"}).status_code == 200
    assert client.get("/", {"x": "%2500"}).status_code == 200
