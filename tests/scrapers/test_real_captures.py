"""The adapters against the vendors' own pages captured in December: listings, native feeds and a
bot-challenge page. Expectations are read from the captures independently of the adapters
(regular expressions, xml.etree), never copied into the tests."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from html import unescape
from urllib.parse import urljoin

import pytest

from extraction.text import html_to_text
from scrapers import services
from scrapers.adapters import canonical_url, get_adapter
from scrapers.fetch import FetchError, fetch
from scrapers.models import Announcement, Newsroom, ScrapeRun
from tests.factories import AnnouncementFactory, NewsroomFactory
from tests.scrapers.test_adapters import expected_items, first_per_key

MISTRAL = "listings/mistral_ai_news_listing_2026-03.html"
DEEPMIND = "listings/deepmind_google_research_publications_listing_2026-03.html"
CHALLENGE = "edge_cases/openai_com_cloudflare_challenge_403_2026-10-04.html"
NATIVE_FEEDS = {
    "openai_com_news_rss_2026-09-25_first8of1229.xml": ("https://openai.com/news/rss.xml", 8),
    "blog_google_technology_ai_rss_2026-09-23_first6of20.xml": ("https://blog.google/technology/ai/rss/", 6),
    "deepmind_google_blog_rss_2026-09-24_first8of100.xml": ("https://deepmind.google/blog/rss.xml", 8),
}


def _read(realdata, name) -> bytes:
    path = realdata / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this copy of the captured pages")
    return path.read_bytes()


# --- mistral.ai/news: the whole listing -----------------------------------------------------


def test_it_reads_the_ten_mistral_cards_as_nine_dated_posts(realdata):
    body = _read(realdata, MISTRAL)
    cards = re.findall(rb"<article\b", body)
    hrefs = list(dict.fromkeys(re.findall(rb'<a[^>]*href="(/news/[^"]+)"[^>]*>\s*<article', body)))
    items = get_adapter("html").parse(body.decode("utf-8"), base_url="https://mistral.ai/news")

    assert len(cards) == 10 and len(hrefs) == 9  # the featured post repeats the first card
    assert [item.url for item in items] == [urljoin("https://mistral.ai/news", h.decode()) for h in hrefs]
    assert all(item.published_at is not None and item.title for item in items)
    days = [item.published_at.date() for item in items]
    assert (min(days), max(days)) == (date(2026, 1, 21), date(2026, 3, 23))
    assert days == sorted(days, reverse=True)
    nvidia = next(item for item in items if "nvidia" in item.url)
    assert nvidia.published_at == datetime(2026, 3, 16, tzinfo=UTC)


def test_the_mistral_newsrooms_selectors_find_the_dates_written_as_text(realdata):
    """Its cards carry the date in a plain <div>, not a <time>: the selectors' date finds nothing."""
    body = _read(realdata, MISTRAL).decode("utf-8")

    class Mistral:
        url = "https://mistral.ai/news"
        selectors = {"item": "a[href*='/news/']", "title": "h2, h3", "date": "time, [class*='date' i]"}

    items = get_adapter("html").parse(body, base_url=Mistral.url, newsroom=Mistral())
    assert len(items) == 9 and all(item.published_at for item in items)
    plain = get_adapter("html").parse(body, base_url=Mistral.url)
    assert [(i.url, i.published_at) for i in items] == [(i.url, i.published_at) for i in plain]


# --- deepmind.google: a listing with day-first dates and trailing slashes --------------------


def test_it_reads_the_deepmind_listing_with_day_first_dates_and_links_as_written(realdata):
    body = _read(realdata, DEEPMIND)
    links = list(
        dict.fromkeys(re.findall(rb'href="(https://deepmind\.google/research/publications/\d+/)"', body))
    )
    items = get_adapter("html").parse(
        body.decode("utf-8"), base_url="https://deepmind.google/research/publications/"
    )

    assert len(links) == 30
    assert [item.url for item in items] == [link.decode() for link in links]  # the trailing slash is kept
    assert all(item.url.endswith("/") and item.published_at for item in items)
    assert items[0].published_at == datetime(2026, 4, 23, tzinfo=UTC)


