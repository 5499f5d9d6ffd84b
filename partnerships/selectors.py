"""Reads that span models. Views call these; they do the eager loading.

Every selector returns what one page needs in a fixed number of queries, whatever the
number of rows, so a page's query count is pinned by a test (5 rows and 50 rows).
Lists are filtered, ordered and cut in the database; nothing loads a table into Python.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, RowNumber, TruncQuarter
from django.utils.html import format_html, format_html_join

from partnerships.diff import clause_diff
from partnerships.models import Clause, Company, Deal, DealParty
from scrapers.models import Announcement

PUBLIC = [Deal.Status.PUBLISHED, Deal.Status.RETRACTED]
MONEY = Clause.MONEY_UNITS


def deal_latest(*, limit: int = 20):
    return list(Deal.objects.published().with_parties().newest_first()[:limit])


# --- Timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilters:
    """The timeline's filters; also honoured by the exports and shareable as a URL."""

    company: str = ""
    counterparty: str = ""
    kind: str = ""
    clause: str = ""
    year_from: int | None = None
    year_to: int | None = None
    min_amount: Decimal | None = None

    @property
    def is_empty(self) -> bool:
        return self == TimelineFilters()


def _headline_value():
    return Coalesce("value_max", "value_min")


def deals_filtered(filters: TimelineFilters):
    """Published deals matching the timeline filters (no ordering or slicing)."""
    qs = Deal.objects.published()
    if filters.company:
        qs = qs.filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company__slug=filters.company)))
    if filters.counterparty:
        qs = qs.filter(
            Exists(DealParty.objects.filter(deal=OuterRef("pk"), company__slug=filters.counterparty))
        )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.clause:
        qs = qs.filter(Exists(Clause.objects.filter(deal=OuterRef("pk"), kind=filters.clause)))
    if filters.year_from:
        qs = qs.filter(announced_on__gte=datetime.date(filters.year_from, 1, 1))
    if filters.year_to:
        qs = qs.filter(announced_on__lte=datetime.date(filters.year_to, 12, 31))
    if filters.min_amount is not None:
        qs = qs.alias(headline=_headline_value()).filter(headline__gte=filters.min_amount)
    return qs


@dataclass(frozen=True)
class Cursor:
    """A keyset position: the (announced_on, id) of a row, written ``2024-05-01.123``."""

    announced_on: datetime.date
    pk: int

    def __str__(self) -> str:
        return f"{self.announced_on.isoformat()}.{self.pk}"

    @classmethod
    def parse(cls, raw: str | None) -> "Cursor | None":
        if not raw:
            return None
        day, _, pk = raw.partition(".")
        try:
            return cls(datetime.date.fromisoformat(day), int(pk))
        except ValueError:
            return None

    @classmethod
    def of(cls, deal) -> "Cursor":
        return cls(deal.announced_on, deal.pk)


@dataclass
class TimelinePage:
    deals: list
    older: Cursor | None = None
    newer: Cursor | None = None


def deal_timeline(
    *, filters: TimelineFilters, before: Cursor | None = None, after: Cursor | None = None, limit: int = 25
) -> TimelinePage:
    """One page of the timeline, newest first, by keyset (no OFFSET, no COUNT).

    ``before`` walks to older deals, ``after`` to newer ones. The predicate is written
    ``date <= x AND (date < x OR id < y)`` so PostgreSQL seeks the
    ``deal_status_announced_idx`` index instead of scanning (see REFERENCE.md).
    """
    qs = deals_filtered(filters).with_parties()
    if after is not None:
        qs = qs.filter(announced_on__gte=after.announced_on).filter(
            Q(announced_on__gt=after.announced_on) | Q(id__gt=after.pk)
        )
        rows = list(qs.order_by("announced_on", "id")[: limit + 1])
        has_more_newer = len(rows) > limit
        deals = list(reversed(rows[:limit]))
        page = TimelinePage(deals)
        if deals:
            page.older = Cursor.of(deals[-1])
            page.newer = Cursor.of(deals[0]) if has_more_newer else None
        return page
    if before is not None:
        qs = qs.filter(announced_on__lte=before.announced_on).filter(
            Q(announced_on__lt=before.announced_on) | Q(id__lt=before.pk)
        )
    rows = list(qs.order_by("-announced_on", "-id")[: limit + 1])
    deals = rows[:limit]
    page = TimelinePage(deals)
    if deals:
        page.older = Cursor.of(deals[-1]) if len(rows) > limit else None
        # Coming from a cursor means newer rows exist; a fresh first page has none.
        page.newer = Cursor.of(deals[0]) if before is not None else None
    return page


