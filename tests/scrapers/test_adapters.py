"""Adapters against the captured real feeds and pages, with expectations computed independently."""

import email.utils
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from extraction.dates import parse_datetime
from scrapers.adapters import ParseError, canonical_url, detect_kind, get_adapter
from scrapers.fetch import FetchError, decode_checked
from tests.conftest import REALDATA

FEEDS = (
    sorted(p.name for p in (REALDATA / "feeds").glob("*.xml")) if REALDATA.is_dir() else ["(no real data)"]
)
ATOM = "{http://www.w3.org/2005/Atom}"


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def expected_items(path):
    """What a feed holds, read with xml.etree rather than the parser under test; each link as
    written in the feed, and the key two spellings of one post share."""
    root = ET.parse(path).getroot()
    items = []
    for node in root.iter("item"):
        date = node.findtext("pubDate")
        items.append(
            {
                "title": _norm(node.findtext("title")),
                "url": node.findtext("link").strip(),
                "key": canonical_url(node.findtext("link").strip()),
                "published_at": email.utils.parsedate_to_datetime(date).astimezone(UTC) if date else None,
            }
        )
    for node in root.iter(f"{ATOM}entry"):
        link = next(
            el.get("href") for el in node.iter(f"{ATOM}link") if el.get("rel", "alternate") == "alternate"
        )
        date = node.findtext(f"{ATOM}published") or node.findtext(f"{ATOM}updated")
        items.append(
            {
                "title": _norm(node.findtext(f"{ATOM}title")),
                "url": link.strip(),
                "key": canonical_url(link),
                "published_at": datetime.fromisoformat(date.replace("Z", "+00:00")) if date else None,
            }
        )
    return items


def first_per_key(expected: list[dict]) -> list[dict]:
    """One entry per post, the first spelling of its link winning, as the adapters keep it."""
    return list({item["key"]: item for item in reversed(expected)}.values())[::-1]


@pytest.mark.parametrize("name", FEEDS)
def test_it_parses_every_real_feed_with_the_right_items(realdata, name):
    path = realdata / "feeds" / name
    expected = expected_items(path)
    items = get_adapter("feed").parse(path.read_bytes(), base_url="https://vendor.example/feed.xml")

    first = first_per_key(expected)
    assert len(items) == len(first)
    for item, want in zip(items, first, strict=True):
        assert item.title == want["title"]
        assert item.published_at == want["published_at"]
    assert [item.url for item in items] == [want["url"] for want in first]


def test_it_knows_the_sizes_the_readme_gives_for_the_anthropic_feeds(realdata):
    feed = get_adapter("feed")
    counts = {
        "Olshansk_rss-feeds__feed_anthropic_news.xml": 255,
        "Olshansk_rss-feeds__feed_anthropic_news__2025-11-28_BROKEN_1item.xml": 1,
        "Olshansk_rss-feeds__feed_anthropic__last.xml": 0,
    }
    for name, count in counts.items():
        assert (
            len(feed.parse((realdata / "feeds" / name).read_bytes(), base_url="https://x.example/")) == count
        )


def test_it_finds_a_known_partnership_in_the_anthropic_feed(realdata):
    items = get_adapter("feed").parse(
        (realdata / "feeds" / "Olshansk_rss-feeds__feed_anthropic_news.xml").read_bytes(),
        base_url="https://x.example/",
    )
    tpus = [
        i
        for i in items
        if i.url == "https://www.anthropic.com/news/expanding-our-use-of-google-cloud-tpus-and-services"
    ]
    assert len(tpus) == 1
    assert tpus[0].published_at.date().isoformat() == "2025-10-23"


def _listing(realdata):
    return next((realdata / "listings").glob("*anthropic_page.html")).read_bytes()


