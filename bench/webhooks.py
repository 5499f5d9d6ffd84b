"""Webhook fan-out: one event to 1,000 endpoints on a loopback receiver.

Measures, in one run and against one receiver process on 127.0.0.1:

- a plain loop POSTing the same number of similar bodies with the same concurrency
  (``WEBHOOKS_CONCURRENCY`` threads, a new connection per request as Pactwatch makes): the
  ceiling, with no database, no signing and no SSRF check;
- Pactwatch's fan-out as a worker runs it (``webhooks_fan_out`` then ``WEBHOOKS_SENDERS``
  ``webhooks_deliver`` senders, in-process): delivery rows inserted, claimed in batches, each
  request SSRF-checked, pinned and signed, every attempt recorded.

Figures: wall time, deliveries/s, and duplicates (requests beyond one per endpoint: must be 0).
Uses its own PostgreSQL database (``BENCH_WEBHOOKS_DATABASE_URL``, default
``pactwatch_bench_webhooks``), created and migrated if missing, wiped of webhook data each run.
``BENCH_WEBHOOKS_ENDPOINTS`` changes the count.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.sink_process import SinkProcess

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pactwatch_bench_webhooks"


def _receiver_main(conn) -> None:
    """Answers 200 to every POST, counting (path, webhook-id) pairs; a process of its own."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = {"total": 0, "seen": set()}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state["total"] += 1
                state["seen"].add((self.path, self.headers.get("webhook-id")))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256  # the default 5 resets concurrent connects
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send(server.server_address[1])
    while True:
        command = conn.recv()
        with lock:
            if command == "reset":
                state["total"], state["seen"] = 0, set()
                conn.send("ok")
            elif command == "stats":
                conn.send({"total": state["total"], "distinct": len(state["seen"])})
            else:
                conn.send("bye")
                server.shutdown()
                return


class Receiver(SinkProcess):
    def __init__(self):
        parent, child = multiprocessing.Pipe()
        self.conn = parent
        self.process = multiprocessing.Process(target=_receiver_main, args=(child,), daemon=True)
        self.process.start()
        self.port = parent.recv()


def _setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django-checks")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["SITE_URL"] = "https://pactwatch.example"
    os.environ["SCRAPER_ALLOW_LOOPBACK"] = "true"  # the receiver is on 127.0.0.1
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    from bench.alerts import _create_database

    _create_database(db_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed_deal(now):
    """A published compute deal with one confirmed, directed clause, and its publication event."""
    import datetime
    from decimal import Decimal

    from partnerships.models import AlertEvent, Clause, Company, Deal, DealParty

    lab, _ = Company.objects.get_or_create(slug="bench-lab", defaults={"name": "Bench Lab"})
    cloud, _ = Company.objects.get_or_create(slug="bench-cloud", defaults={"name": "Bench Cloud"})
    deal = Deal.objects.create(
        title="Bench Lab commits $4B to Bench Cloud compute",
        slug=f"bench-webhook-deal-{int(time.time())}",
        kind="compute",
        status="published",
        published_at=now,
        announced_on=datetime.date(2026, 1, 15),
        value_max=4_000_000_000,
    )
    DealParty.objects.create(deal=deal, company=lab, role="customer")
    DealParty.objects.create(deal=deal, company=cloud, role="provider")
    Clause.objects.create(
        deal=deal,
        kind="compute_commitment",
        amount=Decimal(4_000_000_000),
        unit="USD",
        grantor=lab,
        beneficiary=cloud,
        certainty="confirmed",
        status="confirmed",
        quote="Bench Lab commits four billion dollars to Bench Cloud.",
    )
    return AlertEvent.objects.create(deal=deal, key="published", kind="published")


def _seed(count: int, port: int):
    """One published deal with its event, and ``count`` active endpoints on the receiver."""
    from django.db import connection, transaction
    from django.utils import timezone

    from partnerships.models import AlertEvent, Subscription, WebhookEndpoint
    from partnerships.services.webhooks.signing import new_secret

    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in (WebhookEndpoint, Subscription):
                cursor.execute(f'TRUNCATE "{model._meta.db_table}" CASCADE')
        AlertEvent.objects.all().delete()
        now = timezone.now()
        owners = Subscription.objects.bulk_create(
            [
                Subscription(
                    email=f"hook{i}@bench.example", status="active", frequency="daily", consent_at=now
                )
                for i in range(count)
            ]
        )
        WebhookEndpoint.objects.bulk_create(
            [
                WebhookEndpoint(
                    subscription=owner,
                    url=f"http://127.0.0.1:{port}/hook/{i}",
                    status="active",
                    verified_at=now,
                    secret=new_secret(),
                )
                for i, owner in enumerate(owners)
            ]
        )
        return _seed_deal(now)


def _plain_loop(port: int, count: int, body: bytes, concurrency: int) -> float:
    """The ceiling: the same POSTs from a thread pool with the standard library's http.client,
    a new connection each (as Pactwatch makes), no database, no check, no signature."""
    import http.client

    def post(i):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request(
                "POST",
                f"/baseline/{i}",
                body=body,
                headers={"Content-Type": "application/json", "webhook-id": f"b{i}"},
            )
            connection.getresponse().read()
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(post, range(count)))
    return time.perf_counter() - started