def company_datalist():
    """The company filters' suggestions as one ``<datalist>`` (built here: 20x faster than a template loop)."""
    rows = Company.objects.filter(is_proposed=False).order_by("name").values_list("slug", "name")
    return format_html(
        '<datalist id="company-slugs">{}</datalist>',
        format_html_join("", '<option value="{}">{}</option>', rows),
    )


# --- Home ---------------------------------------------------------------------------


@dataclass
class HomeFigures:
    year: int
    deals: int
    capital_by_kind: list  # [(kind label, Decimal USD, count)]
    capital_total: Decimal
    gigawatts: Decimal


def _gw(prefix: str = ""):
    """A clause's power in GW (MW divided by 1,000)."""
    return Case(
        When(**{f"{prefix}unit": Clause.Unit.MW}, then=F(f"{prefix}amount") / Value(Decimal(1000))),
        default=F(f"{prefix}amount"),
        output_field=DecimalField(max_digits=24, decimal_places=4),
    )


_GW = _gw()


def home_figures(*, year: int) -> HomeFigures:
    """Headline figures for one calendar year: 2 queries."""
    labels = dict(Deal.Kind.choices)
    rows = (
        Deal.objects.published()
        .filter(announced_on__gte=datetime.date(year, 1, 1), announced_on__lte=datetime.date(year, 12, 31))
        .values("kind")
        .annotate(n=Count("id"), total=Sum(_headline_value(), filter=Q(currency="USD")))
        .order_by("kind")
    )
    by_kind, deals, capital = [], 0, Decimal(0)
    for row in rows:
        deals += row["n"]
        if row["total"]:
            by_kind.append((labels.get(row["kind"], row["kind"]), row["total"], row["n"]))
            capital += row["total"]
    by_kind.sort(key=lambda item: -item[1])
    gw = Clause.objects.filter(
        deal__status=Deal.Status.PUBLISHED,
        deal__announced_on__gte=datetime.date(year, 1, 1),
        deal__announced_on__lte=datetime.date(year, 12, 31),
        unit__in=[Clause.Unit.GW, Clause.Unit.MW],
        effect=Clause.Effect.GRANTED,
    ).aggregate(gw=Sum(_GW))["gw"] or Decimal(0)
    return HomeFigures(year, deals, by_kind, capital, gw)


def most_active_companies(*, since: datetime.date, limit: int = 10):
    return list(
        DealParty.objects.filter(deal__status=Deal.Status.PUBLISHED, deal__announced_on__gte=since)
        .values("company__name", "company__slug", "company__kind")
        .annotate(n=Count("deal"))
        .order_by("-n", "company__name")[:limit]
    )


def deals_per_quarter(*, since: datetime.date, company: Company | None = None):
    """[(quarter start date, kind, count)] of published deals since a date."""
    qs = Deal.objects.published().filter(announced_on__gte=since)
    if company is not None:
        qs = qs.filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=company)))
    return [
        (row["quarter"], row["kind"], row["n"])
        for row in qs.annotate(quarter=TruncQuarter("announced_on"))
        .values("quarter", "kind")
        .annotate(n=Count("id"))
        .order_by("quarter", "kind")
    ]


# --- Deal page ----------------------------------------------------------------------


# An announcement row carries its archived page (raw HTML, text): pages that only link to
# it must not load those.
ANNOUNCEMENT_HEAVY = ("raw_html", "text", "summary")


def _clauses_prefetch(lookup="clauses"):
    return Prefetch(
        lookup,
        queryset=Clause.objects.select_related("source")
        .defer(*(f"source__{name}" for name in ANNOUNCEMENT_HEAVY))
        .order_by("position", "id"),
    )


def deal_detail(*, slug: str) -> Deal | None:
    """A deal with everything its page shows, whatever its status (the view decides): 7 queries."""
    return (
        Deal.objects.select_related("predecessor", "merged_into")
        .prefetch_related(
            Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
            _clauses_prefetch(),
            Prefetch("sources", queryset=Announcement.objects.defer(*ANNOUNCEMENT_HEAVY)),
            Prefetch("predecessor__clauses", queryset=Clause.objects.order_by("position", "id")),
            Prefetch("successors", queryset=Deal.objects.public().order_by("announced_on", "id")),
            Prefetch("successors__clauses", queryset=Clause.objects.order_by("position", "id")),
        )
        .filter(slug=slug)
        .first()
    )


