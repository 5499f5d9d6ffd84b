"""The network and flows pages: which companies deal with which, and where money and power go."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from partnerships.models import Clause, Company, Deal, DealParty
from partnerships.selectors.common import gigawatts, headline_value


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


@dataclass
class Network:
    companies: dict  # the most connected companies, by id
    edges: list  # [(a_id, b_id, deal kind, deal count)], strongest first
    degree: dict  # deals per company id, before the cut


def network_edges(
    *,
    year: int | None = None,
    since: datetime.date | None = None,
    limit_nodes: int = 40,
    limit_edges: int = 150,
) -> Network:
    """Company pairs that share published deals, by deal kind, with counts: 2 queries.

    Limited to the most connected companies so the drawing stays legible.
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
    return Network(companies, edges, degree)


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

_UP_TO = Q(deal__value_min__isnull=True, deal__value_max__isnull=False)


def _money_rows(deals, source_role, target_role, kinds, limit):
    qs = deals.filter(role=source_role, deal__deal_parties__role=target_role)
    if kinds:
        qs = qs.filter(deal__kind__in=kinds)
    return (
        qs.filter(Q(deal__value_max__isnull=False) | Q(deal__value_min__isnull=False))
        .values("company_id", "deal__deal_parties__company_id", "deal__currency")
        .annotate(
            total=Sum(headline_value("deal__")),
            n=Count("deal", distinct=True),
            up=Count("deal", filter=_UP_TO, distinct=True),
        )
        .order_by("-total")[:limit]
    )


def _power_rows(deals, limit):
    return (
        deals.filter(
            role=DealParty.Role.CUSTOMER,
            deal__deal_parties__role=DealParty.Role.PROVIDER,
            deal__clauses__unit__in=[Clause.Unit.GW, Clause.Unit.MW],
            deal__clauses__effect=Clause.Effect.GRANTED,
        )
        .values("company_id", "deal__deal_parties__company_id")
        .annotate(
            total=Sum(gigawatts("deal__clauses__")),
            n=Count("deal", distinct=True),
            up=Count("deal", filter=Q(deal__clauses__qualifier=Clause.Qualifier.UP_TO), distinct=True),
        )
        .order_by("-total")[:limit]
    )


def capital_flows(
    *, year: int | None = None, since: datetime.date | None = None, limit: int = 40
) -> list[Flow]:
    """Money and power committed between companies, by direction: 4 queries.

    Equity runs investor → investee (investment deals); spend runs customer → provider
    (cloud, compute and chip deals); power (GW of compute from clauses) is kept apart
    from money. "Up to" amounts are summed at their ceiling and flagged.
    """
    deals = _in_window(DealParty.objects.filter(deal__status=Deal.Status.PUBLISHED), "deal__", year, since)
    raw = [
        ("equity", row)
        for row in _money_rows(deals, DealParty.Role.INVESTOR, DealParty.Role.INVESTEE, None, limit)
    ]
    raw += [
        ("spend", row)
        for row in _money_rows(deals, DealParty.Role.CUSTOMER, DealParty.Role.PROVIDER, _SPEND_KINDS, limit)
    ]
    raw += [("power", row) for row in _power_rows(deals, limit)]
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
