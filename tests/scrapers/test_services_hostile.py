"""Hostile listings and pages: every failure is a recorded outcome, and good items survive bad ones."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import DataError
from django.utils import timezone

from scrapers import services, tasks
from scrapers.models import Announcement, Newsroom, ScrapeRun, SelectorTest
from tests.factories import NewsroomFactory
from tests.scrapers.conftest import article

pytestmark = pytest.mark.django_db

DATE = "2025-11-18T09:00:00Z"


def atom(server, entries):
    body = "".join(
        f"<entry><title>{title}</title><link href='{link}'/><id>{link}</id><updated>{updated}</updated></entry>"
        for title, link, updated in entries
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
        f"<id>urn:t</id><updated>{DATE}</updated>{body}</feed>"
    )


def stored_titles(newsroom):
    return sorted(Announcement.objects.filter(newsroom=newsroom).values_list("title", flat=True))


def test_it_keeps_the_good_entries_beside_one_dated_year_zero(server):
    feed = atom(
        server,
        [
            ("First", server.url("/news/1"), DATE),
            ("Year zero", server.url("/news/0"), "0000-01-01T00:00:00Z"),
            ("Second", server.url("/news/2"), DATE),
        ],
    )
    newsroom = NewsroomFactory(
        url=server.add("/feed.xml", feed, headers={"Content-Type": "application/atom+xml"})
    )
    run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    assert run.status == ScrapeRun.Status.OK and run.finished_at is not None
    assert stored_titles(newsroom) == ["First", "Second"]
    assert run.items_skipped == 1 and "Skipped 1 of 3" in run.error


def test_it_strips_nul_and_control_characters_before_the_database(server):
    items = [
        {"title": "Clean", "url": server.url("/news/a"), "date": "2025-11-18"},
        {
            "title": "Bad\u0000ti\u0001tle\u200b",
            "url": server.url("/news/b"),
            "summary": "x\u0000y\ud800",
            "date": "2025-11-18",
        },
        {"title": "Also clean", "url": server.url("/news/c"), "date": "2025-11-18"},
    ]
    body = json.dumps({"items": items})
    newsroom = NewsroomFactory(kind=Newsroom.Kind.JSON, url=server.add("/list.json", body))
    run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    assert run.status == ScrapeRun.Status.OK and run.items_new == 3
    assert stored_titles(newsroom) == ["Also clean", "Badtitle\u200b", "Clean"]
    assert Announcement.objects.get(url=server.url("/news/b")).summary == "xy"


@pytest.mark.parametrize(
    "link", ["javascript:alert(document.domain)", "data:text/html,<b>x</b>", "vbscript:x"]
)
def test_it_stores_only_http_links_from_every_kind_of_listing(server, link):
    feed = atom(server, [("Script", link, DATE), ("Good", server.url("/news/good"), DATE)])
    listing = json.dumps(
        [{"title": "Script", "url": link}, {"title": "Good", "url": server.url("/news/good2")}]
    )
    page = f"<html><body><article><a href='{link}'><h2>Script</h2></a><time datetime='2025-11-18'>x</time></article>"
    page += f"<article><a href='{server.url('/news/good3')}'><h2>Good</h2></a><time datetime='2025-11-18'>x</time></article>"
    for kind, path, body in (("feed", "/f.xml", feed), ("json", "/l.json", listing), ("html", "/news", page)):
        newsroom = NewsroomFactory(kind=kind, url=server.add(path, body))
        run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
        assert run.status == ScrapeRun.Status.OK, run.error
        assert stored_titles(newsroom) == ["Good"], kind
    assert not Announcement.objects.exclude(url__startswith="http").exists()


def test_it_records_json_nested_too_deep_as_a_failed_run_and_turns_broken_after_three(
    server, settings, django_capture_on_commit_callbacks
):
    settings.SCRAPER_BROKEN_AFTER_FAILURES = 3
    newsroom = NewsroomFactory(kind=Newsroom.Kind.JSON, url=server.add("/deep.json", "[" * 100_000))
    for attempt in range(1, 4):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
        newsroom.refresh_from_db()
        assert run.status == ScrapeRun.Status.FAILED and "nests deeper than 200 levels" in run.error
        assert newsroom.consecutive_failures == attempt and newsroom.next_fetch_at > timezone.now()
    assert newsroom.health == Newsroom.Health.BROKEN
    assert len(mail.outbox) == 1 and newsroom.name in mail.outbox[0].subject


def test_it_records_a_malformed_redirect_as_a_permanent_failure(server, django_capture_on_commit_callbacks):
    url = server.add("/feed.xml", status=302, headers={"Location": "http:\\\\localhost/x"})
    newsroom = NewsroomFactory(url=url)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    newsroom.refresh_from_db()
    assert run.status == ScrapeRun.Status.FAILED and "malformed address" in run.error
    assert newsroom.health == Newsroom.Health.BROKEN and len(mail.outbox) == 1


def test_it_records_an_unexpected_exception_with_where_it_happened(server, monkeypatch):
    newsroom = NewsroomFactory(url=server.add("/feed.xml", atom(server, [("A", server.url("/a"), DATE)])))

    def broken(*args, **kwargs):
        raise KeyError("no such field")

    monkeypatch.setattr("scrapers.adapters.feed.FeedAdapter.parse", broken)
    run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    newsroom.refresh_from_db()
    assert run.status == ScrapeRun.Status.FAILED
    assert "Unexpected KeyError while parsing" in run.error and "no such field" in run.error
    assert newsroom.consecutive_failures == 1 and newsroom.next_fetch_at > timezone.now()


@pytest.mark.parametrize(
    ("error", "message"), [(MemoryError, "Ran out of memory"), (RecursionError, "nests too deeply")]
)
def test_it_records_memory_and_recursion_errors_as_failed_runs(server, monkeypatch, error, message):
    newsroom = NewsroomFactory(url=server.add("/feed.xml", "<rss/>"))

    def exhausted(*args, **kwargs):
        raise error()

    monkeypatch.setattr(services.runs, "fetch", exhausted)
    tasks.newsroom_scrape_task(newsroom.pk)  # returns: the worker would live on
    run = ScrapeRun.objects.get(newsroom=newsroom)
    assert run.status == ScrapeRun.Status.FAILED and message in run.error


def test_a_task_contains_what_escapes_its_service(monkeypatch):
    def exhausted(**kwargs):
        raise MemoryError()

    monkeypatch.setattr(services, "announcement_fetch", exhausted)
    assert tasks.announcement_fetch_task(1) is None


def test_it_stores_the_good_items_when_the_database_refuses_one(server, monkeypatch):
    items = [{"title": t, "url": server.url(f"/news/{t}")} for t in ("keep-1", "refuse-me", "keep-2")]
    newsroom = NewsroomFactory(kind=Newsroom.Kind.JSON, url=server.add("/list.json", json.dumps(items)))
    real = Announcement.objects.bulk_create

    def picky(rows, **kwargs):
        if any(row.title == "refuse-me" for row in rows):
            raise DataError("value refused")
        return real(rows, **kwargs)

    monkeypatch.setattr(Announcement.objects, "bulk_create", picky)
    run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    assert run.status == ScrapeRun.Status.OK and run.items_new == 2 and run.items_skipped == 1
    assert stored_titles(newsroom) == ["keep-1", "keep-2"]


def test_a_dry_run_reports_a_failure_without_writing(server):
    newsroom = NewsroomFactory(kind=Newsroom.Kind.JSON, url=server.add("/deep.json", "[" * 5000))
    run = services.newsroom_preview(newsroom=newsroom)
    assert run.pk is None and run.status == ScrapeRun.Status.FAILED and "nests deeper" in run.error
    newsroom.refresh_from_db()
    assert newsroom.consecutive_failures == 0 and not ScrapeRun.objects.exists()


# --- Article pages -------------------------------------------------------------------------


def test_it_gives_up_on_a_page_nested_too_deep_to_read(server):
    page = "<html><body>" + "<div>" * 5000 + "<p>text</p></body></html>"
    announcement = Announcement.objects.create(url=server.add("/news/deep", page))
    services.announcement_fetch(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert announcement.fetch_status == Announcement.FetchStatus.FAILED
    assert "nests elements deeper than 256 levels" in announcement.fetch_error
    assert announcement.next_fetch_at is None


def test_it_backs_off_a_page_that_fails_unexpectedly(server, monkeypatch):
    announcement = Announcement.objects.create(url=server.add("/news/x", article("T", "Words here.")))

    def broken(*args, **kwargs):
        raise AttributeError("soup went wrong")

    monkeypatch.setattr(services.articles, "extract_article", broken)
    services.announcement_fetch(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert "Unexpected AttributeError while fetching" in announcement.fetch_error
    assert announcement.fetch_attempts == 1 and announcement.next_fetch_at > timezone.now()
    assert announcement.fetch_status == Announcement.FetchStatus.PENDING


def test_it_gives_up_on_a_page_whose_attempts_keep_killing_the_worker(server, extraction_calls):
    # Five claims that never came back (each counted when it was claimed) and a sixth hand-out.
    url = server.add("/news/killer", article("T", "Words here."))
    announcement = Announcement.objects.create(url=url, fetch_attempts=services.ARTICLE_MAX_ATTEMPTS)
    services.announcement_fetch(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert announcement.fetch_status == Announcement.FetchStatus.FAILED and announcement.next_fetch_at is None
    assert "Gave up after 5 attempts" in announcement.fetch_error
    assert server.hits("/news/killer") == 0


def test_it_strips_control_characters_from_an_archived_page(server, extraction_calls):
    url = server.add("/news/ctl", article("Ti\x01tle", "Body \x02with\x03 controls."))
    announcement = Announcement.objects.create(url=url)
    services.announcement_fetch(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert announcement.fetch_status == Announcement.FetchStatus.FETCHED
    assert "\x02" not in announcement.text and "Body with controls." in announcement.text
    assert announcement.revisions.get().title == "Title"


# --- Runs left behind ------------------------------------------------------------------


def test_a_run_left_running_by_a_killed_worker_counts_as_a_failure(server):
    newsroom = NewsroomFactory(url=server.add("/feed.xml", "<rss/>"))
    orphan = ScrapeRun.objects.create(newsroom=newsroom, started_at=timezone.now() - timedelta(hours=1))
    lost = ScrapeRun.objects.create(
        newsroom=newsroom, status=ScrapeRun.Status.QUEUED, started_at=timezone.now() - timedelta(hours=1)
    )
    assert services.scrape_runs_close_orphans() == 2
    orphan.refresh_from_db()
    lost.refresh_from_db()
    newsroom.refresh_from_db()
    assert orphan.status == lost.status == ScrapeRun.Status.FAILED
    assert "Interrupted" in orphan.error and "Never started" in lost.error
    assert newsroom.consecutive_failures == 2
    assert services.scrape_runs_close_orphans() == 0


# --- The admin's requests, run by the worker ------------------------------------------------


def test_a_selector_test_stores_what_the_parser_returns_and_nothing_else(server):
    feed = atom(server, [("One", server.url("/news/1"), DATE), ("Two", server.url("/news/2"), DATE)])
    newsroom = NewsroomFactory(url=server.add("/feed.xml", feed))
    test = SelectorTest.objects.create(newsroom=newsroom)
    services.selector_test_run(selector_test_id=test.pk)
    test.refresh_from_db()
    assert test.status == SelectorTest.Status.OK and test.items_seen == 2 and test.http_status == 200
    assert [item["title"] for item in test.items] == ["One", "Two"]
    assert not Announcement.objects.exists() and not ScrapeRun.objects.exists()
    newsroom.refresh_from_db()
    assert newsroom.health == Newsroom.Health.UNKNOWN and newsroom.consecutive_failures == 0
    assert services.selector_test_run(selector_test_id=test.pk) is None  # a redelivered message does nothing


def test_a_selector_test_of_a_hostile_listing_fails_with_the_reason(server):
    newsroom = NewsroomFactory(kind=Newsroom.Kind.JSON, url=server.add("/deep.json", "[" * 100_000))
    test = SelectorTest.objects.create(newsroom=newsroom)
    tasks.selector_test_run_task(test.pk)
    test.refresh_from_db()
    assert test.status == SelectorTest.Status.FAILED and "nests deeper than 200 levels" in test.error
    assert test.finished_at is not None


def test_scrape_now_fills_in_the_queued_run_even_for_a_paused_newsroom(server):
    newsroom = NewsroomFactory(
        url=server.add("/feed.xml", atom(server, [("A", server.url("/a"), DATE)])), is_active=False
    )
    (run,) = services.newsroom_scrapes_request(newsrooms=[newsroom])
    assert run.status == ScrapeRun.Status.QUEUED
    tasks.newsroom_scrape_task(newsroom.pk, run.pk)
    run.refresh_from_db()
    assert run.status == ScrapeRun.Status.OK and run.items_new == 1
    assert ScrapeRun.objects.filter(newsroom=newsroom).count() == 1
    tasks.newsroom_scrape_task(newsroom.pk)  # the scheduler still leaves a paused newsroom alone
    assert ScrapeRun.objects.filter(newsroom=newsroom).count() == 1


def test_the_old_task_names_still_run_for_messages_queued_before_the_rename(server):
    from celery import current_app

    newsroom = NewsroomFactory(url=server.add("/feed.xml", atom(server, [("A", server.url("/a"), DATE)])))
    current_app.tasks["scrapers.tasks.scrape_newsroom"].delay(newsroom.pk)
    assert ScrapeRun.objects.get(newsroom=newsroom).status == ScrapeRun.Status.OK
    announcement = Announcement.objects.get(newsroom=newsroom)
    current_app.tasks["scrapers.tasks.fetch_announcement"].delay(announcement.pk)
    announcement.refresh_from_db()
    assert announcement.fetch_attempts == 1 or announcement.fetch_status != Announcement.FetchStatus.PENDING
    assert current_app.tasks["scrapers.tasks.dispatch_due_newsrooms"].delay().get() == 0
