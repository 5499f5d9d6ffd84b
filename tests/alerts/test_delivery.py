"""Instant alerts, change alerts, retries, bounces, the reaper and digests (tasks run eagerly)."""

import datetime
import email
import email.policy
from decimal import Decimal

import pytest
from django.core import mail

from partnerships.models import AlertDelivery, AlertEvent, Deal, Digest, Subscription
from partnerships.services import alerts
from partnerships.services.alerts.delivery import deliveries_claim
from partnerships.services.deals import deal_link_phase, deal_publish, deal_retract, deal_update
from partnerships.tasks import deliveries_reap_task, digests_send_task
from tests.alerts import backends
from tests.alerts.conftest import make_deal
from tests.factories import DealFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Run a block as one committed transaction would: on-commit tasks run (eagerly) after it."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def test_it_alerts_matching_instant_subscribers_when_a_deal_is_published(publish, openai, microsoft):
    fan = SubscriptionFactory(companies=[openai])
    SubscriptionFactory(companies=[microsoft])
    SubscriptionFactory(companies=[openai], frequency="daily")
    deal = publish(
        make_deal,
        companies=[openai],
        title="OpenAI signs a\ncloud deal",
        kind="cloud",
        value_max=Decimal("4000000000"),
        clauses=[{"kind": "exclusivity", "subject": "cloud"}],
    )
    assert [m.to for m in mail.outbox] == [[fan.email]]
    message = mail.outbox[0]
    assert message.subject == "OpenAI signs a cloud deal"
    unsubscribe = alerts.unsubscribe_url(fan)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert unsubscribe.startswith("https://pactwatch.example/alerts/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == f"<alert.{deal.pk}.published.{fan.pk}@pactwatch.example>"
    for part in (message.body, message.alternatives[0][0]):
        assert "OpenAI" in part and "Cloud" in part and "up to $4B" in part
        assert "Exclusivity (cloud)" in part
        assert f"https://pactwatch.example/deals/{deal.slug}/" in part
        assert "/alerts/manage/" in part and unsubscribe in part
    delivery = AlertDelivery.objects.get()
    assert delivery.status == "sent" and delivery.sent_at and delivery.attempts == 1
    assert delivery.message_id == message.extra_headers["Message-ID"]


def test_it_sends_html_that_needs_no_stylesheet_or_remote_image(publish, openai):
    SubscriptionFactory()
    publish(make_deal, companies=[openai])
    html = mail.outbox[0].alternatives[0][0]
    assert 'style="' in html
    assert "<img" not in html and "<link" not in html and "<style" not in html


def test_it_shows_what_changed_against_the_previous_phase(publish, openai, microsoft):
    SubscriptionFactory(frequency="weekly")  # not instant: the first phase sends nothing
    earlier = make_deal(
        companies=[openai, microsoft],
        clauses=[
            {"kind": "right_of_first_refusal", "subject": "compute"},
            {"kind": "exclusivity", "subject": "cloud"},
        ],
    )
    SubscriptionFactory()
    publish(
        make_deal,
        companies=[openai, microsoft],
        predecessor=earlier,
        clauses=[
            {"kind": "exclusivity", "subject": "cloud"},
            {"kind": "equity_stake", "amount": 27, "unit": "percent"},
        ],
    )
    body = mail.outbox[0].body
    assert "What changed against the previous phase" in body
    assert "Removed: Right of first refusal (compute)" in body
    assert "New: Equity stake 27%" in body


@pytest.mark.parametrize("status", ["candidate", "rejected", "merged", "retracted"])
def test_it_sends_nothing_for_deals_that_are_not_published(publish, openai, status):
    SubscriptionFactory()
    target = make_deal(companies=[openai], status="published") if status == "merged" else None
    publish(make_deal, companies=[openai], status=status, **({"merged_into": target} if target else {}))
    mail.outbox.clear()
    assert AlertDelivery.objects.exclude(deal=target).count() == 0


def test_it_never_sends_the_same_event_twice(publish, openai, microsoft):
    SubscriptionFactory()
    deal = publish(make_deal, companies=[openai, microsoft])
    assert len(mail.outbox) == 1
    # Saving again, a stale in-memory copy, publishing again, an explicit event, a re-run
    # fan-out: nothing new.
    publish(deal.save)
    stale = Deal.objects.get(pk=deal.pk)
    publish(stale.save)
    publish(deal_publish, deal=stale)
    publish(alerts.alert_event_record, deal_id=deal.pk, event="published")
    alerts.alert_fan_out(deal_id=deal.pk, event="published")
    # Retracted and published again: still the same "published" event.
    publish(deal_retract, deal=deal, reason="checking the source")
    publish(deal_publish, deal=deal)
    assert len(mail.outbox) == 1
    assert AlertDelivery.objects.count() == 1


def test_it_detects_publication_from_the_database_value_not_the_instance(publish, openai):
    SubscriptionFactory()
    deal = make_deal(companies=[openai], status="candidate")
    # Another process publishes the row; this copy still thinks it is a candidate.
    Deal.objects.filter(pk=deal.pk).update(status="published")
    publish(deal_publish, deal=deal)
    assert mail.outbox == []


def test_it_alerts_again_when_a_published_deal_changes_materially(publish, openai):
    subscription = SubscriptionFactory()
    deal = publish(
        make_deal, companies=[openai], clauses=[{"kind": "right_of_first_refusal", "subject": "compute"}]
    )
    assert len(mail.outbox) == 1
    # Wording edits are not material.
    deal.summary = "Reworded summary."
    publish(deal_update, deal=deal)
    assert len(mail.outbox) == 1
    # A right of first refusal given up is.
    rofr = deal.clauses.get()
    rofr.effect = "removed"
    publish(deal_update, deal=deal, clauses=[rofr], save_deal=False)
    assert len(mail.outbox) == 2
    change = mail.outbox[1]
    assert change.subject == deal.title
    assert "What changed since our last alert" in change.body
    assert (
        "Changed: Right of first refusal (compute) → Right of first refusal (compute) — removed"
        in change.body
    )
    event = AlertEvent.objects.get(kind="changed")
    assert (
        change.extra_headers["Message-ID"]
        == f"<alert.{deal.pk}.{event.key}.{subscription.pk}@pactwatch.example>"
    )
    # So is a new headline amount; noticing the same change twice sends one email.
    deal.value_max = Decimal("10000000000")
    publish(deal_update, deal=deal)
    publish(alerts.deal_detect_change, deal_id=deal.pk)
    assert len(mail.outbox) == 3
    assert "Headline value: none → $10B" in mail.outbox[2].body


def test_it_alerts_when_a_published_deal_is_linked_as_a_new_phase(publish, openai):
    SubscriptionFactory()
    earlier = make_deal(companies=[openai], status="published")
    later = publish(make_deal, companies=[openai])
    mail.outbox.clear()
    publish(deal_link_phase, deal=later, predecessor=earlier)
    assert len(mail.outbox) == 1
    assert "Linked as a new phase" in mail.outbox[0].body


def test_it_skips_subscribers_who_left_before_the_send(openai):
    leaving = SubscriptionFactory()
    staying = SubscriptionFactory()
    deal = make_deal(companies=[openai])
    alerts.alert_fan_out(deal_id=deal.pk, event="published", deliver=False)
    alerts.subscription_unsubscribe(subscription=leaving)
    alerts.alert_deliver(deal_id=deal.pk, event="published")
    assert [m.to for m in mail.outbox] == [[staying.email]]
    assert AlertDelivery.objects.get(subscription=leaving).status == "skipped"


def test_it_sends_each_batch_over_one_connection(settings, openai):
    settings.EMAIL_BACKEND = "tests.alerts.backends.ScriptedBackend"
    settings.ALERTS_BATCH_SIZE = 10
    backends.ScriptedBackend.FAILURES = {}
    backends.ScriptedBackend.opened = 0
    SubscriptionFactory.create_batch(25)
    deal = make_deal(companies=[openai])
    alerts.alert_fan_out(deal_id=deal.pk, event="published", deliver=False)
    report = alerts.alert_deliver(deal_id=deal.pk, event="published")
    assert report.sent == 25 and len(mail.outbox) == 25
    assert backends.ScriptedBackend.opened == 3


def test_it_retries_transient_errors_with_backoff(settings, openai, time_machine):
    settings.EMAIL_BACKEND = "tests.alerts.backends.ScriptedBackend"
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    flaky = SubscriptionFactory()
    backends.ScriptedBackend.FAILURES = {flaky.email: [backends.transient(), backends.transient()]}
    deal = make_deal(companies=[openai])
    alerts.alert_fan_out(deal_id=deal.pk, event="published", deliver=False)
    alerts.alert_deliver(deal_id=deal.pk, event="published")
    row = AlertDelivery.objects.get()
    assert row.status == "pending" and row.attempts == 1 and "451" in row.error
    first_wait = row.next_attempt_at - datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)
    assert datetime.timedelta(seconds=60) <= first_wait <= datetime.timedelta(seconds=120)
    # Not due yet: nothing is claimed.
    assert alerts.alert_deliver(deal_id=deal.pk, event="published").retrying == 0
    time_machine.move_to(row.next_attempt_at + datetime.timedelta(seconds=1), tick=False)
    alerts.alert_deliver(deal_id=deal.pk, event="published")
    row.refresh_from_db()
    second_wait = row.next_attempt_at - timezone_now()
    assert row.attempts == 2 and second_wait >= datetime.timedelta(seconds=120)
    time_machine.move_to(row.next_attempt_at + datetime.timedelta(seconds=1), tick=False)
    # The reaper hands due rows to a sender (eager here).
    deliveries_reap_task()
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 3
    assert len(mail.outbox) == 1


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_it_marks_an_address_bounced_after_repeated_permanent_failures(settings, openai):
    settings.EMAIL_BACKEND = "tests.alerts.backends.ScriptedBackend"
    settings.ALERTS_BOUNCE_THRESHOLD = 2
    dead = SubscriptionFactory()
    backends.ScriptedBackend.FAILURES = {dead.email: backends.permanent()}
    for _ in range(2):
        deal = make_deal(companies=[openai])
        alerts.alert_fan_out(deal_id=deal.pk, event="published")
        dead.refresh_from_db()
    assert dead.status == "bounced" and dead.bounce_count == 2
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {"failed"}
    # A bounced address is no longer matched.
    third = make_deal(companies=[openai])
    assert alerts.alert_fan_out(deal_id=third.pk, event="published") == 0


