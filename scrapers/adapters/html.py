"""HTML listing pages: curator selectors first, then structure that survives a redesign.

Vendor sites hash their CSS class names and change them on every redesign, so the
fallbacks never rely on a class name: ``<article>`` blocks, ``<time>`` elements with
the link around them, JSON-LD, a Next.js ``__NEXT_DATA__`` blob, and finally links
under the newsroom's own path with a date written next to them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from extraction.dates import DATE_PATTERNS, parse_datetime
from scrapers.untrusted import TooDeep, check_tree_depth, json_loads

from .base import Adapter, ListingItem, ParseError, absolute_url, canonical_url, clean_text, json_ld_nodes

HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
TITLE_CLASS = re.compile(r"title|headline|heading", re.I)
SUMMARY_CLASS = re.compile(r"summary|excerpt|description|dek|body", re.I)
POST_TYPES = {"article", "newsarticle", "blogposting", "report", "pressrelease", "webpage", "creativework"}
NEXT_TITLE_KEYS = ("title", "headline", "name")
NEXT_URL_KEYS = ("url", "href", "slug", "path", "permalink")
NEXT_DATE_KEYS = (
    "publishedOn",
    "publishedAt",
    "published_at",
    "datePublished",
    "date",
    "publishDate",
    "releaseDate",
)


def _has_date_text(text: str) -> bool:
    return any(pattern.search(text) for pattern, _ in DATE_PATTERNS)


def _is_date_text(text: str) -> bool:
    """A string that is a date and little else ("Mar 17, 2026", "23 April 2026 · Paper")."""
    for pattern, _ in DATE_PATTERNS:
        match = pattern.search(text)
        if match and len(text) - len(match.group()) <= 12:
            return True
    return False


class HtmlAdapter(Adapter):
    kind = "html"

    def parse(self, body: bytes, *, base_url: str, newsroom=None) -> list[ListingItem]:
        if not body.strip():
            raise ParseError("The page is empty.")
        soup = BeautifulSoup(body, "lxml")
        try:
            check_tree_depth(soup)
        except TooDeep as exc:
            raise ParseError(f"Refused: {exc}.") from exc
        if soup.find(["html", "body", "div", "a"]) is None:
            raise ParseError("Not an HTML page: no markup found.")
        config = self.selectors(newsroom)
        if config.get("item"):
            items = self._configured(soup, config, base_url)
            if items:
                return self.dedupe(items)
        base = self._base(soup, base_url)
        found: list[ListingItem] = []
        strategies = (self._json_ld, self._next_data, self._articles, self._times, self._dated_links)
        # A strategy tripped by a hostile block is skipped (and counted); the others still read the page.
        for items in self.each(strategies, lambda strategy: strategy(soup, base, newsroom)):
            found.extend(items)
        # Without any absolute base (a saved file), relative links are kept rather than dropped.
        return self._merge(found, allow_relative=not base.startswith(("http://", "https://")))

    # -- helpers ------------------------------------------------------------------------

    @staticmethod
    def _base(soup: BeautifulSoup, base_url: str) -> str:
        tag = soup.find("base", href=True)
        if tag is not None:
            return absolute_url(tag["href"], base_url) or base_url
        if not base_url.startswith(("http://", "https://")):
            # A saved file: the page's own canonical address tells where its relative links point.
            canonical = soup.find("link", rel="canonical", href=True) or soup.find(
                "meta", property="og:url", content=True
            )
            if canonical is not None:
                return canonical.get("href") or canonical.get("content")
        return base_url

    @staticmethod
    def _merge(items: list[ListingItem], *, allow_relative: bool = False) -> list[ListingItem]:
        """One item per post (its link's key), keeping the first spelling of the link and the
        best-known title, date and summary from any strategy."""
        merged: dict[str, ListingItem] = {}
        for item in items:
            if not item.url.startswith(("http://", "https://")) and not (
                allow_relative and item.url.startswith("/")
            ):
                continue
            key = canonical_url(item.url)
            old = merged.get(key)
            if old is None:
                merged[key] = item
                continue
            merged[key] = ListingItem(
                title=old.title if len(old.title) >= len(item.title) or old.title != old.url else item.title,
                url=old.url,
                published_at=old.published_at or item.published_at,
                precision=old.precision if old.published_at else item.precision,
                summary=old.summary or item.summary,
            )
        return list(merged.values())

    @staticmethod
    def _text(tag: Tag | None) -> str:
        return clean_text(tag.get_text(" ") if tag is not None else "")

    def _written_date(self, block: Tag):
        """A date written as its own text inside a card (no ``<time>``): "Mar 17, 2026"."""
        for text in block.stripped_strings:
            text = clean_text(text)
            if _is_date_text(text):
                value = parse_datetime(text)
                if value[0]:
                    return value
        return None, "day"

    def _date_of(self, tag: Tag | None):
        if tag is None:
            return None, "day"
        if tag.name == "time" or tag.get("datetime"):
            attr = tag.get("datetime")
            if attr:
                value = parse_datetime(attr)
                if value[0]:
                    return value
        return parse_datetime(self._text(tag))

    def _configured(self, soup, config: dict, base_url: str) -> list[ListingItem]:
        items = []
        for block in soup.select(config["item"]):
            link_tag = block.select_one(config["link"]) if config.get("link") else None
            if link_tag is None:
                link_tag = block if block.name == "a" else block.find("a", href=True)
            href = link_tag.get("href") if link_tag is not None else None
            if not href:
                continue
            title_tag = block.select_one(config["title"]) if config.get("title") else None
            title = self._text(title_tag) or self._title_in(block) or self._text(link_tag)
            date_tag = block.select_one(config["date"]) if config.get("date") else block.find("time")
            published_at, precision = self._date_of(date_tag)
            if published_at is None:
                published_at, precision = self._written_date(block)
            summary_tag = block.select_one(config["summary"]) if config.get("summary") else None
            summary = self._text(summary_tag) if summary_tag is not None else self._summary_in(block, title)
            items.append(ListingItem(title, absolute_url(href, base_url), published_at, precision, summary))
        return items

    def _title_in(self, block: Tag) -> str:
        heading = block.find(HEADINGS)
        if heading is not None:
            return self._text(heading)
        marked = block.find(class_=TITLE_CLASS)
        return self._text(marked)

    def _summary_in(self, block: Tag, title: str) -> str:
        for tag in [*block.find_all(class_=SUMMARY_CLASS), *block.find_all("p")]:
            text = self._text(tag)
            if text and text != title and not _has_date_text(text[:20]) and len(text) > 20:
                return clean_text(text, 1000)
        return ""

    # -- strategies ---------------------------------------------------------------------

    def _json_ld(self, soup, base_url: str, newsroom) -> list[ListingItem]:
        items = []
        for node in json_ld_nodes(soup, follow=("@graph", "itemListElement", "item", "hasPart", "blogPost")):
            kinds = node.get("@type", "")
            kinds = {str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])}
            url = node.get("url") or node.get("@id")
            title = node.get("headline") or node.get("name")
            if kinds & POST_TYPES and isinstance(url, str) and title:
                published_at, precision = parse_datetime(node.get("datePublished") or node.get("dateCreated"))
                if canonical_url(url, base_url) == canonical_url(base_url):
                    continue  # the listing page describing itself
                items.append(
                    ListingItem(
                        clean_text(str(title)),
                        absolute_url(url, base_url),
                        published_at,
                        precision,
                        clean_text(str(node.get("description") or ""), 1000),
                    )
                )
        return items

    def _next_data(self, soup, base_url: str, newsroom) -> list[ListingItem]:
        script = soup.find("script", id="__NEXT_DATA__")
        if script is None or not script.string:
            return []
        try:
            data = json_loads(script.string)
        except ValueError:  # malformed, or nested too deep to walk
            return []
        prefix = self._listing_path(base_url, newsroom)
        items, stack = [], [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
                continue
            if not isinstance(node, dict):
                continue
            stack.extend(reversed(list(node.values())))
            title = next(
                (node[k] for k in NEXT_TITLE_KEYS if isinstance(node.get(k), str) and node[k].strip()), None
            )
            date_value = next((node[k] for k in NEXT_DATE_KEYS if node.get(k)), None)
            link = next((node[k] for k in NEXT_URL_KEYS if node.get(k)), None)
            if isinstance(link, dict):  # Sanity-style {"current": "slug"}
                link = link.get("current")
            if not (title and date_value and isinstance(link, str)):
                continue
            if not link.startswith(("/", "http")):
                link = f"{prefix.rstrip('/')}/{link}"
            published_at, precision = parse_datetime(date_value)
            summary = next(
                (node[k] for k in ("summary", "description", "excerpt") if isinstance(node.get(k), str)), ""
            )
            items.append(
                ListingItem(
                    clean_text(title),
                    absolute_url(link, base_url),
                    published_at,
                    precision,
                    clean_text(summary, 1000),
                )
            )
        return items

    def _articles(self, soup, base_url: str, newsroom) -> list[ListingItem]:
        items = []
        for article in soup.find_all("article"):
            if len(article.find_all("article")) > 0:
                continue  # a wrapper around the real items
            # The link inside the card, or the one the whole card is wrapped in.
            link = article.find("a", href=True) or article.find_parent("a", href=True)
            if link is None:
                continue
            title = self._title_in(article) or self._text(link)
            published_at, precision = self._date_of(article.find("time"))
            if published_at is None:
                published_at, precision = self._written_date(article)
            items.append(
                ListingItem(
                    title,
                    absolute_url(link["href"], base_url),
                    published_at,
                    precision,
                    self._summary_in(article, title),
                )
            )
        return items

    def _card_for(self, start: Tag) -> Tag | None:
        """The smallest ancestor of a date that holds one post: a title and a link, no second date."""
        node = start
        for _ in range(8):
            node = node.parent
            if node is None or node.name in ("body", "html", "[document]"):
                return None
            if len(node.find_all("time")) > 1:
                return None
            has_link = node.name == "a" and node.get("href") or node.find("a", href=True)
            if has_link and self._title_in(node):
                return node
        return None

    def _times(self, soup, base_url: str, newsroom) -> list[ListingItem]:
        items = []
        for time_tag in soup.find_all("time"):
            published_at, precision = self._date_of(time_tag)
            if published_at is None:
                continue
            anchor = time_tag.find_parent("a", href=True)
            card = self._card_for(time_tag)
            if anchor is None and card is not None:
                anchor = card if card.name == "a" and card.get("href") else card.find("a", href=True)
            if anchor is None:
                continue
            container = card or anchor
            title = self._title_in(container) or self._longest_text(anchor, exclude=self._text(time_tag))
            if not title:
                continue
            items.append(
                ListingItem(
                    title,
                    absolute_url(anchor["href"], base_url),
                    published_at,
                    precision,
                    self._summary_in(container, title),
                )
            )
        return items

    def _longest_text(self, tag: Tag, exclude: str) -> str:
        texts = [clean_text(s) for s in tag.stripped_strings]
        texts = [t for t in texts if t and t != exclude and not _has_date_text(t)]
        return max(texts, key=len, default="")

    @staticmethod
    def _listing_path(base_url: str, newsroom) -> str:
        url = getattr(newsroom, "url", None) or base_url
        return urlsplit(url).path.rstrip("/") or "/"

    def _dated_links(self, soup, base_url: str, newsroom) -> list[ListingItem]:
        """Links under the newsroom path (``/news/...``) with a date in or right beside them."""
        prefix = self._listing_path(base_url, newsroom)
        if prefix == "/":
            return []
        host = urlsplit(base_url).hostname
        items = []
        for link in soup.find_all("a", href=True):
            url = absolute_url(link["href"], base_url)
            parts = urlsplit(url)
            if parts.hostname != host or not parts.path.startswith(prefix + "/"):
                continue
            published_at, precision, node = None, "day", link
            for _ in range(3):
                published_at, precision = (
                    parse_datetime(self._text(node)) if _has_date_text(self._text(node)) else (None, "day")
                )
                if published_at or node.parent is None:
                    break
                node = node.parent
            if published_at is None:
                continue
            title = self._title_in(link) or self._longest_text(link, exclude="")
            if title:
                items.append(ListingItem(title, url, published_at, precision, ""))
        return items
