"""One phase of ``bench/scrape_worker.py``: fixture, database, worker + beat (+ changedetection.io),
sampling, and the raw observations the report turns into figures."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path

from bench import procstat
from bench import scrape_services as services
from bench.scrape_cdio import Changedetection, cdio_executable, cdio_version
from bench.scrape_fixture import BASE_EPOCH, FEED_ITEMS

SLUG = "bench-worker-"
LATENCY = 0.2
INTERVAL = 60


def _database_names() -> list[str]:
    from django.db import connection

    return [connection.settings_dict["NAME"]]


def cleanup_database() -> None:
    from partnerships.models import Deal
    from scrapers.models import Announcement, Newsroom

    announcements = Announcement.objects.filter(newsroom__slug__startswith=SLUG)
    Deal.objects.filter(sources__in=announcements).delete()
    announcements.delete()
    Newsroom.objects.filter(slug__startswith=SLUG).delete()


def prepare_database(phase, fixture: services.FixtureProcess) -> dict[int, int]:
    """Newsrooms for every feed (and, warm, the archive of what they list); host -> newsroom id."""
    from scrapers.adapters import canonical_url
    from scrapers.models import Announcement, Newsroom

    cleanup_database()
    now = datetime.now(UTC)
    listed = min(phase.base_items, FEED_ITEMS)
    warm = {}
    if phase.warm:
        warm = dict(
            etag="",  # per host below
            last_modified=formatdate(BASE_EPOCH, usegmt=True),
            typical_item_count=listed,
            last_success_at=now,
            last_new_item_at=now,
            health=Newsroom.Health.OK,
        )
    rooms = []
    for host in range(phase.hosts):
        fields = dict(warm, etag=f'"f{host}-v{phase.base_items}"') if phase.warm else {}
        rooms.append(
            Newsroom(
                name=f"Bench worker {host:03d}",
                slug=f"{SLUG}{host:03d}",
                kind=Newsroom.Kind.FEED,
                url=fixture.feed_url(host),
                fetch_interval=timedelta(seconds=INTERVAL),
                next_fetch_at=now,
                **fields,
            )
        )
    Newsroom.objects.bulk_create(rooms)
    ids = dict(Newsroom.objects.filter(slug__startswith=SLUG).values_list("slug", "pk").order_by("slug"))
    by_host = {host: ids[f"{SLUG}{host:03d}"] for host in range(phase.hosts)}
    if phase.warm:
        archive = []
        for host in range(phase.hosts):
            for number in range(phase.base_items - listed + 1, phase.base_items + 1):
                url = fixture.article_url(host, number)
                archive.append(
                    Announcement(
                        newsroom_id=by_host[host],
                        url=url,
                        url_key=canonical_url(url),  # bulk_create skips save(), which derives it
                        title=f"Partnership update {number} from newsroom {host}",
                        published_at=datetime.fromtimestamp(
                            BASE_EPOCH - (phase.base_items - number) * 3600, UTC
                        ),
                        summary=f"Summary of update {number} from newsroom {host}.",
                        fetch_status=Announcement.FetchStatus.FETCHED,
                        fetched_at=now,
                        next_fetch_at=None,
                    )
                )
        Announcement.objects.bulk_create(archive, batch_size=1000)
    return by_host


def _start_cdio(phase, fixture, workdir: Path, result: dict):
    executable = cdio_executable()
    if executable is None:
        result["cdio_skipped"] = "changedetection.io is not installed (no ../cdio-venv and BENCH_CDIO unset)"
        return None
    cdio = Changedetection(executable, workdir)
    result["cdio_version"] = cdio_version(executable)
    result["cdio_launch"] = cdio.start(fixture.feed_url(0))
    try:
        cdio.wait_ready()
        cdio.add_watches([fixture.feed_url(host) for host in range(1, phase.hosts)])
    except RuntimeError as exc:
        result["cdio_skipped"] = f"changedetection.io could not be run: {exc}"
        cdio.stop()
        return None
    result["cdio_watches_added"] = time.time()
    return cdio


def _collect_pactwatch(by_host: dict[int, int], result: dict) -> None:
    from scrapers.models import Announcement, ScrapeRun

    runs = ScrapeRun.objects.filter(newsroom_id__in=by_host.values())
    result["runs_by_status"] = {
        status: runs.filter(status=status).count()
        for status in runs.values_list("status", flat=True).distinct()
    }
    result["run_errors"] = list(runs.exclude(error="").values_list("error", flat=True)[:3])
    host_of = {pk: host for host, pk in by_host.items()}
    stored = Announcement.objects.filter(newsroom_id__in=by_host.values())
    result["announcements"] = stored.count()
    result["articles_fetched"] = stored.filter(fetch_status=Announcement.FetchStatus.FETCHED).count()
    result["extracted"] = stored.filter(extracted_at__isnull=False).count()
    detected = {}
    for newsroom_id, url, created in stored.values_list("newsroom_id", "url", "created_at"):
        number = int(url.rsplit("-", 1)[1])
        detected[(host_of[newsroom_id], number)] = created.timestamp()
    result["pw_detected"] = detected


def _collect_cdio(cdio: Changedetection, publishes, result: dict, fixture) -> None:
    try:
        watches = cdio.watches()
        detected = {}
        for _when, host in publishes:
            uuid = watches.get(fixture.feed_url(host))
            if uuid:
                detected[host] = cdio.snapshots(uuid)
        result["cdio_snapshots"] = detected
    except Exception as exc:  # noqa: BLE001 - reported; Pactwatch's figures stand
        result["cdio_error"] = f"reading changedetection.io's history failed: {exc}"


def _measure_idle(redis, server, names: list[str], result: dict) -> None:
    """Both servers are shared: their CPU while this benchmark is idle is subtracted later."""
    redis_idle, pg_idle = services.redis_cpu(redis), procstat.tree_usage(server)[0] if server else 0.0
    time.sleep(3.0)
    result["redis_idle_cpu_per_s"] = (services.redis_cpu(redis) - redis_idle) / 3.0
    result["pg_idle_cpu_per_s"] = ((procstat.tree_usage(server)[0] if server else 0.0) - pg_idle) / 3.0
    result["sessions_before"] = services.pg_sessions(os.environ["DATABASE_URL"], names)


def _probes(worker, beat, redis, fixture, server) -> list:
    """What the 0.5 s sampler reads: each process tree's CPU and memory, Redis, the fixture, PostgreSQL."""
    probes = [
        services.tree_probe("worker", worker),
        services.tree_probe("beat", beat),
        services.redis_probe(redis),
        lambda: {"fixture_cpu": fixture.cpu()},
    ]
    if server:
        probes.append(lambda: {"pg_server_cpu": procstat.tree_usage(server)[0]})
    return probes