def merge_survivor(deal: Deal) -> Deal | None:
    """Follow ``merged_into`` to the deal that absorbed this one (bounded: no loops)."""
    seen = {deal.pk}
    current = deal.merged_into
    while current is not None and current.status == Deal.Status.MERGED and current.merged_into_id:
        if current.merged_into_id in seen or len(seen) > 10:
            return None
        seen.add(current.pk)
        current = Deal.objects.select_related("merged_into").get(pk=current.pk).merged_into
    return current


@dataclass
class PhaseChange:
    """What changed from ``before`` to ``after``, as the deal and partnership pages show it."""

    before: Deal
    after: Deal
    diff: object


def phase_changes(deal: Deal) -> tuple[PhaseChange | None, list[PhaseChange]]:
    """The diff from the previous phase, and to each public next phase (uses prefetched clauses)."""
    previous = None
    if deal.predecessor is not None and deal.predecessor.is_public:
        previous = PhaseChange(
            deal.predecessor, deal, clause_diff(deal.predecessor.clauses.all(), deal.clauses.all())
        )
    following = [
        PhaseChange(deal, nxt, clause_diff(deal.clauses.all(), nxt.clauses.all()))
        for nxt in deal.successors.all()
    ]
    return previous, following


# --- Partnership page ---------------------------------------------------------------


@dataclass
class MatrixCell:
    clause: Clause | None
    state: str  # new, changed, same, removed (given up), dropped (no longer listed), absent
    fields: tuple = ()
    phase: object = None

    @property
    def label(self) -> str:
        return {
            "new": "new",
            "changed": "changed",
            "same": "unchanged",
            "removed": "given up",
            "dropped": "no longer listed",
            "absent": "not mentioned",
        }[self.state]


@dataclass
class MatrixRow:
    kind: str
    label: str
    subject: str
    cells: list = field(default_factory=list)

    @property
    def story(self) -> list:
        """The cells where something is said about this clause, in phase order."""
        return [cell for cell in self.cells if cell.state != "absent"]


@dataclass
class Partnership:
    a: Company
    b: Company
    phases: list
    changes: list  # PhaseChange for each phase with a public predecessor in the list
    rows: list


def _base_for(deal, index, phases):
    """The phase a deal is compared with: its predecessor when on the page, else none."""
    by_pk = {p.pk: p for p in phases[:index]}
    return by_pk.get(deal.predecessor_id)


MAX_PHASES = 24


def partnership(*, a: Company, b: Company) -> Partnership:
    """All public deals both companies are party to, oldest first, with a clause matrix: 3 queries."""
    phases = list(
        Deal.objects.public()
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=a)))
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=b)))
        .prefetch_related(
            Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
            _clauses_prefetch(),
        )
        .order_by("-announced_on", "-id")[:MAX_PHASES]
    )
    phases.reverse()
    labels = dict(Clause.Kind.choices)
    order: list[tuple[str, str]] = []
    rows: dict[tuple[str, str], MatrixRow] = {}
    for deal in phases:
        for clause in deal.clauses.all():
            if clause.diff_key not in rows:
                order.append(clause.diff_key)
                rows[clause.diff_key] = MatrixRow(
                    clause.kind, labels.get(clause.kind, clause.kind), clause.subject
                )
    kind_rank = {kind: i for i, kind in enumerate(Clause.Kind.values)}
    order.sort(key=lambda key: (kind_rank.get(key[0], 99), key[1]))
    changes = []
    for index, deal in enumerate(phases):
        base = _base_for(deal, index, phases)
        mine = {}
        for clause in deal.clauses.all():
            mine.setdefault(clause.diff_key, clause)
        states: dict[tuple[str, str], MatrixCell] = {}
        if base is not None:
            diff = clause_diff(base.clauses.all(), deal.clauses.all())
            changes.append(PhaseChange(base, deal, diff))
            for clause in diff.added:
                states[clause.diff_key] = MatrixCell(clause, "new")
            for change in diff.changed:
                gave_up = "effect" in change.fields and change.after.effect == Clause.Effect.REMOVED
                state = "removed" if gave_up else "changed"
                states[change.after.diff_key] = MatrixCell(change.after, state, change.fields)
            for clause in diff.unchanged:
                states[clause.diff_key] = MatrixCell(clause, "same")
            for clause in diff.removed:
                key = clause.diff_key
                if key in mine:  # listed in this phase with effect "removed"
                    states[key] = MatrixCell(mine[key], "removed")
                elif clause.effect == Clause.Effect.REMOVED:
                    continue  # given up earlier and still gone: nothing new to say
                else:
                    states[key] = MatrixCell(None, "dropped")
        for key, clause in mine.items():
            if key not in states:
                state = "removed" if clause.effect == Clause.Effect.REMOVED else "new"
                states[key] = MatrixCell(clause, state)
        for key in order:
            cell = states.get(key, MatrixCell(None, "absent"))
            cell.phase = deal
            rows[key].cells.append(cell)
    return Partnership(a, b, phases, changes, [rows[key] for key in order])


