"""Adding an endpoint from the manage page: verification first, the secret once, tests, removal."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from partnerships.models import AlertEvent, WebhookDelivery, WebhookEndpoint
from partnerships.services.alerts import manage_url
from partnerships.services.webhooks import webhooks_reap
from tests.factories import SubscriptionFactory
from tests.webhooks.conftest import make_deal, make_endpoint, publish

pytestmark = pytest.mark.django_db


def _page(subscription):
    return manage_url(subscription).removeprefix("https://pactwatch.example") + "webhooks/"


def test_a_new_endpoint_is_verified_then_activated_and_its_secret_shown_once(
    client, receiver, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _page(subscription),
            {"action": "add", "url": receiver.url(), "format": "json", "kind": ["investment"]},
        )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    [request] = receiver.received
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload["type"] == "endpoint.verification"
    endpoint.refresh_from_db()
    assert endpoint.status == "active" and endpoint.verified_at is not None
    assert endpoint.deal_kind_list == ["investment"]
    # Never shown again.
    assert endpoint.secret not in client.get(_page(subscription)).content.decode()


def test_an_endpoint_that_fails_verification_stays_pending(
    client, receiver, django_capture_on_commit_callbacks
):
    receiver.replies = [(404, {}, 0)]
    subscription = SubscriptionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_page(subscription), {"action": "add", "url": receiver.url(), "format": "json"})
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.status == "pending" and endpoint.last_status_code == 404
    # Pending endpoints receive no deal events.
    event = publish(make_deal())
    from partnerships.services.webhooks import webhooks_fan_out

    assert webhooks_fan_out(event_id=event.pk, deliver=False) == 0


def test_it_refuses_a_private_url_from_the_form(client, settings):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    subscription = SubscriptionFactory()
    response = client.post(
        _page(subscription), {"action": "add", "url": "http://10.1.2.3/hook", "format": "json"}
    )
    assert response.status_code == 400
    assert "not a public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_test_button_sends_a_signed_test_event(client, receiver, django_capture_on_commit_callbacks):
    make_deal()
    endpoint = make_endpoint(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_page(endpoint.subscription), {"action": "test", "endpoint": endpoint.pk})
    assert "test event is on its way" in response.content.decode()
    payload = Webhook(endpoint.secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert payload["type"] == "endpoint.test" and payload["data"]["test"] is True
    assert payload["data"]["deal"]["slug"] == "northwind-acme"


def test_nobody_else_can_act_on_an_endpoint(client, receiver):
    endpoint = make_endpoint(receiver.url())
    stranger = SubscriptionFactory()
    response = client.post(_page(stranger), {"action": "delete", "endpoint": endpoint.pk})
    assert response.status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_a_removed_endpoint_is_gone(client, receiver):
    endpoint = make_endpoint(receiver.url())
    client.post(_page(endpoint.subscription), {"action": "delete", "endpoint": endpoint.pk})
    assert not WebhookEndpoint.objects.exists()


def test_the_reaper_frees_stuck_rows_and_fans_out_lost_events(receiver):
    make_endpoint(receiver.url())
    event = publish(make_deal())  # the test settings run no on_commit: the fan-out never ran
    AlertEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    report = webhooks_reap(dispatch=True)  # eager tasks: fan out and deliver now
    assert report.events == 1
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=timezone.now() - timedelta(hours=1)
    )
    report = webhooks_reap(dispatch=True)
    assert report.released == 1
    assert len(receiver.received) == 2  # resent, with the same webhook-id
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    assert WebhookDelivery.objects.get().status == "sent"
