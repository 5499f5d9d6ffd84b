"""Newsroom runs end to end against a real local server: ingest, archive, revisions, health."""

from datetime import timedelta

import brotli
import pytest
from django.core import mail
from django.utils import timezone

from scrapers import services
from scrapers.fetch import guard as fetch_guard
from scrapers.models import Announcement, AnnouncementRevision, Newsroom, ScrapeRun
from scrapers.tasks import announcement_fetch_task, newsroom_scrape_task, scrape_work_dispatch_task
from tests.factories import NewsroomFactory
from tests.scrapers.conftest import article, gzipped, rss

pytestmark = pytest.mark.django_db

RECENT = "Mon, 17 Nov 2025 09:00:00 +0000"


def recent_rss(server, n=3, prefix="post"):
    now = timezone.now()
    date = now.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return rss([(f"Post {i}", server.url(f"/news/{prefix}-{i}?utm_source=feed"), date) for i in range(n)])


def add_articles(server, n=3, prefix="post"):
    for i in range(n):
        server.add(
            f"/news/{prefix}-{i}", article(f"Post {i}", f"Acme and Beta announce partnership number {i}.")
        )


def test_it_ingests_a_feed_and_archives_every_article(
    server, extraction_calls, django_capture_on_commit_callbacks
):
    newsroom = NewsroomFactory(url=server.add("/feed.xml", recent_rss(server), etag='"f1"'))
    add_articles(server)

    with django_capture_on_commit_callbacks(execute=True):
        run = services.newsroom_scrape(newsroom=newsroom)

    assert (run.status, run.items_seen, run.items_new, run.http_status) == (ScrapeRun.Status.OK, 3, 3, 200)
    assert run.bytes_received > 0 and run.finished_at
    newsroom.refresh_from_db()
    assert newsroom.health == Newsroom.Health.OK
    assert newsroom.etag == '"f1"' and newsroom.typical_item_count == 3
    assert newsroom.next_fetch_at > timezone.now() + timedelta(minutes=50)
    first = Announcement.objects.get(url_key=server.url("/news/post-0"))  # the key drops the tracking
    assert first.url == server.url("/news/post-0?utm_source=feed")  # the link is kept as the feed gave it
    assert first.fetch_status == Announcement.FetchStatus.FETCHED
    assert first.text == "Post 0\n\nAcme and Beta announce partnership number 0."
    assert b"partnership number 0" in first.get_raw_html()
    assert len(first.content_hash) == 64
    assert first.revisions.count() == 1
    assert sorted(extraction_calls) == sorted(Announcement.objects.values_list("pk", flat=True))


