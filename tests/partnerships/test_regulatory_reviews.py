"""The dataset's competition reviews: loaded once, shown on deal pages and in the partnership phase chains."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.db import transaction

from partnerships.models import AlertEvent, Deal, RegulatoryEvent, RegulatoryReview
from partnerships.services.dataset import DEFAULT_PATH, dataset_load, read_dataset

pytestmark = pytest.mark.django_db

DATASET = read_dataset(DEFAULT_PATH)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield dataset_load(use_evidence=False)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def _phase_line(html: str) -> list[str]:
    """The phase chain's entries as text, in page order."""
    line = re.search(r'<ol class="phase-line">(.*?)</ol>', html, re.S).group(1)
    items = re.findall(r"<li[^>]*>(.*?)</li>", line, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def test_it_loads_each_cited_review_once_with_its_dated_stages(loaded):
    cited = {(r["authority"], r["case"]) for deal in DATASET["deals"] for r in deal["regulatory"]}
    assert RegulatoryReview.objects.count() == len(cited) == loaded.reviews.new == 7
    review = RegulatoryReview.objects.get(authority="uk-cma", case__startswith="Microsoft / OpenAI")
    assert set(review.deals.values_list("slug", flat=True)) == {
        "microsoft-openai-2023",
        "microsoft-openai-2025-01",
    }
    assert set(review.subjects.values_list("slug", flat=True)) == {"microsoft", "openai"}
    assert [(e.stage, e.on) for e in review.events.all()] == [
        ("invitation_to_comment", datetime.date(2023, 12, 8)),
        ("closed", datetime.date(2025, 3, 5)),
        ("decision_published", datetime.date(2025, 4, 15)),
    ]
    assert (review.stage, review.decided_on, review.outcome) == (
        "closed",
        datetime.date(2025, 3, 5),
        "not a relevant merger situation",
    )
    google = RegulatoryReview.objects.get(authority="uk-cma", case__startswith="Alphabet")
    assert (
        google.case_url
        == "https://www.gov.uk/cma-cases/alphabet-inc-google-llc-slash-anthropic-merger-inquiry"
    )
    assert RegulatoryEvent.objects.filter(origin="dataset").count() == RegulatoryEvent.objects.count()


def test_an_initial_load_is_not_news(loaded):
    assert not AlertEvent.objects.exists()


def test_a_second_load_changes_nothing(loaded):
    again = dataset_load(use_evidence=False)
    assert not again.changed
    assert (again.reviews.unchanged, again.watchlist.unchanged) == (7, 11)
    assert again.review_events.new == again.review_events.updated == again.review_events.removed == 0


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        (
            "microsoft/openai",
            [
                "Jan 23, 2023",
                "Dec 8, 2023 UK CMA Invitation to comment: Microsoft / OpenAI partnership merger inquiry",
                "Jan 2024 US FTC Orders issued",
                "Jan 9, 2024 European Commission Opened",
                "Jan 17, 2025 US FTC Report published",
                "Jan 21, 2025",
                "Mar 5, 2025 UK CMA Closed: Microsoft / OpenAI partnership merger inquiry — not a relevant merger situation",
                "Apr 15, 2025 UK CMA Full decision published",
            ],
        ),
        (
            "amazon/anthropic",
            [
                "Sep 25, 2023",
                "Apr 24, 2024 UK CMA Invitation to comment: Amazon.com Inc / Anthropic PBC partnership merger inquiry",
                "Aug 8, 2024 UK CMA Phase 1 investigation launched",
                "Sep 27, 2024 UK CMA Phase 1 decision: Amazon.com Inc / Anthropic PBC partnership merger inquiry"
                " — not a relevant merger situation",
            ],
        ),
        (
            "anthropic/google",
            [
                "Jul 30, 2024 UK CMA Invitation to comment: Alphabet Inc. (Google LLC) / Anthropic merger inquiry",
                "Oct 24, 2024 UK CMA Phase 1 investigation launched",
                "Nov 19, 2024 UK CMA Phase 1 decision: Alphabet Inc. (Google LLC) / Anthropic merger inquiry"
                " — no material influence",
            ],
        ),
    ],
)
def test_the_fact_sheets_reviews_are_dated_events_in_the_phase_chain(loaded, client, pair, expected):
    html = client.get(f"/partnerships/{pair}/").content.decode()
    line = _phase_line(html)
    positions = []
    for wanted in expected:
        found = [i for i, entry in enumerate(line) if entry.startswith(wanted)]
        assert found, (wanted, line)
        positions.append(found[0])
    assert positions == sorted(positions), line


def test_the_chain_keeps_every_phase_and_adds_no_page_update(loaded, client):
    html = client.get("/partnerships/microsoft/openai/").content.decode()
    phases = (
        Deal.objects.public()
        .filter(deal_parties__company__slug="microsoft")
        .filter(deal_parties__company__slug="openai")
    )
    line = _phase_line(html)
    assert len([e for e in line if " UK CMA " in f" {e} " or "US FTC" in e or "European" in e]) >= 4
    for deal in phases:
        assert any(deal.title in entry for entry in line), deal.title
    assert not any(" Update" in entry for entry in line)


def test_the_deal_page_shows_its_reviews_with_their_stages(loaded, client):
    html = client.get("/deals/amazon-anthropic-2023/").content.decode()
    section = re.search(r'<section aria-labelledby="reviews-h">(.*?)</section>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "UK CMA: Amazon.com Inc / Anthropic PBC partnership merger inquiry" in text
    assert "Outcome: not a relevant merger situation , Sep 27, 2024 confirmed" in text
    assert "Aug 8, 2024 Phase 1 investigation launched" in text
    assert "US FTC: FTC 6(b) study of AI investments and partnerships" in text


def test_a_page_without_reviews_has_no_review_section(loaded, client):
    deal = Deal.objects.public().exclude(regulatory_reviews__isnull=False).first()
    html = client.get(deal.get_absolute_url()).content.decode()
    assert 'id="reviews-h"' not in html


def test_a_reload_keeps_what_the_authoritys_own_page_said(loaded):
    review = RegulatoryReview.objects.get(authority="uk-cma", case__startswith="Microsoft / OpenAI")
    page = review.deals.first().sources.first()
    review.source, review.outcome = page, "found not to qualify"
    review.save()
    dataset_load(use_evidence=False)
    review.refresh_from_db()
    assert review.outcome == "found not to qualify"


def test_the_command_reports_the_reviews_and_the_watchlist(loaded, capsys):
    call_command("load_dataset", "--no-evidence")
    out = capsys.readouterr().out
    assert "EDGAR filers and regulator feeds: 11 (0 new, 0 updated, 11 unchanged)" in out
    assert re.search(r"Regulatory reviews: 7 \(0 new, 0 updated, 7 unchanged\); events: \d+", out)


def test_a_new_stage_of_a_review_makes_cached_pages_stale(loaded, django_capture_on_commit_callbacks):
    from partnerships.cache import content_version

    review = RegulatoryReview.objects.get(authority="uk-cma", case__startswith="Microsoft / OpenAI")
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        RegulatoryEvent.objects.create(review=review, stage="update", on=datetime.date(2025, 5, 1))
    assert content_version() != before