# --- the vendors' own feeds -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NATIVE_FEEDS))
def test_it_reads_each_native_feed_with_dates_and_links_as_written(realdata, name):
    body = _read(realdata, f"feeds/native/{name}")
    base, count = NATIVE_FEEDS[name]
    expected = first_per_key(expected_items(realdata / "feeds" / "native" / name))
    items = get_adapter("feed").parse(body, base_url=base)

    assert len(items) == count == len(expected)
    assert [item.url for item in items] == [want["url"] for want in expected]
    assert [item.title for item in items] == [want["title"] for want in expected]
    assert [item.published_at for item in items] == [want["published_at"] for want in expected]
    assert all(item.published_at is not None for item in items)


def test_it_takes_the_blog_google_description_not_the_image_caption(realdata):
    name = "feeds/native/blog_google_technology_ai_rss_2026-09-23_first6of20.xml"
    body = _read(realdata, name)
    media = "{http://search.yahoo.com/mrss/}description"
    nodes = list(ET.fromstring(body).iter("item"))
    items = get_adapter("feed").parse(body, base_url="https://blog.google/")

    for item, node in zip(items, nodes, strict=True):
        description = re.sub(r"\s+", " ", html_to_text(unescape(node.findtext("description")))).strip()
        assert item.summary[:60] == description[:60]  # the standfirst, whichever copy of it the feed holds
        assert item.summary != (node.findtext(media) or "").strip()


@pytest.mark.django_db
def test_a_scraped_native_feed_stores_every_link_as_the_feed_wrote_it(
    realdata, server, extraction_calls, django_capture_on_commit_callbacks
):
    name = "feeds/native/blog_google_technology_ai_rss_2026-09-23_first6of20.xml"
    body = _read(realdata, name)
    newsroom = NewsroomFactory(url=server.add("/rss/", body, headers={"Content-Type": "application/rss+xml"}))

    run = services.newsroom_scrape(newsroom=newsroom, fetch_articles=False)

    written = [want["url"] for want in first_per_key(expected_items(realdata / name))]
    assert run.status == ScrapeRun.Status.OK and run.items_new == len(written) == 6
    assert sorted(Announcement.objects.values_list("url", flat=True)) == sorted(written)
    assert all(url.endswith("/") for url in written)
    assert set(Announcement.objects.values_list("url_key", flat=True)) == {canonical_url(u) for u in written}


# --- a bot challenge is "blocked", not "0 items" --------------------------------------------


@pytest.mark.parametrize("status", [403, 200])
def test_the_cloudflare_challenge_page_reads_as_blocked(realdata, server, status):
    url = server.add("/news", _read(realdata, CHALLENGE), status=status)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.blocked and not caught.value.permanent
    assert caught.value.status == status
    assert "blocked by a bot challenge" in str(caught.value)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [403, 200])
def test_a_newsroom_behind_the_challenge_is_blocked_not_empty(realdata, server, status, mailoutbox):
    newsroom = NewsroomFactory(
        kind=Newsroom.Kind.HTML, url=server.add("/news", _read(realdata, CHALLENGE), status=status)
    )

    run = services.newsroom_scrape(newsroom=newsroom)

    newsroom.refresh_from_db()
    assert run.status == ScrapeRun.Status.BLOCKED and run.http_status == status
    assert "blocked by a bot challenge" in run.error
    assert run.items_seen == 0 and not Announcement.objects.exists()
    assert newsroom.health == Newsroom.Health.BLOCKED and newsroom.typical_item_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("status", [403, 200])
def test_an_article_behind_the_challenge_is_not_archived(realdata, server, status):
    url = server.add("/index/post/", _read(realdata, CHALLENGE), status=status)
    announcement = AnnouncementFactory(url=url, text="", fetch_status=Announcement.FetchStatus.PENDING)

    services.announcement_fetch(announcement_id=announcement.pk)

    announcement.refresh_from_db()
    assert "blocked by a bot challenge" in announcement.fetch_error
    assert announcement.fetch_status == Announcement.FetchStatus.PENDING  # retried later, not "fetched"
    assert not announcement.raw_html and not announcement.content_hash


def test_a_page_that_only_talks_about_captchas_is_not_blocked(server):
    page = (
        "<html><body><article><h1>Why we dropped the CAPTCHA</h1><p>Access denied pages and captcha "
        "walls annoy readers, so our sign-up form has none.</p></article></body></html>"
    )
    result = fetch(server.add("/post", page))
    assert result.status == 200 and "CAPTCHA" in result.text
