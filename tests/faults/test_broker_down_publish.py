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
    from tests.factories import AnnouncementFactory, CompanyFactory, DealFactory, DealPartyFactory

    deal = DealFactory(status=Deal.Status.CANDIDATE, announced_on=datetime.date(2026, 1, 5))
    deal.sources.add(AnnouncementFactory())
    DealPartyFactory(deal=deal, company=CompanyFactory())
    DealPartyFactory(deal=deal, company=CompanyFactory())

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.alert_fan_out_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        deal_publish(deal=deal, actor=None)  # must not raise
    deal.refresh_from_db()
    assert deal.status == Deal.Status.PUBLISHED
    event = AlertEvent.objects.get(deal=deal)
    assert event.fanned_out_at is None, "the event waits in the outbox"

    monkeypatch.undo()
    fanned = []
    monkeypatch.setattr(tasks.alert_fan_out_task, "delay", lambda **kwargs: fanned.append(kwargs))
    report = alerts.deliveries_reap(claim_timeout=0)
    assert report.events == 1
    assert fanned == [{"deal_id": deal.pk, "event": "published"}]


@pytest.mark.django_db
def test_it_records_a_material_change_while_the_broker_is_down(
    django_capture_on_commit_callbacks, monkeypatch
):
    from partnerships.models import Clause
    from partnerships.services.deals import deal_publish, deal_update
    from tests.factories import AnnouncementFactory, CompanyFactory, DealFactory, DealPartyFactory

    deal = DealFactory(status=Deal.Status.CANDIDATE, announced_on=datetime.date(2026, 1, 5))
    deal.sources.add(AnnouncementFactory())
    DealPartyFactory(deal=deal, company=CompanyFactory())
    DealPartyFactory(deal=deal, company=CompanyFactory())
    with django_capture_on_commit_callbacks(execute=True):
        deal_publish(deal=deal, actor=None)  # broker up (eager): the publish event is fanned out
    assert AlertEvent.objects.filter(deal=deal).exclude(fingerprint="").exists()

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.alert_fan_out_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        # A curator adds a right of first refusal to the published deal: a material change.
        rofr = Clause(kind=Clause.Kind.RIGHT_OF_FIRST_REFUSAL, status=Clause.Status.CONFIRMED)
        deal_update(deal=deal, clauses=[rofr], save_deal=False)  # must not raise
    changed = AlertEvent.objects.filter(deal=deal, kind=AlertEvent.Kind.CHANGED)
    assert changed.count() == 1, "the change was lost with the broker"
    assert changed.get().fanned_out_at is None, "its fan-out waits in the outbox for the reaper"