def test_it_gives_up_after_the_last_attempt(settings, openai, time_machine):
    settings.EMAIL_BACKEND = "tests.alerts.backends.ScriptedBackend"
    settings.ALERTS_MAX_ATTEMPTS = 2
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    flaky = SubscriptionFactory()
    backends.ScriptedBackend.FAILURES = {flaky.email: backends.transient()}
    deal = make_deal(companies=[openai])
    alerts.alert_fan_out(deal_id=deal.pk, event="published")
    time_machine.shift(datetime.timedelta(hours=1))
    alerts.alert_deliver(deal_id=deal.pk, event="published")
    row = AlertDelivery.objects.get()
    assert row.status == "failed" and row.attempts == 2
    backends.ScriptedBackend.FAILURES = {}


def test_it_releases_rows_a_dead_worker_left_sending(openai, time_machine):
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    subscriptions = SubscriptionFactory.create_batch(3)
    deal = make_deal(companies=[openai])
    alerts.alert_fan_out(deal_id=deal.pk, event="published", deliver=False)
    # A worker claimed the batch, sent nothing and died.
    ids = deliveries_claim(AlertDelivery, AlertDelivery.objects.filter(status="pending"), limit=10)
    assert len(ids) == 3
    assert alerts.alert_deliver(deal_id=deal.pk, event="published").sent == 0
    deliveries_reap_task()
    assert AlertDelivery.objects.filter(status="sending").count() == 3, "a live claim is left alone"
    time_machine.shift(datetime.timedelta(minutes=11))
    deliveries_reap_task()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscriptions)
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_it_fans_out_an_event_whose_task_was_lost(openai, time_machine):
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    SubscriptionFactory()
    # Published in a transaction whose on-commit task never reached the broker.
    deal = make_deal(companies=[openai])
    assert AlertEvent.objects.filter(deal=deal, fanned_out_at__isnull=True).exists()
    assert mail.outbox == []
    time_machine.shift(datetime.timedelta(minutes=11))
    deliveries_reap_task()
    assert len(mail.outbox) == 1