# --- Company page -------------------------------------------------------------------

PARTNER_GROUPS = [
    ("investors", "Investors"),
    ("investments", "Invested in"),
    ("cloud", "Cloud and compute"),
    ("chips", "Chips"),
    ("distribution", "Distribution and licensing"),
    ("research", "Research"),
    ("acquisition", "Acquisitions"),
    ("other", "Other partners"),
]
_KIND_GROUP = {
    Deal.Kind.CLOUD: "cloud",
    Deal.Kind.COMPUTE: "cloud",
    Deal.Kind.CHIPS: "chips",
    Deal.Kind.DISTRIBUTION: "distribution",
    Deal.Kind.LICENSING: "distribution",
    Deal.Kind.RESEARCH: "research",
    Deal.Kind.ACQUISITION: "acquisition",
}


def _partner_group_sql():
    """The partner group of a (deal kind, own role, partner role) row, computed in the database.

    Investors and investments first (a role says more than a deal kind), then by deal kind.
    Done in SQL so a busy lab's thousands of party rows collapse to one row per partner.
    """
    investor = DealParty.Role.INVESTOR
    by_kind = [
        When(deal__kind__in=[kind for kind, group in _KIND_GROUP.items() if group == key], then=Value(key))
        for key in dict.fromkeys(_KIND_GROUP.values())
    ]
    return Case(
        When(Q(deal__deal_parties__role=investor) & ~Q(role=investor), then=Value("investors")),
        When(role=investor, then=Value("investments")),
        *by_kind,
        default=Value("other"),
        output_field=CharField(),
    )


def partners_by_group(*, companies: list[Company], limit: int = 12) -> dict[int, list]:
    """For each company: [(group key, label, [partner dicts], how many more)], one query for all.

    A partner dict has name, slug, kind, deals (count) and last (latest deal date). The
    database groups, ranks and cuts each group to ``limit`` partners, so a lab with
    hundreds of partners sends ~100 rows, not thousands.
    """
    partition = [F("company_id"), F("group")]
    rows = (
        DealParty.objects.filter(company__in=companies, deal__status=Deal.Status.PUBLISHED)
        # The counterparties of each deal (the same join as the values below), not the company itself.
        .filter(
            Q(deal__deal_parties__company_id__lt=F("company_id"))
            | Q(deal__deal_parties__company_id__gt=F("company_id"))
        )
        .annotate(group=_partner_group_sql())
        .values(
            "company_id",
            "group",
            "deal__deal_parties__company_id",
            "deal__deal_parties__company__name",
            "deal__deal_parties__company__slug",
            "deal__deal_parties__company__kind",
        )
        # One party row per company and deal (dealparty_deal_company_unique): Count is exact.
        .annotate(n=Count("deal_id"), last=Max("deal__announced_on"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("n").desc(), F("deal__deal_parties__company__name").asc()],
            ),
            partners=Window(Count(Value(1)), partition_by=partition),
        )
        .filter(rank__lte=limit)
        .order_by("company_id", "group", "rank")
    )
    grouped: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    more: dict[tuple[int, str], int] = {}
    for row in rows:
        grouped[row["company_id"]][row["group"]].append(
            {
                "name": row["deal__deal_parties__company__name"],
                "slug": row["deal__deal_parties__company__slug"],
                "kind": row["deal__deal_parties__company__kind"],
                "deals": row["n"],
                "last": row["last"],
            }
        )
        more[row["company_id"], row["group"]] = max(row["partners"] - limit, 0)
    result = {}
    for company in companies:
        groups = grouped.get(company.pk, {})
        result[company.pk] = [
            (key, label, groups.get(key, []), more.get((company.pk, key), 0)) for key, label in PARTNER_GROUPS
        ]
    return result


@dataclass
class CompanyTotals:
    deals: int
    capital_in: Decimal
    capital_out: Decimal
    gigawatts: Decimal
    first: datetime.date | None
    last: datetime.date | None


