"""kill -9 of whole Celery workers, then restart: nothing lost, nothing duplicated.

What the area tests already prove, and what this file adds:

- ``tests/scrapers/test_worker.py`` kills a prefork *pool child* mid-scrape; the parent
  survives and requeues the message (acks_late + reject_on_worker_lost). Here the *whole
  worker* (main process and children, one ``killpg(SIGKILL)``) dies, twice: during the
  feed request and during article fetches. Nobody requeues anything; recovery comes from
  the claim leases in the database expiring and beat's dispatcher handing the work out
  again, plus a late redelivery of the original message (what kombu does after the
  visibility timeout), which must change nothing.
- ``tests/alerts/test_worker.py`` kills the only worker mid-fan-out. Here two workers share
  one fan-out (the "scaling out" deployment) and one of them is killed mid-send; and a
  fan-out whose broker message was lost entirely (Redis restarted without persistence) is
  recovered by the reaper. Every subscriber still gets exactly one alert.

Each waits for real workers on the shared Redis broker and PostgreSQL; on SQLite or without
Redis they skip with that reason.
"""

import time
from collections import defaultdict
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from tests.browser.support import SmtpSink
from tests.faults.support import CeleryWorker, Newsroom, shared_broker, wait_until, worker_env

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


@pytest.fixture
def broker():
    return shared_broker(connection)


@pytest.fixture
def workers():
    started: list[CeleryWorker] = []
    yield started
    for worker in started:
        worker.stop()


@pytest.fixture
def via_broker():
    """Make this process enqueue (``delay`` on commit) on the real broker, not eagerly."""
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


def _host_slots_free(broker_url: str) -> bool:
    import redis

    return not list(redis.Redis.from_url(broker_url).scan_iter("pactwatch:host:*:busy"))


# --- scraping -------------------------------------------------------------------------------


