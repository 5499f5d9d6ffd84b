"""Public dashboard pages. Each view is short: get the object → call a selector → build the
template context → render; display decisions are made here in Python, not by template tags.

Anonymous GETs are served from the page cache (``partnerships.cache``); an htmx request
gets the same partial the full page includes.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerships import charts, selectors
from partnerships.cache import cached_response, shared, wants_fragment
from partnerships.filters import DealFilter
from partnerships.glossary import entry_url
from partnerships.models import Clause, Company, Deal, LedgerEntry
from partnerships.names import companies_named
from partnerships.search import search as run_search
from partnerships.selectors import Cursor
from partnerships.views.citations import deal_citation, source_rows
from partnerships.views.compare import CompareTray, slug_list

TIMELINE_PAGE_SIZE = 25
CHART_YEARS = 8


def _is_staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


HOME_YEARS = 2


def home(request):
    def build():
        today = datetime.date.today()
        ctx = {
            **shared("home", lambda: _home_figures(today), today.isoformat()),
            "this_year": today.year,
            "latest_deals": selectors.deal_latest(limit=10),
            "legend": charts.legend(),
        }
        return render(request, "partnerships/home.html", ctx)

    return cached_response(request, build)


def _home_figures(today: datetime.date) -> dict:
    """The home page's year figures, most active companies and quarterly charts: the same for
    every reader of a data version and a day, so computed once for them (``shared``); they
    were most of its time (three GROUP BYs over the published deals and the chart layouts)."""
    start = datetime.date(today.year - CHART_YEARS + 1, 1, 1)
    quarters = selectors.deals_per_quarter(since=start)
    return {
        "years": selectors.home_figures(years=[today.year - i for i in range(HOME_YEARS)]),
        "active": selectors.most_active_companies(since=today - datetime.timedelta(days=365)),
        "chart": charts.quarter_chart(quarters, start=start, end=today),
        "chart_narrow": charts.year_chart(quarters, start=start, end=today),
        "chart_table": charts.quarter_table(quarters),
    }


KIND_CHOICES = [("", "Any kind"), *Deal.Kind.choices]
CLAUSE_CHOICES = [("", "Any clause"), *Clause.Kind.choices]


def _timeline_feed(deal_filter: DealFilter) -> tuple[str, str]:
    """The Atom feed closest to the timeline's filters: one clause kind, one company, or all."""
    if len(deal_filter.clauses) == 1:
        return reverse("partnerships:feed_clause", args=deal_filter.clauses), "Atom feed for this clause kind"
    if len(deal_filter.companies) == 1:
        return reverse("partnerships:feed_company", args=deal_filter.companies), "Atom feed for this company"
    return reverse("partnerships:feed_deals"), "Atom feed"


SORT_CHOICES = [
    ("" if sort is selectors.SORTS["newest"] else name, sort.label) for name, sort in selectors.SORTS.items()
]


def _company_hints(query, parsed) -> dict[str, str]:
    """ "Amazon" under a company box where the reader typed "aws": what the filter understood."""
    hints = {}
    for name in ("company", "counterparty"):
        typed = [v.strip() for v in query.getlist(name) if v.strip()]
        shown = [parsed.named[v] for v in typed if v in parsed.named and parsed.named[v].lower() != v.lower()]
        if shown:
            hints[name] = "Showing " + ", ".join(dict.fromkeys(shown))
    return hints


def _kind_help(deal_filter: DealFilter) -> list[tuple[str, str]]:
    """Glossary links for the deal and clause kinds the timeline is filtered on."""
    links = [(Deal.Kind(kind).label, entry_url("deal", kind)) for kind in deal_filter.kinds]
    return links + [(Clause.Kind(kind).label, entry_url("clause", kind)) for kind in deal_filter.clauses]


def _mark_compare_links(deals, tray: CompareTray) -> None:
    """Each listed deal's "Add to compare" link, and its page link carrying the chosen deals."""
    suffix = "?" + urlencode({"compare": tray.joined}) if tray else ""
    for deal in deals:
        deal.compare_add_url = tray.add_url(deal.slug)
        deal.in_tray = deal.slug in tray
        deal.page_url = deal.get_absolute_url() + suffix


