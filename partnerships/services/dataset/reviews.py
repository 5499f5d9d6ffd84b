"""The dataset's competition reviews and its filings sources: checked, then upserted.

``regulatory`` (per deal): each entry names an authority, the case, where its facts were
read (``url``), the outcome, how certain it is and its dated stages (``events``: stage, day,
precision). The same review cited by several deals (the CMA's Microsoft / OpenAI inquiry
concerns two phases) is one ``RegulatoryReview`` linked to all of them, keyed by authority and
case (``review_key``); its subjects are the parties of those deals. Once the authority's own
page has been read into a review (CMA polling), that page's outcome, stage and dates win over
the dataset's second-hand ones: a load then only adds missing deal links and dataset events.

``edgar_filers`` (top level): the EDGAR watchlist, one ``edgar`` newsroom per filer (CIK and
company); ``regulator_feeds``: the CMA's cases feed as a ``cma`` newsroom. Kept out of
``newsrooms`` (the vendors' own pages) so each list says what it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from partnerships.models import Company, Deal, DealParty, RegulatoryEvent, RegulatoryReview
from partnerships.models.deals import Certainty, DatePrecision
from partnerships.models.regulatory import DECISION_STAGES, RegulatoryStage, review_key
from partnerships.services.dataset.load import upsert
from partnerships.services.dataset.summary import DatasetError, DatasetSummary
from partnerships.services.regulatory import EventRow, furthest_stage, review_events_sync
from scrapers.filings import (
    FilingParseError,
    case_page_url,
    cases_feed_url,
    company_feed_url,
    submissions_url,
)
from scrapers.filings.edgar_records import normalize_cik
from scrapers.models import Newsroom

AUTHORITIES = set(RegulatoryReview.Authority.values)
STAGES = set(RegulatoryStage.values)
CERTAINTIES = set(Certainty.values)
PRECISIONS = set(DatePrecision.values)
FILER_CADENCE = timedelta(days=120)  # a 10-Q a quarter, at the least
FILER_INTERVAL = timedelta(minutes=60)


def fail(where: str, message: str) -> DatasetError:
    return DatasetError(f"{where}: {message}")


def _text(entry: dict, key: str, where: str, *, limit: int, blank: bool = False) -> str:
    value = entry.get(key, "" if blank else None)
    if not isinstance(value, str) or (not blank and not value.strip()):
        raise fail(where, f"'{key}' must be a non-empty string, got {value!r}")
    if len(value.strip()) > limit:
        raise fail(where, f"'{key}' is longer than {limit} characters")
    return value.strip()


def _event(event, where: str) -> dict:
    if not isinstance(event, dict):
        raise fail(where, "must be an object")
    if event.get("stage") not in STAGES:
        raise fail(
            where, f"unknown stage {event.get('stage')!r} (expected one of: {', '.join(sorted(STAGES))})"
        )
    try:
        on = date.fromisoformat(event.get("on") or "")
    except (TypeError, ValueError):
        raise fail(where, f"'on' must be YYYY-MM-DD, got {event.get('on')!r}") from None
    precision = event.get("precision", "day")
    if precision not in PRECISIONS:
        raise fail(where, f"unknown precision {precision!r}")
    return {"stage": event["stage"], "on": on, "precision": precision}


def validate_regulatory(entry: dict, where: str) -> list[dict]:
    """A deal's ``regulatory`` list with typed values, or DatasetError naming the bad entry."""
    reviews = entry.get("regulatory", [])
    if not isinstance(reviews, list):
        raise fail(where, "'regulatory' must be a list")
    checked = []
    for index, review in enumerate(reviews):
        r_where = f"{where} regulatory[{index}]"
        if not isinstance(review, dict):
            raise fail(r_where, "must be an object")
        if review.get("authority") not in AUTHORITIES:
            raise fail(r_where, f"unknown authority {review.get('authority')!r}")
        url = _text(review, "url", r_where, limit=1000)
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise fail(r_where, f"url {url!r} is not an http(s) address")
        if review.get("certainty") not in CERTAINTIES:
            raise fail(r_where, f"unknown certainty {review.get('certainty')!r}")
        events = review.get("events", [])
        if not isinstance(events, list):
            raise fail(r_where, "'events' must be a list")
        evidence = review.get("evidence")
        checked.append(
            {
                "authority": review["authority"],
                "case": _text(review, "case", r_where, limit=300),
                "url": url,
                "outcome": _text(review, "outcome", r_where, limit=300, blank=True),
                "certainty": review["certainty"],
                "events": [_event(e, f"{r_where} events[{i}]") for i, e in enumerate(events)],
                "evidence": evidence if isinstance(evidence, dict) else None,
            }
        )
    return checked


