import pytest
from django.core.cache import cache

from partnerships.services.deals import deal_publish, deal_retract

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


def test_its_deal_counts_follow_publish_and_retraction_once_cached(
    client, chain, settings, django_capture_on_commit_callbacks
):
    settings.FRAGMENT_CACHE_ENABLED = True  # the list is kept per data version: it must follow
    cache.clear()

    def counts():
        return {c["slug"]: c["deals"] for c in client.get("/api/v1/companies/").json()["data"]}

    assert counts() == {"acme": 2, "northwind": 2}
    with django_capture_on_commit_callbacks(execute=True):
        deal_retract(deal=chain.second, reason="Announced in error.")
    assert counts() == {"acme": 1, "northwind": 1}
    chain.source.text = " ".join(chain.second.clauses.values_list("quote", flat=True))  # quotes are checked
    chain.source.save(update_fields=["text"])
    with django_capture_on_commit_callbacks(execute=True):
        deal_publish(deal=chain.second)
    assert counts() == {"acme": 2, "northwind": 2}
    cache.clear()