def test_a_killed_worker_loses_no_announcement_and_duplicates_none(broker, workers):
    from scrapers.models import Announcement, AnnouncementRevision, ScrapeRun
    from tests.factories import NewsroomFactory

    site = Newsroom(items=4, delay=1.5)
    env = worker_env(
        connection.settings_dict,
        broker,
        settings.SECRET_KEY,
        SCRAPER_ALLOW_LOOPBACK="true",
        SCRAPER_HOST_DELAY="0",
        SCRAPER_CONNECT_TIMEOUT="1",
        SCRAPER_READ_TIMEOUT="3",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    try:
        newsroom = NewsroomFactory(url=site.url("/feed.xml"), next_fetch_at=timezone.now())
        announcements = Announcement.objects.filter(newsroom=newsroom)
        fetched = announcements.filter(fetch_status=Announcement.FetchStatus.FETCHED)

        # 1. kill -9 while the feed request is in flight.
        workers.append(CeleryWorker(env, pool="prefork", concurrency=2, name="scrape-a"))
        celery_app.send_task("scrapers.tasks.scrape_work_dispatch_task")
        wait_until(lambda: site.hits.get("/feed.xml"), timeout=30, message="the feed request")
        workers[-1].kill9()
        assert announcements.count() == 0

        # 2. Restart. The claim lease (15 minutes) runs out: beat's dispatcher hands the
        #    newsroom out again. The dead worker's host slot expires on its own first.
        wait_until(
            lambda: _host_slots_free(broker), timeout=30, message="the dead worker's host slot to expire"
        )
        workers.append(CeleryWorker(env, pool="prefork", concurrency=2, name="scrape-b"))
        newsroom.__class__.objects.filter(pk=newsroom.pk).update(next_fetch_at=timezone.now())
        celery_app.send_task("scrapers.tasks.scrape_work_dispatch_task")
        wait_until(lambda: fetched.count() >= 1, timeout=60, message="the first article")

        # 3. kill -9 again while articles are being fetched.
        workers[-1].kill9()
        assert announcements.count() == 4, "the listing was stored before the articles"
        assert fetched.count() < 4, "the worker should die with articles still to fetch"

        # 4. Restart; leases run out; the dispatcher picks up the unfetched articles.
        wait_until(lambda: _host_slots_free(broker), timeout=30, message="the host slot to expire")
        workers.append(CeleryWorker(env, pool="prefork", concurrency=2, name="scrape-c"))
        announcements.exclude(fetch_status=Announcement.FetchStatus.FETCHED).update(
            next_fetch_at=timezone.now()
        )
        celery_app.send_task("scrapers.tasks.scrape_work_dispatch_task")
        wait_until(lambda: fetched.count() == 4, timeout=90, message="every article fetched")

        # 5. The killed attempts' messages are redelivered late (the visibility timeout).
        runs_before = ScrapeRun.objects.filter(newsroom=newsroom).count()
        celery_app.send_task("scrapers.tasks.newsroom_scrape_task", args=[newsroom.pk])
        wait_until(
            lambda: (
                ScrapeRun.objects.filter(newsroom=newsroom).count() > runs_before
                and not ScrapeRun.objects.filter(
                    newsroom=newsroom,
                    finished_at__isnull=True,
                    started_at__gt=timezone.now() - timedelta(seconds=20),
                ).exists()
            ),
            timeout=60,
            message="the redelivered scrape",
        )

        assert announcements.count() == 4
        assert len(set(announcements.values_list("url", flat=True))) == 4
        # One revision per announcement: the version first seen, never a copy of it.
        revisions = AnnouncementRevision.objects.filter(announcement__newsroom=newsroom)
        assert sorted(revisions.values_list("announcement_id", flat=True)) == sorted(
            announcements.values_list("pk", flat=True)
        )
        assert all("agreement" in text for text in fetched.values_list("text", flat=True))
    finally:
        site.close()


# --- alerts ------------------------------------------------------------------------------------


class SlowSink(SmtpSink):
    delay = 0.0

    def start(self):
        from aiosmtpd.controller import Controller

        from bench.baselines import free_port

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
                import asyncio
                from email import message_from_bytes, policy

                if sink.delay:
                    await asyncio.sleep(sink.delay)
                message = message_from_bytes(envelope.content, policy=policy.default)
                with sink._lock:
                    for rcpt in envelope.rcpt_tos:
                        sink.received[rcpt].append(message["Message-ID"])
                    sink.messages.append(message)
                return "250 OK"

        self.received = defaultdict(list)
        self.port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self


@pytest.fixture
def sink():
    server = SlowSink().start()
    yield server
    server.stop()


def _alert_env(broker, sink, **extra):
    return worker_env(
        connection.settings_dict,
        broker,
        settings.SECRET_KEY,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        SITE_URL=settings.SITE_URL,
        **extra,
    )


def _publish(title: str):
    from partnerships.models import Company, Deal
    from partnerships.services.alerts.events import deal_publication_record
    from tests.factories import DealFactory, DealPartyFactory

    openai, _ = Company.objects.get_or_create(slug="openai", defaults={"name": "OpenAI"})
    deal = DealFactory(title=title, status=Deal.Status.CANDIDATE)
    DealPartyFactory(deal=deal, company=openai)
    deal.status = Deal.Status.PUBLISHED
    deal.save()
    deal_publication_record(deal_id=deal.pk)  # what deal_publish records, without its checks
    return deal


def _assert_exactly_once(sink, subscribers):
    received = dict(sink.received)
    assert set(received) == {s.email for s in subscribers}
    assert all(len(set(ids)) == 1 for ids in received.values()), "a subscriber got two different alerts"
    resent = sum(len(ids) - 1 for ids in received.values())
    # The documented window: SMTP accepted the message, the worker died before recording it.
    # The resend carries the same Message-ID, so mail stores merge it.
    assert resent <= 1, f"{resent} messages sent twice"


def test_two_workers_share_a_fan_out_and_one_killed_loses_nothing(broker, workers, sink, via_broker):
    from partnerships.models import AlertDelivery
    from tests.factories import SubscriptionFactory

    total = 120
    subscribers = SubscriptionFactory.create_batch(total)
    sink.delay = 0.03
    env = _alert_env(broker, sink, ALERTS_BATCH_SIZE="10", ALERTS_SENDERS="4")
    workers.append(CeleryWorker(env, name="alerts-a"))
    workers.append(CeleryWorker(env, name="alerts-b"))

    _publish("Deal fanned out by two workers, one of which dies")
    wait_until(lambda: len(sink.messages) >= 30, timeout=60, message="the fan-out to be under way")
    workers[0].kill9()
    assert len(sink.messages) < total, "the fan-out finished before a worker could be killed"

    # The survivor keeps sending; the reaper (every 5 minutes from beat) releases the dead
    # worker's claimed batch once its claim timed out.
    time.sleep(1.1)
    celery_app.send_task("partnerships.tasks.reap_stuck_deliveries", kwargs={"claim_timeout": 1})
    wait_until(
        lambda: len(sink.received) >= total,
        timeout=90,
        message=f"all {total} subscribers (have {len(sink.received)})",
    )
    time.sleep(1.0)  # let any duplicate arrive before counting
    _assert_exactly_once(sink, subscribers)
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert "deliver_deal_event" in workers[1].output()


def test_a_fan_out_lost_with_the_broker_message_is_recovered_by_the_reaper(broker, workers, sink, via_broker):
    import redis

    from partnerships.models import AlertDelivery, AlertEvent
    from tests.factories import SubscriptionFactory

    subscribers = SubscriptionFactory.create_batch(25)
    deal = _publish("Deal whose fan-out message the broker lost")
    # No worker was running, and Redis restarted without persistence: the queue is gone.
    redis.Redis.from_url(broker).delete("celery")
    assert AlertDelivery.objects.count() == 0
    assert AlertEvent.objects.filter(deal=deal, fanned_out_at__isnull=True).exists()

    workers.append(CeleryWorker(_alert_env(broker, sink), name="alerts-c"))
    time.sleep(1.1)
    celery_app.send_task("partnerships.tasks.reap_stuck_deliveries", kwargs={"claim_timeout": 1})
    wait_until(lambda: len(sink.received) >= 25, timeout=60, message="the recovered fan-out")
    # A second reaper pass and a duplicate fan-out message change nothing.
    celery_app.send_task("partnerships.tasks.reap_stuck_deliveries", kwargs={"claim_timeout": 1})
    celery_app.send_task(
        "partnerships.tasks.fan_out_deal_event", kwargs={"deal_id": deal.pk, "event": "published"}
    )
    time.sleep(2.0)
    _assert_exactly_once(sink, subscribers)
    assert all(len(ids) == 1 for ids in sink.received.values())
    assert AlertDelivery.objects.filter(deal=deal).count() == 25
