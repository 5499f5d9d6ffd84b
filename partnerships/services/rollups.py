"""Keeping the rollups true: the sums a page reads, rewritten with the ledger rows they add up.

``ledger_refresh`` knows which ledger rows a write changed (their grantor, beneficiary and
year, before and after); it calls ``rollups_refresh`` with those keys in the same
transaction, and every sum they feed is recomputed from the ledger: the (company, year)
totals of both sides and the (company, counterparty) relationships of the pair. Recomputing a
key from its ledger rows, rather than adding a difference, keeps a refresh idempotent and
lets ``rollups_rebuild`` (``manage.py rebuild_ledger``) give the very same rows; a test
holds the two to that over random sequences of curation writes.

The rows are ``partnerships.models.rollups``; how a counterparty relates to a company
(investor, customer, chip supplier...) is ``relationship``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, Sum

from partnerships import ledger
from partnerships.models.deals import Certainty
from partnerships.models.rollups import GIVES, RECEIVES

CERTAINTIES = tuple(Certainty.values)
_CHIP_KINDS = frozenset({"chips_supply", "chip_codesign"})
_CHUNK = 200  # pairs per query: a merge can touch many


def relationship(flow: str, clause_kind: str, gives: bool) -> str:
    """How the counterparty relates to the company, from what flows and which way."""
    if flow == ledger.INVESTMENT:
        return "invested_in" if gives else "investors"
    provider = "chip_suppliers" if clause_kind in _CHIP_KINDS else "compute_providers"
    if flow == ledger.SPEND:
        return provider if gives else "customers"
    if flow == ledger.SUPPLY:
        return "customers" if gives else provider
    if flow == ledger.LICENCE:
        return "licensees" if gives else "licensors"
    if flow == ledger.RIGHT:
        return "rights"
    return "partners"


def _models():
    from partnerships.models import CompanyFlowYear, CompanyPartner, CompanyPartnerFlow, LedgerEntry

    return LedgerEntry, CompanyFlowYear, CompanyPartner, CompanyPartnerFlow


def _sums() -> dict:
    return {name: Sum("counted", filter=Q(certainty=name)) for name in CERTAINTIES}


def _flow_year_rows(entries, model, *, companies=None, years=None) -> list:
    """``CompanyFlowYear`` rows from the ledger, for some companies and years (None: all)."""
    rows = []
    for side, direction in (("grantor", GIVES), ("beneficiary", RECEIVES)):
        qs = entries.all()
        if companies is not None:
            qs = qs.filter(**{f"{side}_id__in": companies, "year__in": years})
        grouped = qs.values(f"{side}_id", "flow", "unit", "year").annotate(**_sums()).order_by()
        for row in grouped:
            rows.append(
                model(
                    company_id=row[f"{side}_id"],
                    direction=direction,
                    flow=row["flow"],
                    unit=row["unit"],
                    year=row["year"],
                    **{name: row[name] or Decimal(0) for name in CERTAINTIES},
                )
            )
    return rows


def _partner_rows(values: Iterable[tuple], partner_model, flow_model) -> tuple[list, list]:
    """``CompanyPartner`` and ``CompanyPartnerFlow`` rows from ledger rows, each booked on both sides.

    ``values``: (grantor, beneficiary, flow, clause kind, unit, deal, certainty, counted).
    """
    deals: dict[tuple, set[int]] = defaultdict(set)
    sums: dict[tuple, dict[str, Decimal]] = {}
    for grantor, beneficiary, flow, kind, unit, deal_id, certainty, counted in values:
        name = certainty if certainty in CERTAINTIES else Certainty.UNCONFIRMED
        for company, other, gives in ((grantor, beneficiary, True), (beneficiary, grantor, False)):
            partner = (company, other, relationship(flow, kind, gives))
            deals[partner].add(deal_id)
            key = (*partner, GIVES if gives else RECEIVES, flow, unit)
            total = sums.setdefault(key, dict.fromkeys(CERTAINTIES, Decimal(0)))
            total[name] += Decimal(counted or 0)
    partners = [
        partner_model(company_id=c, counterparty_id=o, relationship=r, deals=len(found))
        for (c, o, r), found in deals.items()
    ]
    flows = [
        flow_model(
            company_id=c,
            counterparty_id=o,
            relationship=r,
            direction=d,
            flow=f,
            unit=u,
            deals=len(deals[c, o, r]),
            **amounts,
        )  # fmt: skip
        for (c, o, r, d, f, u), amounts in sums.items()
    ]
    return partners, flows


_ENTRY_VALUES = (
    "grantor_id", "beneficiary_id", "flow", "clause_kind", "unit", "deal_id", "certainty", "counted",
)  # fmt: skip


def _pair_filter(pairs, first: str, second: str) -> Q:
    condition = Q(pk__in=[])
    for a, b in pairs:
        condition |= Q(**{first: a, second: b}) | Q(**{first: b, second: a})
    return condition


def rollups_refresh(*, keys: Iterable[tuple[int, int, int]]) -> None:
    """Recompute the rollups fed by ledger rows of these (grantor, beneficiary, year) keys.

    Pass the keys of every ledger row written, deleted or changed, with its values before
    and after the write; call it in the write's transaction.
    """
    entries, flow_year, partner, partner_flow = _models()
    keys = set(keys)
    if not keys:
        return
    companies = sorted({pk for g, b, _y in keys for pk in (g, b)})
    years = sorted({year for _g, _b, year in keys})
    flow_year.objects.filter(company_id__in=companies, year__in=years).delete()
    flow_year.objects.bulk_create(
        _flow_year_rows(entries.objects, flow_year, companies=companies, years=years)
    )
    pairs = sorted({(min(g, b), max(g, b)) for g, b, _y in keys})
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        for model in (partner, partner_flow):
            model.objects.filter(_pair_filter(chunk, "company_id", "counterparty_id")).delete()
        found = entries.objects.filter(_pair_filter(chunk, "grantor_id", "beneficiary_id"))
        rows, flows = _partner_rows(found.values_list(*_ENTRY_VALUES), partner, partner_flow)
        partner.objects.bulk_create(rows)
        partner_flow.objects.bulk_create(flows)


def rollups_rebuild(models=None) -> int:
    """Every rollup recomputed from the ledger (``manage.py rebuild_ledger``); returns the rows written.

    ``models`` (LedgerEntry, CompanyFlowYear, CompanyPartner, CompanyPartnerFlow) lets a
    migration pass its historical models.
    """
    entries, flow_year, partner, partner_flow = models or _models()
    for model in (flow_year, partner, partner_flow):
        model.objects.all().delete()
    years = _flow_year_rows(entries.objects, flow_year)
    values = entries.objects.values_list(*_ENTRY_VALUES).iterator(chunk_size=5000)
    rows, flows = _partner_rows(values, partner, partner_flow)
    for model, objects in ((flow_year, years), (partner, rows), (partner_flow, flows)):
        model.objects.bulk_create(objects, batch_size=2000)
    return len(years) + len(rows) + len(flows)
