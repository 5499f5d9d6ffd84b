import pytest

pytestmark = pytest.mark.django_db


def test_it_answers_a_company_with_its_ledger_totals_and_partners(client, chain):
    body = client.get("/api/v1/companies/northwind/").json()
    assert body["aliases"] == ["Northwind Web Services"]
    gives = {(a["flow"], a["unit"]): a for a in body["gives"]}
    # The ledger counts both incremental stakes: 1B then 4B.
    assert gives["investment", "USD"]["confirmed"] == "5000000000"
    invested_in = next(r for r in body["relationships"] if r["key"] == "invested_in")
    assert [(c["company"]["slug"], c["deals"]) for c in invested_in["companies"]] == [("acme", 2)]
    assert body["deals_api_url"] == "https://pactwatch.example/api/v1/deals/?company=northwind"


@pytest.mark.parametrize(
    "name", ["northwind-web-services", "Northwind Web Services", "NORTHWIND%20WEB%20SERVICES"]
)
def test_it_redirects_an_alias_to_its_company(client, chain, name):
    response = client.get(f"/api/v1/companies/{name}/")
    assert response.status_code == 301
    assert response["Location"] == "https://pactwatch.example/api/v1/companies/northwind/"


def test_it_lists_companies_by_slug_with_a_cursor(client, chain):
    first = client.get("/api/v1/companies/?limit=1").json()
    assert [c["slug"] for c in first["data"]] == ["acme"] and first["data"][0]["deals"] == 2
    rest = client.get(f"/api/v1/companies/?after={first['next_cursor']}").json()
    assert [c["slug"] for c in rest["data"]] == ["northwind"]


def test_it_answers_a_partnership_phase_by_phase(client, chain):
    body = client.get("/api/v1/partnerships/northwind/acme/").json()
    assert [p["deal"]["slug"] for p in body["phases"]] == ["northwind-acme-2023", "northwind-acme-2025"]
    assert body["phases"][0]["changes"] is None
    assert body["phases"][1]["changes"]["changed"][0]["after"]["amount"] == "4000000000"


def test_it_refuses_a_partnership_with_itself(client, chain):
    response = client.get("/api/v1/partnerships/acme/acme/")
    assert response.status_code == 404
    assert response.json()["detail"] == "A partnership needs two different companies."
