import pytest
import time_machine
from django.core import signing

from partnerships.services import alerts
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_it_round_trips_a_token_for_its_purpose():
    subscription = SubscriptionFactory()
    for purpose in ("confirm", "manage", "unsubscribe", "feed"):
        token = alerts.subscription_token(subscription=subscription, purpose=purpose)
        assert alerts.subscription_from_token(token=token, purpose=purpose) == subscription


def test_it_rejects_a_token_signed_for_another_purpose():
    subscription = SubscriptionFactory()
    unsubscribe = alerts.subscription_token(subscription=subscription, purpose="unsubscribe")
    feed = alerts.subscription_token(subscription=subscription, purpose="feed")
    with pytest.raises(alerts.TokenError):
        alerts.subscription_from_token(token=unsubscribe, purpose="manage")
    with pytest.raises(alerts.TokenError):
        alerts.subscription_from_token(token=feed, purpose="confirm")


def test_it_rejects_a_tampered_token():
    victim = SubscriptionFactory()
    attacker = SubscriptionFactory()
    token = alerts.subscription_token(subscription=attacker, purpose="manage")
    payload, rest = token.split(":", 1)
    forged = signing.dumps({"s": victim.pk, "h": "x"}, salt="wrong").split(":", 1)[0] + ":" + rest
    with pytest.raises(alerts.TokenError) as excinfo:
        alerts.subscription_from_token(token=forged, purpose="manage")
    assert not excinfo.value.expired
    with pytest.raises(alerts.TokenError):
        alerts.subscription_from_token(
            token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"), purpose="manage"
        )


def test_it_rejects_an_expired_token(settings):
    subscription = SubscriptionFactory()
    with time_machine.travel("2026-01-01 00:00:00+00:00", tick=False):
        token = alerts.subscription_token(subscription=subscription, purpose="confirm")
    with time_machine.travel("2026-01-01 00:00:00+00:00", tick=False) as traveller:
        traveller.shift(settings.ALERTS_CONFIRM_MAX_AGE - 10)
        assert alerts.subscription_from_token(token=token, purpose="confirm") == subscription
        traveller.shift(20)
        with pytest.raises(alerts.TokenError) as excinfo:
            alerts.subscription_from_token(token=token, purpose="confirm")
    assert excinfo.value.expired


def test_it_rejects_a_token_for_a_deleted_subscription():
    subscription = SubscriptionFactory()
    token = alerts.subscription_token(subscription=subscription, purpose="manage")
    subscription.delete()
    with pytest.raises(alerts.TokenError):
        alerts.subscription_from_token(token=token, purpose="manage")


def test_it_does_not_put_the_address_in_the_link():
    subscription = SubscriptionFactory(email="someone@example.com")
    url = alerts.unsubscribe_url(subscription)
    decoded = signing.b64_decode(url.rsplit("/", 2)[-2].split(":")[0].encode())
    assert b"someone" not in decoded and "someone" not in url
