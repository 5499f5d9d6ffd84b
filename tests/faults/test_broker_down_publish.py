"""Publishing while the broker is down: the curator's publish succeeds and the alert is not
lost — the event row (the outbox) waits for the reaper, which fans it out once Redis is back."""

import datetime

import pytest
from kombu.exceptions import OperationalError

from partnerships import tasks
from partnerships.models import AlertEvent, Deal


@pytest.mark.django_db
def test_it_publishes_while_the_broker_is_down_and_the_reaper_fans_out_later(
    django_capture_on_commit_callbacks, monkeypatch
):
    from partnerships.services import alerts
    from partnerships.services.deals import deal_publish
    from tests.factories import CompanyFactory, DealFactory, DealPartyFactory

    deal = DealFactory(status=Deal.Status.CANDIDATE, announced_on=datetime.date(2026, 1, 5))
    DealPartyFactory(deal=deal, company=CompanyFactory())
    DealPartyFactory(deal=deal, company=CompanyFactory())

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.fan_out_deal_event, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        deal_publish(deal=deal, actor=None)  # must not raise
    deal.refresh_from_db()
    assert deal.status == Deal.Status.PUBLISHED
    event = AlertEvent.objects.get(deal=deal)
    assert event.fanned_out_at is None, "the event waits in the outbox"

    monkeypatch.undo()
    fanned = []
    monkeypatch.setattr(tasks.fan_out_deal_event, "delay", lambda **kwargs: fanned.append(kwargs))
    report = alerts.deliveries_reap(claim_timeout=0)
    assert report.events == 1
    assert fanned == [{"deal_id": deal.pk, "event": "published"}]
