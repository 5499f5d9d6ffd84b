"""A real Celery worker on Redis and PostgreSQL: dispatch → scrape → archive, and a killed task.

The worker is a separate process, so it must share a database with the test: PostgreSQL
(``DATABASE_URL=postgres://...``). On SQLite a worker cannot see the in-memory test
database, so these tests skip with that reason.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from scrapers.models import Announcement, ScrapeRun
from tests.factories import NewsroomFactory
from tests.scrapers.conftest import article, rss

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _database_url(db: dict) -> str:
    """The test database as a URL for the worker, password included when there is one (CI)."""
    from urllib.parse import quote

    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker():
    if connection.vendor != "postgresql":
        pytest.skip(
            "a real worker needs a database it can share with the test: set DATABASE_URL=postgres://..."
        )
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if not url or not url.startswith("redis"):
        pytest.skip("a real worker needs a Redis broker: set REDIS_URL=redis://127.0.0.1:6379/<db>")
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    client.delete(
        *(queue.name for queue in settings.CELERY_TASK_QUEUES), "unacked", "unacked_index", "unacked_mutex"
    )
    return url


@pytest.fixture
def worker(broker, server):
    log = tempfile.NamedTemporaryFile(prefix="scrape-worker-", suffix=".log", delete=False)  # noqa: SIM115
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": _database_url(db),
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SCRAPER_ALLOW_LOOPBACK": "true",
        "SCRAPER_HOST_DELAY": "0",
        # A killed child leaves its host slot leased for connect + 3 x read seconds: keep that short.
        "SCRAPER_CONNECT_TIMEOUT": "1",
        "SCRAPER_READ_TIMEOUT": "3",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CONN_MAX_AGE": "0",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"scrape-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def output():
        return Path(log.name).read_text(errors="replace")

    deadline = time.monotonic() + 60
    while "ready." not in output():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"worker did not start:\n{output()[-3000:]}")
        time.sleep(0.1)
    process.output = output
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition, what, process, timeout=45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    runs = list(ScrapeRun.objects.values_list("newsroom_id", "status", "error"))
    raise AssertionError(f"timed out waiting for {what}; runs: {runs}\n{process.output()[-2500:]}")


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(x) for x in text]


def test_it_dispatches_scrapes_and_archives_through_a_real_worker(server, worker):
    date = timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
    feed = rss([(f"Deal {i}", server.url(f"/news/deal-{i}"), date) for i in range(3)])
    for i in range(3):
        server.add(f"/news/deal-{i}", article(f"Deal {i}", f"Acme and Beta sign agreement {i}."))
    newsroom = NewsroomFactory(url=server.add("/feed.xml", feed, etag='"w1"'), next_fetch_at=timezone.now())

    celery_app.send_task("scrapers.tasks.scrape_work_dispatch_task")

    fetched = Announcement.objects.filter(newsroom=newsroom, fetch_status=Announcement.FetchStatus.FETCHED)
    wait_for(lambda: fetched.count() == 3, "three archived announcements", worker)
    run = ScrapeRun.objects.get(newsroom=newsroom)
    assert (run.status, run.items_new) == (ScrapeRun.Status.OK, 3)
    assert all("agreement" in a.text for a in fetched)

    # A second delivery of the same work creates nothing new (the feed now answers 304).
    celery_app.send_task("scrapers.tasks.newsroom_scrape_task", args=[newsroom.pk])
    wait_for(
        lambda: ScrapeRun.objects.filter(newsroom=newsroom, status="not_modified").exists(),
        "a 304 run",
        worker,
    )
    assert Announcement.objects.filter(newsroom=newsroom).count() == 3


def test_it_reruns_a_task_whose_worker_was_killed_without_duplicates(server, worker):
    date = timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
    feed = rss([(f"Slow {i}", server.url(f"/news/slow-{i}"), date) for i in range(4)])
    newsroom = NewsroomFactory(url=server.add("/feed.xml", feed, delay=1.0))

    celery_app.send_task("scrapers.tasks.newsroom_scrape_task", args=[newsroom.pk])
    wait_for(lambda: server.hits("/feed.xml") >= 1, "the worker to start fetching", worker)
    [child] = children(worker.pid)
    os.kill(
        child, signal.SIGKILL
    )  # the pool child dies mid-request; acks_late + reject_on_worker_lost requeue it

    wait_for(
        lambda: ScrapeRun.objects.filter(newsroom=newsroom, status=ScrapeRun.Status.OK).exists(),
        "the redelivered task to finish",
        worker,
    )
    assert server.hits("/feed.xml") >= 2
    assert Announcement.objects.filter(newsroom=newsroom).count() == 4
    assert sorted(ScrapeRun.objects.filter(newsroom=newsroom).values_list("status", flat=True)) == [
        ScrapeRun.Status.OK,
        ScrapeRun.Status.RUNNING,  # the killed attempt; the next run after the orphan window closes it
    ]
