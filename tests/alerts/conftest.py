import asyncio
import email
import socket
import threading
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from partnerships.services.alerts.events import deal_publication_record
from tests.factories import AnnouncementFactory, ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    # Every test client comes from 127.0.0.1; only the rate-limit tests lower these.
    settings.ALERTS_SUBSCRIBE_PER_IP = 10_000
    settings.ALERTS_SUBSCRIBE_PER_ADDRESS = 10_000
    settings.SITE_URL = "https://pactwatch.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An aiosmtpd handler that keeps every message it accepts, parsed.

    ``reject`` maps a recipient to an SMTP reply ("550 no such user"); ``delay`` slows each
    DATA so a test can catch a sender mid-batch.
    """

    def __init__(self):
        self.messages = []
        self.reject = {}
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]

    def wait_for(self, count, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return True
            time.sleep(0.05)
        return False


class _Controller(Controller):
    def factory(self):
        return SMTP(self.handler, hostname="pactwatch-test-sink", ident="sink")


@pytest.fixture
def smtp_sink():
    """A real SMTP server on 127.0.0.1 for Django's SMTP backend to deliver to."""
    sink = Sink()
    port = free_port()
    controller = _Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return smtp_sink


def make_deal(*, companies=(), clauses=(), status="published", **fields):
    """A deal with parties and clauses, saved in the order the curation flow saves them.

    A published one records its "published" alert event as ``deal_publish`` does (without
    ``deal_publish``'s checks, so a test can publish a one-party deal).
    """
    deal = DealFactory(status="candidate", **fields)
    deal.sources.add(AnnouncementFactory())  # the publish gate asks for a source
    for company in companies:
        DealPartyFactory(deal=deal, company=company)
    for clause in clauses:
        ClauseFactory(deal=deal, **clause)
    if status != "candidate":
        deal.status = status
        deal.save()
    if status == "published":
        deal_publication_record(deal_id=deal.pk)
    return deal


@pytest.fixture
def openai():
    return CompanyFactory(name="OpenAI", slug="openai")


@pytest.fixture
def microsoft():
    return CompanyFactory(name="Microsoft", slug="microsoft")


@pytest.fixture
def anthropic():
    return CompanyFactory(name="Anthropic", slug="anthropic")
