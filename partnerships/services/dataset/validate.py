"""Checking the dataset file before anything is written: one function per section.

``validate_dataset`` returns the file with typed values (dates, Decimals, canonical URLs) or
raises ``DatasetError`` naming the first bad entry ("deals[3] (stargate-2025) clauses[0]:
unknown clause kind 'golden_share'"). Choices are the models' own, so the file can only
hold values the database accepts.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from partnerships.models import Clause, Company, Deal, DealParty, normalize_name
from partnerships.models.deals import Certainty, DatePrecision, ValuationBasis
from partnerships.services.dataset.reviews import validate_regulatory, validate_watchlist
from partnerships.services.dataset.summary import DatasetError
from scrapers.adapters.base import canonical_url
from scrapers.models import Announcement, Newsroom


def _choices(field_choices) -> set[str]:
    return {value for value, _label in field_choices}


COMPANY_KINDS = _choices(Company.Kind.choices)
DEAL_KINDS = _choices(Deal.Kind.choices)
ROLES = _choices(DealParty.Role.choices)
CLAUSE_KINDS = _choices(Clause.Kind.choices)
UNITS = _choices(Clause.Unit.choices)
QUALIFIERS = _choices(Clause.Qualifier.choices)
EFFECTS = _choices(Clause.Effect.choices)
BASES = _choices(Clause.Basis.choices)
CERTAINTIES = _choices(Certainty.choices)
PRECISIONS = _choices(DatePrecision.choices)
SOURCE_KINDS = _choices(Announcement.SourceKind.choices)
VALUATION_BASES = _choices(ValuationBasis.choices)
NEWSROOM_KINDS = _choices(Newsroom.Kind.choices)
CURRENCIES = {"USD", "EUR", "GBP", "JPY"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[a-z0-9]{1,20}$")


def fail(where: str, message: str) -> DatasetError:
    return DatasetError(f"{where}: {message}")


def _require(entry: dict, key: str, where: str, kind=str, *, blank: bool = False, limit: int = 0):
    if key not in entry:
        raise fail(where, f"missing '{key}'")
    value = entry[key]
    if not isinstance(value, kind):
        raise fail(where, f"'{key}' must be {getattr(kind, '__name__', kind)}, got {value!r}")
    if isinstance(value, str):
        value = value.strip()
        if not blank and not value:
            raise fail(where, f"'{key}' is empty")
        if limit and len(value) > limit:
            raise fail(where, f"{key} longer than {limit} characters")
    return value


def _choice(value, allowed: set[str], where: str, what: str) -> str:
    if value not in allowed:
        shown = ", ".join(sorted(v or "''" for v in allowed))
        raise fail(where, f"unknown {what} {value!r} (expected one of: {shown})")
    return value


def _slug(value, where: str, what: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise fail(where, f"bad {what} {value!r} (lower-case letters, digits and hyphens)")
    return value


def _decimal(value, where: str, what: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise fail(where, f"{what} must be a decimal written as a string, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise fail(where, f"{what} {value!r} is not a number") from None
    if not number.is_finite():
        raise fail(where, f"{what} {value!r} is not a finite number")
    if number < 0:
        raise fail(where, f"negative {what} {value!r}")
    return number


def _url(value, where: str, what: str = "URL") -> str:
    if not isinstance(value, str):
        raise fail(where, f"{what} must be a string, got {value!r}")
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise fail(where, f"{what} {value!r} is not an http(s) address")
    if parts.fragment:
        raise fail(where, f"{what} {value!r} has a fragment; store the canonical address")
    return value.strip()


def _date(value, where: str, what: str = "announced_on") -> date:
    if not isinstance(value, str):
        raise fail(where, f"{what} must be YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(where, f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _objects(data: dict, key: str, where: str = "dataset") -> list[dict]:
    items = data.get(key)
    if not isinstance(items, list):
        raise DatasetError(f"{where}: '{key}' must be a list")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise fail(
                f"{key}[{index}]" if where == "dataset" else f"{where} {key}[{index}]", "must be an object"
            )
    return items


# --- companies and newsrooms -------------------------------------------------------------------


def _aliases(entry: dict, slug: str, own: str, taken: dict[str, str], where: str) -> list[str]:
    found = []
    for alias in entry.get("aliases", []):
        if not isinstance(alias, str) or not normalize_name(alias):
            raise fail(where, f"bad alias {alias!r}")
        key = normalize_name(alias)
        if key == own:
            raise fail(where, f"alias {alias!r} normalises to the company's own name; it adds nothing")
        if key in taken:
            raise fail(where, f"alias {alias!r} is already used by {taken[key]}")
        taken[key] = slug
        found.append(alias.strip())
    return found


def validate_companies(data: dict) -> dict[str, dict]:
    companies: dict[str, dict] = {}
    taken: dict[str, str] = {}  # every normalised name and alias → the company slug owning it
    entries = _objects(data, "companies")
    for index, entry in enumerate(entries):
        slug = _slug(entry.get("slug"), f"companies[{index}]")
        where = f"companies[{index}] ({slug})"
        if slug in companies:
            raise fail(where, "duplicate company slug")
        name = _require(entry, "name", where, limit=200)
        if normalize_name(name) in taken:
            raise fail(where, f"name {name!r} matches another company or alias")
        taken[normalize_name(name)] = slug
        companies[slug] = {"slug": slug, "name": name}
    for index, entry in enumerate(entries):
        slug = entry["slug"]
        where = f"companies[{index}] ({slug})"
        companies[slug].update(
            kind=_choice(entry.get("kind"), COMPANY_KINDS, where, "company kind"),
            website=_url(entry["website"], where, "website") if entry.get("website") else "",
            description=_require(entry, "description", where, blank=True, limit=500),
            aliases=_aliases(entry, slug, normalize_name(companies[slug]["name"]), taken, where),
        )
    return companies


def _newsroom(entry: dict, companies: dict, where: str) -> dict:
    company = entry.get("company")
    if company is not None and company not in companies:
        raise fail(where, f"unknown company {company!r}")
    kind = _choice(entry.get("kind"), NEWSROOM_KINDS, where, "newsroom kind")
    selectors = entry.get("selectors") or {}
    if not isinstance(selectors, dict) or not all(isinstance(v, str) for v in selectors.values()):
        raise fail(where, "selectors must be an object of strings")
    if kind == Newsroom.Kind.HTML and not selectors.get("item"):
        raise fail(where, "an html newsroom needs at least an 'item' selector")
    cadence, interval = entry.get("expected_cadence_days"), entry.get("fetch_interval_minutes")
    if not isinstance(cadence, int | float) or isinstance(cadence, bool) or cadence <= 0:
        raise fail(where, f"expected_cadence_days must be a positive number, got {cadence!r}")
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 5:
        raise fail(where, f"fetch_interval_minutes must be an integer of at least 5, got {interval!r}")
    return {
        "slug": entry["slug"],
        "name": _require(entry, "name", where),
        "company": company,
        "kind": kind,
        "url": _url(entry.get("url"), where),
        "homepage": _url(entry["homepage"], where, "homepage") if entry.get("homepage") else "",
        "selectors": selectors,
        "expected_cadence_days": cadence,
        "fetch_interval_minutes": interval,
        "notes": entry.get("notes") or "",
    }


def validate_newsrooms(data: dict, companies: dict) -> list[dict]:
    newsrooms, seen = [], set()
    for index, entry in enumerate(_objects(data, "newsrooms")):
        slug = _slug(entry.get("slug"), f"newsrooms[{index}]")
        where = f"newsrooms[{index}] ({slug})"
        if slug in seen:
            raise fail(where, "duplicate newsroom slug")
        seen.add(slug)
        newsrooms.append(_newsroom(entry, companies, where))
    return newsrooms


# --- deals ---------------------------------------------------------------------------------------


def _parties(entry: dict, companies: dict, where: str) -> list[dict]:
    parties = entry.get("parties")
    if not isinstance(parties, list) or not parties:
        raise fail(where, "missing parties (a deal needs at least one)")
    found: list[dict] = []
    for index, party in enumerate(parties):
        p_where = f"{where} parties[{index}]"
        if not isinstance(party, dict):
            raise fail(p_where, "must be an object")
        company = party.get("company")
        if company not in companies:
            raise fail(p_where, f"missing party: unknown company {company!r}")
        if company in {p["company"] for p in found}:
            raise fail(p_where, f"company {company!r} appears twice")
        found.append({"company": company, "role": _choice(party.get("role"), ROLES, p_where, "party role")})
    return found


def _sources(entry: dict, where: str) -> list[dict]:
    sources = entry.get("sources")
    if not isinstance(sources, list) or not sources:
        raise fail(where, "a deal needs at least one source")
    found, seen = [], set()
    for index, source in enumerate(sources):
        s_where = f"{where} sources[{index}]"
        if not isinstance(source, dict):
            raise fail(s_where, "must be an object with url, publisher and kind")
        # Stored as written (a trailing slash can be part of the address); two spellings of
        # one page share its canonical form, the archive's key, so they are one source.
        url = _url(source.get("url"), s_where, "source")
        if canonical_url(url) in seen:
            raise fail(s_where, f"source {url} is listed twice")
        seen.add(canonical_url(url))
        found.append(
            {
                "url": url,
                "publisher": _require(source, "publisher", s_where, limit=200),
                "kind": _choice(source.get("kind"), SOURCE_KINDS, s_where, "source kind"),
            }
        )
    return found


def _valuation(entry: dict, where: str) -> dict | None:
    valuation = entry.get("valuation")
    if valuation is None:
        return None
    v_where = f"{where} valuation"
    if not isinstance(valuation, dict):
        raise fail(v_where, "must be an object or null")
    amount = _decimal(valuation.get("amount"), v_where, "amount")
    if amount is None:
        raise fail(v_where, "missing 'amount'")
    return {
        "amount": amount,
        "currency": _choice(valuation.get("currency"), CURRENCIES, v_where, "currency"),
        "basis": _choice(valuation.get("basis"), VALUATION_BASES, v_where, "valuation basis"),
        "certainty": _choice(valuation.get("certainty"), CERTAINTIES, v_where, "certainty"),
    }


def _evidence(value, where: str) -> dict | None:
    if value is None:
        return None
    if not (
        isinstance(value, dict)
        and all(isinstance(value.get(k), str) and value[k] for k in ("deal", "clause"))
    ):
        raise fail(where, f"evidence must be {{'deal': id, 'clause': id}} or null, got {value!r}")
    return {"deal": value["deal"], "clause": value["clause"]}


def _clause(clause: dict, position: int, parties: set[str], sources: dict[str, str], where: str) -> dict:
    kind = _choice(clause.get("kind"), CLAUSE_KINDS, where, "clause kind")
    amount = _decimal(clause.get("amount"), where, "amount")
    unit = _choice(clause.get("unit") or "", UNITS | {""}, where, "unit")
    if amount is not None and not unit:
        raise fail(where, "an amount needs a unit")
    sides = {}
    for side in ("grantor", "beneficiary"):
        company = clause.get(side)
        if company not in parties:
            raise fail(where, f"{side} {company!r} is not a party of the deal")
        sides[side] = company
    if sides["grantor"] == sides["beneficiary"]:
        raise fail(where, "grantor and beneficiary are the same company")
    source = clause.get("source")
    if source is not None:
        given = _url(source, where, "source")
        source = sources.get(canonical_url(given))  # the deal's own spelling of that page
        if source is None:
            raise fail(where, f"source {given} is not one of the deal's sources")
    if not isinstance(clause.get("mutual", False), bool):
        raise fail(where, "mutual must be true or false")
    return {
        "position": position,
        "key": clause["key"],
        "kind": kind,
        "subject": (clause.get("subject") or "").strip()[:200],
        "summary": _require(clause, "summary", where, limit=500),
        **sides,
        "mutual": clause.get("mutual", False),
        "amount": amount,
        "unit": unit,
        "qualifier": _choice(clause.get("qualifier") or "", QUALIFIERS, where, "qualifier"),
        "basis": _choice(clause.get("basis") or "", BASES, where, "basis"),
        "part_of": clause.get("part_of"),
        "effect": _choice(clause.get("effect", "granted"), EFFECTS, where, "effect"),
        "certainty": _choice(clause.get("certainty"), CERTAINTIES, where, "certainty"),
        "source": source,
        "evidence": _evidence(clause.get("evidence"), where),
    }


def _clauses(entry: dict, parties: set[str], sources: dict[str, str], where: str) -> list[dict]:
    found, keys = [], set()
    for index, clause in enumerate(_objects(entry, "clauses", where)):
        c_where = f"{where} clauses[{index}]"
        key = clause.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise fail(c_where, f"bad clause key {key!r} (1-20 lower-case letters and digits)")
        if key in keys:
            raise fail(c_where, f"duplicate clause key {key!r}")
        keys.add(key)
        found.append(_clause(clause, index, parties, sources, c_where))
    by_key = {c["key"]: c for c in found}
    for clause in found:
        seen, parent = {clause["key"]}, clause["part_of"]
        while parent is not None:
            if parent not in by_key:
                raise fail(
                    f"{where} clauses[{clause['position']}]",
                    f"part_of {parent!r} is not a clause of the deal",
                )
            if parent in seen:
                raise fail(f"{where} clauses[{clause['position']}]", "part_of loops")
            seen.add(parent)
            parent = by_key[parent]["part_of"]
    return found


def _deal(entry: dict, companies: dict, where: str) -> dict:
    precision = _choice(entry.get("announced_precision", "day"), PRECISIONS, where, "date precision")
    announced_on = _date(entry.get("announced_on"), where)
    if precision != DatePrecision.DAY and announced_on.day != 1:
        raise fail(where, "a date of month, quarter or year precision is stored as the first of the month")
    predecessor = entry.get("predecessor")
    if predecessor is not None and not isinstance(predecessor, str):
        raise fail(where, f"predecessor must be a deal slug, got {predecessor!r}")
    parties = _parties(entry, companies, where)
    sources = _sources(entry, where)
    party_slugs = {p["company"] for p in parties}
    return {
        "slug": entry["slug"],
        "fact_sheet_id": _require(entry, "fact_sheet_id", where) if entry.get("fact_sheet_id") else "",
        "title": _require(entry, "title", where, limit=300),
        "summary": _require(entry, "summary", where),
        "kind": _choice(entry.get("kind"), DEAL_KINDS, where, "deal kind"),
        "announced_on": announced_on,
        "announced_precision": precision,
        "predecessor": predecessor,
        "valuation": _valuation(entry, where),
        "parties": parties,
        "sources": sources,
        "clauses": _clauses(entry, party_slugs, {canonical_url(s["url"]): s["url"] for s in sources}, where),
        "regulatory": validate_regulatory(entry, where),
    }


def validate_deals(data: dict, companies: dict) -> list[dict]:
    deals, slugs = [], set()
    for index, entry in enumerate(_objects(data, "deals")):
        slug = _slug(entry.get("slug"), f"deals[{index}]")
        where = f"deals[{index}] ({slug})"
        if slug in slugs:
            raise fail(where, "duplicate deal slug")
        slugs.add(slug)
        deals.append(_deal(entry, companies, where))
    return deals


def validate_phases(deals: list[dict]) -> None:
    """Every predecessor is a deal of the file, dated no later, and no chain loops."""
    by_slug = {deal["slug"]: deal for deal in deals}
    for index, deal in enumerate(deals):
        where = f"deals[{index}] ({deal['slug']})"
        predecessor = deal["predecessor"]
        if predecessor is None:
            continue
        if predecessor not in by_slug:
            raise fail(where, f"unknown predecessor slug {predecessor!r}")
        if by_slug[predecessor]["announced_on"] > deal["announced_on"]:
            raise fail(where, f"predecessor {predecessor!r} is dated after the deal")
        seen, cursor = {deal["slug"]}, predecessor
        while cursor is not None:
            if cursor in seen:
                raise fail(where, "the predecessor chain loops")
            seen.add(cursor)
            cursor = by_slug[cursor]["predecessor"]


# Strongest evidence first: a page cited as a filing by one deal and a mirror by another is a filing.
SOURCE_STRENGTH = ["filing", "regulator", "primary", "press", "mirror"]


def one_spelling_per_page(deals: list[dict]) -> None:
    """A page cited by several deals under different spellings gets the first one everywhere."""
    first: dict[str, str] = {}
    for deal in deals:
        for source in deal["sources"]:
            source["url"] = first.setdefault(canonical_url(source["url"]), source["url"])
        for clause in deal["clauses"]:
            if clause["source"] is not None:
                clause["source"] = first[canonical_url(clause["source"])]


def source_registry(deals: list[dict]) -> dict[str, dict]:
    """One entry per source address across deals: its strongest kind and that citation's publisher."""
    registry: dict[str, dict] = {}
    for deal in deals:
        for source in deal["sources"]:
            known = registry.get(source["url"])
            stronger = known is None or SOURCE_STRENGTH.index(source["kind"]) < SOURCE_STRENGTH.index(
                known["kind"]
            )
            if stronger:
                registry[source["url"]] = {**source, "first_deal": (known or {}).get("first_deal", deal)}
    return registry


def validate_dataset(data: Any) -> dict:
    """Check the dataset and return it with typed values; raise DatasetError naming the first bad entry."""
    if not isinstance(data, dict):
        raise DatasetError("dataset: the top level must be an object with companies, newsrooms and deals")
    as_of = _date(data.get("as_of"), "dataset", "as_of") if data.get("as_of") is not None else None
    companies = validate_companies(data)
    newsrooms = validate_newsrooms(data, companies)
    deals = validate_deals(data, companies)
    validate_phases(deals)
    one_spelling_per_page(deals)
    return {
        "as_of": as_of,
        "companies": list(companies.values()),
        "newsrooms": newsrooms,
        "deals": deals,
        "sources": source_registry(deals),
        "watchlist": validate_watchlist(data, companies),
    }
