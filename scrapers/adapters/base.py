"""What every newsroom adapter yields, and the URL and text rules they share.

Links are kept as the publisher wrote them (``absolute_url``: only resolved against the
page they were found on), because ``/ai-tips-2025/`` and ``/ai-tips-2025`` may be two
different addresses on a vendor's server. ``canonical_url`` is only the de-duplication
key: two spellings of one post (tracking parameters, a trailing slash, the host's case)
share it, and the archive stores it beside the link as ``Announcement.url_key``.

Dates are read by ``extraction.dates.parse_datetime``, the same rules the extraction
step reads an announcement's date with.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from extraction.vocabulary import DatePrecision
from scrapers.untrusted import LINK_SCHEMES, json_loads

logger = logging.getLogger(__name__)


class ParseError(ValueError):
    """The body is not the kind of document the adapter reads (malformed XML, not JSON...)."""


@dataclass(frozen=True)
class ListingItem:
    title: str
    url: str
    published_at: datetime | None
    precision: str = DatePrecision.DAY
    summary: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        data["precision"] = str(self.precision)
        return data


# Parameters that only track the click; two URLs that differ by them are the same post.
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "ref",
    "ref_src",
    "ref_url",
    "referrer",
    "source",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "spm",
    "cmpid",
    "campaign",
    "trk",
    "trkcampaign",
    "sr_share",
    "si",
    "s_cid",
    "ncid",
    "ocid",
    "__s",
}
TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_", "oly_")


def absolute_url(url: str, base_url: str | None = None) -> str:
    """The link as the publisher gave it, made absolute against ``base_url``; "" for other schemes.

    Nothing else is changed: no trailing slash removed, no parameter dropped, no case folded.
    """
    url = (url or "").strip()
    if base_url:
        url = urljoin(base_url, url)
    parts = urlsplit(url)
    if parts.scheme and parts.scheme.lower() not in LINK_SCHEMES:
        return ""  # javascript:, data:, mailto:... are never stored or shown as links
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return ""
    return url


def canonical_url(url: str, base_url: str | None = None) -> str:
    """The de-duplication key of a link: absolute, lower-case scheme/host, no default port,
    no trailing slash, tracking parameter or fragment, parameters sorted. Never shown or fetched."""
    url = (url or "").strip()
    if base_url:
        url = urljoin(base_url, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme and scheme not in LINK_SCHEMES:
        return ""  # javascript:, data:, mailto:... are never stored or shown as links
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        return ""  # a port that is not a number
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def clean_text(value: str | None, limit: int = 500) -> str:
    return re.sub(r"\s+", " ", value or "").strip()[:limit]


class Adapter:
    """One newsroom kind: bytes in, listing items out. Never touches the network or the database."""

    kind = ""

    def __init__(self):
        self.skipped = 0  # entries of the last parse that could not be read, one by one

    def parse(self, body: bytes, *, base_url: str, newsroom=None) -> list[ListingItem]:
        raise NotImplementedError

    def each(self, entries, build) -> list:
        """``build(entry)`` for every entry; one that raises or yields nothing (no usable link) is
        skipped and counted, the rest are kept."""
        items = []
        for entry in entries:
            try:
                item = build(entry)
            except Exception:  # noqa: BLE001 - one hostile entry must not lose the listing
                logger.warning("Skipped an unreadable %s entry", self.kind, exc_info=True)
                item = None
            if item is None:
                self.skipped += 1
            else:
                items.append(item)
        return items

    @staticmethod
    def selectors(newsroom) -> dict:
        return dict(getattr(newsroom, "selectors", None) or {})

    @staticmethod
    def dedupe(items: list[ListingItem]) -> list[ListingItem]:
        """One item per post (by ``canonical_url``), keeping the first spelling of its link."""
        seen, unique = set(), []
        for item in items:
            key = canonical_url(item.url) if item.url else ""
            if key and key not in seen:
                seen.add(key)
                unique.append(item)
        return unique


def json_ld_nodes(soup, *, follow: tuple[str, ...] | None = None):
    """Every JSON-LD object on a page, nested ones included; unparseable blocks are skipped.

    ``follow`` limits the descent to those keys (a listing's ``itemListElement``…);
    without it every nested object is visited. Shared by the listing adapter and the
    article parser so both read structured data the same way.
    """
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json_loads(script.string or "")
        except ValueError:  # malformed, or nested too deep to walk
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                yield node
                if follow is None:
                    stack.extend(v for v in node.values() if isinstance(v, list | dict))
                else:
                    stack.extend(node[key] for key in follow if key in node)
