"""Main text of an announcement page, without navigation, footers or "related posts".

A small, careful extractor on BeautifulSoup rather than a dependency tree: it removes
chrome by element and by ARIA role, picks the ``<article>`` / ``<main>`` block (or the
block with the most paragraph text and the fewest links), and keeps block-level text
with paragraph breaks so the extraction step sees sentences, not a soup of words.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from extraction.dates import parse_datetime
from scrapers.adapters.base import clean_text, json_ld_nodes
from scrapers.untrusted import check_tree_depth

DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "form",
    "button",
    "nav",
    "footer",
    "aside",
    "header",
    "dialog",
    "select",
    "input",
    "canvas",
    "video",
    "audio",
    "picture",
    "figure",
]
DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert"}
# Class/id words that mark chrome; matched as whole words of the attribute so "dropdown" is not "related".
CHROME_WORDS = re.compile(
    r"(^|[\s_\-])(related|recommended|more-?posts|read-?next|newsletter|subscribe|share|social|cookie|"
    r"consent|breadcrumbs?|sidebar|footer|nav|menu|promo|advert|ads?|signup|comments?)([\s_\-]|$)",
    re.I,
)
BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dt", "dd", "figcaption"]
RELATED_HEADINGS = re.compile(
    r"^(related (posts|content|articles|news|reading)|read (more|next)|more from|you might also like|latest news)\b",
    re.I,
)


@dataclass
class ArticleContent:
    title: str
    text: str
    published_at: datetime | None
    precision: str
    content_hash: str


def content_hash(title: str, text: str) -> str:
    """Whitespace-insensitive, so re-indented markup with the same words is not an edit."""
    normal = re.sub(r"\s+", " ", f"{title}\n{text}").strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag is not None and tag.get("content"):
            return tag["content"].strip()
    return ""


def _json_ld_date(soup: BeautifulSoup) -> str:
    for node in json_ld_nodes(soup):
        if node.get("datePublished"):
            return str(node["datePublished"])
    return ""


def _is_chrome(tag: Tag) -> bool:
    if tag.get("role") in DROP_ROLES or tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    words = " ".join([*tag.get("class", []), tag.get("id") or ""])
    return bool(words and CHROME_WORDS.search(words))


def _link_density(tag: Tag) -> float:
    text = len(tag.get_text(" ", strip=True)) or 1
    links = sum(len(a.get_text(" ", strip=True)) for a in tag.find_all("a"))
    return links / text


def _best_root(soup: BeautifulSoup) -> Tag:
    candidates = soup.find_all("article") or soup.find_all("main") or soup.find_all(attrs={"role": "main"})
    if candidates:
        return max(candidates, key=lambda t: len(t.get_text(" ", strip=True)))
    body = soup.body or soup
    best, best_score = body, 0.0
    for tag in body.find_all(["div", "section"]):
        paragraphs = tag.find_all("p", recursive=False) or tag.find_all("p")
        score = sum(len(p.get_text(" ", strip=True)) for p in paragraphs) * (1 - _link_density(tag))
        if score > best_score * 1.2:  # prefer the outer block unless an inner one is clearly denser
            best, best_score = tag, score
    return best


def _cut_related(root: Tag) -> None:
    """Drop a trailing "Related posts" section: teasers of other posts are not this post's text."""
    for heading in root.find_all(["h2", "h3", "h4", "p", "div"]):
        if heading.name in ("p", "div") and len(heading.get_text(strip=True)) > 40:
            continue
        if RELATED_HEADINGS.match(heading.get_text(" ", strip=True)):
            for sibling in list(heading.find_next_siblings()):
                sibling.decompose()
            heading.decompose()
            return


def _title(soup: BeautifulSoup) -> str:
    h1 = soup.find("h1")
    return (
        _meta(soup, "og:title", "twitter:title")
        or clean_text(h1.get_text(" ") if h1 else "")
        or clean_text(soup.title.get_text(" ") if soup.title else "")
    )


def _published_raw(soup: BeautifulSoup) -> str:
    time = soup.find("time")
    return (
        _meta(soup, "article:published_time", "og:published_time", "datePublished", "date", "pubdate")
        or _json_ld_date(soup)
        or ((time.get("datetime") or time.get_text(" ")) if time else "")
    )


def _drop_chrome(soup: BeautifulSoup) -> None:
    for tag in soup.find_all(DROP_TAGS):
        if tag.decomposed:
            continue
        if tag.name == "header" and tag.find_parent(["article", "main"]) is not None:
            continue  # an article's own header holds its headline and standfirst, not site chrome
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        if tag.name not in ("html", "body", "article", "main") and _is_chrome(tag):
            tag.decompose()


def _block_text(root: Tag) -> str:
    """Each innermost block on its own paragraph; list items keep a dash."""
    lines: list[str] = []
    for block in root.find_all(BLOCKS):
        if block.find(BLOCKS):
            continue  # its children are emitted on their own
        text = clean_text(block.get_text(" "), 20000)
        if not text:
            continue
        if block.name == "li":
            text = f"- {text}"
        if not lines or lines[-1] != text:
            lines.append(text)
    if not lines:
        lines = [clean_text(root.get_text(" "), 200000)]
    return "\n\n".join(line for line in lines if line)


def extract_article(html: str, *, url: str = "") -> ArticleContent:
    soup = BeautifulSoup(html, "lxml")
    check_tree_depth(soup)  # TooDeep before the walks below, which slow down with depth
    title = clean_text(_title(soup), 500)
    published_at, precision = parse_datetime(_published_raw(soup))
    _drop_chrome(soup)
    root = _best_root(soup)
    _cut_related(root)
    text = _block_text(root)
    return ArticleContent(title, text, published_at, precision, content_hash(title, text))
