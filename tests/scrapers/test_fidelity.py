"""Links round-trip unchanged: as the publisher gave them through every way in, out to the pages and
back to the fetcher; their canonical form is only the key that makes two spellings one page."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from scrapers import services
from scrapers.adapters import ListingItem, canonical_url, get_adapter
from scrapers.models import Announcement
from tests.factories import NewsroomFactory
from tests.scrapers.conftest import article, rss

GIVEN = [
    "https://blog.example/technology/ai/ai-tips-2025/",
    "https://blog.example/News/Case-Sensitive/?b=2&a=1",
    "https://blog.example/post/seven?utm_source=feed#comments",
]
DATE = "Mon, 17 Nov 2025 09:00:00 +0000"


def test_a_feed_listing_and_json_endpoint_give_their_links_unchanged():
    feed = rss([(f"Post {i}", url, DATE) for i, url in enumerate(GIVEN)]).encode()
    html = "".join(
        f'<article><a href="{url}"><h2>Post {i}</h2></a><time datetime="2025-11-17">x</time></article>'
        for i, url in enumerate(GIVEN)
    )
    data = json.dumps({"items": [{"title": f"Post {i}", "url": url} for i, url in enumerate(GIVEN)]})

    assert [i.url for i in get_adapter("feed").parse(feed, base_url="https://blog.example/")] == GIVEN
    assert [i.url for i in get_adapter("html").parse(html, base_url="https://blog.example/")] == GIVEN
    assert [i.url for i in get_adapter("json").parse(data, base_url="https://blog.example/")] == GIVEN


def test_relative_links_are_only_made_absolute():
    html = (
        '<article><a href="../ai/tips-2025/"><h2>Tips</h2></a><time datetime="2025-11-17">x</time></article>'
    )
    [item] = get_adapter("html").parse(html, base_url="https://blog.example/technology/news/")
    assert item.url == "https://blog.example/technology/ai/tips-2025/"


@pytest.mark.django_db
def test_the_archive_stores_renders_and_fetches_the_link_as_given(
    client, server, extraction_calls, django_capture_on_commit_callbacks
):
    link = server.url("/technology/ai/ai-tips-2025/")
    server.add("/technology/ai/ai-tips-2025/", article("Tips", "Vendor and Partner announce a partnership."))
    newsroom = NewsroomFactory(url=server.add("/feed.xml", rss([("Tips", link, DATE)])))

    with django_capture_on_commit_callbacks(execute=True):
        services.newsroom_scrape(newsroom=newsroom)

    announcement = Announcement.objects.get()
    assert announcement.url == announcement.link == link
    assert announcement.url_key == server.url("/technology/ai/ai-tips-2025")
    assert announcement.fetch_status == Announcement.FetchStatus.FETCHED
    assert (
        server.hits("/technology/ai/ai-tips-2025/") == 1 and server.hits("/technology/ai/ai-tips-2025") == 0
    )
    assert f'href="{link}"' in client.get(announcement.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_two_spellings_of_one_page_are_one_announcement_keeping_the_first():
    first = ListingItem("Tips", "https://blog.example/ai/tips-2025/", None)
    second = ListingItem("Tips", "https://BLOG.example/ai/tips-2025?utm_medium=email", None)

    new = services.announcement_ingest(newsroom=None, items=[first])
    again = services.announcement_ingest(newsroom=None, items=[second, first])

    assert len(new.new_ids) == 1 and again.new_ids == [] and Announcement.objects.count() == 1
    assert Announcement.objects.get().url == "https://blog.example/ai/tips-2025/"


@pytest.mark.django_db
def test_a_scrape_preview_counts_a_known_page_under_another_spelling_as_known(server):
    newsroom = NewsroomFactory(
        url=server.add("/feed.xml", rss([("A", "https://blog.example/a?ref=x", DATE)]))
    )
    services.announcement_ingest(newsroom=None, items=[ListingItem("A", "https://blog.example/a/", None)])
    assert services.newsroom_preview(newsroom=newsroom).items_new == 0


@pytest.mark.django_db(transaction=True)
def test_the_migration_keys_existing_rows_and_keeps_their_links():
    executor = MigrationExecutor(connection)
    before = [("scrapers", "0006_source_kind_of_newsroom_pages")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("scrapers", "Announcement")
    old.objects.create(url="https://blog.example/a")  # stored canonical, as the scraper did
    old.objects.create(url="https://blog.example/a/")  # the same page, cited under another spelling
    old.objects.create(url="https://blog.example/b?utm_source=x")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = dict(Announcement.objects.values_list("url", "url_key"))
    assert rows == {
        "https://blog.example/a": "https://blog.example/a",
        "https://blog.example/a/": "https://blog.example/a/",  # the key was taken: its own link, nothing lost
        "https://blog.example/b?utm_source=x": "https://blog.example/b",
    }


@pytest.mark.django_db
def test_the_dataset_finds_a_page_already_stored_under_another_spelling(realdata):
    from io import StringIO

    from django.core.management import call_command

    from partnerships.models import Deal

    given = "https://openai.com/index/microsoft-invests-in-and-partners-with-openai/"
    services.announcement_ingest(newsroom=None, items=[ListingItem("Microsoft invests", given, None)])

    call_command("load_dataset", stdout=StringIO(), stderr=StringIO())

    [page] = Announcement.objects.filter(url_key=given.rstrip("/"))
    assert page.url == given  # the first spelling stays the link
    assert Deal.objects.filter(sources=page).exists()


@pytest.mark.django_db
def test_the_dataset_stores_its_sources_as_written():
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    data = json.loads((settings.BASE_DIR / "partnerships" / "data" / "dataset.json").read_text())
    written = {source["url"] for deal in data["deals"] for source in deal["sources"]}
    call_command("load_dataset", "--no-evidence", stdout=StringIO(), stderr=StringIO())

    stored = set(Announcement.objects.values_list("url", flat=True))
    assert any(url.endswith("/") for url in stored)  # the trailing slashes survived
    assert stored <= written and len(stored) == len({canonical_url(url) for url in written})
