"""A loopback HTTP receiver for webhook tests, and endpoints that point at it."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from partnerships.models import Clause, Company, DealParty, WebhookEndpoint
from partnerships.services.alerts.events import deal_publication_record
from partnerships.services.webhooks.signing import new_secret
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory, SubscriptionFactory


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    peer: str

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted reply (status, headers, delay); 200 when none is left."""

    replies: list = field(default_factory=list)
    received: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with owner.lock:
                    owner.received.append(
                        Received(self.path, dict(self.headers), body, self.client_address[0])
                    )
                    status, headers, delay = owner.replies.pop(0) if owner.replies else (200, {}, 0)
                if delay:
                    time.sleep(delay)
                payload = b"ok"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def url(self, path="/hook", host="127.0.0.1"):
        return f"http://{host}:{self.port}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.SCRAPER_ALLOW_LOOPBACK = True  # the receiver lives on 127.0.0.1
    settings.SITE_URL = "https://pactwatch.example"
    settings.WEBHOOKS_TIMEOUT = 2.0
    settings.WEBHOOKS_RETRY_BASE_DELAY = 30


def make_endpoint(
    url, *, kind=WebhookEndpoint.Kind.JSON, status=WebhookEndpoint.Status.ACTIVE, subscription=None
):
    from django.utils import timezone

    return WebhookEndpoint.objects.create(
        subscription=subscription or SubscriptionFactory(),
        url=url,
        kind=kind,
        status=status,
        secret=new_secret(),
        verified_at=timezone.now() if status == WebhookEndpoint.Status.ACTIVE else None,
    )


def make_deal(slug="northwind-acme", amount="1000000000", certainty=Clause.Certainty.REPORTED):
    investor = CompanyFactory(name="Northwind Cloud", slug="northwind", kind=Company.Kind.CLOUD)
    lab = CompanyFactory(name="Acme Labs", slug="acme", kind=Company.Kind.LAB)
    deal = DealFactory(
        title="Northwind invests <b>big</b> in Acme & co", slug=slug, value_max=Decimal(amount)
    )
    DealPartyFactory(deal=deal, company=investor, role=DealParty.Role.INVESTOR)
    DealPartyFactory(deal=deal, company=lab, role=DealParty.Role.INVESTEE)
    ClauseFactory(
        deal=deal,
        kind=Clause.Kind.INVESTMENT,
        amount=Decimal(amount),
        unit=Clause.Unit.USD,
        grantor=investor,
        beneficiary=lab,
        basis=Clause.Basis.INCREMENTAL,
        certainty=certainty,
        quote="Northwind invests in Acme.",
    )
    return deal


def publish(deal):
    """What deal_publish records for webhooks (its checks skipped)."""
    deal_publication_record(deal_id=deal.pk)
    return deal.alert_events.get(key="published")
