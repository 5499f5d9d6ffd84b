"""Hostile newsrooms against a real Celery worker: it stays up, stays small, and records every failure.

A loopback server (``tests/faults/hostile.py``) answers like an attacker's newsroom: a
brotli body of a few KB that inflates to 4 GiB, ``Content-Encoding: gzip, gzip``, a gzip
bomb sent without saying so, JSON nested 100,000 deep, a page nested as deep, a
malformed redirect and headers trickled one byte a second. One worker (solo pool, so the
process that runs the tasks is the one whose memory is measured) takes each as a
scheduled scrape, as an article fetch and as the admin's "Test selectors now":

- every run, page and selector test ends failed with a readable error, and the newsroom's
  health changes (``SCRAPER_BROKEN_AFTER_FAILURES=1`` here) with one mail to staff;
- listings that mix good and bad items (a year-0 date, a NUL in a title, ``javascript:``
  links) keep their good items;
- the worker is still up at the end and its peak RSS stayed under 300 MiB.

Needs PostgreSQL (shared with the worker) and Redis; skips with the reason otherwise.
"""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from config.celery import app as celery_app
from tests.browser.support import SmtpSink
from tests.faults.hostile import HostileSite
from tests.faults.support import CeleryWorker, shared_broker, wait_until, worker_env

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

MAX_RSS_MIB = 300
DEADLINE = 7  # SCRAPER_CONNECT_TIMEOUT 1 + 3 x SCRAPER_READ_TIMEOUT 2, set for the worker below

# name: (path, newsroom kind, what the recorded error says)
FAILING = {
    "brotli-bomb": ("/brotli-bomb", "html", "byte limit once decoded"),
    "gzip-gzip": ("/gzip-gzip", "html", "stacked encodings"),
    "raw-gzip": ("/raw-gzip", "html", "byte limit once decoded"),
    "deep-json": ("/deep.json", "json", "nests deeper than 200 levels"),
    "deep-html": ("/deep.html", "html", "nests elements deeper than 256 levels"),
    "bad-location": ("/bad-location", "html", "malformed address"),
    "trickle": ("/trickle", "html", f"whole request must finish within {DEADLINE} s"),
}
# name: (path, kind, titles stored, entries skipped)
MIXED = {
    "year-zero": ("/year-zero.xml", "feed", ["Good item one", "Good item two"], 1),
    "nul-title": ("/nul.json", "json", ["Badtitle", "Good item one", "Good item two"], 0),
    "schemes": ("/schemes.xml", "feed", ["Good item one", "Good item two"], 2),
}


@pytest.fixture(scope="module")
def site():
    server = HostileSite(trickle_seconds=40)
    yield server
    server.close()


@pytest.fixture(scope="module")
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, sink):
    with django_db_blocker.unblock():
        broker = shared_broker(connection)
        env = worker_env(
            connection.settings_dict,
            broker,
            settings.SECRET_KEY,
            SCRAPER_ALLOW_LOOPBACK="true",
            SCRAPER_HOST_DELAY="0",
            SCRAPER_CONNECT_TIMEOUT="1",
            SCRAPER_READ_TIMEOUT="2",
            SCRAPER_BROKEN_AFTER_FAILURES="1",
            ADMINS="staff@example.org",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port),
        )
    started = CeleryWorker(env, pool="solo", name="hostile")
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def _alive_and_small(worker, sink):
    sink.messages.clear()
    yield
    assert worker.process.poll() is None, f"the worker died:\n{worker.output()[-3000:]}"
    peak = _peak_rss_mib(worker.process.pid)
    assert peak < MAX_RSS_MIB, f"the worker peaked at {peak} MiB"


@pytest.fixture
def via_broker():
    """Make this process enqueue (``delay`` on commit) on the real broker, not eagerly."""
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


def _peak_rss_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmHWM in /proc")


def _newsroom(name, url, kind, **extra):
    from scrapers.models import Newsroom

    # objects.create: the hostile URLs are loopback, which only the worker is allowed to reach.
    return Newsroom.objects.create(name=f"Hostile {name}", slug=name, url=url, kind=kind, **extra)


def _scrape_all(newsrooms):
    from scrapers.models import ScrapeRun

    for newsroom in newsrooms:
        celery_app.send_task("scrapers.tasks.newsroom_scrape_task", args=[newsroom.pk])
    done = ScrapeRun.objects.filter(newsroom__in=newsrooms, finished_at__isnull=False)
    wait_until(lambda: done.count() == len(newsrooms), timeout=180, message="every scrape to finish")
    return {run.newsroom.slug: run for run in done.select_related("newsroom")}


