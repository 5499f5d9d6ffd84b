"""Beat's claims: a newsroom is due again one interval after it was due, and is claimed once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scrapers import services
from scrapers.models import Announcement, Newsroom
from tests.factories import AnnouncementFactory, NewsroomFactory

pytestmark = pytest.mark.django_db
MINUTE = timedelta(seconds=60)


def _due_newsroom(due_at, **kwargs) -> Newsroom:
    return NewsroomFactory(fetch_interval=MINUTE, next_fetch_at=due_at, **kwargs)


def test_it_schedules_the_next_check_one_interval_after_the_last_was_due():
    now = timezone.now()
    late = _due_newsroom(now - timedelta(seconds=4))  # claimed by the tick after it fell due

    assert services.newsrooms_claim_due(now=now) == [late.pk]

    late.refresh_from_db()
    assert late.next_fetch_at == now - timedelta(seconds=4) + MINUTE


def test_it_starts_a_fresh_cadence_for_a_newsroom_more_than_an_interval_behind():
    now = timezone.now()
    stale = _due_newsroom(now - timedelta(hours=3))

    assert services.newsrooms_claim_due(now=now) == [stale.pk]

    stale.refresh_from_db()
    assert stale.next_fetch_at == now + MINUTE, "not due again at the next tick"
    assert services.newsrooms_claim_due(now=now + timedelta(seconds=5)) == []


def test_it_claims_each_due_newsroom_once_and_leaves_the_rest():
    now = timezone.now()
    due = [_due_newsroom(now - timedelta(seconds=s)) for s in (30, 20, 10)]
    future = _due_newsroom(now + timedelta(seconds=5))
    paused = _due_newsroom(now - timedelta(seconds=5), is_active=False)

    first = services.newsrooms_claim_due(now=now, limit=2)
    second = services.newsrooms_claim_due(now=now)
    third = services.newsrooms_claim_due(now=now)

    assert first == [due[0].pk, due[1].pk], "the longest overdue first"
    assert second == [due[2].pk] and third == []
    future.refresh_from_db()
    paused.refresh_from_db()
    assert future.next_fetch_at == now + timedelta(seconds=5)
    assert paused.next_fetch_at == now - timedelta(seconds=5)


def test_it_claims_due_announcement_pages_once_with_a_lease():
    now = timezone.now()
    page = AnnouncementFactory(next_fetch_at=now - timedelta(seconds=1))
    AnnouncementFactory(next_fetch_at=None)

    assert services.announcements_claim_due(now=now) == [page.pk]
    assert services.announcements_claim_due(now=now) == []
    assert Announcement.objects.get(pk=page.pk).next_fetch_at == now + services.CLAIM_LEASE


def test_an_unchanged_check_after_a_claim_writes_only_its_run(monkeypatch, django_assert_num_queries):
    from scrapers.fetch import FetchResult
    from scrapers.services import runs

    now = timezone.now()
    newsroom = _due_newsroom(
        now - timedelta(seconds=2), etag='"v1"', last_new_item_at=now, health=Newsroom.Health.OK
    )
    services.newsrooms_claim_due(now=now)
    newsroom.refresh_from_db()
    claimed_next = newsroom.next_fetch_at

    def not_modified(url, **kwargs):
        return FetchResult(304, b"", "", {}, url, not_modified=True)

    monkeypatch.setattr(runs, "fetch", not_modified)
    with django_assert_num_queries(2):  # the run: INSERT when it starts, UPDATE when it ends
        services.newsroom_scrape(newsroom=newsroom)

    newsroom.refresh_from_db()
    assert newsroom.next_fetch_at == claimed_next


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_claim_disjoint_newsrooms():
    """PostgreSQL: one dispatcher's locked rows are skipped by the other, not claimed twice."""
    import threading

    from django.db import connection, connections

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("needs a database that skips locked rows (PostgreSQL)")
    now = timezone.now()
    rooms = [_due_newsroom(now - timedelta(seconds=1)) for _ in range(40)]
    start = threading.Barrier(2)
    claims: list[list[int]] = []

    def dispatcher():
        try:
            start.wait(timeout=10)
            claims.append(services.newsrooms_claim_due(now=now, limit=25))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    first, second = claims
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(room.pk for room in rooms)
