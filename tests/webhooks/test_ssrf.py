"""Webhook URLs go through the scraper's SSRF guard when saved and at every attempt, pinned."""

import pytest
from django.core.exceptions import ValidationError

from partnerships.models import WebhookAttempt, WebhookDelivery
from partnerships.services.webhooks import webhook_url_check, webhooks_deliver, webhooks_fan_out
from scrapers.fetch import guard
from tests.webhooks.conftest import make_deal, make_endpoint, publish

pytestmark = pytest.mark.django_db

PRIVATE = [
    "http://127.0.0.1/hook",
    "http://localhost/hook",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[64:ff9b::7f00:1]/hook",
    "http://[2002:7f00:1::]/hook",
    "ftp://hooks.example.com/hook",
    "https://user:pw@hooks.example.com/hook",
]


@pytest.fixture
def dns(monkeypatch):
    """Names this test resolves, and how often each was looked up."""
    table, lookups = {}, []

    def resolve(host, port):
        lookups.append(host)
        answer = table[host]
        return answer.pop(0) if isinstance(answer[0], list) else answer

    monkeypatch.setattr(guard, "resolve_host", resolve)
    return table, lookups


@pytest.mark.parametrize("url", PRIVATE)
def test_it_refuses_private_addresses_when_saved(settings, url):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError):
        webhook_url_check(url=url, kind="json")


def test_it_refuses_a_name_that_resolves_to_a_private_address(settings, dns):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    table, _ = dns
    table["metadata.example.com"] = ["169.254.169.254"]
    with pytest.raises(ValidationError, match="not a public address"):
        webhook_url_check(url="https://metadata.example.com/hook", kind="json")


def test_it_wants_https_and_slack_addresses_for_slack(settings, dns):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    table, _ = dns
    table["hooks.example.com"] = ["93.184.216.34"]
    with pytest.raises(ValidationError, match="https"):
        webhook_url_check(url="http://hooks.example.com/hook", kind="json")
    with pytest.raises(ValidationError, match="hooks.slack.com"):
        webhook_url_check(url="https://hooks.example.com/hook", kind="slack")
    assert (
        webhook_url_check(url="https://hooks.example.com/hook", kind="json")
        == "https://hooks.example.com/hook"
    )


def test_it_checks_again_at_every_attempt_a_name_rebound_to_loopback(receiver, settings, dns):
    """DNS rebinding: public when saved, 127.0.0.1 when sent. Nothing reaches the receiver."""
    table, _ = dns
    table["rebind.example.com"] = [["93.184.216.34"], ["127.0.0.1"]]
    settings.SCRAPER_ALLOW_LOOPBACK = False
    url = f"https://rebind.example.com:{receiver.port}/hook"
    webhook_url_check(url=url, kind="json")  # saved: public
    make_endpoint(url)
    event = publish(make_deal())
    webhooks_fan_out(event_id=event.pk, deliver=False)
    webhooks_deliver(event_id=event.pk)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "not a public address" in delivery.error
    assert WebhookAttempt.objects.get().status_code is None


def test_it_connects_to_the_address_it_checked_and_resolves_once(receiver, dns):
    """The request goes to the checked IP with the name in the Host header: a second DNS answer
    (here a different address) is never asked for, so it cannot redirect the connection."""
    table, lookups = dns
    table["hooks.example.test"] = [["127.0.0.1"], ["203.0.113.66"]]
    make_endpoint(f"http://hooks.example.test:{receiver.port}/hook")
    event = publish(make_deal())
    webhooks_fan_out(event_id=event.pk, deliver=False)
    webhooks_deliver(event_id=event.pk)
    [request] = receiver.received
    assert request.headers["Host"] == f"hooks.example.test:{receiver.port}"
    assert request.peer == "127.0.0.1"
    assert lookups == ["hooks.example.test"]
