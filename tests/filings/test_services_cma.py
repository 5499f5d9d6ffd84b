"""The CMA cases feed against a loopback server: case pages archived, read into reviews, matched, alerted."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from partnerships.models import AlertDelivery, AlertEvent, CompanyAlias, Deal, RegulatoryReview
from scrapers.models import Announcement, Newsroom, ScrapeRun
from scrapers.services import newsroom_scrape
from tests.factories import (
    CompanyFactory,
    DealFactory,
    DealPartyFactory,
    NewsroomFactory,
    SubscriptionFactory,
)
from tests.filings.conftest import fixture_bytes

pytestmark = pytest.mark.django_db

FEED = "/cma-cases.atom"
CONTENT = "/api/content/cma-cases/"
MSFT_OPENAI = "microsoft-slash-openai-partnership-merger-inquiry"
GOOGLE_ANTHROPIC = "alphabet-inc-google-llc-slash-anthropic-merger-inquiry"


@pytest.fixture
def govuk(server, settings):
    settings.GOVUK_URL = server.url("")
    return server


@pytest.fixture
def cases_feed():
    return NewsroomFactory(
        name="UK CMA merger cases",
        slug="uk-cma-merger-cases",
        kind=Newsroom.Kind.CMA,
        company=None,
        url="https://www.gov.uk/cma-cases.atom?case_type%5B%5D=mergers",
        expected_cadence=datetime.timedelta(days=30),
    )


def pair(a, b, *dates):
    deals = []
    for day in dates:
        deal = DealFactory(title=f"{a.name} and {b.name} {day}", announced_on=day)
        DealPartyFactory(deal=deal, company=a)
        DealPartyFactory(deal=deal, company=b)
        deals.append(deal)
    return deals


@pytest.fixture
def phases():
    microsoft, openai = CompanyFactory(name="Microsoft"), CompanyFactory(name="OpenAI")
    google, anthropic = CompanyFactory(name="Google"), CompanyFactory(name="Anthropic")
    CompanyAlias.objects.create(company=google, name="Alphabet")
    ms = pair(
        microsoft, openai, datetime.date(2019, 7, 22), datetime.date(2023, 1, 23), datetime.date(2025, 1, 21)
    )
    goo = pair(google, anthropic, datetime.date(2023, 10, 27), datetime.date(2025, 1, 22))
    return {"microsoft-openai": ms, "google-anthropic": goo}


def serve_cases(govuk):
    govuk.add(
        FEED, fixture_bytes("govuk_cma_cases_mergers.atom"), headers={"Content-Type": "application/atom+xml"}
    )
    govuk.add(CONTENT + MSFT_OPENAI, fixture_bytes("govuk_content_api_cma_case_microsoft_openai.json"))
    govuk.add(CONTENT + GOOGLE_ANTHROPIC, fixture_bytes("govuk_content_api_cma_case_alphabet_anthropic.json"))


def test_it_archives_the_case_pages_and_reads_them_into_reviews_of_the_right_phases(
    govuk, cases_feed, phases, django_capture_on_commit_callbacks
):
    serve_cases(govuk)
    with django_capture_on_commit_callbacks(execute=True):
        run = newsroom_scrape(newsroom=cases_feed)

    assert run.status == ScrapeRun.Status.OK, run.error
    assert (run.items_seen, run.items_new, run.items_skipped) == (3, 2, 1)  # Inflection's page answers 404
    assert "could not be read" in run.error
    pages = Announcement.objects.filter(source_kind=Announcement.SourceKind.REGULATOR)
    assert {p.url for p in pages} == {
        f"https://www.gov.uk/cma-cases/{s}" for s in (MSFT_OPENAI, GOOGLE_ANTHROPIC)
    }
    assert all(p.publisher == "UK CMA" and p.has_archive and b'"cma_case"' in p.get_raw_html() for p in pages)

    review = RegulatoryReview.objects.get(case="Microsoft / OpenAI partnership merger inquiry")
    assert (review.stage, review.outcome, review.decided_on) == (
        "closed",
        "found not to qualify",
        datetime.date(2025, 3, 5),
    )
    assert review.decision_url.endswith("Summary_of_phase_1_decision.pdf") and review.certainty == "confirmed"
    assert [(e.stage, e.on.isoformat()) for e in review.events.order_by("on", "stage")] == [
        ("invitation_to_comment", "2023-12-08"),
        ("opened", "2023-12-08"),
        ("phase1_decision", "2025-03-05"),
        ("decision_published", "2025-04-15"),
    ]
    assert set(review.subjects.values_list("name", flat=True)) == {"Microsoft", "OpenAI"}
    # The phase under way when the inquiry opened, and the one agreed while it was open.
    assert set(review.deals.all()) == set(phases["microsoft-openai"][1:])
    google = RegulatoryReview.objects.get(case__startswith="Alphabet")
    assert set(google.deals.all()) == {phases["google-anthropic"][0]}
    assert google.source.url.endswith(GOOGLE_ANTHROPIC)


def test_a_decision_alerts_the_subscribers_of_each_deal_it_concerns_once(
    govuk, cases_feed, phases, django_capture_on_commit_callbacks
):
    SubscriptionFactory(email="analyst@example.com")
    serve_cases(govuk)
    with django_capture_on_commit_callbacks(execute=True):
        newsroom_scrape(newsroom=cases_feed)
    events = AlertEvent.objects.filter(kind=AlertEvent.Kind.REGULATORY_DECISION)
    assert {e.deal_id for e in events} == {d.pk for d in phases["microsoft-openai"][1:]} | {
        phases["google-anthropic"][0].pk
    }
    assert all(e.review_id and e.snapshot["outcome"] == "found not to qualify" for e in events)
    assert AlertDelivery.objects.filter(event__startswith="regulatory-").count() == 3
    message = next(m for m in mail.outbox if "Microsoft and OpenAI 2025-01-21" in m.subject)
    assert message.subject.startswith("Regulatory decision: ")
    assert "REGULATORY DECISION" in message.body and "Outcome: found not to qualify" in message.body

    # The same pages again: nothing new to say.
    cases_feed.refresh_from_db()
    cases_feed.etag = ""
    Announcement.objects.update(fetched_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        again = newsroom_scrape(newsroom=cases_feed)
    assert again.items_new == again.items_updated == 0
    assert AlertEvent.objects.filter(kind=AlertEvent.Kind.REGULATORY_DECISION).count() == 3
    assert len([m for m in mail.outbox if m.subject.startswith("Regulatory decision")]) == 3


def test_a_case_no_phase_matches_waits_in_the_review_queue_for_a_curator(
    govuk, cases_feed, cma, django_capture_on_commit_callbacks
):
    slug = "topps-tiles-slash-ctd-tiles-certain-assets-merger-inquiry"
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>CMA cases</title><entry><title>Topps Tiles / CTD Tiles (certain assets) merger inquiry</title>"
        f'<link rel="alternate" href="https://www.gov.uk/cma-cases/{slug}"/>'
        "<updated>2025-02-07T09:00:00Z</updated></entry></feed>"
    )
    govuk.add(FEED, feed)
    capture = "govuk_content_api_cma_case_topps-tiles-ctd-tiles_merger_inquiry_with_change_history.json"
    govuk.add(CONTENT + slug, (cma / capture).read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        newsroom_scrape(newsroom=cases_feed)

    review = RegulatoryReview.objects.get()
    assert review.case.startswith("Topps Tiles") and review.events.count() >= 5
    [candidate] = review.deals.all()
    assert candidate.status == Deal.Status.CANDIDATE
    assert candidate.sources.get().url == f"https://www.gov.uk/cma-cases/{slug}"
    assert not AlertEvent.objects.exists()  # a candidate is never announced


def test_it_refetches_a_case_only_when_the_feed_says_it_changed(govuk, cases_feed, phases):
    serve_cases(govuk)
    newsroom_scrape(newsroom=cases_feed)
    cases_feed.refresh_from_db()
    cases_feed.etag = cases_feed.last_modified = ""
    second = newsroom_scrape(newsroom=cases_feed)

    assert second.items_new == second.items_updated == 0
    assert govuk.hits(CONTENT + MSFT_OPENAI) == 1
