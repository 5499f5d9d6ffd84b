"""Every model is in the admin, and every admin page opens for a superuser."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from partnerships.models import (
    AlertDelivery,
    AlertEvent,
    CompanyAlias,
    Digest,
    RegulatoryEvent,
    RegulatoryReview,
    Subscription,
)
from partnerships.services.ledger import ledger_refresh
from scrapers.models import AnnouncementRevision, AnnouncementSubmission, Filing, ScrapeRun, SelectorTest
from tests.factories import AnnouncementFactory, ClauseFactory, DealPartyFactory, NewsroomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each(db):
    party = DealPartyFactory()
    other = DealPartyFactory(deal=party.deal)
    ClauseFactory(
        deal=party.deal, source=AnnouncementFactory(), grantor=party.company, beneficiary=other.company
    )
    ledger_refresh(deal_ids=[party.deal_id])
    CompanyAlias.objects.create(company=party.company, name="Alias Corp")
    newsroom = NewsroomFactory()
    ScrapeRun.objects.create(newsroom=newsroom, error="boom")
    SelectorTest.objects.create(
        newsroom=newsroom, status="ok", items=[{"title": "<b>t</b>", "url": "https://x.example/"}]
    )
    announcement = AnnouncementFactory(newsroom=newsroom)
    announcement.set_raw_html(b"<html><script>alert(1)</script><p>archived</p></html>")
    announcement.save()
    AnnouncementRevision.objects.create(announcement=announcement, text="v1", content_hash="abc")
    AnnouncementSubmission.objects.create(url="https://x.example/a/", mode="fetch", announcement=announcement)
    subscription = Subscription.objects.create(email="reader@example.com")
    AlertEvent.objects.get_or_create(deal=party.deal, key="published", defaults={"kind": "published"})
    AlertDelivery.objects.get_or_create(subscription=subscription, deal=party.deal, event="published")
    Digest.objects.create(
        subscription=subscription, frequency="daily", period="2026-01-01", until="2026-01-02T00:00Z"
    )
    review = RegulatoryReview.objects.create(
        key="uk-cma-a-b", authority="uk-cma", case="A / B merger inquiry"
    )
    review.deals.add(party.deal)
    RegulatoryEvent.objects.create(review=review, stage="opened", on="2024-01-02")
    edgar = NewsroomFactory(kind="edgar", url="https://data.sec.gov/submissions/CIK0000789019.json")
    filing = Filing.objects.create(
        accession_number="0000789019-25-000001",
        newsroom=edgar,
        cik="0000789019",
        form="10-Q",
        document_url="https://www.sec.gov/Archives/edgar/data/789019/000078901925000001/msft.htm",
    )
    AnnouncementFactory(newsroom=edgar, filing=filing, passage_start=0, passage_end=10, source_kind="filing")


def test_it_registers_every_model_of_the_project():
    registered = set(admin.site._registry)
    missing = [
        model._meta.label
        for app in ("partnerships", "scrapers")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical") and model not in registered
    ]
    assert missing == []


def test_it_opens_every_changelist_add_and_change_page(client, one_of_each):
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)
    request = RequestFactory().get("/")
    request.user = root
    checked = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        # Search and every filter run their queries too.
        if model_admin.search_fields:
            assert client.get(changelist, {"q": "a"}).status_code == 200, changelist
        if model_admin.has_add_permission(request):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client.get(add).status_code == 200, add
        obj = model._default_manager.first()
        if obj is None:
            assert opts.app_label not in ("partnerships", "scrapers"), f"no sample row for {opts.label}"
            continue
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200, change
        checked += 1
    assert checked >= 14


def test_the_archived_page_is_shown_as_escaped_text(client, one_of_each):
    from scrapers.models import Announcement

    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    announcement = Announcement.objects.exclude(raw_html=None).get()
    body = client.get(reverse("admin:scrapers_announcement_change", args=[announcement.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_the_admin_lives_at_the_configured_url(settings):
    assert reverse("admin:index") == "/" + settings.ADMIN_URL
