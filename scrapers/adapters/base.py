"""What every newsroom adapter yields, and the URL and date rules they share."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from partnerships.models.deals import DatePrecision
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


def canonical_url(url: str, base_url: str | None = None) -> str:
    """One spelling per post: absolute, lower-case scheme/host, no default port, tracking or fragment."""
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


MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
DATE_PATTERNS = [
    # "Jan 28, 2026", "January 28 2026"
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I), ("m", "d", "y")),
    # "28 January 2026"
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b", re.I), ("d", "m", "y")),
    # "2026-01-28" (also the start of ISO timestamps)
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "n", "d")),
    # "January 2026"
    (re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.I), ("m", "y")),
]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_date(value) -> tuple[datetime | None, str]:
    """A listing's date in any common spelling, with how much of it is known."""
    if value is None or value == "":
        return None, DatePrecision.DAY
    if isinstance(value, datetime):
        return _aware(value), DatePrecision.DAY
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC), DatePrecision.DAY
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC), DatePrecision.DAY
        except (OverflowError, OSError, ValueError):
            return None, DatePrecision.DAY
    text = str(value).strip()
    if not text:
        return None, DatePrecision.DAY
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return _aware(datetime.fromisoformat(iso)), DatePrecision.DAY
    except ValueError:
        pass
    import email.utils

    try:
        parsed = email.utils.parsedate_to_datetime(text)
        if parsed is not None:
            return _aware(parsed), DatePrecision.DAY
    except (TypeError, ValueError, IndexError):
        pass
    for pattern, order in DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        try:
            year = int(parts["y"])
            month = MONTHS[parts["m"].lower().rstrip(".")] if "m" in parts else int(parts["n"])
            if "d" not in parts:
                return datetime(year, month, 1, tzinfo=UTC), DatePrecision.MONTH
            return datetime(year, month, int(parts["d"]), tzinfo=UTC), DatePrecision.DAY
        except (KeyError, ValueError):
            continue
    return None, DatePrecision.DAY


def clean_text(value: str | None, limit: int = 500) -> str:
    return re.sub(r"\s+", " ", value or "").strip()[:limit]


class Adapter:
    """One newsroom kind: bytes in, listing items out. Never touches the network or the database."""

    kind = ""

    def __init__(self):
        self.skipped = 0  # entries of the last parse that could not be read, one by one

    def parse(self, body: bytes, *, base_url: str, newsroom=None) -> list[ListingItem]:
        raise NotImplementedError

    def each(self, entries, build) -> list[ListingItem]:
        """``build(entry)`` for every entry; one that raises is skipped and counted, the rest are kept."""
        items = []
        for entry in entries:
            try:
                item = build(entry)
            except Exception:  # noqa: BLE001 - one hostile entry must not lose the listing
                logger.warning("Skipped an unreadable %s entry", self.kind, exc_info=True)
                self.skipped += 1
                continue
            if item is not None:
                items.append(item)
        return items

    @staticmethod
    def selectors(newsroom) -> dict:
        return dict(getattr(newsroom, "selectors", None) or {})

    @staticmethod
    def dedupe(items: list[ListingItem]) -> list[ListingItem]:
        seen, unique = set(), []
        for item in items:
            if item.url and item.url not in seen:
                seen.add(item.url)
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