def test_it_reads_featured_and_listed_items_with_dates_from_the_anthropic_page(realdata):
    items = get_adapter("html").parse(_listing(realdata), base_url="https://www.anthropic.com/news")
    by_url = {item.url: item for item in items}

    # Featured card (class names hashed) and a row of the publication list.
    featured = by_url["https://www.anthropic.com/news/claude-opus-4-5"]
    assert featured.title == "Introducing Claude Opus 4.5"
    assert featured.published_at.date().isoformat() == "2025-11-24"
    assert featured.summary
    listed = by_url["https://www.anthropic.com/news/servicenow-anthropic-claude"]
    assert listed.title.startswith("ServiceNow chooses Claude")
    assert listed.published_at.date().isoformat() == "2026-01-28"

    # Every <time> on the page belongs to exactly one item, and every item has a date.
    time_count = len(re.findall(rb"<time\b", _listing(realdata)))
    assert len(items) == time_count
    assert all(item.published_at for item in items)
    assert all(item.title and item.title != item.url for item in items)


def test_it_survives_a_class_name_redesign_of_the_anthropic_page(realdata):
    renamed = re.sub(rb"module__[A-Za-z0-9]{6}__", b"module__Zz9Yy8__", _listing(realdata))
    renamed = renamed.replace(b"PublicationList", b"PostIndex").replace(b"FeaturedGrid", b"Hero")
    before = get_adapter("html").parse(_listing(realdata), base_url="https://www.anthropic.com/news")
    after = get_adapter("html").parse(renamed, base_url="https://www.anthropic.com/news")
    assert [(i.url, i.published_at) for i in after] == [(i.url, i.published_at) for i in before]


def test_it_reads_the_json_entries_with_an_items_path(realdata):
    path = next((realdata / "listings").glob("*site_data_entries.json"))
    data = json.loads(path.read_bytes())
    by_key = {}
    for entry in data["entries"]:
        if entry.get("url"):
            by_key.setdefault(canonical_url(entry["url"]), entry["url"].strip())
    expected = list(by_key.values())

    class Newsroom:
        selectors = {"items_path": "entries"}
        url = "https://x.example/data.json"

    items = get_adapter("json").parse(path.read_bytes(), base_url="https://x.example/", newsroom=Newsroom())
    assert [i.url for i in items] == expected
    first = data["entries"][0]
    assert items[0].title == first["title"]
    assert items[0].published_at.date().isoformat() == first["date"]


def test_it_rejects_the_misdecoded_page_with_a_clear_error(realdata):
    body = next((realdata / "listings").glob("*misdecoded.html")).read_bytes()
    with pytest.raises(FetchError, match="does not decode to text"):
        decode_checked(body, "text/html; charset=utf-8")


# --- Synthetic pages written for these tests ------------------------------------------------


def test_it_uses_the_curator_selectors_first():
    page = b"""<html><body><div class="x1"><a class="go" href="/news/one?utm_source=tw#top">
      <span class="t">First post</span><span class="d">March 3, 2025</span></a></div></body></html>"""

    class Newsroom:
        selectors = {"item": ".x1", "title": ".t", "link": "a.go", "date": ".d"}
        url = "https://vendor.example/news"

    [item] = get_adapter("html").parse(page, base_url="https://vendor.example/news", newsroom=Newsroom())
    assert item.title == "First post"
    assert item.url == "https://vendor.example/news/one?utm_source=tw#top"  # as given; dedupe uses the key
    assert item.published_at == datetime(2025, 3, 3, tzinfo=UTC)


def test_it_falls_back_to_json_ld_and_next_data():
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "BlogPosting",
                "headline": "LD post",
                "url": "/blog/ld-post",
                "datePublished": "2025-02-01",
            },
        ],
    }
    next_data = {
        "props": {
            "pageProps": {
                "posts": [{"title": "Next post", "slug": "next-post", "publishedOn": "2025-04-05T10:00:00Z"}]
            }
        }
    }
    page = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body>'
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(next_data)}</script></body></html>'
    ).encode()
    items = get_adapter("html").parse(page, base_url="https://vendor.example/blog")
    by_url = {i.url: i for i in items}
    assert by_url["https://vendor.example/blog/ld-post"].published_at == datetime(2025, 2, 1, tzinfo=UTC)
    assert by_url["https://vendor.example/blog/next-post"].title == "Next post"