def test_a_worker_records_every_hostile_listing_as_a_failed_run_and_stays_up(site, worker, sink):
    from scrapers.models import Newsroom

    newsrooms = [_newsroom(name, site.url(path), kind) for name, (path, kind, _) in FAILING.items()]
    runs = _scrape_all(newsrooms)
    for name, (_path, _kind, message) in FAILING.items():
        run = runs[name]
        newsroom = Newsroom.objects.get(slug=name)
        assert run.status == "failed" and message in run.error, (name, run.error)
        assert newsroom.consecutive_failures == 1 and newsroom.health == Newsroom.Health.BROKEN, name
    wait_until(lambda: len(sink.messages) >= len(FAILING), timeout=30, message="one staff mail per newsroom")
    subjects = [m["Subject"] for m in sink.messages]
    for name in FAILING:
        assert sum(s.endswith(f"Newsroom Hostile {name} is broken") for s in subjects) == 1, subjects
    # The trickled request ended at its deadline, inside its host-slot lease: no slot is left held.
    import redis

    assert not list(redis.Redis.from_url(celery_app.conf.broker_url).scan_iter("pactwatch:host:*:busy"))


def test_a_worker_keeps_the_good_items_beside_the_bad_ones(site, worker, client):
    from partnerships.models import Deal
    from scrapers.models import Announcement
    from tests.factories import DealFactory

    newsrooms = [_newsroom(name, site.url(path), kind) for name, (path, kind, _, _) in MIXED.items()]
    formula = _newsroom("formula", site.url("/formula.xml"), "feed")
    runs = _scrape_all([*newsrooms, formula])
    for name, (_path, _kind, titles, skipped) in MIXED.items():
        run = runs[name]
        stored = sorted(Announcement.objects.filter(newsroom__slug=name).values_list("title", flat=True))
        assert run.status == "ok" and stored == titles, (name, run.error, stored)
        assert run.items_skipped == skipped, name
    assert not Announcement.objects.exclude(url__startswith="http").exists()
    # A scraped formula title is inert in the CSV export.
    scraped = Announcement.objects.get(newsroom=formula)
    deal = DealFactory(slug="formula", title=scraped.title, status=Deal.Status.PUBLISHED)
    deal.sources.add(scraped)
    body = b"".join(client.get("/exports/deals.csv").streaming_content).decode()
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["slug"] == "formula")
    assert row["title"] == "'" + scraped.title and scraped.title.startswith("=HYPERLINK")


def test_a_worker_gives_up_on_hostile_article_pages_with_the_reason(site, worker):
    from scrapers.models import Announcement

    cases = {
        "/brotli-bomb": "byte limit once decoded",
        "/deep.html": "nests elements deeper than 256 levels",
        "/bad-location": "malformed address",
    }
    announcements = [Announcement.objects.create(url=site.url(path)) for path in cases]
    for announcement in announcements:
        celery_app.send_task("scrapers.tasks.announcement_fetch_task", args=[announcement.pk])
    settled = Announcement.objects.filter(pk__in=[a.pk for a in announcements]).exclude(fetch_error="")
    wait_until(lambda: settled.count() == len(cases), timeout=120, message="every page fetch to be recorded")
    for announcement in announcements:
        announcement.refresh_from_db()
        path = announcement.url.split(str(site.port), 1)[1]
        assert cases[path] in announcement.fetch_error, announcement.fetch_error
        # Permanent: not re-leased every 15 minutes forever.
        assert (
            announcement.fetch_status == Announcement.FetchStatus.FAILED
            and announcement.next_fetch_at is None
        )


def test_test_selectors_now_runs_in_the_worker_and_reports_each_failure(site, worker, client, via_broker):
    from django.contrib.auth.models import User

    from scrapers.models import Announcement, ScrapeRun, SelectorTest

    chosen = ("brotli-bomb", "gzip-gzip", "deep-json", "trickle")
    newsrooms = [_newsroom(name, site.url(FAILING[name][0]), FAILING[name][1]) for name in chosen]
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    response = client.post(
        reverse("admin:scrapers_newsroom_changelist"),
        {"action": "test_selectors_now", "_selected_action": [n.pk for n in newsrooms]},
    )
    assert response.status_code == 302  # the web request only queued the tests
    finished = SelectorTest.objects.filter(finished_at__isnull=False)
    wait_until(lambda: finished.count() == len(chosen), timeout=120, message="every selector test to finish")
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'http-equiv="refresh"' not in page.content
    for test in page.context["tests"]:
        assert test.status == "failed" and FAILING[test.newsroom.slug][2] in test.error, test.error
        assert FAILING[test.newsroom.slug][2] in page.content.decode()
    assert not ScrapeRun.objects.exists() and not Announcement.objects.exists()  # tests write nothing else


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[64:ff9b::7f00:1]", "[fec0::1]"])
def test_disguised_private_addresses_are_refused_at_save_and_at_fetch_time(site, worker, host, settings):
    from scrapers.models import Newsroom

    url = f"http://{host}:{site.port}/feed.xml"
    settings.SCRAPER_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError):
        Newsroom(name="Disguised", slug="disguised", kind="feed", url=url).full_clean()
    # A row saved before the guard knew these forms is refused by the worker too.
    newsroom = _newsroom("disguised", url, "feed")
    run = _scrape_all([newsroom])["disguised"]
    assert run.status == "failed" and "is not a public address" in run.error
    assert site.hits.get("/feed.xml", 0) == 0
