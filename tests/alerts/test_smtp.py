"""Django's SMTP backend delivering to a real aiosmtpd server on 127.0.0.1."""

import pytest
from django.test import Client

from partnerships.models import AlertDelivery, Subscription
from tests.alerts.conftest import make_deal

pytestmark = pytest.mark.django_db


def _text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message):
    return message.get_body(preferencelist=("html",)).get_content()


def _path(url):
    return url.removeprefix("https://pactwatch.example")


def _find_link(text, purpose):
    start = text.index(f"https://pactwatch.example/alerts/{purpose}/")
    return text[start:].split()[0]


def test_it_takes_a_reader_from_subscribe_to_one_click_unsubscribe_over_smtp(
    smtp_settings, openai, microsoft, django_capture_on_commit_callbacks
):
    sink = smtp_settings
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/alerts/", {"email": "analyst@example.com", "company": ["openai"], "frequency": "instant"}
        )
    assert sink.wait_for(1)
    (confirmation,) = sink.to("analyst@example.com")
    assert confirmation["Subject"] == "Confirm your Pactwatch alerts"
    assert "List-Unsubscribe" not in confirmation
    client.post(_path(_find_link(_text(confirmation), "confirm")))
    assert Subscription.objects.get().status == "active"

    with django_capture_on_commit_callbacks(execute=True):
        deal = make_deal(companies=[openai, microsoft], title="OpenAI and Microsoft sign a compute deal")
        make_deal(companies=[microsoft], title="Not followed")
    assert sink.wait_for(2)
    alerts_received = sink.to("analyst@example.com")[1:]
    assert len(alerts_received) == 1
    alert = alerts_received[0]
    assert alert["Subject"] == deal.title
    unsubscribe = str(alert["List-Unsubscribe"]).strip()  # a long header may be folded
    assert unsubscribe.startswith("<https://pactwatch.example/alerts/unsubscribe/") and unsubscribe.endswith(
        ">"
    )
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert alert["Message-ID"] == AlertDelivery.objects.get().message_id
    assert alert.get_content_type() == "multipart/alternative"
    assert "OpenAI (partner)" in _text(alert) and deal.title in _html(alert)
    assert unsubscribe.strip("<>") in _text(alert)

    # The mail provider's one-click POST: no cookies, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        _path(unsubscribe.strip("<>")),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscription.objects.get().status == "unsubscribed"
    with django_capture_on_commit_callbacks(execute=True):
        make_deal(companies=[openai], title="After leaving")
    assert len(sink.to("analyst@example.com")) == 2


def test_it_records_a_permanent_refusal_from_the_server(
    smtp_settings, openai, django_capture_on_commit_callbacks
):
    from tests.factories import SubscriptionFactory

    sink = smtp_settings
    good = SubscriptionFactory(email="good@example.com")
    bad = SubscriptionFactory(email="gone@example.com")
    sink.reject["gone@example.com"] = "550 5.1.1 mailbox unavailable"
    with django_capture_on_commit_callbacks(execute=True):
        make_deal(companies=[openai])
    assert sink.wait_for(1)
    assert len(sink.to(good.email)) == 1 and sink.to(bad.email) == []
    failed = AlertDelivery.objects.get(subscription=bad)
    assert failed.status == "failed" and "550" in failed.error
    bad.refresh_from_db()
    assert bad.bounce_count == 1
    assert AlertDelivery.objects.get(subscription=good).status == "sent"


def test_it_retries_later_when_the_server_is_down(settings, openai):
    from partnerships.services import alerts
    from tests.alerts.conftest import free_port
    from tests.factories import SubscriptionFactory

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens here
    settings.EMAIL_TIMEOUT = 2
    SubscriptionFactory()
    deal = make_deal(companies=[openai])
    alerts.alert_fan_out(deal_id=deal.pk, event="published", deliver=False)
    report = alerts.alert_deliver(deal_id=deal.pk, event="published")
    assert report.retrying == 1 and report.sent == 0
    row = AlertDelivery.objects.get()
    assert row.status == "pending" and row.next_attempt_at is not None and row.error
