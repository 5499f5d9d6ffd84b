"""Loading Pactwatch's starting dataset: real deals, their companies and the newsroom registry.

The dataset (``partnerships/data/dataset.json``) holds facts and text written for Pactwatch.
The evidence sentences behind each clause are deliberately *not* in the repository: they
belong to the publishers, so they are read at load time from the fact sheet in
``../shared/realdata/deals.json`` through each clause's ``evidence`` pointer, and a clone
without that sheet simply gets clauses without quotes.

Everything is an upsert by natural key (company slug, alias normalised name, deal slug,
clause (deal, position), newsroom slug, announcement URL) that compares before it writes,
so a second load makes no row and no history entry. The whole load runs in one
transaction after the file has been validated, so a bad file changes nothing.

Source announcements: an address on a registered newsroom's own site is created *pending*
and linked to that newsroom, so the scraper archives the vendor's copy (the deal page can
then show it); third-party press pages are created *skipped*, because the dataset only
cites them and Pactwatch should not crawl arbitrary sites on its own. Either status is set
on creation only: a later fetch outcome is never overwritten by a reload.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partnerships.models import Clause, Company, CompanyAlias, Deal, DealParty, normalize_name
from partnerships.models.deals import DatePrecision
from scrapers.adapters.base import canonical_url
from scrapers.models import Announcement, Newsroom

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "dataset.json"

# Below this, a fact marked uncertain in the fact sheet shows as such on every page.
UNCERTAIN_CONFIDENCE = 0.5


class DatasetError(ValueError):
    """The dataset file is unusable; the message names the entry at fault."""


def default_evidence_path() -> Path:
    """The fact sheet beside the project (``../shared/realdata``), or where PACTWATCH_REALDATA points."""
    override = os.environ.get("PACTWATCH_REALDATA")
    base = Path(override) if override else Path(settings.BASE_DIR).parent / "shared" / "realdata"
    return base / "deals.json"


# ---------------------------------------------------------------------------------------------
# Validation: the whole file is checked before anything is written.


@dataclass
class SectionCount:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"{self.total} ({self.new} new, {self.updated} updated, {self.unchanged} unchanged)"


@dataclass
class DatasetSummary:
    companies: SectionCount = field(default_factory=SectionCount)
    aliases: SectionCount = field(default_factory=SectionCount)
    newsrooms: SectionCount = field(default_factory=SectionCount)
    deals: SectionCount = field(default_factory=SectionCount)
    parties: SectionCount = field(default_factory=SectionCount)
    clauses: SectionCount = field(default_factory=SectionCount)
    announcements: SectionCount = field(default_factory=SectionCount)
    predecessors_set: int = 0
    quotes_filled: int = 0
    evidence_path: Path | None = None
    evidence_note: str = ""

    @property
    def changed(self) -> bool:
        sections = (
            self.companies,
            self.aliases,
            self.newsrooms,
            self.deals,
            self.parties,
            self.clauses,
            self.announcements,
        )
        return any(s.new or s.updated for s in sections) or bool(self.predecessors_set)

    def line(self) -> str:
        return (
            f"Loaded {self.deals.total} deals ({self.deals.new} new, {self.deals.updated} updated, "
            f"{self.deals.unchanged} unchanged), {self.companies.total} companies, {self.clauses.total} clauses, "
            f"{self.newsrooms.total} newsrooms, {self.announcements.total} sources, "
            f"{self.quotes_filled} evidence quotes"
        )


def _choices(field_choices) -> set[str]:
    return {value for value, _label in field_choices}


COMPANY_KINDS = _choices(Company.Kind.choices)
DEAL_KINDS = _choices(Deal.Kind.choices)
ROLES = _choices(DealParty.Role.choices)
CLAUSE_KINDS = _choices(Clause.Kind.choices)
UNITS = _choices(Clause.Unit.choices)
QUALIFIERS = _choices(Clause.Qualifier.choices)
EFFECTS = _choices(Clause.Effect.choices)
PRECISIONS = _choices(DatePrecision.choices)
NEWSROOM_KINDS = _choices(Newsroom.Kind.choices)
CURRENCIES = {"USD", "EUR", "GBP", "JPY"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _fail(where: str, message: str) -> DatasetError:
    return DatasetError(f"{where}: {message}")


def _require(entry: dict, key: str, where: str, kind=str, *, blank: bool = False):
    if key not in entry:
        raise _fail(where, f"missing '{key}'")
    value = entry[key]
    if not isinstance(value, kind):
        raise _fail(
            where, f"'{key}' must be {kind.__name__ if isinstance(kind, type) else kind}, got {value!r}"
        )
    if isinstance(value, str) and not blank and not value.strip():
        raise _fail(where, f"'{key}' is empty")
    return value


def _choice(value, allowed: set[str], where: str, what: str) -> str:
    if value not in allowed:
        raise _fail(where, f"unknown {what} {value!r} (expected one of: {', '.join(sorted(allowed))})")
    return value


def _slug(value, where: str, what: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise _fail(where, f"bad {what} {value!r} (lower-case letters, digits and hyphens)")
    return value


def _decimal(value, where: str, what: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _fail(where, f"{what} must be a decimal written as a string, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _fail(where, f"{what} {value!r} is not a number") from None
    if not number.is_finite():
        raise _fail(where, f"{what} {value!r} is not a finite number")
    if number < 0:
        raise _fail(where, f"negative {what} {value!r}")
    return number


def _url(value, where: str, what: str = "URL") -> str:
    if not isinstance(value, str):
        raise _fail(where, f"{what} must be a string, got {value!r}")
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _fail(where, f"{what} {value!r} is not an http(s) address")
    if parts.fragment:
        raise _fail(where, f"{what} {value!r} has a fragment; store the canonical address")
    return value.strip()


def _date(value, where: str) -> date:
    if not isinstance(value, str):
        raise _fail(where, f"announced_on must be YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(where, f"announced_on {value!r} is not a date (YYYY-MM-DD)") from None


def validate_dataset(data: Any) -> dict:
    """Check the dataset and return it with typed values; raise DatasetError naming the first bad entry."""
    if not isinstance(data, dict):
        raise DatasetError("dataset: the top level must be an object with companies, newsrooms and deals")
    for key in ("companies", "newsrooms", "deals"):
        if not isinstance(data.get(key), list):
            raise DatasetError(f"dataset: '{key}' must be a list")

    companies: dict[str, dict] = {}
    names: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for index, entry in enumerate(data["companies"]):
        where = f"companies[{index}]"
        if not isinstance(entry, dict):
            raise _fail(where, "must be an object")
        slug = _slug(entry.get("slug"), where)
        where = f"companies[{index}] ({slug})"
        if slug in companies:
            raise _fail(where, "duplicate company slug")
        name = _require(entry, "name", where)
        key = normalize_name(name)
        if key in names or key in aliases:
            raise _fail(where, f"name {name!r} matches another company or alias")
        names[key] = slug
        company = {
            "slug": slug,
            "name": name.strip(),
            "kind": _choice(entry.get("kind"), COMPANY_KINDS, where, "company kind"),
            "website": _url(entry["website"], where, "website") if entry.get("website") else "",
            "description": _require(entry, "description", where, blank=True).strip(),
            "aliases": [],
        }
        if len(company["description"]) > 500:
            raise _fail(where, "description longer than 500 characters")
        for alias in entry.get("aliases", []):
            if not isinstance(alias, str) or not normalize_name(alias):
                raise _fail(where, f"bad alias {alias!r}")
            alias_key = normalize_name(alias)
            if alias_key == key:
                raise _fail(where, f"alias {alias!r} normalises to the company's own name; it adds nothing")
            if alias_key in aliases or alias_key in names:
                raise _fail(
                    where, f"alias {alias!r} is already used by {aliases.get(alias_key) or names[alias_key]}"
                )
            aliases[alias_key] = slug
            company["aliases"].append(alias.strip())
        companies[slug] = company

    newsrooms: list[dict] = []
    seen_newsrooms: set[str] = set()
    for index, entry in enumerate(data["newsrooms"]):
        where = f"newsrooms[{index}]"
        if not isinstance(entry, dict):
            raise _fail(where, "must be an object")
        slug = _slug(entry.get("slug"), where)
        where = f"newsrooms[{index}] ({slug})"
        if slug in seen_newsrooms:
            raise _fail(where, "duplicate newsroom slug")
        seen_newsrooms.add(slug)
        company = entry.get("company")
        if company is not None and company not in companies:
            raise _fail(where, f"unknown company {company!r}")
        kind = _choice(entry.get("kind"), NEWSROOM_KINDS, where, "newsroom kind")
        selectors = entry.get("selectors") or {}
        if not isinstance(selectors, dict) or not all(isinstance(v, str) for v in selectors.values()):
            raise _fail(where, "selectors must be an object of strings")
        if kind == Newsroom.Kind.HTML and not selectors.get("item"):
            raise _fail(where, "an html newsroom needs at least an 'item' selector")
        cadence = entry.get("expected_cadence_days")
        interval = entry.get("fetch_interval_minutes")
        if not isinstance(cadence, int | float) or isinstance(cadence, bool) or cadence <= 0:
            raise _fail(where, f"expected_cadence_days must be a positive number, got {cadence!r}")
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 5:
            raise _fail(where, f"fetch_interval_minutes must be an integer of at least 5, got {interval!r}")
        newsrooms.append(
            {
                "slug": slug,
                "name": _require(entry, "name", where).strip(),
                "company": company,
                "kind": kind,
                "url": _url(entry.get("url"), where),
                "homepage": _url(entry["homepage"], where, "homepage") if entry.get("homepage") else "",
                "selectors": selectors,
                "expected_cadence": timedelta(days=cadence),
                "fetch_interval": timedelta(minutes=interval),
                "notes": entry.get("notes") or "",
            }
        )

    deals: list[dict] = []
    slugs: set[str] = set()
    for index, entry in enumerate(data["deals"]):
        where = f"deals[{index}]"
        if not isinstance(entry, dict):
            raise _fail(where, "must be an object")
        slug = _slug(entry.get("slug"), where)
        where = f"deals[{index}] ({slug})"
        if slug in slugs:
            raise _fail(where, "duplicate deal slug")
        slugs.add(slug)
        precision = _choice(entry.get("announced_precision", "day"), PRECISIONS, where, "date precision")
        announced_on = _date(entry.get("announced_on"), where)
        if precision != DatePrecision.DAY and announced_on.day != 1:
            raise _fail(where, "a month- or year-precision date is stored as the first of the month")
        value_min = _decimal(entry.get("value_min"), where, "value_min")
        value_max = _decimal(entry.get("value_max"), where, "value_max")
        if value_min is not None and value_max is not None and value_max < value_min:
            raise _fail(where, "value_max is below value_min")
        currency = entry.get("currency") or ""
        if (value_min is not None or value_max is not None) and currency not in CURRENCIES:
            raise _fail(where, f"unknown currency {currency!r}")
        title = _require(entry, "title", where).strip()
        if len(title) > 300:
            raise _fail(where, "title longer than 300 characters")
        parties = entry.get("parties")
        if not isinstance(parties, list) or not parties:
            raise _fail(where, "missing parties (a deal needs at least one)")
        party_list = []
        for p_index, party in enumerate(parties):
            p_where = f"{where} parties[{p_index}]"
            if not isinstance(party, dict):
                raise _fail(p_where, "must be an object")
            company = party.get("company")
            if company not in companies:
                raise _fail(p_where, f"missing party: unknown company {company!r}")
            if company in {p["company"] for p in party_list}:
                raise _fail(p_where, f"company {company!r} appears twice")
            party_list.append(
                {"company": company, "role": _choice(party.get("role"), ROLES, p_where, "party role")}
            )
        clauses = entry.get("clauses")
        if not isinstance(clauses, list):
            raise _fail(where, "'clauses' must be a list")
        clause_list = []
        for c_index, clause in enumerate(clauses):
            c_where = f"{where} clauses[{c_index}]"
            if not isinstance(clause, dict):
                raise _fail(c_where, "must be an object")
            kind = _choice(clause.get("kind"), CLAUSE_KINDS, c_where, "clause kind")
            amount = _decimal(clause.get("amount"), c_where, "amount")
            unit = clause.get("unit") or ""
            if unit:
                _choice(unit, UNITS, c_where, "unit")
            if amount is not None and not unit:
                raise _fail(c_where, "an amount needs a unit")
            summary = _require(clause, "summary", c_where).strip()
            if len(summary) > 500:
                raise _fail(c_where, "summary longer than 500 characters")
            evidence = clause.get("evidence")
            if evidence is not None and not (
                isinstance(evidence, dict)
                and all(isinstance(evidence.get(k), int) and evidence[k] >= 0 for k in ("deal", "clause"))
            ):
                raise _fail(c_where, f"evidence must be {{'deal': n, 'clause': n}} or null, got {evidence!r}")
            clause_list.append(
                {
                    "position": c_index,
                    "kind": kind,
                    "subject": (clause.get("subject") or "").strip(),
                    "summary": summary,
                    "amount": amount,
                    "unit": unit,
                    "qualifier": _choice(clause.get("qualifier", ""), QUALIFIERS, c_where, "qualifier"),
                    "effect": _choice(clause.get("effect", "granted"), EFFECTS, c_where, "effect"),
                    "uncertain": bool(clause.get("uncertain")),
                    "evidence": evidence,
                }
            )
        sources = entry.get("sources")
        if not isinstance(sources, list) or not sources:
            raise _fail(where, "a deal needs at least one source address")
        source_list = []
        for s_index, source in enumerate(sources):
            # The scraper files announcements under their canonical address; so must the dataset,
            # or the same page would be archived twice.
            url = canonical_url(_url(source, f"{where} sources[{s_index}]", "source"))
            if url not in source_list:
                source_list.append(url)
        fact_index = entry.get("fact_sheet_index")
        if fact_index is not None and (not isinstance(fact_index, int) or fact_index < 0):
            raise _fail(where, f"fact_sheet_index must be a non-negative integer, got {fact_index!r}")
        predecessor = entry.get("predecessor")
        if predecessor is not None and not isinstance(predecessor, str):
            raise _fail(where, f"predecessor must be a deal slug, got {predecessor!r}")
        deals.append(
            {
                "slug": slug,
                "title": title,
                "kind": _choice(entry.get("kind"), DEAL_KINDS, where, "deal kind"),
                "announced_on": announced_on,
                "announced_precision": precision,
                "summary": _require(entry, "summary", where).strip(),
                "value_min": value_min,
                "value_max": value_max,
                "currency": currency or "USD",
                "predecessor": predecessor,
                "uncertain": bool(entry.get("uncertain")),
                "fact_sheet_index": fact_index,
                "parties": party_list,
                "clauses": clause_list,
                "sources": source_list,
            }
        )

    by_slug = {deal["slug"]: deal for deal in deals}
    for index, deal in enumerate(deals):
        where = f"deals[{index}] ({deal['slug']})"
        predecessor = deal["predecessor"]
        if predecessor is None:
            continue
        if predecessor not in by_slug:
            raise _fail(where, f"unknown predecessor slug {predecessor!r}")
        if by_slug[predecessor]["announced_on"] > deal["announced_on"]:
            raise _fail(where, f"predecessor {predecessor!r} is dated after the deal")
        seen, cursor = {deal["slug"]}, predecessor
        while cursor is not None:
            if cursor in seen:
                raise _fail(where, "the predecessor chain loops")
            seen.add(cursor)
            cursor = by_slug[cursor]["predecessor"]
    return {"companies": list(companies.values()), "newsrooms": newsrooms, "deals": deals}


def read_dataset(path: Path) -> dict:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the dataset ({exc.strerror or exc})") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    return validate_dataset(data)


# ---------------------------------------------------------------------------------------------
# Evidence: quotes read at run time from the fact sheet, never stored in the repository.


def read_evidence(path: Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the fact sheet ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: the fact sheet is not valid JSON ({exc.msg})") from exc
    if not isinstance(data, list):
        raise DatasetError(f"{path}: the fact sheet must be a list of deals")
    return data


def _same_date(sheet_value, deal: dict) -> bool:
    """Does the fact sheet's date agree with the dataset's, to the dataset's precision?"""
    try:
        sheet_date = date.fromisoformat(str(sheet_value))
    except ValueError:
        return False
    ours, precision = deal["announced_on"], deal["announced_precision"]
    if precision == DatePrecision.YEAR:
        return sheet_date.year == ours.year
    if precision == DatePrecision.MONTH:
        return (sheet_date.year, sheet_date.month) == (ours.year, ours.month)
    return sheet_date == ours


