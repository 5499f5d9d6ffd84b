"""The visitor's address behind a reverse proxy: believed only as far as trusted proxies wrote it."""

import ipaddress
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from config.client_ip import client_ip
from partnerships.models import Subscription

PROXY = "10.0.0.2"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]
    return settings


def test_it_ignores_x_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"
    assert client_ip(_request(PROXY, "198.51.100.1")) == PROXY


def test_it_takes_the_address_the_trusted_proxy_saw(behind_proxy):
    assert client_ip(_request(PROXY, "198.51.100.1")) == "198.51.100.1"
    # A client forging the header only adds entries to the left of the one our proxy appended.
    assert client_ip(_request(PROXY, "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    # Two trusted proxies in a row (a load balancer in front of nginx).
    assert client_ip(_request(PROXY, "198.51.100.1, 10.1.2.3")) == "198.51.100.1"
    assert client_ip(_request("fd00::1", "2001:db8::7")) == "2001:db8::7"


def test_it_does_not_believe_a_client_that_is_not_a_trusted_proxy(behind_proxy):
    assert client_ip(_request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", ["", "not-an-ip", "10.1.1.1, garbage"])
def test_it_falls_back_to_the_nearest_trusted_hop_on_a_missing_or_garbled_header(behind_proxy, forwarded):
    assert client_ip(_request(PROXY, forwarded)) in (PROXY, "10.1.1.1")


def test_it_reads_ports_and_brackets_in_forwarded_addresses(behind_proxy):
    assert client_ip(_request(PROXY, "198.51.100.1:4711")) == "198.51.100.1"
    assert client_ip(_request(PROXY, "[2001:db8::7]:443")) == "2001:db8::7"


def _subscribe(client, email):
    return client.post("/alerts/", {"email": email, "frequency": "instant"})


@pytest.mark.django_db
def test_two_visitors_behind_the_proxy_get_separate_subscribe_limits(behind_proxy):
    behind_proxy.ALERTS_SUBSCRIBE_PER_IP = 2
    behind_proxy.ALERTS_SUBSCRIBE_PER_ADDRESS = 100
    prefix = uuid.uuid4().hex[:8]
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.11")
    second = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.12")
    assert [_subscribe(first, f"{prefix}a{i}@example.com").status_code for i in range(3)] == [200, 200, 429]
    assert [_subscribe(second, f"{prefix}b{i}@example.com").status_code for i in range(2)] == [200, 200]
    assert Subscription.objects.get(email=f"{prefix}b0@example.com").request_ip == "198.51.100.12"


@pytest.mark.django_db
def test_without_trusted_proxies_every_visitor_behind_the_proxy_shares_one_limit(settings):
    settings.TRUSTED_PROXIES = []
    settings.ALERTS_SUBSCRIBE_PER_IP = 2
    settings.ALERTS_SUBSCRIBE_PER_ADDRESS = 100
    prefix = uuid.uuid4().hex[:8]
    proxy = f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.21")
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.22")
    assert [_subscribe(first, f"{prefix}a{i}@example.com").status_code for i in range(2)] == [200, 200]
    assert _subscribe(second, f"{prefix}b0@example.com").status_code == 429


@pytest.mark.django_db
def test_one_visitors_failed_logins_do_not_lock_out_another_behind_the_proxy(behind_proxy):
    User.objects.create_user("eve", "eve@example.com", "right-password-123", is_staff=True)
    login = reverse("admin:login")
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.31")
    for _ in range(behind_proxy.AXES_FAILURE_LIMIT):
        attacker.post(login, {"username": "eve", "password": "wrong"})
    assert attacker.post(login, {"username": "eve", "password": "right-password-123"}).status_code == 429
    curator = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.32")
    response = curator.post(login, {"username": "eve", "password": "right-password-123"})
    assert response.status_code == 302 and "_auth_user_id" in curator.session
