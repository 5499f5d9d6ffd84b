"""The `scrape` and `parse_listing` management commands."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scrapers.models import Announcement, Newsroom, ScrapeRun
from tests.factories import NewsroomFactory
from tests.scrapers.conftest import rss
from tests.scrapers.test_adapters import FEEDS, expected_items, first_per_key


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("name", FEEDS)
def test_it_prints_one_json_line_per_feed_item_and_touches_no_database(
    realdata, name, django_assert_num_queries
):
    path = realdata / "feeds" / name
    with django_assert_num_queries(0):
        out, err = run("parse_listing", str(path), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    expected = first_per_key(expected_items(path))
    assert [line["url"] for line in lines] == [item["url"] for item in expected]
    assert [line["title"] for line in lines] == [item["title"] for item in expected]
    assert [line["published_at"] for line in lines] == [
        item["published_at"].isoformat() if item["published_at"] else None for item in expected
    ]
    assert set(lines[0]) >= {"title", "url", "published_at", "summary"} if lines else True
    assert f"Parsed {len(lines)} item(s) as feed" in err


def test_it_parses_the_anthropic_page_with_a_base_url(realdata):
    path = next((realdata / "listings").glob("*anthropic_page.html"))
    out, _ = run("parse_listing", str(path), "--base-url", "https://www.anthropic.com/news", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 15 and all(line["published_at"] for line in lines)
    assert lines[5]["url"] == "https://www.anthropic.com/news/servicenow-anthropic-claude"


def test_it_refuses_the_misdecoded_page_with_a_clear_error(realdata):
    path = next((realdata / "listings").glob("*misdecoded.html"))
    with pytest.raises(CommandError, match="does not decode to text"):
        run("parse_listing", str(path), "--json")


@pytest.mark.django_db
def test_it_parses_a_url_with_a_newsrooms_selectors(server):
    page = '<div class="card"><a href="/p/1"><b>Alpha</b></a><em>Feb 3, 2025</em></div>'
    url = server.add("/listing", page)
    NewsroomFactory(
        slug="curated", kind="html", url=url, selectors={"item": ".card", "title": "b", "date": "em"}
    )
    out, _ = run("parse_listing", url, "--newsroom", "curated", "--json")
    [line] = [json.loads(x) for x in out.splitlines()]
    assert line == {
        "title": "Alpha",
        "url": server.url("/p/1"),
        "published_at": "2025-02-03T00:00:00+00:00",
        "summary": "",
        "precision": "day",
    }


@pytest.mark.django_db(transaction=True)
def test_it_scrapes_named_newsrooms_with_progress_and_a_summary(server, extraction_calls):
    feed = rss([("One", server.url("/news/one"), "Mon, 17 Nov 2025 09:00:00 +0000")])
    NewsroomFactory(slug="good", url=server.add("/good.xml", feed))
    NewsroomFactory(slug="bad", url=server.add("/bad.xml", "down", status=500))
    NewsroomFactory(slug="ignored", url=server.add("/other.xml", feed))

    out, _ = run("scrape", "--newsroom", "good", "--newsroom", "bad", "--workers", "1")

    assert "2/2" in out and "good: ok" in out and "bad: failed" in out
    assert out.strip().splitlines()[-1].startswith("Scraped 2 newsroom(s)")
    assert "1 new, 0 updated, 1 error(s)" in out
    assert ScrapeRun.objects.filter(newsroom__slug="ignored").count() == 0
    assert Announcement.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_writes_nothing_in_a_dry_run(server):
    feed = rss([("One", server.url("/news/one"), "Mon, 17 Nov 2025 09:00:00 +0000")])
    NewsroomFactory(slug="good", url=server.add("/good.xml", feed))
    out, _ = run("scrape", "--all", "--dry-run", "--workers", "1")
    assert "1 would be new" in out
    assert (Announcement.objects.count(), ScrapeRun.objects.count()) == (0, 0)
    assert Newsroom.objects.get().health == Newsroom.Health.UNKNOWN


@pytest.mark.django_db
def test_it_names_unknown_slugs():
    with pytest.raises(CommandError, match="nope"):
        run("scrape", "--newsroom", "nope")