def test_it_sends_one_daily_digest_per_period_with_the_new_deals(publish, openai, microsoft, time_machine):
    time_machine.move_to("2026-06-01 08:00:00+00:00", tick=False)
    daily = SubscriptionFactory(companies=[openai], frequency="daily", last_digest_until=timezone_now())
    SubscriptionFactory(companies=[openai], frequency="weekly", last_digest_until=timezone_now())
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    first = publish(make_deal, companies=[openai], title="First OpenAI deal")
    second = publish(make_deal, companies=[openai, microsoft], title="Second OpenAI deal")
    publish(make_deal, companies=[microsoft], title="Not for this reader")
    publish(make_deal, companies=[openai], title="Still a candidate", status="candidate")
    assert mail.outbox == [], "digest readers get no instant alert"
    time_machine.move_to("2026-06-02 07:00:00+00:00", tick=False)
    digests_send_task(frequency="daily")
    digests_send_task(frequency="daily")  # beat fired twice: still one digest
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [daily.email]
    assert digest.subject == "Pactwatch daily digest: 2 new deals"
    assert first.title in digest.body and second.title in digest.body
    assert "Not for this reader" not in digest.body and "Still a candidate" not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest.extra_headers["Message-ID"] == f"<digest.2026-06-02.{daily.pk}@pactwatch.example>"
    assert Digest.objects.get(subscription=daily).status == "sent"
    # The next day: nothing new, no email; then one new deal, and only it.
    time_machine.move_to("2026-06-03 07:00:00+00:00", tick=False)
    digests_send_task(frequency="daily")
    assert len(mail.outbox) == 1
    time_machine.move_to("2026-06-03 12:00:00+00:00", tick=False)
    third = publish(make_deal, companies=[openai], title="Third OpenAI deal")
    time_machine.move_to("2026-06-04 07:00:00+00:00", tick=False)
    digests_send_task(frequency="daily")
    assert len(mail.outbox) == 2
    assert third.title in mail.outbox[1].body and first.title not in mail.outbox[1].body
    daily.refresh_from_db()
    assert daily.last_digest_until == datetime.datetime(2026, 6, 4, 7, tzinfo=datetime.UTC)


