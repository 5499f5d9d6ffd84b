"""Slack deliveries are Block Kit messages that keep Block Kit's rules."""

import json

import pytest

from partnerships.models import WebhookEndpoint
from partnerships.services.webhooks import slack, webhooks_deliver, webhooks_fan_out
from tests.webhooks.conftest import make_deal, make_endpoint, publish

pytestmark = pytest.mark.django_db

BLOCK_TYPES = {"header", "section", "actions", "context", "divider"}


def assert_block_kit(message: dict) -> None:
    """The structure Slack's incoming webhooks accept (Block Kit reference: blocks, text objects, limits)."""
    assert isinstance(message.get("text"), str) and message["text"], "a fallback text is required"
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    for block in blocks:
        assert block["type"] in BLOCK_TYPES
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and 1 <= len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert block["text"]["type"] in ("mrkdwn", "plain_text")
            assert 1 <= len(block["text"]["text"]) <= 3000
        if block["type"] == "actions":
            assert 1 <= len(block["elements"]) <= 25
            for element in block["elements"]:
                assert element["type"] == "button"
                assert element["text"]["type"] == "plain_text" and len(element["text"]["text"]) <= 75
                assert element["url"].startswith("https://") and len(element["url"]) <= 3000
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            for element in block["elements"]:
                assert element["type"] in ("mrkdwn", "plain_text", "image")


def test_it_posts_block_kit_with_parties_headline_changes_and_a_link(receiver):
    make_endpoint(receiver.url(), kind=WebhookEndpoint.Kind.SLACK)
    event = publish(make_deal())
    webhooks_fan_out(event_id=event.pk, deliver=False)
    webhooks_deliver(event_id=event.pk)
    message = json.loads(receiver.received[0].body)
    assert_block_kit(message)
    header, parties, changes, actions, _context = message["blocks"]
    assert header["text"]["text"].startswith("New deal: Northwind invests")
    assert "Acme Labs (investee)" in parties["text"]["text"] and "$1B" in parties["text"]["text"]
    assert "_reported_" in parties["text"]["text"]
    assert "New: investment $1B [incremental] _reported_" in changes["text"]["text"]
    assert actions["elements"][0]["url"] == "https://pactwatch.example/deals/northwind-acme/"
    # Scraped text cannot forge a link or mention: <, > and & are escaped for mrkdwn.
    assert "&lt;b&gt;" in message["text"] and "&amp;" in message["text"]


def test_it_keeps_block_kit_limits_for_a_huge_change():
    states = [
        {
            "kind": "investment",
            "subject": "x" * 500,
            "value_text": "$1B",
            "basis": "",
            "certainty": "reported",
        }
        for _ in range(400)
    ]
    data = {
        "deal": {"title": "T" * 400, "parties": [], "value": None, "certainty": "reported"},
        "changes": {"added": states, "removed": [], "changed": [], "deal": []},
        "links": {"deal": "https://pactwatch.example/deals/x/"},
        "reason": "r" * 5000,
    }
    assert_block_kit(slack.deal_message("deal.published", data))