def company_overview(*, company: Company):
    """Totals, deals per year, the latest deals and newsrooms of one company: 4 queries."""
    from scrapers.models import ScrapeRun

    party = DealParty.objects.filter(company=company, deal__status=Deal.Status.PUBLISHED)
    money = Q(deal__currency="USD")
    # Totals and deals per year in one pass: a company is a party to a deal at most once
    # (dealparty_deal_company_unique), so the yearly counts and sums add up to the totals.
    years = list(
        party.annotate(year=ExtractYear("deal__announced_on"))
        .values("year")
        .annotate(
            n=Count("deal"),
            capital_in=Sum(
                Coalesce("deal__value_max", "deal__value_min"),
                filter=money
                & Q(role__in=[DealParty.Role.INVESTEE, DealParty.Role.PROVIDER, DealParty.Role.LICENSOR]),
            ),
            capital_out=Sum(
                Coalesce("deal__value_max", "deal__value_min"),
                filter=money
                & Q(role__in=[DealParty.Role.INVESTOR, DealParty.Role.CUSTOMER, DealParty.Role.LICENSEE]),
            ),
        )
        .order_by("year")
    )
    gw = Clause.objects.filter(
        deal__status=Deal.Status.PUBLISHED,
        deal__deal_parties__company=company,
        unit__in=[Clause.Unit.GW, Clause.Unit.MW],
        effect=Clause.Effect.GRANTED,
    ).aggregate(gw=Sum(_GW))["gw"] or Decimal(0)
    latest = list(
        Deal.objects.published()
        .filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=company)))
        .with_parties()
        .newest_first()[:15]
    )
    last_run = ScrapeRun.objects.filter(newsroom=OuterRef("pk")).order_by("-started_at", "-id")
    newsrooms = list(
        company.newsrooms.annotate(
            last_run_status=Subquery(last_run.values("status")[:1]),
            last_run_at=Subquery(last_run.values("started_at")[:1]),
        ).order_by("name")
    )
    totals = CompanyTotals(
        deals=sum(row["n"] for row in years),
        capital_in=sum((row["capital_in"] or Decimal(0) for row in years), Decimal(0)),
        capital_out=sum((row["capital_out"] or Decimal(0) for row in years), Decimal(0)),
        gigawatts=gw,
        first=years and datetime.date(years[0]["year"], 1, 1) or None,
        last=latest[0].announced_on if latest else None,
    )
    return totals, [(row["year"], row["n"]) for row in years], latest, newsrooms


# --- Compare ------------------------------------------------------------------------


@dataclass
class CompareRow:
    kind: str
    label: str
    cells: list  # one list of clauses per deal


def compare_deals(*, slugs: list[str]):
    """Public deals in the order asked, with a clause-kind × deal matrix: 3 queries."""
    found = {
        deal.slug: deal
        for deal in Deal.objects.public()
        .filter(slug__in=slugs)
        .prefetch_related(
            Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
            _clauses_prefetch(),
        )
    }
    deals = [found[slug] for slug in slugs if slug in found]
    missing = [slug for slug in slugs if slug not in found]
    rows = []
    for kind, label in Clause.Kind.choices:
        cells = [[c for c in deal.clauses.all() if c.kind == kind] for deal in deals]
        if any(cells):
            rows.append(CompareRow(kind, label, cells))
    return deals, rows, missing


# --- Network and flows --------------------------------------------------------------


def _in_window(qs, prefix: str, year: int | None, since: datetime.date | None):
    if year:
        qs = qs.filter(
            **{
                f"{prefix}announced_on__gte": datetime.date(year, 1, 1),
                f"{prefix}announced_on__lte": datetime.date(year, 12, 31),
            }
        )
    elif since:
        qs = qs.filter(**{f"{prefix}announced_on__gte": since})
    return qs


