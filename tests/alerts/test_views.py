"""Subscribe, confirm, manage, unsubscribe and the private feed, through the test client."""

import re
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from partnerships.models import Subscription
from partnerships.services import alerts
from tests.alerts.conftest import make_deal
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/alerts/"


def _subscribe(client, email, **extra):
    data = {"email": email, "frequency": "instant", **extra}
    return client.post(SUBSCRIBE, data)


def _checked(html: str, value: str) -> bool:
    """Whether the form's checkbox for ``value`` is ticked (the alert form uses checkboxes)."""
    return bool(re.search(rf'<input type="checkbox"[^>]*value="{re.escape(value)}"[^>]*\bchecked\b', html))


def _link(body, purpose):
    marker = f"/alerts/{purpose}/"
    start = body.index(marker)
    end = body.index("/", start + len(marker)) + 1
    return body[body.rindex("https://", 0, start) : end]


def test_it_subscribes_and_sends_only_a_confirmation(client, openai, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(client, "New@Example.com", company=["openai"], clause=["exclusivity"])
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    subscription = Subscription.objects.get(email="new@example.com")
    assert subscription.status == Subscription.Status.PENDING
    assert list(subscription.companies.all()) == [openai]
    assert subscription.clause_kind_list == ["exclusivity"]
    assert subscription.request_ip == "127.0.0.1" and subscription.consent_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Confirm your Pactwatch alerts"
    assert "/alerts/confirm/" in mail.outbox[0].body
    assert "/alerts/confirm/" in mail.outbox[0].alternatives[0][0]


def test_it_confirms_only_on_post_and_records_consent(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, "reader@example.com")
    url = _link(mail.outbox[0].body, "confirm")
    path = url.removeprefix("https://pactwatch.example")
    assert client.get(path).status_code == 200
    assert Subscription.objects.get().status == "pending", "a link scanner's GET must not confirm"
    response = client.post(path, HTTP_USER_AGENT="Mail Reader 1.0", REMOTE_ADDR="198.51.100.7")
    assert b"Your alerts are on" in response.content
    subscription = Subscription.objects.get()
    assert subscription.status == "active"
    assert subscription.consent_ip == "198.51.100.7"
    assert subscription.consent_user_agent == "Mail Reader 1.0"
    assert subscription.consent_at is not None
    assert b"Already confirmed" in client.post(path).content


def test_it_sends_a_pending_address_at_most_one_email_an_hour(
    client, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-03-01 10:00:00+00:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, "pending@example.com")
        _subscribe(client, "pending@example.com")
    time_machine.move_to("2026-03-01 10:59:00+00:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, "pending@example.com")
    assert len(mail.outbox) == 1
    time_machine.move_to("2026-03-01 11:01:00+00:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, "pending@example.com")
    assert len(mail.outbox) == 2


def test_it_gives_the_same_answer_for_known_and_unknown_addresses(client, django_capture_on_commit_callbacks):
    SubscriptionFactory(email="known@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        known = _subscribe(client, "known@example.com")
        unknown = _subscribe(client, "unknown@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.content.replace(b"known@", b"X@") == unknown.content.replace(b"unknown@", b"X@")


def test_it_does_not_let_a_stranger_change_an_active_subscription(
    client, openai, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory(email="owner@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, "owner@example.com", company=["openai"], frequency="weekly")
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.frequency == "instant"
    assert not subscription.companies.exists()
    # The owner gets a manage link that proposes the requested filters.
    assert len(mail.outbox) == 1
    manage = _link(mail.outbox[0].body, "manage")
    query = mail.outbox[0].body.split(manage, 1)[1].split()[0]
    page = client.get(manage.removeprefix("https://pactwatch.example") + query)
    assert _checked(page.content.decode(), "openai")


def test_it_ignores_the_honeypot_but_answers_the_same(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(client, "bot@example.com", website="http://spam.example")
    assert response.status_code == 200 and b"Check your inbox" in response.content
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_it_rate_limits_subscribes_per_ip(settings):
    settings.ALERTS_SUBSCRIBE_PER_IP = 3
    client = Client(REMOTE_ADDR=f"203.0.113.{uuid.uuid4().int % 250}")
    prefix = uuid.uuid4().hex[:8]
    statuses = [_subscribe(client, f"{prefix}{i}@example.com").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert Subscription.objects.count() == 3


def test_it_rate_limits_subscribes_per_address_across_ips(settings):
    settings.ALERTS_SUBSCRIBE_PER_ADDRESS = 2
    address = f"{uuid.uuid4().hex[:10]}@example.com"
    statuses = [_subscribe(Client(REMOTE_ADDR=f"198.51.100.{i}"), address).status_code for i in range(1, 5)]
    assert statuses == [200, 200, 429, 429]


def test_it_rejects_an_invalid_form_with_its_errors(client):
    response = _subscribe(client, "not-an-address", min_amount="lots")
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert not Subscription.objects.exists()


def test_it_prefills_the_form_from_the_timeline_query(client, openai):
    response = client.get(SUBSCRIBE + "?company=openai&kind=cloud&clause=exclusivity&min_amount=1B")
    content = response.content.decode()
    assert response.status_code == 200
    assert _checked(content, "openai") and _checked(content, "cloud") and _checked(content, "exclusivity")
    assert "<select multiple" not in content and 'type="checkbox"' in content
    assert 'value="1B"' in content


def test_it_serves_the_form_fragment_to_htmx(client):
    response = client.get(SUBSCRIBE, HTTP_HX_REQUEST="true")
    assert response.content.lstrip().startswith(b"<section")
    assert b"csrfmiddlewaretoken" in response.content


def test_it_never_unsubscribes_on_get():
    subscription = SubscriptionFactory()
    path = alerts.unsubscribe_url(subscription).removeprefix("https://pactwatch.example")
    response = Client().get(path)
    assert response.status_code == 200 and b"Unsubscribe from Pactwatch alerts?" in response.content
    subscription.refresh_from_db()
    assert subscription.status == "active"


def test_it_unsubscribes_on_a_one_click_post_without_csrf_and_idempotently():
    subscription = SubscriptionFactory()
    path = alerts.unsubscribe_url(subscription).removeprefix("https://pactwatch.example")
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert b"You are unsubscribed" in response.content
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed" and subscription.unsubscribed_at is not None


def test_it_keeps_csrf_on_every_other_alert_view():
    subscription = SubscriptionFactory(status="pending", consent_at=None)
    client = Client(enforce_csrf_checks=True)
    assert client.post(SUBSCRIBE, {"email": "x@example.com"}).status_code == 403
    confirm = alerts.confirm_url(subscription).removeprefix("https://pactwatch.example")
    manage = alerts.manage_url(subscription).removeprefix("https://pactwatch.example")
    assert client.post(confirm).status_code == 403
    assert client.post(manage, {"frequency": "daily"}).status_code == 403


def test_it_rejects_bad_links_with_a_clear_page(client):
    subscription = SubscriptionFactory()
    manage = alerts.manage_url(subscription).removeprefix("https://pactwatch.example")
    response = client.get(manage[:-5] + "XXXX/")
    assert response.status_code == 400 and b"This link is not valid" in response.content
    # An unsubscribe token opens no manage page.
    unsubscribe_token = alerts.subscription_token(subscription=subscription, purpose="unsubscribe")
    response = client.get(reverse("partnerships:alert_manage", kwargs={"token": unsubscribe_token}))
    assert response.status_code == 400


def test_it_changes_filters_and_frequency_from_the_manage_page(client, openai, anthropic):
    subscription = SubscriptionFactory()
    path = alerts.manage_url(subscription).removeprefix("https://pactwatch.example")
    response = client.post(
        path,
        {"company": ["openai", "anthropic"], "kind": ["cloud"], "min_amount": "500M", "frequency": "weekly"},
    )
    assert response.status_code == 200 and b"Saved" in response.content
    subscription.refresh_from_db()
    assert set(subscription.companies.all()) == {openai, anthropic}
    assert subscription.deal_kind_list == ["cloud"]
    assert subscription.min_amount == 500_000_000
    assert subscription.frequency == "weekly"


def test_it_resubscribes_from_the_manage_page_with_fresh_consent(client):
    subscription = SubscriptionFactory(status="unsubscribed")
    path = alerts.manage_url(subscription).removeprefix("https://pactwatch.example")
    client.post(path, {"action": "resubscribe"})
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.unsubscribed_at is None


def test_it_serves_a_private_atom_feed_with_the_same_filters(client, openai, microsoft):
    subscription = SubscriptionFactory(companies=[openai])
    wanted = make_deal(companies=[openai, microsoft], title="OpenAI and Microsoft extend their pact")
    make_deal(companies=[microsoft], title="Microsoft buys chips")
    make_deal(companies=[openai], title="OpenAI candidate", status="candidate")
    response = client.get(alerts.feed_url(subscription).removeprefix("https://pactwatch.example"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert wanted.title in body
    assert "Microsoft buys chips" not in body and "OpenAI candidate" not in body


def test_it_hides_the_feed_of_an_unsubscribed_address(client):
    subscription = SubscriptionFactory(status="unsubscribed")
    assert (
        client.get(alerts.feed_url(subscription).removeprefix("https://pactwatch.example")).status_code == 404
    )


def test_it_links_a_company_page_to_a_prefilled_form(openai):
    from django.template.loader import render_to_string

    html = render_to_string("partnerships/alerts/_subscribe_form.html", {"company": openai})
    assert 'href="/alerts/?company=openai"' in html
    assert 'data-hx-get="/alerts/?company=openai"' in html
    assert "Email me when a OpenAI deal is published" in html
    assert "csrfmiddlewaretoken" not in html, "a cached page must not carry someone's CSRF token"


def test_it_carries_the_timeline_filters_into_the_partial():
    from django.template.loader import render_to_string

    html = render_to_string(
        "partnerships/alerts/_subscribe_form.html",
        {"alert_query": "company=openai&kind=cloud", "alert_title": "Alert me about deals like these"},
    )
    assert 'href="/alerts/?company=openai&amp;kind=cloud"' in html
    assert "Alert me about deals like these" in html


def test_it_builds_the_feed_in_a_fixed_number_of_queries(
    client, openai, microsoft, django_assert_max_num_queries
):
    subscription = SubscriptionFactory(companies=[openai])
    subscription.clause_kind_list = ["exclusivity"]
    subscription.save()
    for n in range(12):
        make_deal(companies=[openai, microsoft], title=f"Deal {n}", clauses=[{"kind": "exclusivity"}])
    path = alerts.feed_url(subscription).removeprefix("https://pactwatch.example")
    # One query more than before: the clauses behind each entry, whose certainty it states.
    with django_assert_max_num_queries(7):
        response = client.get(path)
    assert response.content.count(b"<entry>") == 12


def test_it_builds_the_manage_page_in_a_fixed_number_of_queries(
    client, openai, django_assert_max_num_queries
):
    from tests.factories import CompanyFactory

    CompanyFactory.create_batch(30)
    subscription = SubscriptionFactory(companies=[openai])
    path = alerts.manage_url(subscription).removeprefix("https://pactwatch.example")
    with django_assert_max_num_queries(8):
        assert client.get(path).status_code == 200


def test_it_exempts_only_the_unsubscribe_view_from_csrf():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    # The read API (django-ninja marks its views exempt) answers GETs only and reads no cookie.
    exempt = [
        route
        for route, view in walk(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False) and not route.startswith("api/")
    ]
    assert exempt == ["alerts/unsubscribe/<str:token>/"]


def test_it_shows_form_errors_to_htmx_in_a_swappable_response(client):
    response = client.post(SUBSCRIBE, {"email": "nope", "frequency": "instant"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, "htmx does not swap 4xx responses"
    assert response.content.lstrip().startswith(b"<section")
    assert b"Enter a valid email address" in response.content


def test_it_offers_alerts_on_the_home_page(client):
    response = client.get("/")
    assert b'data-hx-get="/alerts/"' in response.content


def test_it_offers_an_alert_prefilled_from_the_timeline_filters(client, openai):
    response = client.get("/deals/?company=openai&kind=cloud")
    assert b"Alert me about deals like these" in response.content
    assert b'data-hx-get="/alerts/?company=openai&amp;kind=cloud"' in response.content
    form = client.get("/alerts/?company=openai&kind=cloud", HTTP_HX_REQUEST="true").content.decode()
    assert _checked(form, "openai") and _checked(form, "cloud")


def test_it_leaves_an_unsubscribed_address_alone_when_a_stranger_subscribes_it(
    client, openai, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory(email="left@example.com", status="unsubscribed", frequency="weekly")
    feed = alerts.feed_url(subscription).removeprefix("https://pactwatch.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(client, "left@example.com", company=["openai"])
    assert response.status_code == 200 and b"Check your inbox" in response.content  # the same answer
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed" and subscription.frequency == "weekly"
    assert not subscription.companies.exists()
    assert client.get(feed).status_code == 404, "the feed of an address that left stays gone"
    # The owner is told how to come back; coming back takes the signed manage link.
    assert len(mail.outbox) == 1
    assert "unsubscribed earlier" in mail.outbox[0].body and "/alerts/manage/" in mail.outbox[0].body
    assert "/alerts/confirm/" not in mail.outbox[0].body


@pytest.mark.parametrize("address", ["a@example.org\u202e", "a@exa\u200bmple.org", "a@example\u2066.org"])
def test_it_rejects_an_address_with_an_invisible_character(client, address):
    response = _subscribe(client, address)
    assert response.status_code == 400
    assert b"invisible or control character" in response.content
    assert not Subscription.objects.exists()
