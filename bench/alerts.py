"""Alert fan-out: 10,000 matching subscribers, one worker, a local SMTP sink.

Measures, in one run and against one sink process on 127.0.0.1:

- a plain smtplib loop sending the same number of similar-sized messages over one
  connection (the ceiling: no database, no rendering);
- Pactwatch's fan-out as a worker runs it (``alert_fan_out`` then ``alert_deliver``,
  called in-process): delivery rows inserted, claimed in batches, each batch sent over
  one SMTP connection, every outcome recorded.

Goals: total ≤ 30 s, rate ≥ 50 % of the smtplib loop, zero duplicates.

Uses its own PostgreSQL database (``BENCH_ALERTS_DATABASE_URL``, default
``pactwatch_bench_alerts``), created and migrated if missing, and wiped of alert data on
each run. ``BENCH_ALERTS_SUBSCRIBERS`` changes the count.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import smtplib
import socket
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from bench.sink_process import SinkProcess

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pactwatch_bench_alerts"
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


# --- The sink: a separate process, so it does not share a core's GIL with the sender ----


def _sink_main(port: int, conn) -> None:
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.reset()

        def reset(self):
            self.total = 0
            self.seen = set()

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
            head = envelope.content[:4096]
            match = _MESSAGE_ID.search(head)
            key = (tuple(envelope.rcpt_tos), match.group(1) if match else None)
            self.total += 1
            self.seen.add(key)
            return "250 OK"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send("ready")
    while True:
        command = conn.recv()
        if command == "stats":
            recipients = {rcpt for rcpts, _ in handler.seen for rcpt in rcpts}
            conn.send({"total": handler.total, "recipients": len(recipients)})
        elif command == "reset":
            handler.reset()
            conn.send("ok")
        else:
            controller.stop()
            conn.send("bye")
            return


class Sink(SinkProcess):
    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        context = multiprocessing.get_context("fork")  # before Django is set up: nothing to inherit
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_sink_main, args=(self.port, child), daemon=True)
        self.process.start()
        if not self.conn.poll(30) or self.conn.recv() != "ready":
            raise RuntimeError("SMTP sink did not start")


# --- Django in its own database -----------------------------------------------------------


def _setup_django(db_url: str, smtp_port: int) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django-checks")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(smtp_port)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    os.environ["SITE_URL"] = "https://pactwatch.example"
    os.environ.pop("REDIS_URL", None)  # the service runs in-process; no broker, no cache needed
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    _create_database(db_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _create_database(db_url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(db_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _seed(count: int):
    """One published deal and ``count`` active instant subscribers who follow its company."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from partnerships.models import AlertDelivery, AlertEvent, Company, Deal, DealParty, Subscription

    with transaction.atomic():
        AlertDelivery.objects.all().delete()
        AlertEvent.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(f'TRUNCATE "{Subscription._meta.db_table}" CASCADE')
        company, _ = Company.objects.get_or_create(slug="bench-lab", defaults={"name": "Bench Lab"})
        partner, _ = Company.objects.get_or_create(slug="bench-cloud", defaults={"name": "Bench Cloud"})
        now = timezone.now()
        Subscription.objects.bulk_create(
            [
                Subscription(
                    email=f"reader{i}@bench.example", status="active", frequency="instant", consent_at=now
                )
                for i in range(count)
            ],
            batch_size=2000,
        )
        through = Subscription.companies.through
        through.objects.bulk_create(
            [
                through(subscription_id=sid, company_id=company.pk)
                for sid in Subscription.objects.values_list("id", flat=True)
            ],
            batch_size=5000,
        )
        slug = f"bench-deal-{int(time.time())}"
        deal = Deal.objects.create(
            title="Bench Lab and Bench Cloud sign a\nmulti-year compute agreement",
            slug=slug,
            kind="compute",
            status="candidate",
            announced_on=datetime.date(2026, 1, 15),
            value_max=4_000_000_000,
        )
        DealParty.objects.create(deal=deal, company=company, role="customer")
        DealParty.objects.create(deal=deal, company=partner, role="provider")
    # Published without the signal, so the timed fan-out below is the only one.
    Deal.objects.filter(pk=deal.pk).update(status="published", published_at=timezone.now())
    return deal


def _smtplib_loop(port: int, count: int, size: int) -> float:
    """The ceiling: prebuilt messages of the alert's size over one connection."""
    messages = []
    for i in range(count):
        message = EmailMessage()
        message["From"] = "alerts@pactwatch.example"
        message["To"] = f"reader{i}@bench.example"
        message["Subject"] = "Bench Lab and Bench Cloud sign a multi-year compute agreement"
        message["Message-ID"] = f"<baseline.{i}@pactwatch.example>"
        message.set_content("x" * max(size - 400, 100))
        messages.append(message)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for message in messages:
            smtp.send_message(message)
    return time.perf_counter() - started


