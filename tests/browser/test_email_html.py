"""Every email Pactwatch sends, produced by the real code paths (confirmation, "already
subscribed" note, instant alert, daily digest), has an HTML part the Nu HTML checker finds no
error in, and a plain-text part."""

import datetime

import pytest
from django.core import mail

from partnerships.models import Clause, Company, Deal
from tests.browser.support import missing_vnu_tools, vnu_errors
from tests.security.pages import load_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _publish_candidate(title: str, slug: str) -> Deal:
    from partnerships.services.deals import deal_publish
    from tests.factories import ArchivedAnnouncementFactory, ClauseFactory, DealFactory, DealPartyFactory

    deal = DealFactory(
        title=title,
        slug=slug,
        kind=Deal.Kind.COMPUTE,
        status=Deal.Status.CANDIDATE,
        announced_on=datetime.date.today(),
    )
    openai, oracle = Company.objects.get(slug="openai"), Company.objects.get(slug="oracle")
    DealPartyFactory(deal=deal, company=openai, role="customer")
    DealPartyFactory(deal=deal, company=oracle, role="provider")
    quote = "The two companies commit 2 gigawatts <b>of</b> capacity & more."
    source = ArchivedAnnouncementFactory(text=f"Announcement. {quote} Nothing else.")
    deal.sources.add(source)
    ClauseFactory(
        deal=deal,
        kind=Clause.Kind.COMPUTE_COMMITMENT,
        amount=2,
        unit="GW",
        status=Clause.Status.CONFIRMED,
        quote=quote,
        source=source,
        grantor=oracle,
        beneficiary=openai,
    )
    deal_publish(deal=deal, actor=None)
    return deal


def test_it_sends_only_valid_html_email(django_capture_on_commit_callbacks, settings):
    reason = missing_vnu_tools()
    if reason:
        pytest.skip(reason)
    from partnerships import tasks
    from partnerships.filters import DealFilter
    from partnerships.models import Subscription
    from partnerships.services import alerts

    load_data()
    openai = Company.objects.get(slug="openai")
    subscriptions = []
    with django_capture_on_commit_callbacks(execute=True):
        for address, frequency in (("instant@example.org", "instant"), ("daily@example.org", "daily")):
            subscriptions.append(
                alerts.subscription_request(
                    email=address,
                    deal_filter=DealFilter(companies=(openai.slug,)),
                    frequency=frequency,
                    ip="127.0.0.1",
                )
            )
    with django_capture_on_commit_callbacks(execute=True):
        for subscription in subscriptions:
            alerts.subscription_confirm(subscription=subscription, ip="127.0.0.1")
        Subscription.objects.update(confirmation_sent_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        alerts.subscription_request(
            email="instant@example.org", deal_filter=DealFilter(), frequency="instant", ip="127.0.0.1"
        )
    with django_capture_on_commit_callbacks(execute=True):
        _publish_candidate("OpenAI & Oracle add <2 GW> of capacity", "openai-oracle-proof-capacity")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.digests_send_task(frequency="daily")

    documents = {}
    for n, message in enumerate(mail.outbox):
        html = [
            content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"
        ]
        assert html, f"email {message.subject!r} has no HTML part"
        assert message.body.strip(), f"email {message.subject!r} has no text part"
        documents[f"{n} {message.subject}"] = html[0]
    kinds = " | ".join(documents)
    assert len(documents) >= 4, f"expected confirmation x2, already-subscribed, alert and digest; got {kinds}"
    assert "digest" in kinds.lower() and "<2 GW>" in kinds, kinds
    assert len({m.subject for m in mail.outbox if "example.org" in m.to[0]}) >= 4, kinds
    errors = vnu_errors(documents)
    assert not errors, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in errors.items())