def deal_list(request):
    def build():
        parsed = DealFilter.from_query(request.GET)
        sort = selectors.sort_named(request.GET.get("sort"))
        page = selectors.deal_timeline(
            deal_filter=parsed.filter,
            before=Cursor.parse(request.GET.get("before"), sort),
            after=Cursor.parse(request.GET.get("after"), sort),
            limit=TIMELINE_PAGE_SIZE,
            sort=sort,
        )
        feed_url, feed_label = _timeline_feed(parsed.filter)
        tray = CompareTray.of(request)
        _mark_compare_links(page.deals, tray)
        ctx = {
            "query": request.GET,
            "filter_errors": parsed.errors,
            "hints": _company_hints(request.GET, parsed),
            "kind_help": _kind_help(parsed.filter),
            "kind_choices": KIND_CHOICES,
            "clause_choices": CLAUSE_CHOICES,
            "sort_choices": SORT_CHOICES,
            "page": page,
            "feed_url": feed_url,
            "feed_label": feed_label,
            "tray": tray,
        }
        if wants_fragment(request):
            return render(request, "partnerships/_timeline.html", ctx)
        ctx["company_datalist"] = selectors.company_datalist()
        return render(request, "partnerships/deal_list.html", ctx)

    return cached_response(request, build)


def deal_detail(request, slug):
    def build():
        deal = selectors.deal_detail(slug=slug)
        if deal is None:
            raise Http404("No such deal.")
        if deal.status == Deal.Status.MERGED:
            survivor = selectors.merge_survivor(deal)
            if survivor is not None and survivor.is_public:
                return redirect(survivor, permanent=True)
            raise Http404("This deal was merged into one that is not public.")
        if not deal.is_public and not _is_staff(request):
            raise Http404("No such deal.")
        previous, following = selectors.phase_changes(deal)
        tray = CompareTray.of(request)
        ctx = {
            "deal": deal,
            "previous": previous,
            "following": following,
            "tray": tray,
            "compare_add_url": tray.add_url(deal.slug),
            "in_tray": deal.slug in tray,
            "citation": deal_citation(deal, request=request),
            "sources": source_rows(deal.sources.all()),
            "reviews": selectors.deal_reviews(deal=deal),
        }
        return render(request, "partnerships/deal_detail.html", ctx)

    # Only 200s are cached, so a later merge or retraction shows at the next version bump.
    return cached_response(request, build)


def _company_or_alias(slug: str):
    """The slug of the company a URL names by alias or name ("aws" → "amazon"), or None."""
    company = companies_named([slug]).get(slug)
    return company.slug if company is not None and company.slug != slug else None


def partnership(request, a, b):
    if a == b:
        raise Http404("A partnership needs two different companies.")

    def build():
        companies = {c.slug: c for c in Company.objects.filter(slug__in=[a, b], is_proposed=False)}
        if len(companies) != 2:
            # An alias or a spelling of a company answers with the pair's page: /aws/openai/ → Amazon.
            named = companies_named([a, b])
            canonical = [named[s].slug if named.get(s) else s for s in (a, b)]
            if all(named.get(s) for s in (a, b)) and canonical != [a, b] and canonical[0] != canonical[1]:
                first, second = sorted(canonical)
                return redirect("partnerships:partnership", a=first, b=second, permanent=True)
            raise Http404("No such company.")
        if a > b:
            return redirect("partnerships:partnership", a=b, b=a, permanent=True)
        ctx = {"p": selectors.partnership(a=companies[a], b=companies[b])}
        return render(request, "partnerships/partnership.html", ctx)

    return cached_response(request, build)


# Counterparties listed per relationship on a company page (the busiest first): a lab with
# thousands of customers gets a page of the same size, and a pointer to the ledger export.
COUNTERPARTY_LIMIT = 40


def _relationship_groups(book, pair_url) -> list[tuple[str, str, list[tuple], int]]:
    """(key, label, [(counterparty, its figure lines, partnership URL)], whether there are more) for each group."""
    return [
        (
            key,
            label,
            [
                (
                    party,
                    selectors.counterparty_lines(party),
                    pair_url(*sorted((book.company.slug, party.company.slug))),
                )
                for party in parties
            ],
            key in book.cut,
        )
        for key, label, parties in book.relationships
        if parties
    ]


