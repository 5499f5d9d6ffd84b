import datetime

import pytest
from django.utils import timezone

from scrapers.models import AnnouncementRevision, Newsroom, ScrapeRun
from tests.factories import AnnouncementFactory, DealFactory, NewsroomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def test_it_shows_revision_diffs_of_an_announcement(client):
    item = AnnouncementFactory(title="Partnership news", text="First line\nSecond line")
    now = timezone.now()
    AnnouncementRevision.objects.create(
        announcement=item,
        title="Partnership news",
        text="First line\nSecond line\nThird",
        content_hash="a",
        fetched_at=now - datetime.timedelta(days=2),
    )
    AnnouncementRevision.objects.create(
        announcement=item,
        title="Partnership news (updated)",
        text="First line\nSecond line, amended\nThird",
        content_hash="b",
        fetched_at=now,
    )
    html = client.get(item.get_absolute_url()).content.decode()
    assert '<span class="diff-removed">- Second line</span>' in html
    assert '<span class="diff-added">+ Second line, amended</span>' in html
    assert "<del>Partnership news</del>" in html and "<ins>Partnership news (updated)</ins>" in html


def test_it_lists_deals_citing_an_announcement_but_only_public_ones(client):
    item = AnnouncementFactory()
    DealFactory(slug="public").sources.add(item)
    DealFactory(slug="candidate", status="candidate").sources.add(item)
    html = client.get(item.get_absolute_url()).content.decode()
    assert "/deals/public/" in html and "/deals/candidate/" not in html


def test_it_pages_the_archive_by_keyset_and_filters_by_newsroom(client, settings):
    newsroom = NewsroomFactory(slug="oa-news")
    items = [AnnouncementFactory(newsroom=newsroom, title=f"Item {i}") for i in range(55)]
    AnnouncementFactory(title="Elsewhere")
    first = client.get("/announcements/?newsroom=oa-news").content.decode()
    assert "Elsewhere" not in first and ">Item 54<" in first and ">Item 4<" not in first
    second = client.get(f"/announcements/?newsroom=oa-news&before={items[5].pk}").content.decode()
    assert ">Item 4<" in second and ">Item 0<" in second and ">Item 5<" not in second


def test_it_shows_each_newsroom_health_last_run_items_and_error(client):
    newsroom = NewsroomFactory(
        name="Anthropic News", health=Newsroom.Health.STALE, health_detail="No item in 30 days"
    )
    ScrapeRun.objects.create(
        newsroom=newsroom,
        status=ScrapeRun.Status.FAILED,
        error="HTTP 503",
        started_at=timezone.now() - datetime.timedelta(hours=2),
    )
    ScrapeRun.objects.create(
        newsroom=newsroom, status=ScrapeRun.Status.OK, items_seen=12, items_new=3, items_updated=1
    )
    AnnouncementFactory(newsroom=newsroom)
    html = client.get("/sources/").content.decode()
    assert "Anthropic News" in html and "health-stale" in html and "No item in 30 days" in html
    assert "12 / 3 / 1" in html and "HTTP 503" in html
