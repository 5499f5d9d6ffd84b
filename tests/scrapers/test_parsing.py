"""Main-text extraction from announcement pages (pages written for these tests)."""

from datetime import UTC, datetime

from scrapers.parsing import content_hash, extract_article

PAGE = """<!doctype html><html><head>
<title>Acme and Beta expand partnership | Acme</title>
<meta property="og:title" content="Acme and Beta expand partnership">
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2025-12-03T14:00:00Z"}</script>
<style>body { color: red }</style>
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/careers">Careers</a></nav></header>
<div class="cookie-banner">We use cookies. <button>Accept</button></div>
<main>
  <article>
    <h1>Acme and Beta expand partnership</h1>
    <p>Acme will invest $200 million in Beta over three years.</p>
    <p>Beta will run its models on Acme's cloud, the companies said.</p>
    <ul><li>Joint go-to-market</li><li>Dedicated capacity</li></ul>
    <div class="share-links"><a href="#">Share on X</a></div>
    <h2>Related posts</h2>
    <div><a href="/news/other">Another announcement teaser</a><p>Teaser text of another post.</p></div>
  </article>
</main>
<footer><a href="/privacy">Privacy</a> Copyright Acme</footer>
<script>window.tracking = true;</script>
</body></html>"""


def test_it_keeps_the_article_and_drops_the_chrome():
    content = extract_article(PAGE)
    assert content.title == "Acme and Beta expand partnership"
    assert content.text.splitlines() == [
        "Acme and Beta expand partnership",
        "",
        "Acme will invest $200 million in Beta over three years.",
        "",
        "Beta will run its models on Acme's cloud, the companies said.",
        "",
        "- Joint go-to-market",
        "",
        "- Dedicated capacity",
    ]
    for noise in ("cookies", "Careers", "Share on X", "Teaser", "Privacy", "tracking", "color: red"):
        assert noise not in content.text
    assert content.published_at == datetime(2025, 12, 3, 14, tzinfo=UTC)


def test_it_finds_the_densest_block_without_article_or_main():
    page = (
        "<html><body><div class='menu'><a href='/a'>A</a><a href='/b'>B</a></div>"
        "<div class='content'><p>"
        + "Partnership details sentence. "
        * 20
        + "</p><p>Second paragraph.</p></div>"
        "<div class='links'><a href='/x'>Link one</a> <a href='/y'>Link two</a></div></body></html>"
    )
    content = extract_article(page)
    assert content.text.startswith("Partnership details sentence.")
    assert "Link one" not in content.text and "Second paragraph." in content.text


def test_it_hashes_content_ignoring_whitespace_only_changes():
    assert content_hash("T", "a  b\n\nc") == content_hash("T", "a b c")
    assert content_hash("T", "a b c") != content_hash("T", "a b d")


def test_it_keeps_the_header_of_the_article_itself():
    page = (
        "<html><body><header><a href='/'>Site</a></header><article><header><h1>Deal title</h1>"
        "<p>A standfirst that sums up the partnership.</p></header><p>Body text.</p></article></body></html>"
    )
    text = extract_article(page).text
    assert text.splitlines()[0] == "Deal title"
    assert "A standfirst that sums up the partnership." in text and "Site" not in text