def validate_watchlist(data: dict, companies: dict) -> dict:
    """``edgar_filers`` ([{company, cik}]) and ``regulator_feeds`` ([{slug, name, url}])."""
    filers, seen = [], set()
    for index, entry in enumerate(data.get("edgar_filers") or []):
        where = f"edgar_filers[{index}]"
        if not isinstance(entry, dict) or entry.get("company") not in companies:
            raise fail(
                where, f"unknown company {entry.get('company') if isinstance(entry, dict) else entry!r}"
            )
        try:
            cik = normalize_cik(entry.get("cik", ""))
        except FilingParseError as exc:
            raise fail(where, str(exc)) from None
        if cik in seen:
            raise fail(where, f"CIK {cik} is listed twice")
        seen.add(cik)
        filers.append({"company": entry["company"], "cik": cik})
    feeds = []
    for index, entry in enumerate(data.get("regulator_feeds") or []):
        where = f"regulator_feeds[{index}]"
        if not isinstance(entry, dict) or entry.get("kind") != Newsroom.Kind.CMA:
            raise fail(where, "only the CMA's cases feed (kind 'cma') is read")
        feeds.append(
            {
                "slug": _text(entry, "slug", where, limit=100),
                "name": _text(entry, "name", where, limit=200),
                "filters": entry.get("filters") or {"case_type": "mergers"},
            }
        )
    return {"filers": filers, "feeds": feeds}


# --- loading ---------------------------------------------------------------------------------


def load_watchlist(watchlist: dict, companies: dict[str, Company], summary: DatasetSummary) -> None:
    slugs = [f"edgar-{f['company']}" for f in watchlist["filers"]] + [f["slug"] for f in watchlist["feeds"]]
    existing = Newsroom.objects.in_bulk(slugs, field_name="slug")
    for filer in watchlist["filers"]:
        company = companies[filer["company"]]
        values = {
            "name": f"SEC EDGAR: {company.name}",
            "kind": Newsroom.Kind.EDGAR,
            "company_id": company.pk,
            "url": submissions_url(filer["cik"]),
            "homepage": company_feed_url(filer["cik"]).replace("&output=atom", ""),
            "expected_cadence": FILER_CADENCE,
            "fetch_interval": FILER_INTERVAL,
        }
        slug = f"edgar-{filer['company']}"
        upsert(Newsroom, existing.get(slug), {"slug": slug}, values, summary.watchlist)
    for feed in watchlist["feeds"]:
        values = {
            "name": feed["name"],
            "kind": Newsroom.Kind.CMA,
            "company_id": None,
            "url": cases_feed_url(**feed["filters"]),
            "homepage": "https://www.gov.uk/cma-cases",
            "expected_cadence": timedelta(days=30),
            "fetch_interval": timedelta(hours=6),
        }
        upsert(Newsroom, existing.get(feed["slug"]), {"slug": feed["slug"]}, values, summary.watchlist)


