"""The EDGAR watchlist and regulatory reviews in the admin."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from partnerships.models import AlertEvent, RegulatoryReview
from scrapers.models import EdgarFiler, Newsroom
from tests.factories import CompanyFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def filer_form(company, cik):
    return {
        "name": "SEC EDGAR: NVIDIA",
        "slug": "edgar-nvidia",
        "company": company.pk,
        "cik": cik,
        "is_active": "on",
        "fetch_interval": "01:00:00",
        "expected_cadence": "120 00:00:00",
        "notes": "",
    }


def test_a_curator_adds_a_filer_by_cik_and_company(root):
    nvidia = CompanyFactory(name="NVIDIA", slug="nvidia")
    response = root.post(reverse("admin:scrapers_edgarfiler_add"), filer_form(nvidia, "1045810"))

    assert response.status_code == 302, response.content.decode()[:2000]
    filer = EdgarFiler.objects.get(slug="edgar-nvidia")
    assert (filer.kind, filer.company, filer.cik) == (Newsroom.Kind.EDGAR, nvidia, "0001045810")
    assert filer.url == "https://data.sec.gov/submissions/CIK0001045810.json"
    page = root.get(reverse("admin:scrapers_edgarfiler_changelist")).content.decode()
    assert "1045810" in page


def test_a_cik_that_is_not_one_is_refused(root):
    nvidia = CompanyFactory(name="NVIDIA", slug="nvidia")
    response = root.post(reverse("admin:scrapers_edgarfiler_add"), filer_form(nvidia, "NVDA"))
    assert response.status_code == 200 and "Not a CIK" in response.content.decode()
    assert not Newsroom.objects.exists()


def test_the_watchlist_shows_only_edgar_filers():
    Newsroom.objects.create(name="Feed", slug="feed", kind="feed", url="https://news.example.com/feed.xml")
    Newsroom.objects.create(
        name="Filer", slug="filer", kind="edgar", url="https://data.sec.gov/submissions/CIK0000000001.json"
    )
    assert list(EdgarFiler.objects.values_list("slug", flat=True)) == ["filer"]


def review_form(review, **changes):
    data = {
        "authority": review.authority,
        "case": review.case,
        "url": review.url,
        "case_url": "",
        "stage": review.stage,
        "certainty": review.certainty,
        "outcome": review.outcome,
        "decided_on": "",
        "decision_url": "",
        "summary": "",
        "deals": [d.pk for d in review.deals.all()],
        "subjects": [],
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_a_decision_a_curator_stores_alerts_once(root):
    deal = DealFactory(title="Alpha and Beta")
    review = RegulatoryReview.objects.create(
        key="uk-cma-alpha-beta",
        authority="uk-cma",
        case="Alpha / Beta merger inquiry",
        url="https://example.org/x",
    )
    review.deals.add(deal)
    url = reverse("admin:partnerships_regulatoryreview_change", args=[review.pk])

    root.post(url, review_form(review, stage="phase1_launched"))
    assert not AlertEvent.objects.exists()  # no decision yet
    root.post(url, review_form(review, stage="phase1_decision", outcome="cleared", decided_on="2024-05-17"))
    root.post(url, review_form(review, stage="phase1_decision", outcome="cleared", decided_on="2024-05-17"))

    [event] = AlertEvent.objects.all()
    assert (event.deal, event.kind, event.review) == (deal, "regulatory.decision", review)
    assert event.snapshot["outcome"] == "cleared" and event.snapshot["decided_on"] == "2024-05-17"