def _deliver_concurrently(event_id: int, senders: int):
    from django.db import connection

    from partnerships.services.webhooks import webhooks_deliver
    from partnerships.services.webhooks.delivery import WebhookReport

    def sender(_):
        try:
            return webhooks_deliver(event_id=event_id)
        finally:
            connection.close()

    total = WebhookReport()
    with ThreadPoolExecutor(max_workers=senders) as pool:
        for report in pool.map(sender, range(senders)):
            for name in ("sent", "retrying", "failed", "skipped"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
    return total


def main() -> dict:
    count = int(os.environ.get("BENCH_WEBHOOKS_ENDPOINTS", "1000"))
    db_url = os.environ.get("BENCH_WEBHOOKS_DATABASE_URL", DEFAULT_DB)
    receiver = Receiver()
    try:
        _setup_django(db_url)
        from django.conf import settings

        from partnerships.models import WebhookAttempt, WebhookDelivery
        from partnerships.services.webhooks import webhooks_fan_out
        from partnerships.services.webhooks.delivery import body_for

        event = _seed(count, receiver.port)
        concurrency, senders = settings.WEBHOOKS_CONCURRENCY, settings.WEBHOOKS_SENDERS

        started = time.perf_counter()
        matched = webhooks_fan_out(event_id=event.pk, deliver=False)
        fanned = time.perf_counter()
        report = _deliver_concurrently(event.pk, senders)
        finished = time.perf_counter()
        stats = receiver.wait_total(count)
        body = body_for(
            WebhookDelivery.objects.select_related("endpoint", "alert_event__deal").first()
        ).encode()

        receiver.ask("reset")
        baseline_s = _plain_loop(receiver.port, count, body, concurrency * senders)
        receiver.wait_total(count)
        total_s = finished - started
        figures = {
            "endpoints": count,
            "matched": matched,
            "fan_out_s": round(fanned - started, 2),
            "deliver_s": round(finished - fanned, 2),
            "total_s": round(total_s, 2),
            "deliveries_per_s": round(report.sent / total_s) if total_s else 0,
            "plain_loop_per_s": round(count / baseline_s) if baseline_s else 0,
            "ratio_pct": round(100 * (report.sent / total_s) / (count / baseline_s), 1) if total_s else 0,
            "received": stats["total"],
            "distinct": stats["distinct"],
            # One request per endpoint: anything beyond is a duplicate.
            "duplicates": stats["total"] - stats["distinct"],
            "sent_rows": WebhookDelivery.objects.filter(status="sent").count(),
            "attempt_rows": WebhookAttempt.objects.count(),
            "failed": report.failed,
            "body_bytes": len(body),
            "senders": senders,
            "concurrency": concurrency,
        }
    finally:
        receiver.close()
    _print_table(figures)
    return figures


def _print_table(figures: dict) -> None:
    count, senders, concurrency = figures["endpoints"], figures["senders"], figures["concurrency"]
    print(f"### Webhooks: one event to {count:,} endpoints on a loopback receiver\n")
    print("| Figure | Value | Goal |")
    print("|---|---|---|")
    print(f"| Matching active endpoints | {figures['matched']:,} | |")
    print(f"| Fan-out (delivery rows inserted) | {figures['fan_out_s']} s | |")
    print(
        f"| Delivery: {senders} sender(s) × {concurrency} requests in flight (claim, sign, SSRF check, "
        f"POST, record) | {figures['deliver_s']} s | |"
    )
    print(f"| Total wall time | {figures['total_s']} s | |")
    print(f"| Pactwatch rate | {figures['deliveries_per_s']} deliveries/s | |")
    print(f"| Plain POST loop, same receiver and concurrency | {figures['plain_loop_per_s']} requests/s | |")
    print(f"| Rate vs the plain loop | {figures['ratio_pct']} % | |")
    print(
        f"| Received / distinct (endpoint, webhook-id) / rows sent / attempt rows | {figures['received']:,} / "
        f"{figures['distinct']:,} / {figures['sent_rows']:,} / {figures['attempt_rows']:,} | |"
    )
    print(f"| Duplicates | {figures['duplicates']} | 0 |")
    print(f"| Body size | {figures['body_bytes']:,} bytes | |")


if __name__ == "__main__":
    main()