def _deliver_concurrently(deal_id: int, senders: int):
    """What one worker does with the ``ALERTS_SENDERS`` deliver tasks fan-out enqueues.

    Each sender claims its own batches (``skip_locked``), so they never share a row; a
    Celery worker with that much concurrency runs them side by side in the same way.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from partnerships.services import alerts
    from partnerships.services.alerts.delivery import DeliveryReport

    def sender():
        try:
            return alerts.alert_deliver(deal_id=deal_id, event="published")
        finally:
            connection.close()

    total = DeliveryReport()
    with ThreadPoolExecutor(max_workers=senders) as pool:
        for report in pool.map(lambda _: sender(), range(senders)):
            total.add(report)
    return total


def _baseline(sink, count: int, size: int) -> tuple[float, dict]:
    """A plain smtplib loop into the same sink: seconds, and what the sink received."""
    sink.ask("reset")
    seconds = _smtplib_loop(sink.port, count, size)
    return seconds, sink.wait_total(count)


def _measure(sink, db_url: str, count: int, senders: int) -> dict:
    """Fan-out and delivery to ``count`` subscribers, between two baselines, as the report's figures."""
    _setup_django(db_url, sink.port)
    from django.conf import settings

    from partnerships.models import AlertDelivery
    from partnerships.services import alerts

    deal = _seed(count)
    size = 4000  # about one real alert, so the baseline moves the same bytes

    # The machine may be busy: run the baseline before and after and use the mean.
    baseline_before, baseline = _baseline(sink, count, size)
    sink.ask("reset")

    started = time.perf_counter()
    matched = alerts.alert_fan_out(deal_id=deal.pk, event="published", deliver=False)
    fanned = time.perf_counter()
    report = _deliver_concurrently(deal.pk, senders)
    finished = time.perf_counter()
    stats = sink.wait_total(count)
    sample = AlertDelivery.objects.filter(status="sent").count()
    total_s = finished - started

    baseline_after, _ = _baseline(sink, count, size)
    baseline_s = (baseline_before + baseline_after) / 2

    return {
        "subscribers": count,
        "matched": matched,
        "fan_out_s": round(fanned - started, 2),
        "deliver_s": round(finished - fanned, 2),
        "total_s": round(total_s, 2),
        "msgs_per_s": round(report.sent / total_s) if total_s else 0,
        "smtplib_msgs_per_s": round(count / baseline_s) if baseline_s else 0,
        "ratio_pct": round(100 * (report.sent / total_s) / (count / baseline_s), 1)
        if total_s and baseline_s
        else 0,
        "sent_rows": sample,
        "received": stats["total"],
        "recipients": stats["recipients"],
        # Every subscriber should receive exactly one message: anything beyond is a duplicate.
        "duplicates": stats["total"] - stats["recipients"],
        "baseline_received": baseline["total"],
        "smtplib_s_before": round(baseline_before, 2),
        "smtplib_s_after": round(baseline_after, 2),
        "batch_size": settings.ALERTS_BATCH_SIZE,
        "senders": senders,
    }


def _print_report(figures: dict) -> None:
    goal_time = "yes" if figures["total_s"] <= 30 else "no"
    goal_rate = "yes" if figures["ratio_pct"] >= 50 else "no"
    print("### Alerts: fan-out to 10,000 subscribers\n")
    print("| Figure | Value | Goal |")
    print("|---|---|---|")
    print(f"| Matching instant subscribers | {figures['matched']:,} | |")
    print(f"| Fan-out (delivery rows inserted) | {figures['fan_out_s']} s | |")
    print(
        f"| Delivery: {figures['senders']} sender(s) in one process (claim, render, SMTP, record) | {figures['deliver_s']} s | |"
    )
    print(f"| Total | {figures['total_s']} s | ≤ 30 s: {goal_time} |")
    print(f"| Pactwatch rate | {figures['msgs_per_s']} msg/s | |")
    print(
        f"| Plain smtplib loop, same sink (mean of before/after: {figures['smtplib_s_before']} s, "
        f"{figures['smtplib_s_after']} s) | {figures['smtplib_msgs_per_s']} msg/s | |"
    )
    print(f"| Rate vs smtplib | {figures['ratio_pct']} % | ≥ 50 %: {goal_rate} |")
    print(
        f"| Received by the sink / rows marked sent | {figures['received']:,} / {figures['sent_rows']:,} | |"
    )
    print(f"| Duplicates | {figures['duplicates']} | 0 |")


def main() -> dict:
    count = int(os.environ.get("BENCH_ALERTS_SUBSCRIBERS", "10000"))
    db_url = os.environ.get("BENCH_ALERTS_DATABASE_URL", DEFAULT_DB)
    senders = int(os.environ.get("BENCH_ALERTS_SENDERS", "1"))
    sink = Sink()
    try:
        figures = _measure(sink, db_url, count, senders)
    finally:
        sink.close()
    _print_report(figures)
    return figures


if __name__ == "__main__":
    main()
