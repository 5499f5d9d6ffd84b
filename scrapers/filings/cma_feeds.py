"""Lists of CMA cases: the ``/cma-cases`` finder (its filter keys), search results and the Atom feed.

The finder content item (``/api/content/cma-cases``) defines the filters a case list takes
(``case_type``: mergers, markets…; ``case_state``: open, closed; ``market_sector``;
``outcome_type``) with their allowed values. GOV.UK's search API
(``/api/search.json?filter_format=cma_case&filter_case_type=mergers``) returns the cases
themselves, and ``/cma-cases.atom?case_type[]=mergers`` the latest ones as Atom. All three
come out as ``CaseStub``s: enough to decide which case pages to fetch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode, urlsplit

from scrapers.filings.cma import GOV_UK, subject_companies
from scrapers.filings.inputs import (
    FilingParseError,
    child,
    child_text,
    clean_text,
    load_html,
    load_object,
    load_xml,
    local_name,
    parse_date,
    parse_datetime,
)

MAX_CASES = 5_000
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SEARCH_FIELDS = (
    "title",
    "link",
    "description",
    "public_timestamp",
    "case_type",
    "case_state",
    "opened_date",
    "closed_date",
    "outcome_type",
)


@dataclass(frozen=True)
class CaseStub:
    title: str
    url: str
    updated_at: datetime | None
    summary: str = ""
    subjects: tuple[str, ...] = ()
    case_type: str = ""
    case_state: str = ""
    opened_on: date | None = None
    closed_on: date | None = None
    outcome_type: str = ""

    @property
    def content_url(self) -> str:
        return case_content_url(self.url)


@dataclass(frozen=True)
class Facet:
    key: str
    name: str
    values: tuple[tuple[str, str], ...]  # (value, label)
    filterable: bool


@dataclass(frozen=True)
class FinderPage:
    facets: tuple[Facet, ...]
    cases: tuple[CaseStub, ...]
    total: int | None

    def allowed(self, key: str) -> frozenset[str]:
        return frozenset(v for f in self.facets if f.key == key for v, _ in f.values)


def case_slug(url_or_slug: str) -> str:
    text = str(url_or_slug).strip()
    path = urlsplit(text).path if "/" in text else f"/cma-cases/{text}"
    prefix, _, slug = path.rstrip("/").rpartition("/")
    if not prefix.endswith("/cma-cases") or not _SLUG.match(slug):
        raise FilingParseError(f"not a CMA case address: {text[:120]!r}")
    return slug


def case_page_url(url_or_slug: str) -> str:
    return f"{GOV_UK}/cma-cases/{case_slug(url_or_slug)}"


def case_content_url(url_or_slug: str) -> str:
    """The Content API address of a case page (``…/api/content/cma-cases/<slug>``)."""
    return f"{GOV_UK}/api/content/cma-cases/{case_slug(url_or_slug)}"


def _filters(filters: dict[str, str | tuple[str, ...]], finder: FinderPage | None) -> list[tuple[str, str]]:
    pairs = []
    for key, values in filters.items():
        for value in (values,) if isinstance(values, str) else values:
            if finder is not None and value not in finder.allowed(key):
                raise FilingParseError(f"the CMA finder has no {key} value {value!r}")
            pairs.append((key, value))
    return pairs


def cases_feed_url(*, finder: FinderPage | None = None, **filters: str | tuple[str, ...]) -> str:
    """``https://www.gov.uk/cma-cases.atom?case_type[]=mergers``; values checked against ``finder`` if given."""
    pairs = _filters(filters or {"case_type": "mergers"}, finder)
    return f"{GOV_UK}/cma-cases.atom?{urlencode([(f'{k}[]', v) for k, v in pairs])}"


def cases_search_url(
    *, count: int = 50, start: int = 0, finder: FinderPage | None = None, **filters: str | tuple[str, ...]
) -> str:
    """Newest-first search API query for CMA cases (mergers unless other filters are given)."""
    pairs = [(f"filter_{k}", v) for k, v in _filters(filters or {"case_type": "mergers"}, finder)]
    query = [
        ("filter_format", "cma_case"),
        *pairs,
        ("order", "-public_timestamp"),
        ("count", str(max(1, min(count, 1000)))),
        ("start", str(max(0, start))),
    ]
    query += [("fields", f) for f in SEARCH_FIELDS]
    return f"{GOV_UK}/api/search.json?{urlencode(query)}"


