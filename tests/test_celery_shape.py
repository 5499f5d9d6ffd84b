"""The worker shape: which queue each task goes to, beat's own app, and connections kept across tasks."""

from pathlib import Path

import pytest
import yaml
from celery import signals

from config import celery as celery_config
from config.beat import Scheduler
from config.beat import app as beat_app
from config.celery import app

ROOT = Path(__file__).resolve().parents[1]
QUEUES = ["feeds", "pages", "extract", "celery"]


def _queue(task_name: str, celery_app=app) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("scrapers.tasks.scrape_work_dispatch_task", "feeds"),
        ("scrapers.tasks.newsroom_scrape_task", "feeds"),
        ("scrapers.tasks.scrape_runs_close_orphans_task", "feeds"),
        ("scrapers.tasks.announcement_fetch_task", "pages"),
        ("scrapers.tasks.selector_test_run_task", "pages"),
        ("scrapers.tasks.announcement_submission_run_task", "pages"),
        ("partnerships.tasks.announcement_extract_task", "extract"),
        ("partnerships.tasks.regulatory_case_ingest_task", "extract"),
        ("partnerships.tasks.fan_out_deal_event", "celery"),
        ("partnerships.tasks.webhooks_deliver_task", "celery"),
        ("partnerships.tasks.send_digests", "celery"),
    ],
)
def test_it_routes_each_kind_of_work_to_its_queue(task_name, queue):
    assert _queue(task_name) == queue
    assert _queue(task_name, beat_app) == queue, "beat sends by name with the same routes"


def test_it_routes_every_registered_task_to_a_queue_the_workers_consume():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if name.startswith(("scrapers.", "partnerships."))]
    assert len(ours) > 15
    assert {_queue(name) for name in ours} <= set(QUEUES)


def test_the_production_worker_consumes_every_queue_feed_checks_first():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for service in ("worker", "worker-prod"):
        command = compose["services"][service]["command"]
        assert "--pool=threads" in command
        queues = next(arg for arg in command if arg.startswith("--queues="))
        assert queues.removeprefix("--queues=").split(",") == QUEUES
    assert [queue.name for queue in app.conf.task_queues] == QUEUES
    assert app.conf.broker_transport_options["queue_order_strategy"] == "priority"


def test_beat_loads_neither_django_apps_nor_tasks_and_dispatches_at_start(tmp_path):
    assert not beat_app._fixups
    assert beat_app.conf.beat_scheduler == "config.beat:Scheduler"
    scheduler = Scheduler(app=beat_app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    scheduler.setup_schedule()
    try:
        dispatch = scheduler.schedule["dispatch-due-newsrooms"]
        assert dispatch.is_due().is_due, "due at once, not one tick after beat starts"
        assert not scheduler.schedule["close-orphan-runs"].is_due().is_due
        assert dispatch.schedule.run_every.total_seconds() <= 10
    finally:
        scheduler.close()


class _Fixup:
    """Stands in for Celery's Django worker fixup: records the per-task closes it would do."""

    def __init__(self):
        self.closed = 0
        self.worker_fixup = self

    def on_task_prerun(self, **kwargs):
        self.closed += 1

    def on_task_postrun(self, **kwargs):
        self.closed += 1


class _Request:
    is_eager = False


class _Task:
    request = _Request()


def test_it_reuses_connections_across_tasks_instead_of_closing_them(monkeypatch):
    fixup = _Fixup()
    signals.task_prerun.connect(fixup.on_task_prerun)
    signals.task_postrun.connect(fixup.on_task_postrun)
    checked = []
    monkeypatch.setattr("django.db.close_old_connections", lambda: checked.append(True))

    class FakeApp:
        _fixups = [fixup]

    try:
        assert celery_config.database_connections_reuse(FakeApp())
        signals.task_prerun.send(sender=_Task())
        signals.task_postrun.send(sender=_Task())
    finally:
        signals.task_prerun.disconnect(fixup.on_task_prerun)
        signals.task_postrun.disconnect(fixup.on_task_postrun)
        signals.task_prerun.disconnect(dispatch_uid="pactwatch-db-prerun")
        signals.task_postrun.disconnect(dispatch_uid="pactwatch-db-postrun")

    assert fixup.closed == 0, "the fixup's close of every connection no longer runs"
    assert checked == [True, True], "only old or broken connections are closed (Django's per-request rule)"


def test_it_leaves_the_callers_connection_alone_for_an_eager_task(monkeypatch):
    checked = []
    monkeypatch.setattr("django.db.close_old_connections", lambda: checked.append(True))

    class Eager:
        class request:
            is_eager = True

    celery_config._close_old_connections(sender=Eager())
    celery_config._close_old_connections(sender=_Task())
    assert checked == [True]
