"""The admin's "Add announcement" and the write behind it: pasted text, a page fetched by a worker,
one announcement per page however its address is spelled, and form errors that lose nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Deal
from scrapers.forms import MAX_TEXT_CHARACTERS
from scrapers.models import Announcement, AnnouncementSubmission
from scrapers.services import announcement_submit
from scrapers.supplied import SuppliedPage
from tests.factories import AnnouncementFactory
from tests.scrapers.conftest import article

pytestmark = pytest.mark.django_db

DEAL_TEXT = (
    "Oracle and Cohere announced a partnership today. Oracle will invest $300 million in Cohere, "
    "and Cohere will train its models on Oracle Cloud Infrastructure."
)
SUBMIT = "admin:scrapers_announcement_submit"


@pytest.fixture
def curator(client):
    user = User.objects.create_user("cora", "cora@example.com", "pw-123-long-enough", is_staff=True)
    user.groups.add(Group.objects.get(name="Curator"))
    client.force_login(user)
    return user


def paste(client, **fields):
    data = {"url": "https://vendor.example/news/oracle-cohere/", "mode": "text", "text": DEAL_TEXT}
    data["published_on"] = "2025-05-06"
    data.update(fields)
    return client.post(reverse(SUBMIT), data)


# --- the write ------------------------------------------------------------------------------


def test_pasted_text_is_stored_as_text_with_no_archive():
    submitted = announcement_submit(
        page=SuppliedPage(url="https://vendor.example/a/", title="T", text="Words.")
    )
    announcement = submitted.announcement
    assert submitted.outcome == "new"
    assert (announcement.url, announcement.url_key) == (
        "https://vendor.example/a/",
        "https://vendor.example/a",
    )
    assert (
        announcement.fetch_status == Announcement.FetchStatus.SKIPPED and announcement.next_fetch_at is None
    )
    assert (
        not announcement.raw_html and announcement.content_hash == "" and not announcement.revisions.exists()
    )


def test_a_supplied_page_is_archived_with_a_revision():
    page = SuppliedPage(
        url="https://vendor.example/b", text="Body.", html=b"<p>Body.</p>", content_hash="h" * 64
    )
    announcement = announcement_submit(page=page).announcement
    assert announcement.fetch_status == Announcement.FetchStatus.FETCHED
    assert announcement.get_raw_html() == b"<p>Body.</p>" and announcement.revisions.count() == 1


def test_a_second_spelling_of_the_same_page_updates_it_and_adds_nothing():
    first = announcement_submit(page=SuppliedPage(url="https://Vendor.example/c/", text="One."))
    again = announcement_submit(
        page=SuppliedPage(url="https://vendor.example/c?utm_source=mail", text="One.")
    )
    changed = announcement_submit(page=SuppliedPage(url="https://vendor.example/c#top", text="Two."))

    assert (first.outcome, again.outcome, changed.outcome) == ("new", "unchanged", "updated")
    assert Announcement.objects.count() == 1
    stored = Announcement.objects.get()
    assert stored.url == "https://Vendor.example/c/"  # the first spelling stays the link
    assert stored.text == "Two."


def test_supplied_text_never_replaces_an_archived_page():
    announcement = AnnouncementFactory(
        url="https://vendor.example/d", text="Archived words.", fetch_status="fetched", content_hash="x" * 64
    )
    submitted = announcement_submit(page=SuppliedPage(url="https://vendor.example/d/", text="Pasted words."))
    announcement.refresh_from_db()
    assert submitted.outcome == "unchanged" and "archived page's text was kept" in submitted.note
    assert announcement.text == "Archived words."


def test_an_address_that_is_not_http_is_refused():
    with pytest.raises(ValueError, match="http"):
        announcement_submit(page=SuppliedPage(url="javascript:alert(1)", text="x"))
    assert not Announcement.objects.exists()


# --- the admin: pasted text -----------------------------------------------------------------


def test_pasting_text_creates_the_announcement_and_leads_to_the_candidates_review(
    client, curator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = paste(client, title="Oracle invests in Cohere")

    submission = AnnouncementSubmission.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"?ids={submission.pk}")
    announcement = submission.announcement
    assert announcement.url == "https://vendor.example/news/oracle-cohere/"  # as typed
    assert announcement.published_at == datetime(2025, 5, 6, tzinfo=UTC)
    assert submission.requested_by == curator and submission.outcome == "new"
    deal = Deal.objects.get(sources=announcement)
    assert deal.status == Deal.Status.CANDIDATE

    page = client.get(response.url).content.decode()
    assert reverse("admin:partnerships_deal_review", args=[deal.pk]) in page
    assert 'http-equiv="refresh"' not in page  # done: nothing left to wait for


def test_adding_the_same_page_again_links_the_same_candidate(
    client, curator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        paste(client)
        response = paste(client, url="https://vendor.example/news/oracle-cohere?utm_campaign=x")

    assert Announcement.objects.count() == 1 and Deal.objects.count() == 1
    assert AnnouncementSubmission.objects.order_by("pk").last().outcome == "unchanged"
    deal = Deal.objects.get()
    assert (
        reverse("admin:partnerships_deal_review", args=[deal.pk]) in client.get(response.url).content.decode()
    )


def test_the_progress_page_waits_for_extraction_then_says_when_no_deal_was_read(client, curator):
    paste(client, text="Our team published a recipe for sourdough bread.")  # on-commit work not run
    submission = AnnouncementSubmission.objects.get()
    url = reverse("admin:scrapers_announcement_submitted") + f"?ids={submission.pk}"

    waiting = client.get(url).content.decode()
    assert 'http-equiv="refresh"' in waiting and "Reading the text for a deal" in waiting

    Announcement.objects.filter(pk=submission.announcement_id).update(extracted_at=timezone.now())
    done = client.get(url).content.decode()
    assert "not read as a deal" in done and 'http-equiv="refresh"' not in done


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"url": "ftp://vendor.example/x"}, "url", "http:// or https://"),
        ({"url": "http://10.0.0.8/internal"}, "url", "not a public address"),
        ({"url": "http://127.0.0.1:8000/admin/"}, "url", "not a public address"),
        ({"text": "   \n  "}, "text", "Paste the announcement"),
        ({"published_on": ""}, "published_on", "Give the day"),
        ({"published_on": "2999-01-01"}, "published_on", "in the future"),
        ({"text": "word " * (MAX_TEXT_CHARACTERS // 5 + 1)}, "text", "the limit is"),
        ({"mode": "fetch"}, "mode", "You pasted text"),
    ],
)
def test_bad_input_gets_a_form_error_and_loses_nothing(client, curator, fields, field, message):
    response = paste(client, title="A title worth keeping", **fields)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert form["title"].value() == "A title worth keeping"  # what was typed comes back
    if field != "text":
        assert form["text"].value() == fields.get("text", DEAL_TEXT)
    assert not Announcement.objects.exists() and not AnnouncementSubmission.objects.exists()


def test_a_viewer_cannot_add_announcements(client):
    user = User.objects.create_user("vic", "vic@example.com", "pw-123-long-enough", is_staff=True)
    user.groups.add(Group.objects.get(name="Viewer"))
    client.force_login(user)
    assert client.get(reverse(SUBMIT)).status_code == 403
    assert paste(client).status_code == 403 and not Announcement.objects.exists()
    assert (
        "Add announcement"
        not in client.get(reverse("admin:scrapers_announcement_changelist")).content.decode()
    )


def test_the_announcement_list_offers_the_button_to_curators(client, curator):
    page = client.get(reverse("admin:scrapers_announcement_changelist")).content.decode()
    assert reverse(SUBMIT) in page


# --- the admin: a page fetched by a worker --------------------------------------------------


def test_an_address_is_fetched_by_a_worker_and_archived(
    client, curator, server, django_capture_on_commit_callbacks
):
    url = server.add("/news/oracle-cohere/", article("Oracle invests in Cohere", DEAL_TEXT))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(SUBMIT), {"url": url, "mode": "fetch"})

    submission = AnnouncementSubmission.objects.get()
    assert submission.status == "ok" and submission.http_status == 200 and submission.mode == "fetch"
    announcement = submission.announcement
    assert announcement.url == url and announcement.fetch_status == Announcement.FetchStatus.FETCHED
    assert b"Oracle will invest" in announcement.get_raw_html() and announcement.revisions.count() == 1
    assert server.hits("/news/oracle-cohere/") == 1
    deal = Deal.objects.get(sources=announcement)
    assert (
        reverse("admin:partnerships_deal_review", args=[deal.pk]) in client.get(response.url).content.decode()
    )


def test_the_web_process_only_queues_the_fetch(client, curator, server):
    url = server.add("/news/later/", article("Later", DEAL_TEXT))
    response = client.post(reverse(SUBMIT), {"url": url, "mode": "fetch"})  # on-commit work not run

    assert server.hits("/news/later/") == 0 and not Announcement.objects.exists()
    assert AnnouncementSubmission.objects.get().status == "queued"
    assert 'http-equiv="refresh"' in client.get(response.url).content.decode()


def test_a_page_that_cannot_be_fetched_says_why_and_offers_to_paste(
    client, curator, server, django_capture_on_commit_callbacks
):
    url = server.add("/gone/", "missing", status=404)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(SUBMIT), {"url": url, "mode": "fetch"})

    submission = AnnouncementSubmission.objects.get()
    assert submission.status == "failed" and "HTTP 404" in submission.error
    assert not Announcement.objects.exists()
    page = client.get(response.url).content.decode()
    assert "HTTP 404" in page and "mode=text" in page and "Paste its text instead" in page


def test_a_challenge_page_is_reported_as_blocked(client, curator, server, django_capture_on_commit_callbacks):
    url = server.add("/blocked/", "<html><script>window._cf_chl_opt={};</script></html>")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(SUBMIT), {"url": url, "mode": "fetch"})
    submission = AnnouncementSubmission.objects.get()
    assert submission.status == "failed" and "blocked by a bot challenge" in submission.error
    assert not Announcement.objects.exists()


def test_a_stalled_extraction_is_said_rather_than_awaited_for_ever(client, curator):
    announcement = AnnouncementFactory()
    submission = AnnouncementSubmission.objects.create(
        url=announcement.url,
        mode="text",
        status="ok",
        announcement=announcement,
        outcome="new",
        finished_at=timezone.now() - timedelta(hours=1),
    )
    page = client.get(
        reverse("admin:scrapers_announcement_submitted") + f"?ids={submission.pk}"
    ).content.decode()
    assert "Is a Celery worker running?" in page and 'http-equiv="refresh"' not in page