def _case_url(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    if host in ("gov.uk", "www.gov.uk") and urlsplit(url).path.startswith("/cma-cases/"):
        try:
            return case_page_url(url)
        except FilingParseError:
            return ""
    return ""


def _grouped(deals: list[dict]) -> dict[str, dict]:
    """One entry per review key: the first citation's facts, every citing deal, all events."""
    grouped: dict[str, dict] = {}
    for deal in deals:
        for entry in deal["regulatory"]:
            key = review_key(entry["authority"], entry["case"])
            review = grouped.setdefault(key, {**entry, "deals": [], "events": {}, "evidence_at": []})
            review["deals"].append(deal["slug"])
            if entry["evidence"]:
                review["evidence_at"].append(entry["evidence"])
            for event in entry["events"]:
                review["events"].setdefault((event["stage"], event["on"]), event)
    return grouped


def _review_values(entry: dict, summary_text: str) -> dict:
    events = list(entry["events"].values())
    decisions = [e["on"] for e in events if e["stage"] in DECISION_STAGES]
    values = {
        "authority": entry["authority"],
        "case": entry["case"],
        "url": entry["url"],
        "case_url": _case_url(entry["url"]),
        "stage": furthest_stage([e["stage"] for e in events]),
        "outcome": entry["outcome"],
        "decided_on": min(decisions, default=None),
        "certainty": entry["certainty"],
    }
    if summary_text:
        values["summary"] = summary_text
    return values


def load_reviews(
    deals: list[dict], loaded: dict[str, Deal], summaries: dict, summary: DatasetSummary
) -> None:
    """Every review the deals cite, its dataset events, subjects and deal links; no alert event.

    ``summaries`` maps a review key to the fact sheet's description of the outcome (read at
    load time, like quotes); without a fact sheet the stored one is kept.
    """
    grouped = _grouped(deals)
    existing = RegulatoryReview.objects.in_bulk(list(grouped), field_name="key")
    for key, entry in grouped.items():
        review = existing.get(key)
        values = _review_values(entry, summaries.get(key, ""))
        if review is not None and review.source_id:
            values = {}  # the authority's page has been read: its facts stand
        review = upsert(RegulatoryReview, review, {"key": key}, values, summary.reviews)
        rows = [EventRow(e["stage"], e["on"], e["precision"], "") for e in entry["events"].values()]
        synced = review_events_sync(review=review, rows=rows, origin=RegulatoryEvent.Origin.DATASET)
        count = summary.review_events
        count.new, count.updated, count.removed = (
            count.new + synced.created,
            count.updated + synced.updated,
            count.removed + synced.removed,
        )
        count.unchanged += len(rows) - synced.created - synced.updated
        _link(review, [loaded[slug] for slug in entry["deals"]], summary)


def _link(review: RegulatoryReview, deals: list[Deal], summary: DatasetSummary) -> None:
    """The review concerns these deals and their parties; links others made are kept."""
    linked = set(review.deals.values_list("pk", flat=True))
    missing = [deal for deal in deals if deal.pk not in linked]
    if missing:
        review.deals.add(*missing)
    summary.review_links.new += len(missing)
    summary.review_links.unchanged += len(deals) - len(missing)
    subjects = set(review.subjects.values_list("pk", flat=True))
    parties = set(DealParty.objects.filter(deal__in=deals).values_list("company_id", flat=True))
    if parties - subjects:
        review.subjects.add(*(parties - subjects))


def review_summaries(deals: list[dict], evidence, notes: list[str]) -> dict[str, str]:
    """The fact sheet's description of each review's outcome, by review key (read at load time).

    Trusted only where the sheet's deal is dated in the same month as ours, as for quotes.
    """
    from partnerships.services.dataset.evidence import same_month

    summaries: dict[str, str] = {}
    if evidence is None:
        return summaries
    for deal in deals:
        for entry in deal["regulatory"]:
            pointer = entry["evidence"] or {}
            sheet_date = evidence.dates.get(pointer.get("deal"))
            if sheet_date is None or not same_month(sheet_date, deal["announced_on"]):
                continue
            text = evidence.reviews.get((pointer["deal"], pointer.get("index")))
            if text:
                summaries.setdefault(review_key(entry["authority"], entry["case"]), text)
    return summaries
