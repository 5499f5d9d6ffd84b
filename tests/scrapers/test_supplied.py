"""Reading saved files into pages and listing items: no database, no network."""

import json
from datetime import UTC, datetime

import pytest

from scrapers.supplied import SavedFileError, read_saved_file
from tests.scrapers.conftest import rss

LIMIT = 1024 * 1024

HEADER_TEXT = """SOURCE: https://vendor.example/news/tips-2025/ (a copy kept by a reader)
DATE: 2025-03-04
TITLE: Vendor and Partner sign a compute agreement

Vendor said it will buy capacity from Partner over five years.
"""

ARTICLE = """<!doctype html><html><head><title>Site | Post</title>
<link rel="canonical" href="https://vendor.example/blog/a-post/">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2025-06-02T10:00:00Z"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Vendor backs Partner</h1>
<p>Vendor invests in Partner to build models together.</p></article></body></html>"""


def listing_page(base: str = "") -> str:
    canonical = f'<link rel="canonical" href="{base}">' if base else ""
    cards = "".join(
        f'<article><a href="/news/post-{i}/"><h3>Post number {i}</h3></a><time datetime="2025-0{i}-01">x</time>'
        "</article>"
        for i in range(1, 5)
    )
    return f"<html><head>{canonical}</head><body>{cards}</body></html>"


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_it_reads_a_text_file_with_header_lines(tmp_path):
    saved = read_saved_file(write(tmp_path, "a.txt", HEADER_TEXT), max_bytes=LIMIT)
    [page] = saved.pages
    assert saved.kind == "text" and not saved.items
    assert page.url == "https://vendor.example/news/tips-2025/"  # as written, the slash kept
    assert page.title == "Vendor and Partner sign a compute agreement"
    assert page.published_at == datetime(2025, 3, 4, tzinfo=UTC)
    assert page.text == "Vendor said it will buy capacity from Partner over five years."
    assert page.html is None and page.content_hash == ""  # text only: no archive


def test_it_takes_the_address_inside_a_source_line_that_starts_with_words(tmp_path):
    text = "SOURCE: copy in some repository (feed item https://vendor.example/index/deal)\n\nVendor and Partner agree."
    [page] = read_saved_file(write(tmp_path, "b.txt", text), max_bytes=LIMIT).pages
    assert page.url == "https://vendor.example/index/deal"


def test_bare_text_needs_an_address(tmp_path):
    path = write(tmp_path, "bare.txt", "Vendor and Partner agree on a licence.")
    with pytest.raises(SavedFileError, match="no source address"):
        read_saved_file(path, max_bytes=LIMIT)
    [page] = read_saved_file(path, max_bytes=LIMIT, url="https://vendor.example/p/").pages
    assert page.url == "https://vendor.example/p/" and page.text == "Vendor and Partner agree on a licence."


def test_it_reads_markdown_front_matter(tmp_path):
    text = "---\nsource_url: https://vendor.example/news/md-post/\npublished_at: '2025-09-15'\n---\n\n# A heading\n\nBody **text** here.\n"
    [page] = read_saved_file(write(tmp_path, "c.md", text), max_bytes=LIMIT).pages
    assert (page.url, page.title, page.published_at) == (
        "https://vendor.example/news/md-post/",
        "A heading",
        datetime(2025, 9, 15, tzinfo=UTC),
    )
    assert "**" not in page.text and "Body text here." in page.text


def test_an_article_page_is_its_own_archive(tmp_path):
    saved = read_saved_file(write(tmp_path, "post.html", ARTICLE), max_bytes=LIMIT)
    [page] = saved.pages
    assert saved.kind == "html page"
    assert page.url == "https://vendor.example/blog/a-post/"
    assert page.html == ARTICLE.encode() and len(page.content_hash) == 64
    assert page.published_at == datetime(2025, 6, 2, 10, tzinfo=UTC)
    assert "Vendor invests in Partner" in page.text and "Home" not in page.text


def test_an_html_file_with_several_dated_posts_is_a_listing(tmp_path):
    saved = read_saved_file(
        write(tmp_path, "list.html", listing_page("https://vendor.example/news")), max_bytes=LIMIT
    )
    assert saved.kind == "html listing" and not saved.pages
    assert [item.url for item in saved.items] == [
        f"https://vendor.example/news/post-{i}/" for i in range(1, 5)
    ]


def test_a_listing_with_relative_links_needs_an_address(tmp_path):
    path = write(tmp_path, "list.html", listing_page())
    with pytest.raises(SavedFileError, match="relative links"):
        read_saved_file(path, max_bytes=LIMIT)
    saved = read_saved_file(path, max_bytes=LIMIT, base_url="https://vendor.example/news")
    assert saved.items[0].url == "https://vendor.example/news/post-1/"


def test_it_reads_a_feed_and_a_json_listing(tmp_path):
    feed = rss([("One", "https://vendor.example/one/", "Mon, 17 Nov 2025 09:00:00 +0000")])
    [item] = read_saved_file(write(tmp_path, "feed.xml", feed), max_bytes=LIMIT).items
    assert item.url == "https://vendor.example/one/"
    data = {"posts": [{"title": "Two", "url": "https://vendor.example/two/?ref=x", "date": "2025-01-02"}]}
    saved = read_saved_file(write(tmp_path, "list.json", json.dumps(data)), max_bytes=LIMIT)
    assert saved.kind == "json listing" and [i.url for i in saved.items] == [
        "https://vendor.example/two/?ref=x"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"x" * (LIMIT + 1), "larger than"),
        (bytes((i * 37 + 11) % 256 for i in range(4000)), "does not decode"),
        ("<html><script>window._cf_chl_opt={}</script></html>", "bot challenge"),
    ],
)
def test_it_refuses_files_it_cannot_use_with_the_reason(tmp_path, content, message):
    with pytest.raises(SavedFileError, match=message):
        read_saved_file(write(tmp_path, "bad.html", content), max_bytes=LIMIT, url="https://vendor.example/x")


def test_a_missing_file_is_an_error_not_a_crash(tmp_path):
    with pytest.raises(SavedFileError, match="no such file"):
        read_saved_file(tmp_path / "nothing.txt", max_bytes=LIMIT)