def test_it_creates_nothing_new_when_the_same_scrape_runs_twice(
    server, extraction_calls, django_capture_on_commit_callbacks
):
    newsroom = NewsroomFactory(url=server.add("/feed.xml", recent_rss(server)))  # no ETag: full refetch
    add_articles(server)
    with django_capture_on_commit_callbacks(execute=True):
        services.newsroom_scrape(newsroom=newsroom)
    counts = (Announcement.objects.count(), AnnouncementRevision.objects.count(), len(extraction_calls))
    stamps = list(Announcement.objects.order_by("pk").values_list("updated_at", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        again = services.newsroom_scrape(newsroom=newsroom)
        for pk in Announcement.objects.values_list("pk", flat=True):
            announcement_fetch_task.delay(pk)

    assert (again.items_new, again.items_updated) == (0, 0)
    assert (
        Announcement.objects.count(),
        AnnouncementRevision.objects.count(),
        len(extraction_calls),
    ) == counts
    assert list(Announcement.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert ScrapeRun.objects.filter(newsroom=newsroom).count() == 2


def test_it_answers_an_unchanged_feed_with_304_and_writes_only_the_run(server, extraction_calls):
    newsroom = NewsroomFactory(url=server.add("/feed.xml", recent_rss(server), etag='"same"'))
    services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    newsroom.refresh_from_db()
    before = list(Announcement.objects.values_list("pk", "updated_at"))
    row = Newsroom.objects.filter(pk=newsroom.pk).values().get()

    run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)

    assert run.status == ScrapeRun.Status.NOT_MODIFIED and run.items_seen == 0
    assert list(Announcement.objects.values_list("pk", "updated_at")) == before
    assert Newsroom.objects.filter(pk=newsroom.pk).values().get() == row  # only the run was written
    assert server.requests[-1][1]["If-None-Match"] == '"same"'


def test_it_keeps_a_revision_with_a_diff_when_a_vendor_edits_a_post(
    server, extraction_calls, django_capture_on_commit_callbacks
):
    url = server.add("/news/edited", article("Deal", "Acme invests $1 billion in Beta."))
    announcement = Announcement.objects.create(url=url, title="Deal")
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_fetch(announcement_id=announcement.pk)
    server.add("/news/edited", article("Deal", "Acme invests $2 billion in Beta."))
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_fetch(announcement_id=announcement.pk)
        services.announcement_fetch(announcement_id=announcement.pk)  # unchanged re-fetch

    revisions = list(announcement.revisions.order_by("fetched_at", "id"))
    assert len(revisions) == 2
    assert revisions[0].diff == ""
    assert "-Acme invests $1 billion in Beta." in revisions[1].diff
    assert "+Acme invests $2 billion in Beta." in revisions[1].diff
    announcement.refresh_from_db()
    assert "$2 billion" in announcement.text
    assert extraction_calls == [announcement.pk, announcement.pk]


def test_it_does_not_store_a_garbage_page_as_an_announcement_text(server, extraction_calls):
    url = server.add(
        "/news/binary", brotli.compress(b"<html><body>" + b"Partnership text. " * 300 + b"</body></html>")
    )
    announcement = Announcement.objects.create(url=url, title="Binary")
    services.announcement_fetch(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert announcement.text == "" and announcement.raw_html is None
    assert "does not decode to text" in announcement.fetch_error
    assert announcement.fetch_status == Announcement.FetchStatus.PENDING
    assert announcement.next_fetch_at > timezone.now()  # retried later, with backoff
    assert extraction_calls == []


def test_it_refetches_an_article_conditionally(server, extraction_calls):
    url = server.add("/news/tagged", article("Tagged", "Acme partners with Beta."), etag='"a1"')
    announcement = Announcement.objects.create(url=url, title="Tagged")
    services.announcement_fetch(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert announcement.etag == '"a1"'
    stamp = announcement.updated_at

    services.announcement_fetch(announcement_id=announcement.pk)

    assert server.requests[-1][1]["If-None-Match"] == '"a1"'
    announcement.refresh_from_db()
    assert announcement.updated_at == stamp and announcement.revisions.count() == 1


def test_it_gives_up_on_a_missing_article_without_retrying(server, extraction_calls):
    announcement = Announcement.objects.create(url=server.url("/news/gone"), title="Gone")
    services.announcement_fetch(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert announcement.fetch_status == Announcement.FetchStatus.FAILED
    assert announcement.http_status == 404 and announcement.next_fetch_at is None


# --- Fault matrix ------------------------------------------------------------------------


def _setup(case, server, fake):
    feed = recent_rss(server)
    if case == "timeout":
        return server.add("/feed.xml", feed, delay=1.5)
    if case == "server_error":
        return server.add("/feed.xml", "oops", status=500)
    if case == "rate_limited":
        return server.add("/feed.xml", "slow down", status=429, headers={"Retry-After": "900"})
    if case == "redirect_loop":
        server.add("/loop2", status=302, headers={"Location": "/feed.xml"})
        return server.add("/feed.xml", status=302, headers={"Location": "/loop2"})
    if case == "huge_body":
        return server.add("/feed.xml", stream_bytes=50 * 1024 * 1024)
    if case == "gzip":
        return server.add("/feed.xml", gzipped(feed.encode()), headers={"Content-Encoding": "gzip"})
    if case == "brotli":
        return server.add("/feed.xml", brotli.compress(feed.encode()), headers={"Content-Encoding": "br"})
    if case == "wrong_charset":
        body = rss([("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale deal", server.url("/news/sg"), RECENT)])
        body = body.replace('encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252")
        return server.add("/feed.xml", body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})
    if case == "malformed_xml":
        return server.add(
            "/feed.xml",
            "<?xml version='1.0'?><rss><channel><item><title>Cut off",
            headers={"Content-Type": "application/rss+xml"},
        )
    if case == "malformed_html":
        # Unclosed tags, a stray </div>, an <a> inside an <a>: lxml recovers what a browser would.
        today = timezone.now()
        page = (
            f"<html><body><div><ul><li><a href='/news/recovered'><h3>Recovered deal<time>{today:%b %d, %Y}</time>"
            f"</div><li><a href='/news/second'><a><h3>Second deal</h3></a><time datetime='{today:%Y-%m-%d}'>x</time>"
        )
        return server.add("/news", page)
    if case == "robots_disallow":
        server.add("/robots.txt", "User-agent: *\nDisallow: /feed.xml\n")
        return server.add("/feed.xml", feed)
    if case == "private_address":
        fake["intranet.test"] = ["10.20.30.40"]
        return "http://intranet.test/feed.xml"
    if case == "unresolvable":
        return "http://no-such-name.test/feed.xml"
    if case == "blocked":
        return server.add(
            "/feed.xml", "<title>Just a moment...</title>", status=503, headers={"cf-mitigated": "challenge"}
        )
    raise AssertionError(case)


# case: (run status, health after one run, items new, permanent-looking next fetch)
MATRIX = {
    "timeout": (ScrapeRun.Status.FAILED, Newsroom.Health.UNKNOWN, 0),
    "server_error": (ScrapeRun.Status.FAILED, Newsroom.Health.UNKNOWN, 0),
    "rate_limited": (ScrapeRun.Status.FAILED, Newsroom.Health.UNKNOWN, 0),
    "redirect_loop": (ScrapeRun.Status.FAILED, Newsroom.Health.BROKEN, 0),
    "huge_body": (ScrapeRun.Status.FAILED, Newsroom.Health.BROKEN, 0),
    "gzip": (ScrapeRun.Status.OK, Newsroom.Health.OK, 3),
    "brotli": (ScrapeRun.Status.OK, Newsroom.Health.OK, 3),
    "wrong_charset": (ScrapeRun.Status.OK, Newsroom.Health.STALE, 1),
    "malformed_xml": (ScrapeRun.Status.FAILED, Newsroom.Health.UNKNOWN, 0),
    "malformed_html": (ScrapeRun.Status.OK, Newsroom.Health.OK, 2),
    "robots_disallow": (ScrapeRun.Status.FAILED, Newsroom.Health.BROKEN, 0),
    "private_address": (ScrapeRun.Status.FAILED, Newsroom.Health.BROKEN, 0),
    "unresolvable": (ScrapeRun.Status.FAILED, Newsroom.Health.UNKNOWN, 0),
    "blocked": (ScrapeRun.Status.BLOCKED, Newsroom.Health.BLOCKED, 0),
}


@pytest.fixture
def fake_dns(monkeypatch):
    table: dict[str, list[str]] = {}

    def resolve(host, port):
        if host in table:
            return table[host]
        raise OSError("Name or service not known")

    monkeypatch.setattr(fetch_guard, "resolve_host", resolve)
    return table


@pytest.mark.parametrize("case", sorted(MATRIX))
def test_it_survives_each_fault_and_records_it(
    case, server, fake_dns, extraction_calls, django_capture_on_commit_callbacks
):
    good = NewsroomFactory(name="Good", url=server.add("/good.xml", recent_rss(server, 2, "good")))
    kind = Newsroom.Kind.HTML if case == "malformed_html" else Newsroom.Kind.FEED
    faulty = NewsroomFactory(name="Faulty", kind=kind, url=_setup(case, server, fake_dns))
    status, health, new = MATRIX[case]

    with django_capture_on_commit_callbacks(execute=True):
        bad_run = services.newsroom_scrape(newsroom=faulty, fetch_articles=False)
        good_run = services.newsroom_scrape(newsroom=good, fetch_articles=False)

    bad_run.refresh_from_db()
    faulty.refresh_from_db()
    good.refresh_from_db()
    assert (bad_run.status, faulty.health, bad_run.items_new) == (status, health, new), bad_run.error
    assert bad_run.finished_at is not None
    if status != ScrapeRun.Status.OK:
        assert bad_run.error and faulty.consecutive_failures == 1
        assert faulty.next_fetch_at > timezone.now()
    assert Announcement.objects.filter(newsroom=faulty).count() == new
    # The other newsroom is untouched by its neighbour's failure.
    assert (good_run.status, good.health, good_run.items_new) == (ScrapeRun.Status.OK, Newsroom.Health.OK, 2)
    if health in (Newsroom.Health.BROKEN, Newsroom.Health.BLOCKED):
        assert len(mail.outbox) == 1 and faulty.name in mail.outbox[0].subject
    else:
        assert mail.outbox == []


def test_it_honours_retry_after_when_scheduling_the_next_fetch(server, fake_dns):
    newsroom = NewsroomFactory(url=_setup("rate_limited", server, fake_dns))
    services.newsroom_scrape(newsroom=newsroom)
    newsroom.refresh_from_db()
    wait = (newsroom.next_fetch_at - timezone.now()).total_seconds()
    assert 880 < wait <= 900


def test_it_backs_off_exponentially_with_jitter(server, django_capture_on_commit_callbacks):
    newsroom = NewsroomFactory(
        url=server.add("/feed.xml", "oops", status=500), fetch_interval=timedelta(hours=6)
    )
    waits = []
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            services.newsroom_scrape(newsroom=newsroom)
        newsroom.refresh_from_db()
        waits.append((newsroom.next_fetch_at - timezone.now()).total_seconds())
    for n, wait in enumerate(waits):
        base = services.BACKOFF_BASE * 2**n
        assert base * 0.7 < wait < base * 1.3
    assert newsroom.health == Newsroom.Health.BROKEN  # three failures in a row, then more
    assert len(mail.outbox) == 1  # once, on the change, not on every failing run


def test_it_marks_a_feed_broken_after_malformed_xml_three_times_then_recovers(server, extraction_calls):
    url = server.add(
        "/feed.xml", "<rss><channel><item><title>cut", headers={"Content-Type": "application/rss+xml"}
    )
    newsroom = NewsroomFactory(url=url)
    for _ in range(3):
        run = services.newsroom_scrape(newsroom=newsroom)
        assert run.status == ScrapeRun.Status.FAILED and "Could not parse" in run.error
    newsroom.refresh_from_db()
    assert newsroom.health == Newsroom.Health.BROKEN
    server.add("/feed.xml", recent_rss(server))
    services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    newsroom.refresh_from_db()
    assert (newsroom.health, newsroom.consecutive_failures) == (Newsroom.Health.OK, 0)


def test_it_marks_the_anthropic_feed_broken_when_it_collapses_to_one_item(
    server, realdata, extraction_calls, django_capture_on_commit_callbacks
):
    full = (realdata / "feeds" / "Olshansk_rss-feeds__feed_anthropic_news.xml").read_bytes()
    broken = (
        realdata / "feeds" / "Olshansk_rss-feeds__feed_anthropic_news__2025-11-28_BROKEN_1item.xml"
    ).read_bytes()
    newsroom = NewsroomFactory(
        url=server.add("/feed.xml", full, headers={"Content-Type": "application/rss+xml"}),
        expected_cadence=timedelta(days=3650),  # judge the collapse, not the capture's age
    )
    first = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    newsroom.refresh_from_db()
    assert (first.items_new, newsroom.typical_item_count, newsroom.health) == (255, 255, Newsroom.Health.OK)

    server.add("/feed.xml", broken, headers={"Content-Type": "application/rss+xml"})
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    newsroom.refresh_from_db()
    assert run.status == ScrapeRun.Status.OK and run.items_seen == 1
    assert newsroom.health == Newsroom.Health.BROKEN
    assert "usually lists about 255" in newsroom.health_detail
    assert newsroom.typical_item_count == 255  # a collapse does not become the new normal
    assert Announcement.objects.filter(newsroom=newsroom).count() >= 255  # nothing lost
    assert len(mail.outbox) == 1 and "broken" in mail.outbox[0].subject


def test_it_marks_a_newsroom_stale_when_nothing_new_appears_for_its_cadence(server):
    old = rss([("Old post", server.url("/news/old"), "Mon, 04 Jan 2021 09:00:00 +0000")])
    newsroom = NewsroomFactory(url=server.add("/feed.xml", old), expected_cadence=timedelta(days=30))
    services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)
    newsroom.refresh_from_db()
    assert newsroom.health == Newsroom.Health.STALE
    assert mail.outbox == []


def test_it_previews_without_writing_in_a_dry_run(server):
    newsroom = NewsroomFactory(url=server.add("/feed.xml", recent_rss(server)))
    run = services.newsroom_preview(newsroom=newsroom)
    assert (run.pk, run.items_seen, run.items_new) == (None, 3, 3)
    assert Announcement.objects.count() == 0 and ScrapeRun.objects.count() == 0


# --- Re-running after a crash and dispatching -----------------------------------------------


def test_it_recovers_from_a_killed_scrape_without_duplicates(server, extraction_calls):
    newsroom = NewsroomFactory(url=server.add("/feed.xml", recent_rss(server)))
    # What a worker killed mid-run leaves behind: a running run and part of the items.
    orphan = ScrapeRun.objects.create(newsroom=newsroom, started_at=timezone.now() - timedelta(hours=1))
    Announcement.objects.create(url=server.url("/news/post-1"), newsroom=newsroom, title="Post 1")

    newsroom_scrape_task.delay(newsroom.pk)  # the redelivered message
    newsroom_scrape_task.delay(newsroom.pk)  # and a duplicate delivery

    assert Announcement.objects.filter(newsroom=newsroom).count() == 3
    services.scrape_runs_close_orphans()  # beat does this every minute
    orphan.refresh_from_db()
    assert orphan.status == ScrapeRun.Status.FAILED and "Interrupted" in orphan.error
    assert ScrapeRun.objects.filter(newsroom=newsroom, status=ScrapeRun.Status.OK).count() == 2


def test_it_dispatches_each_due_newsroom_once(server, monkeypatch):
    due = NewsroomFactory(
        url=server.add("/a.xml", recent_rss(server)), next_fetch_at=timezone.now() - timedelta(minutes=1)
    )
    NewsroomFactory(
        url=server.add("/b.xml", recent_rss(server)), next_fetch_at=timezone.now() + timedelta(hours=1)
    )
    NewsroomFactory(
        url=server.add("/c.xml", recent_rss(server)), is_active=False, next_fetch_at=timezone.now()
    )
    lost = Announcement.objects.create(
        url=server.url("/news/lost"), next_fetch_at=timezone.now() - timedelta(minutes=1)
    )
    sent = []
    monkeypatch.setattr(newsroom_scrape_task, "delay", lambda pk: sent.append(("scrape", pk)))
    monkeypatch.setattr(announcement_fetch_task, "delay", lambda pk: sent.append(("fetch", pk)))

    scrape_work_dispatch_task()
    scrape_work_dispatch_task()  # an overlapping beat finds nothing left to claim

    assert sent == [("scrape", due.pk), ("fetch", lost.pk)]
    was_due = due.next_fetch_at
    due.refresh_from_db()
    assert due.next_fetch_at == was_due + due.fetch_interval  # one interval after it was due


def test_it_records_a_run_cut_short_by_the_soft_time_limit(server, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    newsroom = NewsroomFactory(url=server.add("/feed.xml", recent_rss(server)))

    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services.runs, "fetch", slow)
    monkeypatch.setattr(services.articles, "fetch", slow)
    run = services.newsroom_scrape(newsroom=newsroom)
    assert run.status == ScrapeRun.Status.FAILED and "time limit" in run.error
    announcement = Announcement.objects.create(url=server.url("/news/x"))
    services.announcement_fetch(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert "time limit" in announcement.fetch_error and announcement.next_fetch_at > timezone.now()


def test_it_spreads_out_the_pages_of_a_large_first_scrape(
    server, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SCRAPER_HOST_DELAY = 2.0
    newsroom = NewsroomFactory(url=server.add("/feed.xml", recent_rss(server, 8)))
    queued = []
    monkeypatch.setattr(announcement_fetch_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        services.newsroom_scrape(newsroom=newsroom)

    assert len(queued) == services.ARTICLE_BURST
    later = Announcement.objects.exclude(pk__in=queued).order_by("next_fetch_at")
    waits = [(a.next_fetch_at - timezone.now()).total_seconds() for a in later]
    assert len(waits) == 3
    assert 0 < waits[0] < waits[1] < waits[2] <= 12  # four seconds apart, picked up by the dispatcher