def _stop_all(samplers, beat, worker, cdio, fixture, redis) -> dict:
    """Everything the phase started, stopped even when it failed; the fixture's log if it still runs."""
    for sampling in samplers:
        if sampling is not None:
            sampling.stop()
    services.stop(beat)
    services.stop(worker)
    if cdio is not None:
        cdio.stop()
    log = fixture.log() if fixture.process.poll() is None else {"log": [], "max_in_flight_per_host": {}}
    fixture.stop()
    services.redis_clear(redis)
    return log


def _collect(result: dict, workdir: Path, names, sampler, pg_sampler, backends, log: dict) -> None:
    time.sleep(1.5)  # PostgreSQL publishes a closed session's counters shortly after it ends
    result["sessions_after"] = services.pg_sessions(os.environ["DATABASE_URL"], names)
    result.update(
        samples=sampler,
        pg_samples=pg_sampler,
        backends_seen=backends.backends_seen,
        fixture_log=log["log"],
        fixture_max_in_flight=log["max_in_flight_per_host"],
        worker_log=services.parse_celery_log(workdir / "worker.log"),
        beat_log=services.parse_celery_log(workdir / "beat.log"),
    )


def run(phase, workdir: Path, schedule) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict = {"phase": phase}
    redis = services.redis_client()
    fixture = services.FixtureProcess(
        hosts=phase.hosts, latency=LATENCY, base_items=phase.base_items, log=workdir / "fixture.log"
    )
    worker = beat = cdio = None
    sampler = pg_sampler = None
    try:
        by_host = prepare_database(phase, fixture)
        from django.db import connections

        connections.close_all()
        services.redis_clear(redis)
        fixture.reset()
        names = _database_names()
        server = procstat.postmaster()
        backends = procstat.BackendTracker(names, server)
        _measure_idle(redis, server, names, result)

        env = services.celery_env(host_delay=phase.host_delay)
        launch = time.time()
        publishes = schedule(phase, launch + 1.0) if phase.publishes else []
        fixture.schedule(publishes)
        result.update(launch=launch, publishes=publishes)
        worker = services.start(
            [str(services.CELERY), *services.WORKER_ARGS], log=workdir / "worker.log", env=env
        )
        schedule_file = workdir / "celerybeat-schedule"
        beat_args = [*services.BEAT_ARGS, f"--schedule={schedule_file}"]
        beat = services.start([str(services.CELERY), *beat_args], log=workdir / "beat.log", env=env)
        probes = _probes(worker, beat, redis, fixture, server)
        if phase.with_cdio:
            cdio = _start_cdio(phase, fixture, workdir, result)
            if cdio is not None:
                probes.append(services.tree_probe("cdio", cdio.process))
        sampler = procstat.Sampler(probes, interval=0.5).start()
        pg_sampler = procstat.Sampler([lambda: {"pg_cpu": backends.sample()}], interval=0.05).start()
        alive = {"worker": worker, "beat": beat, **({"changedetection.io": cdio.process} if cdio else {})}
        services.wait_until(launch + phase.window, alive)
        result["end"] = time.time()
        if cdio is not None:
            _collect_cdio(cdio, publishes, result, fixture)
    finally:
        log = _stop_all((sampler, pg_sampler), beat, worker, cdio, fixture, redis)
    _collect(result, workdir, names, sampler, pg_sampler, backends, log)
    _collect_pactwatch(by_host, result)
    cleanup_database()
    return result