def test_it_falls_back_to_articles_and_dated_links_under_the_newsroom_path():
    page = b"""<html><body>
      <nav><a href="/news">News</a><a href="/about">About</a></nav>
      <article><h3><a href="/news/alpha">Alpha deal</a></h3><time datetime="2025-06-01">June 1</time></article>
      <ul><li><a href="/news/beta">Beta partnership</a> <span>12 May 2025</span></li>
          <li><a href="/careers/gamma">Not news</a> <span>12 May 2025</span></li></ul>
    </body></html>"""
    items = get_adapter("html").parse(page, base_url="https://vendor.example/news")
    assert {(i.url, i.published_at.date().isoformat()) for i in items} == {
        ("https://vendor.example/news/alpha", "2025-06-01"),
        ("https://vendor.example/news/beta", "2025-05-12"),
    }


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("Jan 28, 2026", datetime(2026, 1, 28, tzinfo=UTC), "day"),
        ("Sept 2, 2025", datetime(2025, 9, 2, tzinfo=UTC), "day"),
        ("28 January 2026", datetime(2026, 1, 28, tzinfo=UTC), "day"),
        ("2025-10-23T00:00:00Z", datetime(2025, 10, 23, tzinfo=UTC), "day"),
        ("Fri, 14 Aug 2026 00:00:00 +0000", datetime(2026, 8, 14, tzinfo=UTC), "day"),
        ("Published in March 2024", datetime(2024, 3, 1, tzinfo=UTC), "month"),
        ("no date here", None, "day"),
    ],
)
def test_it_parses_listing_dates(text, expected, precision):
    assert parse_datetime(text) == (expected, precision)


def test_it_drops_tracking_parameters_and_fragments_from_urls():
    assert (
        canonical_url(
            "HTTPS://News.Example.com:443/posts/a/?utm_source=x&id=3&fbclid=y&gclid=z&ref=home#section"
        )
        == "https://news.example.com/posts/a?id=3"
    )
    assert canonical_url("../b?b=2&a=1", "https://x.example/news/a/") == "https://x.example/news/b?a=1&b=2"


def test_it_detects_the_kind_of_a_document():
    assert detect_kind(b'<?xml version="1.0"?><rss version="2.0"></rss>') == "feed"
    assert detect_kind(b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>') == "feed"
    assert detect_kind(b'  {"items": []}') == "json"
    assert detect_kind(b"<!doctype html><html></html>") == "html"


def test_it_refuses_malformed_documents_with_a_parse_error():
    with pytest.raises(ParseError):
        get_adapter("feed").parse(b"<rss><channel><item><title>broken", base_url="https://x.example/")
    with pytest.raises(ParseError):
        get_adapter("feed").parse(b"<html><body>not a feed</body></html>", base_url="https://x.example/")
    with pytest.raises(ParseError):
        get_adapter("json").parse(b'{"items": [', base_url="https://x.example/")

    class Newsroom:
        selectors = {"items_path": "data.posts"}

    with pytest.raises(ParseError, match="items_path"):
        get_adapter("json").parse(b'{"data": {}}', base_url="https://x.example/", newsroom=Newsroom())


def test_it_reads_an_atom_feed():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>T</title><link href="https://vendor.example/"/>
      <entry><title>Atom post</title><link rel="alternate" href="/posts/1"/><id>tag:1</id>
      <updated>2025-07-01T12:00:00Z</updated><summary type="html">&lt;p&gt;Hi &lt;b&gt;there&lt;/b&gt;&lt;/p&gt;</summary></entry>
    </feed>"""
    [item] = get_adapter("feed").parse(atom, base_url="https://vendor.example/atom.xml")
    assert item.url == "https://vendor.example/posts/1"
    assert item.published_at == datetime(2025, 7, 1, 12, tzinfo=UTC)
    assert item.summary == "Hi there"


def test_a_feed_summary_in_html_keeps_words_whole_across_inline_tags():
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>N</title><link>https://n.example/</link>
      <item><title>T</title><link>https://n.example/a</link>
      <description>&lt;p&gt;Open&lt;b&gt;AI&lt;/b&gt; and Acme&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description></item>
    </channel></rss>"""
    (item,) = get_adapter("feed").parse(feed, base_url="https://n.example/")
    assert item.summary == "OpenAI and Acme"