def network_edges(
    *,
    year: int | None = None,
    since: datetime.date | None = None,
    limit_nodes: int = 40,
    limit_edges: int = 150,
):
    """Company pairs that share published deals, by deal kind, with counts: 2 queries.

    Returns (companies by id, [(a_id, b_id, kind, count)]) limited to the most connected
    companies so the drawing stays legible.
    """
    qs = _in_window(DealParty.objects.filter(deal__status=Deal.Status.PUBLISHED), "deal__", year, since)
    # Tuples, not dicts: the busiest window has thousands of pairs. A company is a party to
    # a deal at most once (dealparty_deal_company_unique), so a plain Count is exact.
    rows = list(
        qs.filter(deal__deal_parties__company_id__gt=F("company_id"))
        .values_list("company_id", "deal__deal_parties__company_id", "deal__kind")
        .annotate(n=Count("deal"))
        .order_by()
    )
    degree: dict[int, int] = defaultdict(int)
    for a, b, _, n in rows:
        degree[a] += n
        degree[b] += n
    keep = sorted(degree, key=lambda pk: (-degree[pk], pk))[:limit_nodes]
    companies = {c.pk: c for c in Company.objects.filter(pk__in=keep).only("id", "name", "slug", "kind")}
    edges = [row for row in rows if row[0] in companies and row[1] in companies]
    # The strongest links only: beyond ~150 lines a drawing is ink, not information.
    edges = sorted(edges, key=lambda e: (-e[3], e[0], e[1], e[2]))[:limit_edges]
    return companies, edges, degree


@dataclass
class Flow:
    source: Company
    target: Company
    category: str  # equity, spend, power
    amount: Decimal
    unit: str
    deals: int
    up_to: bool
    circular: bool = False


_SPEND_KINDS = [Deal.Kind.CLOUD, Deal.Kind.COMPUTE, Deal.Kind.CHIPS]


def capital_flows(
    *, year: int | None = None, since: datetime.date | None = None, limit: int = 40
) -> list[Flow]:
    """Money and power committed between companies, by direction: 4 queries.

    Equity runs investor → investee (investment deals); spend runs customer → provider
    (cloud, compute and chip deals); power (GW of compute from clauses) is kept apart
    from money. "Up to" amounts are summed at their ceiling and flagged.
    """
    deals = _in_window(DealParty.objects.filter(deal__status=Deal.Status.PUBLISHED), "deal__", year, since)
    up_to = Q(deal__value_min__isnull=True, deal__value_max__isnull=False)

    def money(source_role, target_role, kinds=None):
        qs = deals.filter(role=source_role, deal__deal_parties__role=target_role)
        if kinds:
            qs = qs.filter(deal__kind__in=kinds)
        return (
            qs.filter(Q(deal__value_max__isnull=False) | Q(deal__value_min__isnull=False))
            .values("company_id", "deal__deal_parties__company_id", "deal__currency")
            .annotate(
                total=Sum(Coalesce("deal__value_max", "deal__value_min")),
                n=Count("deal", distinct=True),
                up=Count("deal", filter=up_to, distinct=True),
            )
            .order_by("-total")[:limit]
        )

    raw = [("equity", row) for row in money(DealParty.Role.INVESTOR, DealParty.Role.INVESTEE)]
    raw += [("spend", row) for row in money(DealParty.Role.CUSTOMER, DealParty.Role.PROVIDER, _SPEND_KINDS)]
    power = (
        deals.filter(
            role=DealParty.Role.CUSTOMER,
            deal__deal_parties__role=DealParty.Role.PROVIDER,
            deal__clauses__unit__in=[Clause.Unit.GW, Clause.Unit.MW],
            deal__clauses__effect=Clause.Effect.GRANTED,
        )
        .values("company_id", "deal__deal_parties__company_id")
        .annotate(
            total=Sum(_gw("deal__clauses__")),
            n=Count("deal", distinct=True),
            up=Count("deal", filter=Q(deal__clauses__qualifier=Clause.Qualifier.UP_TO), distinct=True),
        )
        .order_by("-total")[:limit]
    )
    raw += [("power", row) for row in power]
    ids = set()
    for _, row in raw:
        ids.update((row["company_id"], row["deal__deal_parties__company_id"]))
    companies = {c.pk: c for c in Company.objects.filter(pk__in=ids).only("id", "name", "slug", "kind")}
    flows = []
    for category, row in raw:
        src, dst = companies.get(row["company_id"]), companies.get(row["deal__deal_parties__company_id"])
        if src and dst:
            unit = "GW" if category == "power" else row["deal__currency"]
            flows.append(Flow(src, dst, category, row["total"], unit, row["n"], row["up"] > 0))
    money_pairs = {(f.source.pk, f.target.pk) for f in flows if f.category != "power"}
    for flow in flows:
        flow.circular = flow.category != "power" and (flow.target.pk, flow.source.pk) in money_pairs
    return flows


# --- Search -------------------------------------------------------------------------


def deal_years():
    """The years that have published deals, for year filters (1 query)."""
    return [
        row["year"]
        for row in Deal.objects.published()
        .annotate(year=ExtractYear("announced_on"))
        .values("year")
        .distinct()
        .order_by("-year")
    ]
