"""Writing a validated dataset: one function per section, each an upsert that compares first.

Natural keys: company slug, alias normalised name, newsroom slug, announcement URL, deal
slug, party (deal, company), clause (deal, dataset key). A row is saved only when a value
differs, so a second load writes nothing and adds no history row.

The dataset owns the deals it lists: after a load such a deal has exactly the file's
parties, sources and clauses. A clause saved before clauses had keys (version 1 of the
file) is matched to the file's clause of the same kind and subject (or amount) and keeps its
row and history; one with no counterpart is deleted, and so is a source page the dataset no
longer cites that nothing else uses and that was never archived.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from partnerships.models import Clause, Company, CompanyAlias, Deal, DealParty, normalize_name
from partnerships.services.dataset.derive import announced_at, deal_headline
from partnerships.services.dataset.evidence import Evidence, fallback_title
from partnerships.services.dataset.summary import DatasetSummary, SectionCount
from scrapers.adapters.base import canonical_url
from scrapers.models import Announcement, Newsroom


class Existing:
    """What the database already holds for the dataset's natural keys, read in a few queries."""

    def __init__(self, dataset: dict):
        entries = dataset["companies"]
        self.companies = Company.objects.in_bulk([c["slug"] for c in entries], field_name="slug")
        self.companies_by_name = {
            c.name: c for c in Company.objects.filter(name__in=[c["name"] for c in entries])
        }
        keys = [normalize_name(a) for c in entries for a in c["aliases"]]
        self.aliases = CompanyAlias.objects.in_bulk(keys, field_name="normalized")
        self.newsrooms = Newsroom.objects.in_bulk(
            [n["slug"] for n in dataset["newsrooms"]], field_name="slug"
        )
        # By the address key, so a page stored under another spelling (a feed's trailing slash)
        # is found rather than created twice.
        keys = {url: canonical_url(url) for url in dataset["sources"]}
        stored = Announcement.objects.defer("raw_html", "text").in_bulk(
            list(keys.values()), field_name="url_key"
        )
        self.announcements = {url: stored[key] for url, key in keys.items() if key in stored}
        self.deals = Deal.objects.in_bulk([d["slug"] for d in dataset["deals"]], field_name="slug")
        deal_ids = [deal.pk for deal in self.deals.values()]
        self.parties: dict[int, dict[int, DealParty]] = {}
        for party in DealParty.objects.filter(deal_id__in=deal_ids):
            self.parties.setdefault(party.deal_id, {})[party.company_id] = party
        self.clauses: dict[int, list[Clause]] = {}
        for clause in Clause.objects.filter(deal_id__in=deal_ids).order_by("deal_id", "position", "id"):
            self.clauses.setdefault(clause.deal_id, []).append(clause)
        self.links: dict[int, set[int]] = {}
        through = Deal.sources.through
        for deal_id, announcement_id in through.objects.filter(deal_id__in=deal_ids).values_list(
            "deal_id", "announcement_id"
        ):
            self.links.setdefault(deal_id, set()).add(announcement_id)


