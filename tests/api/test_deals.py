import pytest

from partnerships.cache import bump_content_version
from partnerships.models import Deal

pytestmark = pytest.mark.django_db


def test_it_lists_published_deals_newest_first_with_parties_and_certainty(client, chain):
    DealFactory_candidate(chain)
    body = client.get("/api/v1/deals/").json()
    assert [d["slug"] for d in body["data"]] == ["northwind-acme-2025", "northwind-acme-2023"]
    first = body["data"][0]
    assert first["certainty"] == "confirmed"
    assert first["value"] == {
        "min": "4000000000",
        "max": "4000000000",
        "currency": "USD",
        "qualifier": "",
        "text": "$4B",
    }
    assert {(p["company"]["slug"], p["role"]) for p in first["parties"]} == {
        ("northwind", "investor"),
        ("acme", "investee"),
    }
    assert first["predecessor"] == "northwind-acme-2023"
    assert first["api_url"] == "https://pactwatch.example/api/v1/deals/northwind-acme-2025/"
    assert body["next_cursor"] is None and body["next"] is None


def DealFactory_candidate(chain):  # noqa: N802 - a helper named for what it makes
    from tests.factories import DealFactory

    return DealFactory(title="Not yet", slug="candidate-deal", status=Deal.Status.CANDIDATE)


def test_it_filters_with_the_timelines_parameters(client, chain):
    assert [d["slug"] for d in client.get("/api/v1/deals/?year_from=2024").json()["data"]] == [
        "northwind-acme-2025"
    ]
    nobody = client.get("/api/v1/deals/?company=nobody").json()
    assert nobody["data"] == [] and "nobody" in nobody["ignored"]["company"][0]
    # An alias resolves, as on the timeline.
    aliased = client.get("/api/v1/deals/?company=northwind-web-services").json()
    assert len(aliased["data"]) == 2 and aliased["filters"] == {"company": "northwind"}
    body = client.get("/api/v1/deals/?min_amount=2B&company=acme").json()
    assert [d["slug"] for d in body["data"]] == ["northwind-acme-2025"]
    assert body["filters"] == {"company": "acme", "min_amount": "2000000000"}


def test_it_reports_an_end_year_before_the_start_as_the_timeline_does(client, chain):
    body = client.get("/api/v1/deals/?year_from=2024&year_to=2020").json()
    assert body["ignored"] == {"year_to": ["The end year comes before the start year."]}
    assert [d["slug"] for d in body["data"]] == ["northwind-acme-2025"]


def test_it_pages_by_keyset_cursor_in_both_sorts(client, chain):
    page = client.get("/api/v1/deals/?limit=1")
    body = page.json()
    assert len(body["data"]) == 1 and body["next_cursor"].startswith("d")
    assert page["Link"] == f'<{body["next"]}>; rel="next"'
    rest = client.get(f"/api/v1/deals/?limit=1&cursor={body['next_cursor']}").json()
    assert [d["slug"] for d in rest["data"]] == ["northwind-acme-2023"] and rest["next_cursor"] is None
    by_amount = client.get("/api/v1/deals/?sort=amount&limit=1").json()
    assert by_amount["data"][0]["slug"] == "northwind-acme-2025" and by_amount["next_cursor"].startswith(
        "a4000000000."
    )
    # The cursor carries its sort: asking for date order with an amount cursor continues by amount.
    rest = client.get(f"/api/v1/deals/?sort=date&limit=5&cursor={by_amount['next_cursor']}").json()
    assert [d["slug"] for d in rest["data"]] == ["northwind-acme-2023"]


def test_it_answers_one_deal_with_clauses_phases_and_history(client, chain):
    body = client.get("/api/v1/deals/northwind-acme-2025/").json()
    stake = next(c for c in body["clauses"] if c["kind"] == "investment")
    assert stake["grantor"]["slug"] == "northwind" and stake["beneficiary"]["slug"] == "acme"
    assert (stake["amount"], stake["unit"], stake["basis"], stake["certainty"]) == (
        "4000000000",
        "USD",
        "incremental",
        "confirmed",
    )
    assert stake["quote"] == "Northwind puts 4000000000 into Acme."
    assert stake["source"] == {
        "url": "https://northwind.example/news/acme",
        "title": "Northwind invests in Acme",
        "publisher": "Northwind",
        "kind": "primary",
        "archived_url": f"https://pactwatch.example/announcements/{chain.source.pk}/",
    }
    previous = body["previous_phase"]
    assert previous["slug"] == "northwind-acme-2023"
    changed = previous["changes"]["changed"]
    assert [(c["kind"], c["fields"], c["before"]["amount"], c["after"]["amount"]) for c in changed] == [
        ("investment", ["amount"], "1000000000", "4000000000")
    ]
    assert body["next_phases"] == [] and body["regulatory_reviews"] == []
    assert [h["event"] for h in body["history"]] == ["deal.published"]


def test_it_hides_the_archived_copy_link_when_nothing_was_archived(client, chain):
    chain.source.__class__.objects.filter(pk=chain.source.pk).update(fetch_status="pending")
    body = client.get("/api/v1/deals/northwind-acme-2025/").json()
    assert body["sources"][0]["archived_url"] is None


def test_it_redirects_a_merged_deal_to_its_survivor(client, merged):
    response = client.get("/api/v1/deals/duplicate-of-2025/")
    assert response.status_code == 301
    assert response["Location"] == "https://pactwatch.example/api/v1/deals/northwind-acme-2025/"


def test_it_keeps_candidates_private(client, chain):
    DealFactory_candidate(chain)
    response = client.get("/api/v1/deals/candidate-deal/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_it_answers_a_304_while_nothing_changed_and_a_200_after_a_change(client, chain):
    first = client.get("/api/v1/deals/")
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get("/api/v1/deals/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get("/api/v1/deals/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    bump_content_version()  # what every committed change to a deal does
    changed = client.get("/api/v1/deals/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_it_answers_a_retracted_deal_marked_so_with_its_history(
    client, chain, django_capture_on_commit_callbacks
):
    from partnerships.services.deals import deal_retract

    deal_retract(deal=chain.second, reason="the vendor withdrew the announcement")
    body = client.get("/api/v1/deals/northwind-acme-2025/").json()
    assert body["status"] == "retracted"
    assert body["status_reason"] == "the vendor withdrew the announcement"
    assert [h["event"] for h in body["history"]] == ["deal.published", "deal.retracted"]
    listed = [d["slug"] for d in client.get("/api/v1/deals/").json()["data"]]
    assert listed == ["northwind-acme-2023"]  # lists hold published deals only


def test_it_lists_a_deals_regulatory_reviews(client, chain):
    import datetime

    from partnerships.models import RegulatoryReview

    review = RegulatoryReview.objects.create(
        key="uk-cma-northwind-acme",
        authority="uk-cma",
        case="Northwind / Acme",
        stage="closed",
        outcome="Cleared",
        decided_on=datetime.date(2025, 4, 1),
        case_url="https://www.gov.uk/cma-cases/x",
    )
    review.deals.add(chain.second)
    [listed] = client.get("/api/v1/deals/northwind-acme-2025/").json()["regulatory_reviews"]
    assert (listed["authority"], listed["outcome"], listed["decided_on"], listed["url"]) == (
        "uk-cma",
        "Cleared",
        "2025-04-01",
        "https://www.gov.uk/cma-cases/x",
    )