def parse_cma_finder(body: bytes | str) -> FinderPage:
    """The finder content item (facets, no cases) or a search API page (cases, and facets if any)."""
    data = load_object(body, what="CMA finder JSON")
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    facets = tuple(_facet(f) for f in details.get("facets") or () if isinstance(f, dict) and f.get("key"))
    results = data.get("results")
    if results is None and not facets:
        raise FilingParseError("CMA finder JSON: neither facets nor results")
    if results is not None and not isinstance(results, list):
        raise FilingParseError("CMA finder JSON: results is not a list")
    results = results or []
    if len(results) > MAX_CASES:
        raise FilingParseError(f"CMA finder JSON: {len(results):,} results is over the {MAX_CASES:,} limit")
    cases = tuple(stub for stub in (_search_result(r) for r in results) if stub)
    total = data.get("total")
    return FinderPage(
        facets, cases, total if isinstance(total, int) and not isinstance(total, bool) else None
    )


def _facet(facet: dict) -> Facet:
    values = tuple(
        (clean_text(v.get("value"), 120), clean_text(v.get("label"), 200))
        for v in facet.get("allowed_values") or ()
        if isinstance(v, dict) and v.get("value")
    )
    return Facet(
        clean_text(facet.get("key"), 60),
        clean_text(facet.get("name"), 120),
        values,
        bool(facet.get("filterable")),
    )


def _value(field: object) -> str:
    """A search API facet field: a string, a {"value", "label"} object, or a list of either (first wins)."""
    if isinstance(field, list):
        field = field[0] if field else ""
    if isinstance(field, dict):
        field = field.get("value")
    return clean_text(field, 120) if isinstance(field, str) else ""


def _search_result(result: object) -> CaseStub | None:
    if not isinstance(result, dict) or not isinstance(result.get("link"), str):
        return None
    try:
        url = case_page_url(result["link"])
    except FilingParseError:
        return None
    title = clean_text(result.get("title"), 300)
    return CaseStub(
        title=title,
        url=url,
        updated_at=parse_datetime(result.get("public_timestamp")),
        summary=clean_text(result.get("description"), 1000),
        subjects=subject_companies(title),
        case_type=_value(result.get("case_type")),
        case_state=_value(result.get("case_state")),
        opened_on=parse_date(_value(result.get("opened_date"))),
        closed_on=parse_date(_value(result.get("closed_date"))),
        outcome_type=_value(result.get("outcome_type")),
    )


def parse_cma_atom(body: bytes | str) -> tuple[CaseStub, ...]:
    """Case stubs of a ``cma-cases.atom`` feed, in feed order; entries outside /cma-cases/ are left out."""
    root = load_xml(body, what="CMA Atom feed")
    if local_name(root) != "feed":
        raise FilingParseError(f"CMA Atom feed: the root element is <{local_name(root)}>, not <feed>")
    entries = [e for e in root if local_name(e) == "entry"]
    if len(entries) > MAX_CASES:
        raise FilingParseError(f"CMA Atom feed: {len(entries):,} entries is over the {MAX_CASES:,} limit")
    stubs = []
    for entry in entries:
        link = next(
            (c for c in entry if local_name(c) == "link" and c.get("rel", "alternate") == "alternate"),
            child(entry, "link"),
        )
        try:
            url = case_page_url(link.get("href") if link is not None else "")
        except FilingParseError:
            continue
        title = child_text(entry, "title")
        stubs.append(
            CaseStub(
                title,
                url,
                parse_datetime(child_text(entry, "updated")),
                _summary(entry),
                subject_companies(title),
            )
        )
    return tuple(stubs)


def _summary(entry) -> str:
    """An Atom summary as text; ``type="html"`` carries escaped markup, read as HTML, never rendered."""
    summary = child(entry, "summary")
    text = "".join(summary.itertext()) if summary is not None else ""
    if summary is not None and summary.get("type") == "html" and "<" in text:
        text = "".join(load_html(text, what="CMA Atom summary").itertext())
    return clean_text(text, 1000)