def evidence_quotes(deal: dict, sheet: list[dict], notes: list[str]) -> dict[int, str]:
    """Quote per clause position, taken from the fact-sheet clause each one points at.

    A pointer is trusted only when the fact-sheet deal it names has the same date (to the
    dataset's precision): if the sheet is edited and indexes shift, quotes are skipped with a
    note instead of landing on the wrong clause.
    """
    quotes: dict[int, str] = {}
    for clause in deal["clauses"]:
        pointer = clause["evidence"]
        if pointer is None:
            continue
        index, clause_index = pointer["deal"], pointer["clause"]
        if index >= len(sheet) or not isinstance(sheet[index], dict):
            notes.append(f"{deal['slug']}: fact sheet has no deal #{index}")
            continue
        entry = sheet[index]
        if not _same_date(entry.get("announced_on"), deal) and index == deal["fact_sheet_index"]:
            notes.append(
                f"{deal['slug']}: fact sheet deal #{index} is dated {entry.get('announced_on')}; skipped"
            )
            continue
        sheet_clauses = entry.get("clauses") or []
        if clause_index >= len(sheet_clauses) or not isinstance(sheet_clauses[clause_index], dict):
            notes.append(f"{deal['slug']}: fact sheet deal #{index} has no clause #{clause_index}")
            continue
        quote = sheet_clauses[clause_index].get("quote")
        if isinstance(quote, str) and quote.strip():
            quotes[clause["position"]] = quote.strip()
    return quotes