def company_detail(request, slug):
    def build():
        company = Company.objects.filter(slug=slug, is_proposed=False).first()
        if company is None:
            # Every alias and spelling of a company answers with its page: /companies/aws/ → Amazon.
            canonical = _company_or_alias(slug)
            if canonical is None:
                raise Http404("No such company.")
            return redirect("partnerships:company_detail", slug=canonical, permanent=True)
        overview = selectors.company_overview(company=company)
        book = selectors.company_ledger(company=company, limit=COUNTERPARTY_LIMIT)
        timeline = reverse("partnerships:deal_list")
        ctx = {
            "company": company,
            "totals": overview.totals,
            "figures": selectors.company_figures(book),
            "years_chart": charts.year_bars(
                overview.years,
                label=f"{company.name}: published deals per year",
                url=lambda year: f"{timeline}?company={company.slug}&year_from={year}&year_to={year}",
            ),
            "years": overview.years,
            "latest": overview.latest,
            "newsrooms": overview.newsrooms,
            "groups": _relationship_groups(book, charts.slug_urls("partnerships:partnership", slugs=2)),
        }
        return render(request, "partnerships/company_detail.html", ctx)

    return cached_response(request, build)


def _compare_rows(companies, books) -> list[tuple[str, list]]:
    """One row per relationship any of the companies has: its counterparties in each column."""
    rows = []
    for index, (key, label) in enumerate(selectors.RELATIONSHIPS):
        columns = [books[c.pk].relationships[index][2] for c in companies]
        if any(columns):
            cells = [
                ([(p, selectors.counterparty_lines(p)) for p in parties], key in books[c.pk].cut)
                for c, parties in zip(companies, columns, strict=True)
            ]
            rows.append((label, cells))
    return rows


def _compare_figures(companies, figures) -> list[tuple[str, list]]:
    """One row per (direction, flow, unit) line any of the companies has, a cell per company."""
    lines = {c.pk: {(x.direction, x.flow, x.unit): x for x in figures[c.pk]} for c in companies}
    keys = list(dict.fromkeys(key for c in companies for key in lines[c.pk]))
    return [
        (
            next(lines[c.pk][key] for c in companies if key in lines[c.pk]),
            [lines[c.pk].get(key) for c in companies],
        )
        for key in keys
    ]


def _compare_timeline(companies, years) -> list[tuple[int, list]]:
    """Years, newest first, with each company's lines of that year (or None)."""
    by_year = {c.pk: {y.year: y.lines for y in years[c.pk]} for c in companies}
    all_years = sorted({year for c in companies for year in by_year[c.pk]}, reverse=True)
    return [(year, [by_year[c.pk].get(year, []) for c in companies]) for year in all_years]


def compare_companies(request):
    def build():
        slugs = slug_list(request.GET.get("companies", ""), 4)
        found = {c.slug: c for c in Company.objects.filter(slug__in=slugs, is_proposed=False)}
        companies = [found[s] for s in slugs if s in found]
        books, years, totals = {}, {}, {}
        if companies:
            books = selectors.company_ledgers(companies=companies, limit=COUNTERPARTY_LIMIT, totals=False)
            years, totals = selectors.company_years_and_totals(companies=companies)
        error = ""
        if request.GET.get("companies") is not None and len(companies) < 2:
            error = "Pick two to four companies (their slugs, separated by commas)."
        ctx = {
            "companies": companies,
            "figures": _compare_figures(companies, totals),
            "rows": _compare_rows(companies, books),
            "timeline": _compare_timeline(companies, years),
            "company_url": charts.slug_urls("partnerships:company_detail"),
            "missing": [s for s in slugs if s not in found],
            "error": error,
            "raw": request.GET.get("companies", ""),
        }
        return render(request, "partnerships/compare_companies.html", ctx, status=400 if error else 200)

    return cached_response(request, build)


def search(request):
    def build():
        query = request.GET.get("q", "")
        ctx = {
            "query": query,
            "search_query": query,
            "results": run_search(query=query) if query.strip() else None,
        }
        template = (
            "partnerships/_search_results.html" if wants_fragment(request) else "partnerships/search.html"
        )
        return render(request, template, ctx)

    return cached_response(request, build)


RECENT_YEARS = 3


def _window(request) -> tuple[selectors.Window, str]:
    """The charts' window from ``?year=`` (one year, ``all``, default the last three years)
    and ``?as_of=`` (announced by that day), with the year choice the form shows.

    At 20,000 deals an all-time drawing is unreadable and slow, so the default is recent.
    """
    raw = request.GET.get("year", "")
    as_of = None
    try:
        as_of = (
            datetime.date.fromisoformat(request.GET.get("as_of", "")) if request.GET.get("as_of") else None
        )
    except ValueError:
        as_of = None
    if raw == "all":
        return selectors.Window(as_of=as_of), "all"
    try:
        year = int(raw)
    except ValueError:
        year = None
    if year and 1990 <= year <= 2100:
        return selectors.Window(year=year, as_of=as_of), str(year)
    today = datetime.date.today()
    return selectors.Window(since=datetime.date(today.year - RECENT_YEARS + 1, 1, 1), as_of=as_of), "recent"