def _apply(instance, values: dict) -> bool:
    """Set the fields that differ; True when the row needs saving."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def upsert(
    model, instance, lookup: dict, values: dict, count: SectionCount, *, create_only: dict | None = None
):
    """Create the row, or save it only when a value differs (a save adds a history row)."""
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


# --- companies, newsrooms, source pages ---------------------------------------------------------


def load_companies(entries: list[dict], existing: Existing, summary: DatasetSummary) -> dict[str, Company]:
    by_slug = {}
    for entry in entries:
        values = {key: entry[key] for key in ("name", "kind", "website", "description")}
        values["is_proposed"] = False
        company = existing.companies.get(entry["slug"])
        if company is None:
            # Extraction may have proposed the company under another slug: adopt it.
            company = existing.companies_by_name.get(entry["name"])
            if company is not None:
                values["slug"] = entry["slug"]
        company = upsert(Company, company, {"slug": entry["slug"]}, values, summary.companies)
        by_slug[entry["slug"]] = company
        for alias in entry["aliases"]:
            found = existing.aliases.get(normalize_name(alias))
            upsert(CompanyAlias, found, {}, {"company_id": company.pk, "name": alias}, summary.aliases)
    return by_slug


def load_newsrooms(
    entries: list[dict], companies: dict[str, Company], existing: Existing, summary: DatasetSummary
) -> list[Newsroom]:
    rows = []
    for entry in entries:
        values = {key: entry[key] for key in ("name", "kind", "url", "homepage", "selectors", "notes")}
        values["expected_cadence"] = timedelta(days=entry["expected_cadence_days"])
        values["fetch_interval"] = timedelta(minutes=entry["fetch_interval_minutes"])
        values["company_id"] = companies[entry["company"]].pk if entry["company"] else None
        found = existing.newsrooms.get(entry["slug"])
        rows.append(upsert(Newsroom, found, {"slug": entry["slug"]}, values, summary.newsrooms))
    return rows


def _newsroom_for(url: str, newsrooms: list[Newsroom]) -> Newsroom | None:
    host = (urlsplit(url).hostname or "").lower()
    for newsroom in newsrooms:
        for base in (newsroom.homepage, newsroom.url):
            if base and (urlsplit(base).hostname or "").lower() == host:
                return newsroom
    return None


def _slug_title(url: str) -> str:
    """The stand-in title version 1 of the loader wrote (the URL's last segment as words).

    Recognised so that a reload replaces it; never written any more.
    """
    path = urlsplit(url).path.rstrip("/")
    segment = path.rsplit("/", 1)[-1] if path else ""
    segment = re.sub(r"\.(html?|aspx|php|md|xml|json)$", "", segment)
    words = re.sub(r"[-_]+", " ", segment).strip()
    if not words or words.isdigit() or len(words) < 4:
        return urlsplit(url).hostname or url
    return words[:1].upper() + words[1:]


def _title(announcement: Announcement | None, source: dict, sheet_title: str) -> str | None:
    """The title to store, or None to keep the stored one.

    A page Pactwatch archived keeps the title read from it; otherwise the fact sheet's title,
    else publisher and site, which also replace an empty title or a version-1 slug title.
    """
    if announcement is not None and announcement.has_archive and announcement.title:
        return None
    if sheet_title:
        return sheet_title
    stored = announcement.title if announcement is not None else ""
    if not stored or stored == _slug_title(source["url"]):
        return fallback_title(source["url"], source["publisher"])
    return None


def load_sources(
    dataset: dict,
    evidence: Evidence | None,
    newsrooms: list[Newsroom],
    existing: Existing,
    summary: DatasetSummary,
) -> dict[str, Announcement]:
    """Every source page the deals cite, with its publisher, kind and title.

    A page on a registered newsroom's site is created *pending* (the scraper archives the
    vendor's copy); other pages are created *skipped* (cited, not crawled on Pactwatch's own
    initiative; ``manage.py archive_sources`` fetches them on request). Both are set on
    creation only, so a later fetch outcome survives a reload.
    """
    citing: dict[str, list[str]] = {}
    for deal in dataset["deals"]:
        for source in deal["sources"]:
            citing.setdefault(source["url"], []).append(deal["fact_sheet_id"])
    pages = {}
    for url, source in dataset["sources"].items():
        found = existing.announcements.get(url)
        sheet_title = evidence.title_for(url, citing[url]) if evidence is not None else ""
        summary.titles_filled += bool(sheet_title) and not (found is not None and found.has_archive)
        values = {"publisher": source["publisher"], "source_kind": source["kind"]}
        title = _title(found, source, sheet_title)
        if title is not None:
            values["title"] = title
        create_only = {}
        if found is None:
            newsroom = _newsroom_for(url, newsrooms)
            primary = source["kind"] in (Announcement.SourceKind.PRIMARY, Announcement.SourceKind.FILING)
            create_only = {
                "newsroom": newsroom,
                "published_at": announced_at(source["first_deal"]["announced_on"]) if primary else None,
                "published_precision": source["first_deal"]["announced_precision"],
                "fetch_status": Announcement.FetchStatus.PENDING
                if newsroom
                else Announcement.FetchStatus.SKIPPED,
            }
        pages[url] = upsert(
            Announcement, found, {"url": url}, values, summary.announcements, create_only=create_only
        )
    return pages


# --- deals, parties, links -----------------------------------------------------------------------


def load_deal(
    entry: dict, loaded: dict[str, Deal], existing: Existing, summary: DatasetSummary
) -> tuple[Deal, bool]:
    """The deal row; returns it and whether this load wrote it."""
    valuation = entry["valuation"] or {}
    values = {
        "title": entry["title"],
        "kind": entry["kind"],
        "announced_on": entry["announced_on"],
        "announced_precision": entry["announced_precision"],
        "summary": entry["summary"],
        **deal_headline(entry),
        "valuation_amount": valuation.get("amount"),
        "valuation_currency": valuation.get("currency", ""),
        "valuation_basis": valuation.get("basis", ""),
        "valuation_certainty": valuation.get("certainty", ""),
        "confidence": 1.0,
        "published_at": announced_at(entry["announced_on"]),
    }
    deal = existing.deals.get(entry["slug"])
    if deal is None:
        # Linking an already-loaded predecessor now spares the deal a second history row.
        predecessor = loaded.get(entry["predecessor"]) if entry["predecessor"] else None
        deal = Deal.objects.create(
            slug=entry["slug"], status=Deal.Status.PUBLISHED, predecessor=predecessor, **values
        )
        summary.deals.add("new")
        return deal, True
    # A curator's retraction or rejection survives a reload; only an unreviewed candidate is published.
    if deal.status == Deal.Status.CANDIDATE:
        values["status"] = Deal.Status.PUBLISHED
    before = summary.deals.updated
    upsert(Deal, deal, {}, values, summary.deals)
    return deal, summary.deals.updated > before


def load_parties(
    deal: Deal, entry: dict, companies: dict[str, Company], existing: Existing, summary: DatasetSummary
) -> None:
    stored = dict(existing.parties.get(deal.pk, {}))
    for party in entry["parties"]:
        company = companies[party["company"]]
        found = stored.pop(company.pk, None)
        upsert(DealParty, found, {"deal": deal, "company": company}, {"role": party["role"]}, summary.parties)
    for leftover in stored.values():
        leftover.delete()
        summary.parties.removed += 1


def load_links(
    deal: Deal, entry: dict, pages: dict[str, Announcement], existing: Existing, summary: DatasetSummary
) -> set[int]:
    """Link the deal to exactly its sources; returns the pages it no longer cites."""
    wanted = {pages[source["url"]].pk for source in entry["sources"]}
    stored = existing.links.get(deal.pk, set())
    missing, extra = wanted - stored, stored - wanted
    if missing:
        deal.sources.add(*missing)
    if extra:
        deal.sources.remove(*extra)
    summary.source_links.new += len(missing)
    summary.source_links.removed += len(extra)
    summary.source_links.unchanged += len(wanted & stored)
    return extra


def prune_pages(candidates: set[int]) -> int:
    """Delete pages the dataset stopped citing that no deal or clause uses and nobody archived."""
    if not candidates:
        return 0
    orphans = (
        Announcement.objects.filter(pk__in=candidates, deals__isnull=True, clauses__isnull=True)
        .exclude(fetch_status=Announcement.FetchStatus.FETCHED)
        .values_list("pk", flat=True)
    )
    deleted, _ = Announcement.objects.filter(pk__in=list(orphans)).delete()
    return deleted


# --- clauses --------------------------------------------------------------------------------------


def _parents_first(clauses: list[dict]) -> list[dict]:
    by_key = {c["key"]: c for c in clauses}

    def depth(clause):
        steps, parent = 0, clause["part_of"]
        while parent is not None and steps < len(clauses):
            steps, parent = steps + 1, by_key[parent]["part_of"]
        return steps

    return sorted(clauses, key=lambda c: (depth(c), c["position"]))


def _match_legacy(clause: dict, legacy: list[Clause]) -> Clause | None:
    """A version-1 clause (no key) stating the same term: same kind and subject, else same amount."""
    subject = clause["subject"].lower()
    tests = (
        lambda row: row.kind == clause["kind"] and row.subject.strip().lower() == subject,
        lambda row: (
            row.kind == clause["kind"] and clause["amount"] is not None and row.amount == clause["amount"]
        ),
    )
    for test in tests:
        for row in legacy:
            if test(row):
                legacy.remove(row)
                return row
    return None


def load_clauses(
    deal: Deal,
    entry: dict,
    companies: dict[str, Company],
    pages: dict[str, Announcement],
    quotes: dict[str, str],
    existing: Existing,
    summary: DatasetSummary,
) -> None:
    stored = existing.clauses.get(deal.pk, [])
    keyed = {c.dataset_key: c for c in stored if c.dataset_key}
    legacy = [c for c in stored if not c.dataset_key]
    saved: dict[str, Clause] = {}
    for clause in _parents_first(entry["clauses"]):
        row = keyed.pop(clause["key"], None) or _match_legacy(clause, legacy)
        values = {
            **{key: clause[key] for key in ("kind", "subject", "summary", "effect", "amount", "unit")},
            **{key: clause[key] for key in ("qualifier", "mutual", "basis", "certainty", "position")},
            "dataset_key": clause["key"],
            "grantor_id": companies[clause["grantor"]].pk,
            "beneficiary_id": companies[clause["beneficiary"]].pk,
            "part_of_id": saved[clause["part_of"]].pk if clause["part_of"] else None,
            "source_id": pages[clause["source"]].pk if clause["source"] else None,
            "confidence": 1.0,
            "status": Clause.Status.CONFIRMED,
        }
        if clause["key"] in quotes:
            # Without a fact sheet the quote is left as it is: a reload never wipes evidence.
            values["quote"] = quotes[clause["key"]]
            summary.quotes_filled += 1
        saved[clause["key"]] = upsert(Clause, row, {"deal": deal}, values, summary.clauses)
    for leftover in [*keyed.values(), *legacy]:
        leftover.delete()
        summary.clauses.removed += 1


def link_predecessors(entries: list[dict], deals: dict[str, Deal], summary: DatasetSummary) -> set[int]:
    """Second pass: every deal exists now, so a phase may name one listed after it."""
    written = set()
    for entry in entries:
        deal = deals[entry["slug"]]
        wanted = deals[entry["predecessor"]].pk if entry["predecessor"] else None
        if deal.predecessor_id != wanted:
            deal.predecessor_id = wanted
            deal.save()
            summary.predecessors_set += 1
            written.add(deal.pk)
    return written


def stamp_dates(deals: list[Deal], written: set[int]) -> None:
    """A dataset deal last changed when it was announced, not when a load wrote it.

    Saving sets ``updated_at`` to now; the deals this load wrote get their announcement time
    back (the dataset's own corrections are not news; its ``as_of`` date says when the facts
    were last checked). A curator's later edit sets it to the edit's time as usual.
    """
    for deal in deals:
        if deal.pk in written and deal.updated_at != deal.published_at:
            Deal.objects.filter(pk=deal.pk).update(updated_at=deal.published_at)
            deal.updated_at = deal.published_at