# ---------------------------------------------------------------------------------------------
# Writing.


def _apply(instance, values: dict) -> bool:
    """Set the fields that differ; True when the row needs saving."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _upsert(
    model, instance, lookup: dict, values: dict, count: SectionCount, *, create_only: dict | None = None
):
    """Create the row, or save it only when a value differs (a save would add a history row)."""
    if instance is None:
        instance = model(**lookup, **values, **(create_only or {}))
        instance.save()
        count.add("new")
    elif _apply(instance, values):
        instance.save()
        count.add("updated")
    else:
        count.add("unchanged")
    return instance


class _Existing:
    """What the database already holds for the dataset's natural keys, read in a few queries.

    A reload then costs one query per table instead of one per row.
    """

    def __init__(self, dataset: dict):
        company_entries = dataset["companies"]
        self.companies = Company.objects.in_bulk([c["slug"] for c in company_entries], field_name="slug")
        self.companies_by_name = {
            c.name: c for c in Company.objects.filter(name__in=[c["name"] for c in company_entries])
        }
        keys = [normalize_name(a) for c in company_entries for a in c["aliases"]]
        self.aliases = CompanyAlias.objects.in_bulk(keys, field_name="normalized")
        self.newsrooms = Newsroom.objects.in_bulk(
            [n["slug"] for n in dataset["newsrooms"]], field_name="slug"
        )
        self.deals = Deal.objects.in_bulk([d["slug"] for d in dataset["deals"]], field_name="slug")
        deal_ids = [deal.pk for deal in self.deals.values()]
        self.parties = {(p.deal_id, p.company_id): p for p in DealParty.objects.filter(deal_id__in=deal_ids)}
        self.clauses: dict[tuple[int, int], Clause] = {}
        for row in Clause.objects.filter(deal_id__in=deal_ids).order_by("deal_id", "position", "id"):
            self.clauses.setdefault((row.deal_id, row.position), row)
        through = Deal.sources.through
        self.links = set(
            through.objects.filter(deal_id__in=deal_ids).values_list("deal_id", "announcement_id")
        )
        urls = {url for deal in dataset["deals"] for url in deal["sources"]}
        self.announcements = Announcement.objects.in_bulk(list(urls), field_name="url")
        self.counted: set[str] = set()


def _title_from_url(url: str) -> str:
    """A readable stand-in until the scraper fetches the page: the last path segment as words."""
    path = urlsplit(url).path.rstrip("/")
    segment = path.rsplit("/", 1)[-1] if path else ""
    segment = re.sub(r"\.(html?|aspx|php|md|xml|json)$", "", segment)
    words = re.sub(r"[-_]+", " ", segment).strip()
    if not words or words.isdigit() or len(words) < 4:
        return urlsplit(url).hostname or url
    return words[:1].upper() + words[1:]


def _newsroom_for(url: str, newsrooms: list[Newsroom]) -> Newsroom | None:
    host = (urlsplit(url).hostname or "").lower()
    for newsroom in newsrooms:
        for base in (newsroom.homepage, newsroom.url):
            if base and (urlsplit(base).hostname or "").lower() == host:
                return newsroom
    return None


def _load_companies(
    companies: list[dict], existing: _Existing, summary: DatasetSummary
) -> dict[str, Company]:
    by_slug = {}
    for entry in companies:
        values = {
            "name": entry["name"],
            "kind": entry["kind"],
            "website": entry["website"],
            "description": entry["description"],
            "is_proposed": False,
        }
        company = existing.companies.get(entry["slug"])
        if company is None:
            # Extraction may have proposed the company under another slug: adopt it rather than
            # fail on the unique name.
            company = existing.companies_by_name.get(entry["name"])
            if company is not None:
                values["slug"] = entry["slug"]
        company = _upsert(Company, company, {"slug": entry["slug"]}, values, summary.companies)
        by_slug[entry["slug"]] = company
        for alias in entry["aliases"]:
            key = normalize_name(alias)
            _upsert(
                CompanyAlias,
                existing.aliases.get(key),
                {},
                {"company_id": company.pk, "name": alias},
                summary.aliases,
            )
    return by_slug


def _load_newsrooms(
    newsrooms: list[dict], companies: dict[str, Company], existing: _Existing, summary: DatasetSummary
) -> list[Newsroom]:
    rows = []
    for entry in newsrooms:
        values = {
            key: entry[key]
            for key in (
                "name",
                "kind",
                "url",
                "homepage",
                "selectors",
                "expected_cadence",
                "fetch_interval",
                "notes",
            )
        }
        values["company_id"] = companies[entry["company"]].pk if entry["company"] else None
        rows.append(
            _upsert(
                Newsroom,
                existing.newsrooms.get(entry["slug"]),
                {"slug": entry["slug"]},
                values,
                summary.newsrooms,
            )
        )
    return rows


def _load_sources(
    deal: Deal, entry: dict, newsrooms: list[Newsroom], existing: _Existing, summary: DatasetSummary
) -> list[Announcement]:
    announcements = []
    for url in entry["sources"]:
        announcement = existing.announcements.get(url)
        if announcement is None:
            newsroom = _newsroom_for(url, newsrooms)
            announcement = Announcement.objects.create(
                url=url,
                newsroom=newsroom,
                title=_title_from_url(url),
                published_at=(
                    datetime.combine(entry["announced_on"], datetime.min.time(), tzinfo=UTC)
                    if newsroom
                    else None
                ),
                published_precision=entry["announced_precision"],
                fetch_status=Announcement.FetchStatus.PENDING
                if newsroom
                else Announcement.FetchStatus.SKIPPED,
            )
            existing.announcements[url] = announcement
            existing.counted.add(url)
            summary.announcements.add("new")
        elif url not in existing.counted:
            # Several deals cite the same page: count each address once.
            existing.counted.add(url)
            summary.announcements.add("unchanged")
        announcements.append(announcement)
    missing = [a for a in announcements if (deal.pk, a.pk) not in existing.links]
    if missing:
        deal.sources.add(*missing)
    return announcements


def _load_deal(
    entry: dict,
    companies: dict[str, Company],
    newsrooms: list[Newsroom],
    quotes: dict[int, str],
    loaded: dict[str, Deal],
    existing: _Existing,
    summary: DatasetSummary,
) -> Deal:
    values = {
        "title": entry["title"],
        "kind": entry["kind"],
        "announced_on": entry["announced_on"],
        "announced_precision": entry["announced_precision"],
        "summary": entry["summary"],
        "value_min": entry["value_min"],
        "value_max": entry["value_max"],
        "currency": entry["currency"],
        "confidence": UNCERTAIN_CONFIDENCE if entry["uncertain"] else 1.0,
    }
    deal = existing.deals.get(entry["slug"])
    if deal is None:
        # Linking an already-loaded predecessor now spares the deal a second history row.
        predecessor = loaded.get(entry["predecessor"]) if entry["predecessor"] else None
        deal = Deal.objects.create(
            slug=entry["slug"],
            status=Deal.Status.PUBLISHED,
            published_at=timezone.now(),
            predecessor=predecessor,
            **values,
        )
        summary.deals.add("new")
    else:
        # A curator's retraction or rejection survives a reload; only an unreviewed candidate is published.
        if deal.status == Deal.Status.CANDIDATE:
            values["status"] = Deal.Status.PUBLISHED
        if deal.published_at is None and values.get("status", deal.status) == Deal.Status.PUBLISHED:
            values["published_at"] = timezone.now()
        _upsert(Deal, deal, {}, values, summary.deals)

    for party in entry["parties"]:
        company = companies[party["company"]]
        _upsert(
            DealParty,
            existing.parties.get((deal.pk, company.pk)),
            {"deal": deal, "company": company},
            {"role": party["role"]},
            summary.parties,
        )

    sources = _load_sources(deal, entry, newsrooms, existing, summary)
    first_source = sources[0] if sources else None
    for clause in entry["clauses"]:
        values = {
            "kind": clause["kind"],
            "subject": clause["subject"],
            "summary": clause["summary"],
            "effect": clause["effect"],
            "amount": clause["amount"],
            "unit": clause["unit"],
            "qualifier": clause["qualifier"],
            "confidence": UNCERTAIN_CONFIDENCE if clause["uncertain"] else 1.0,
            "status": Clause.Status.CONFIRMED,
        }
        quote = quotes.get(clause["position"])
        if quote:
            # Without a fact sheet the quote is left as it is: a reload never wipes evidence.
            values["quote"] = quote
            summary.quotes_filled += 1
        row = existing.clauses.get((deal.pk, clause["position"]))
        if row is not None and row.source_id is None and first_source is not None:
            values["source_id"] = first_source.pk
        _upsert(
            Clause,
            row,
            {"deal": deal, "position": clause["position"]},
            values,
            summary.clauses,
            create_only={"source": first_source},
        )
    return deal


def _say(stdout, text: str) -> None:
    if stdout is not None:
        # Django's OutputWrapper adds no second newline; a plain stream needs this one.
        stdout.write(text + "\n")


def dataset_load(*, path=None, evidence_path=None, use_evidence: bool = True, stdout=None) -> DatasetSummary:
    """Upsert the dataset; safe to run any number of times.

    ``evidence_path`` None means the default fact sheet, used only if it exists; an explicit
    path must exist. ``use_evidence=False`` loads without quotes.
    """
    dataset = read_dataset(Path(path) if path else DEFAULT_PATH)
    summary = DatasetSummary()

    sheet: list[dict] | None = None
    if use_evidence:
        if evidence_path is not None:
            summary.evidence_path = Path(evidence_path)
            sheet = read_evidence(summary.evidence_path)
        elif default_evidence_path().is_file():
            summary.evidence_path = default_evidence_path()
            sheet = read_evidence(summary.evidence_path)
        else:
            summary.evidence_note = (
                f"No fact sheet at {default_evidence_path()}: clauses load without evidence quotes "
                "(pass --evidence PATH or set PACTWATCH_REALDATA)."
            )
    else:
        summary.evidence_note = "Evidence quotes not requested."

    notes: list[str] = []
    quotes = {
        deal["slug"]: (evidence_quotes(deal, sheet, notes) if sheet is not None else {})
        for deal in dataset["deals"]
    }

    with transaction.atomic():
        existing = _Existing(dataset)
        companies = _load_companies(dataset["companies"], existing, summary)
        _say(stdout, f"Companies: {summary.companies}; aliases: {summary.aliases}")
        newsrooms = _load_newsrooms(dataset["newsrooms"], companies, existing, summary)
        _say(stdout, f"Newsrooms: {summary.newsrooms}")
        deals: dict[str, Deal] = {}
        for entry in dataset["deals"]:
            deals[entry["slug"]] = _load_deal(
                entry, companies, newsrooms, quotes[entry["slug"]], deals, existing, summary
            )
        # Second pass: every deal exists now, so a phase may name one listed after it.
        for entry in dataset["deals"]:
            deal = deals[entry["slug"]]
            wanted = deals[entry["predecessor"]].pk if entry["predecessor"] else None
            if deal.predecessor_id != wanted:
                deal.predecessor_id = wanted
                deal.save()
                summary.predecessors_set += 1
        _say(
            stdout,
            f"Deals: {summary.deals}; parties: {summary.parties}; phase links set: {summary.predecessors_set}",
        )
        _say(stdout, f"Clauses: {summary.clauses}; sources: {summary.announcements}")

    if summary.evidence_path is not None:
        _say(stdout, f"Evidence: {summary.quotes_filled} quotes from {summary.evidence_path}")
    if summary.evidence_note:
        _say(stdout, summary.evidence_note)
    for note in notes:
        _say(stdout, f"Evidence note: {note}")
    _say(stdout, summary.line())
    return summary