def test_it_sends_weekly_digests_once_per_iso_week(publish, openai, time_machine):
    time_machine.move_to("2026-06-01 08:00:00+00:00", tick=False)
    weekly = SubscriptionFactory(frequency="weekly", last_digest_until=timezone_now())
    time_machine.move_to("2026-06-02 08:00:00+00:00", tick=False)
    publish(make_deal, companies=[openai])
    time_machine.move_to("2026-06-08 07:30:00+00:00", tick=False)
    digests_send_task(frequency="weekly")
    time_machine.move_to("2026-06-08 09:30:00+00:00", tick=False)
    digests_send_task(frequency="weekly")
    assert len(mail.outbox) == 1
    assert Digest.objects.get(subscription=weekly).period == "2026-W24"


def test_it_counts_no_deal_twice_across_digests_and_instant_alerts(publish, openai):
    SubscriptionFactory()
    deal = publish(make_deal, companies=[openai])
    assert Subscription.objects.count() == 1 and len(mail.outbox) == 1
    assert DealFactory._meta.model.objects.filter(pk=deal.pk, status="published").exists()
    digests_send_task(frequency="daily")
    assert len(mail.outbox) == 1


def test_it_merges_a_message_identical_to_the_one_django_builds(openai):
    from email import message_from_bytes, policy

    from partnerships.emails import MergeTemplate, RenderedEmail, email_message

    rendered = RenderedEmail("Subject line", "Text PWLINK end\n", "<p>HTML <a href='PWLINK'>x</a></p>")
    headers = {"List-Unsubscribe": "<PWLINK>", "Message-ID": "<PWID>"}
    template = MergeTemplate(
        rendered, to="pw@placeholder.invalid", headers=headers, placeholders=["PWLINK", "PWID"]
    )
    assert template.usable
    values = {
        "PWLINK": "https://pactwatch.example/alerts/unsubscribe/abc:def/",
        "PWID": "alert.1.published.2@x",
    }
    merged = template.message(to="reader@example.com", replacements=values)
    normal = email_message(
        rendered.personalize(values),
        to="reader@example.com",
        headers={"List-Unsubscribe": f"<{values['PWLINK']}>", "Message-ID": f"<{values['PWID']}>"},
    )
    got = message_from_bytes(merged.message().as_bytes(), policy=policy.default)
    want = message_from_bytes(normal.message().as_bytes(), policy=policy.default)
    for header in ("To", "From", "Subject", "List-Unsubscribe", "Message-ID", "Content-Type"):
        assert got[header].split(";")[0] == want[header].split(";")[0], header
    assert got.get_body(("plain",)).get_content() == want.get_body(("plain",)).get_content()
    assert got.get_body(("html",)).get_content() == want.get_body(("html",)).get_content()
    assert merged.body == normal.body and merged.extra_headers == normal.extra_headers