def _chart_links(window: selectors.Window) -> charts.DealLinks:
    first = window.year or (window.since.year if window.since else None)
    last = window.year or (window.as_of.year if window.as_of else None)
    return charts.DealLinks(year_from=first, year_to=last)


def _window_ctx(window: selectors.Window, choice: str) -> dict:
    return {"year": window.year, "since": window.since, "as_of": window.as_of, "choice": choice}


def _network_drawing(window: selectors.Window) -> dict:
    """The network and its layout (Kamada-Kawai): the same for every reader of a data version."""
    net = selectors.ledger_network(window=window)
    return {
        "net": net,
        "svg": charts.network_svg(net, links=_chart_links(window)),
        "years": selectors.deal_years(),
    }


def network(request):
    def build():
        window, choice = _window(request)
        drawing = shared("network", lambda: _network_drawing(window), window)
        net = drawing["net"]
        links = _chart_links(window)
        pair_url = charts.slug_urls("partnerships:partnership", slugs=2)
        flow_labels = dict(LedgerEntry.Flow.choices)
        ctx = {
            **_window_ctx(window, choice),
            "years": drawing["years"],
            "net": net,
            "svg": drawing["svg"],
            "flow_labels": flow_labels,
            "company_kinds": Company.Kind.choices,
            "edges": [
                (
                    edge,
                    links.deals(edge.a.slug, edge.b.slug, edge.deals, edge.clause_kinds),
                    pair_url(edge.a.slug, edge.b.slug),
                    flow_labels.get(edge.flow, edge.flow),
                )
                for edge in net.edges
            ],
        }
        return render(request, "partnerships/network.html", ctx)

    return cached_response(request, build)


# Rows per flow table, largest first: the drawing above shows the 30 largest; the ledger
# export and the API list every row.
FLOW_TABLE_LIMIT = 100


def _flow_rows(items, links: charts.DealLinks) -> list[tuple]:
    """The largest flows of one table, with their links resolved once (no reverse per row)."""
    company_url = charts.slug_urls("partnerships:company_detail")
    labels = dict(LedgerEntry.Flow.choices)
    return [
        (
            link,
            links.deals(link.source.slug, link.target.slug, link.deals, link.clause_kinds),
            company_url(link.source.slug),
            company_url(link.target.slug),
            labels.get(link.flow, link.flow),
        )
        for link in items[:FLOW_TABLE_LIMIT]
    ]


def _flow_drawings(window: selectors.Window) -> dict:
    """The flows' Sankey layouts and tables: the same for every reader of a data version.

    Only what the page shows is kept (the drawings, the largest rows, the counts), so a
    cache hit reads a page-sized value whatever the number of flows.
    """
    found = selectors.ledger_flows(window=window)
    links = _chart_links(window)
    return {
        "years": selectors.deal_years(),
        "money_svg": charts.sankey_svg(found.money, charts.MONEY, deal_links=links),
        "money_bars": charts.flow_bars_svg(found.money, charts.MONEY, deal_links=links),
        "compute_svg": charts.sankey_svg(found.compute, charts.COMPUTE, deal_links=links),
        "compute_bars": charts.flow_bars_svg(found.compute, charts.COMPUTE, deal_links=links),
        "money": _flow_rows(found.money, links),
        "compute": _flow_rows(found.compute, links),
        "other": _flow_rows(found.other, links),
        "counts": {"money": len(found.money), "compute": len(found.compute), "other": len(found.other)},
    }


def flows(request):
    def build():
        window, choice = _window(request)
        ctx = {
            **_window_ctx(window, choice),
            **shared("flows", lambda: _flow_drawings(window), window),
            "table_limit": FLOW_TABLE_LIMIT,
        }
        return render(request, "partnerships/flows.html", ctx)

    return cached_response(request, build)


def exports_doc(request):
    from partnerships.exports import CLAUSE_FIELDS, DEAL_FIELDS, LEDGER_FIELDS, SCHEMA_VERSION

    def build():
        ctx = {
            "version": SCHEMA_VERSION,
            "deal_fields": DEAL_FIELDS,
            "clause_fields": CLAUSE_FIELDS,
            "ledger_fields": LEDGER_FIELDS,
            "site_url": settings.SITE_URL,
            "example": reverse("partnerships:export", kwargs={"what": "deals", "fmt": "csv"})
            + "?company=openai&year_from=2025",
        }
        return render(request, "partnerships/exports.html", ctx)

    return cached_response(request, build)
