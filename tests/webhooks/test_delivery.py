"""Signed deliveries on a real loopback receiver: signatures, payloads, retries, disabling."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from partnerships.models import AlertEvent, Clause, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partnerships.services.alerts.events import deal_detect_change, deal_terms
from partnerships.services.webhooks import webhooks_deliver, webhooks_fan_out
from tests.webhooks.conftest import make_deal, make_endpoint, publish

pytestmark = pytest.mark.django_db


def _deliver(event):
    webhooks_fan_out(event_id=event.pk, deliver=False)
    return webhooks_deliver(event_id=event.pk)


def test_it_delivers_a_publication_signed_per_standard_webhooks(receiver):
    endpoint = make_endpoint(receiver.url())
    event = publish(make_deal())
    report = _deliver(event)
    assert report.sent == 1
    [request] = receiver.received
    # The reference implementation verifies the signature (and the timestamp's freshness).
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload["type"] == "deal.published"
    assert request.headers["webhook-id"] == f"msg_pw_{event.pk}_{endpoint.pk}"
    data = payload["data"]
    assert data["deal"]["slug"] == "northwind-acme"
    assert data["links"]["deal"] == "https://pactwatch.example/deals/northwind-acme/"
    [added] = data["changes"]["added"]
    assert (added["kind"], added["amount"], added["grantor"], added["beneficiary"]) == (
        "investment",
        "1000000000",
        "northwind",
        "acme",
    )
    assert added["certainty"] == "reported" and added["evidence"]["quote"] == "Northwind invests in Acme."
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "sent"
    assert WebhookAttempt.objects.get().status_code == 200


def test_a_forged_or_altered_body_fails_verification(receiver):
    endpoint = make_endpoint(receiver.url())
    _deliver(publish(make_deal()))
    [request] = receiver.received
    from standardwebhooks.webhooks import WebhookVerificationError

    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body.replace(b"northwind", b"southwind"), request.headers)


def test_it_says_what_changed_clause_by_clause(receiver, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(receiver.url())
    deal = make_deal()
    publish_event = publish(deal)
    _deliver(publish_event)
    before = deal_terms(deal_id=deal.pk)
    Clause.objects.filter(deal=deal).update(
        amount=Decimal("4000000000"), certainty="confirmed", basis="total"
    )
    event = deal_detect_change(deal_id=deal.pk, before=before)
    _deliver(event)
    payload = Webhook(endpoint.secret).verify(receiver.received[-1].body, receiver.received[-1].headers)
    assert payload["type"] == "deal.terms_changed"
    [change] = payload["data"]["changes"]["changed"]
    assert {c["field"]: (c["before"], c["after"]) for c in change["changes"]} == {
        "amount": ("1000000000", "4000000000"),
        "basis": ("incremental", "total"),
        "certainty": ("reported", "confirmed"),
    }
    assert change["after"]["value_text"] == "$4B" and change["after"]["evidence"]["quote"]


def test_it_tells_webhooks_about_a_retraction(receiver, curator_free_retract):
    endpoint = make_endpoint(receiver.url())
    deal = make_deal()
    event = curator_free_retract(deal)
    _deliver(event)
    payload = Webhook(endpoint.secret).verify(receiver.received[-1].body, receiver.received[-1].headers)
    assert payload["type"] == "deal.retracted" and payload["data"]["reason"] == "withdrawn by the vendor"


@pytest.fixture
def curator_free_retract(django_capture_on_commit_callbacks):
    from partnerships.services.deals import deal_retract

    def retract(deal):
        deal_retract(deal=deal, reason="withdrawn by the vendor")
        return AlertEvent.objects.get(deal=deal, kind="retracted")

    return retract


def test_it_delivers_once_per_endpoint_and_event_however_often_it_runs(receiver):
    make_endpoint(receiver.url())
    event = publish(make_deal())
    for _ in range(3):
        webhooks_fan_out(event_id=event.pk, deliver=False)
        webhooks_deliver(event_id=event.pk)
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.count() == 1


def test_it_only_sends_to_endpoints_whose_filter_accepts_the_deal(receiver):
    from tests.factories import CompanyFactory

    other = CompanyFactory(name="Elsewhere", slug="elsewhere")
    wanted = make_endpoint(receiver.url("/wanted"))
    unwanted = make_endpoint(receiver.url("/unwanted"))
    unwanted.companies.set([other])
    paused = make_endpoint(receiver.url("/paused"), status=WebhookEndpoint.Status.PAUSED)
    _deliver(publish(make_deal()))
    assert [r.path for r in receiver.received] == ["/wanted"]
    assert WebhookDelivery.objects.filter(endpoint__in=[unwanted, paused]).count() == 0
    assert wanted.deliveries.count() == 1


@pytest.mark.parametrize(
    ("reply", "status", "retried"),
    [
        ((503, {}, 0), "pending", True),
        ((500, {}, 0), "pending", True),
        ((429, {"Retry-After": "120"}, 0), "pending", True),
        ((400, {}, 0), "failed", False),
        ((410, {}, 0), "failed", False),
        ((301, {"Location": "http://127.0.0.1:9/elsewhere"}, 0), "failed", False),
    ],
)
def test_it_retries_only_what_can_succeed_later(receiver, reply, status, retried):
    receiver.replies = [reply]
    make_endpoint(receiver.url())
    event = publish(make_deal())
    before = timezone.now()
    _deliver(event)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == status
    assert len(receiver.received) == 1  # a redirect is never followed
    if reply[0] == 429:
        assert timedelta(seconds=119) <= delivery.next_attempt_at - before <= timedelta(seconds=125)
    elif retried:
        # First retry: the base delay plus up to one base of jitter.
        assert timedelta(seconds=30) <= delivery.next_attempt_at - before <= timedelta(seconds=62)
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == reply[0] and attempt.error


def test_a_timeout_is_retried(receiver, settings):
    settings.WEBHOOKS_TIMEOUT = 0.5
    receiver.replies = [(200, {}, 2.0)]
    make_endpoint(receiver.url())
    _deliver(publish(make_deal()))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and "no answer within" in delivery.error
    assert WebhookAttempt.objects.get().status_code is None


def test_every_retry_carries_the_same_webhook_id_and_a_fresh_signature(receiver):
    endpoint = make_endpoint(receiver.url())
    receiver.replies = [(503, {}, 0)]
    event = publish(make_deal())
    _deliver(event)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    webhooks_deliver(event_id=event.pk)
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    for request in (first, second):
        Webhook(endpoint.secret).verify(request.body, request.headers)
    assert WebhookDelivery.objects.get().status == "sent"
    assert WebhookAttempt.objects.count() == 2


def test_backoff_doubles_and_gives_up_after_the_last_attempt(receiver, settings):
    from partnerships.services.webhooks.delivery import retry_delay

    assert timedelta(seconds=30) <= retry_delay(1, None) <= timedelta(seconds=60)
    assert timedelta(seconds=60) <= retry_delay(2, None) <= timedelta(seconds=90)
    assert timedelta(seconds=240) <= retry_delay(4, None) <= timedelta(seconds=270)
    assert retry_delay(40, None) == timedelta(days=1)
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    receiver.replies = [(503, {}, 0), (503, {}, 0)]
    make_endpoint(receiver.url())
    event = publish(make_deal())
    _deliver(event)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks_deliver(event_id=event.pk)
    assert WebhookDelivery.objects.get().status == "failed"


def test_it_disables_an_endpoint_after_failures_in_a_row_and_tells_its_owner(receiver, settings):
    settings.WEBHOOKS_DISABLE_AFTER = 3
    endpoint = make_endpoint(receiver.url())
    receiver.replies = [(400, {}, 0)] * 5
    for n in range(4):
        _deliver(publish(make_deal(slug=f"deal-{n}")))
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled" and endpoint.consecutive_failures == 3
    assert len(receiver.received) == 3  # the fourth event found it disabled
    [notice] = mail.outbox
    assert notice.to == [endpoint.subscription.email] and endpoint.url in notice.body


def test_a_success_resets_the_failure_count(receiver, settings):
    settings.WEBHOOKS_DISABLE_AFTER = 3
    endpoint = make_endpoint(receiver.url())
    receiver.replies = [(400, {}, 0), (400, {}, 0), (200, {}, 0), (400, {}, 0), (400, {}, 0)]
    for n in range(5):
        _deliver(publish(make_deal(slug=f"deal-{n}")))
    endpoint.refresh_from_db()
    assert endpoint.status == "active" and endpoint.consecutive_failures == 2


def test_it_delivers_a_regulatory_decision(receiver, django_capture_on_commit_callbacks):
    import datetime

    from partnerships.models import RegulatoryReview
    from partnerships.services.alerts.events import regulatory_decision_record

    endpoint = make_endpoint(receiver.url())
    deal = make_deal()
    review = RegulatoryReview.objects.create(
        key="uk-cma-northwind-acme",
        authority="uk-cma",
        case="Northwind / Acme merger inquiry",
        outcome="Not a relevant merger situation",
        decided_on=datetime.date(2025, 3, 5),
    )
    review.deals.add(deal)
    [event] = regulatory_decision_record(review=review)
    _deliver(event)
    payload = Webhook(endpoint.secret).verify(receiver.received[-1].body, receiver.received[-1].headers)
    assert payload["type"] == "regulatory.decision"
    assert payload["data"]["review"]["outcome"] == "Not a relevant merger situation"
    assert payload["data"]["deal"]["slug"] == "northwind-acme"