def test_it_does_not_count_a_refused_message_as_a_bounce(settings, openai):
    import smtplib

    settings.EMAIL_BACKEND = "tests.alerts.backends.ScriptedBackend"
    settings.ALERTS_BOUNCE_THRESHOLD = 1
    reader = SubscriptionFactory()
    backends.ScriptedBackend.FAILURES = {reader.email: smtplib.SMTPDataError(554, b"5.7.1 message rejected")}
    deal = make_deal(companies=[openai])
    alerts.alert_fan_out(deal_id=deal.pk, event="published")
    backends.ScriptedBackend.FAILURES = {}
    reader.refresh_from_db()
    assert AlertDelivery.objects.get().status == "failed"
    assert reader.status == "active" and reader.bounce_count == 0


def test_it_folds_a_digest_that_could_not_be_sent_into_the_next_one(settings, publish, openai, time_machine):
    settings.EMAIL_BACKEND = "tests.alerts.backends.ScriptedBackend"
    time_machine.move_to("2026-06-01 08:00:00+00:00", tick=False)
    reader = SubscriptionFactory(frequency="daily", last_digest_until=timezone_now())
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    monday = publish(make_deal, companies=[openai], title="Monday deal")
    backends.ScriptedBackend.FAILURES = {reader.email: backends.transient()}
    time_machine.move_to("2026-06-02 07:00:00+00:00", tick=False)
    digests_send_task(frequency="daily")
    assert mail.outbox == [] and Digest.objects.get().status == "pending"
    backends.ScriptedBackend.FAILURES = {}
    time_machine.move_to("2026-06-02 12:00:00+00:00", tick=False)
    tuesday = publish(make_deal, companies=[openai], title="Tuesday deal")
    time_machine.move_to("2026-06-03 07:00:00+00:00", tick=False)
    digests_send_task(frequency="daily")
    deliveries_reap_task()  # would resend the old one if it had not been superseded
    assert len(mail.outbox) == 1
    assert monday.title in mail.outbox[0].body and tuesday.title in mail.outbox[0].body
    assert dict(Digest.objects.values_list("period", "status")) == {
        "2026-06-02": "skipped",
        "2026-06-03": "sent",
    }


def test_it_never_merges_a_recipients_links_into_a_title_that_names_a_merge_token(publish, openai):
    fan = SubscriptionFactory(companies=[openai])
    tokens = "PWUNSUBSCRIBEURLPLACEHOLDER PWMANAGEURLPLACEHOLDER pw-recipient-placeholder@pactwatch.invalid"
    publish(make_deal, companies=[openai], title=f"Deal {tokens}")
    raw = mail.outbox[0].message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == f"Deal {tokens}"
    assert "/alerts/unsubscribe/" not in parsed["Subject"] and fan.email not in parsed["Subject"]
    # The recipient's own links are still merged where they belong.
    assert alerts.unsubscribe_url(fan) in parsed["List-Unsubscribe"]
