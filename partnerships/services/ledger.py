"""Keeping the ledger true: its rows are rewritten by the write that changed a deal.

Every curation write (publish, edit, clause review, reject, retract, phase link, deal and
company merges) and the dataset loader call ``ledger_refresh`` with the deals they touched,
inside their own transaction, so a reader never sees a deal's new terms with old totals.
Maintained on write rather than computed per page view because a total depends on a whole
predecessor chain (a "total" counts what its earlier phases had not): a page reads sums
already made. ``ledger_rebuild`` (``manage.py rebuild_ledger``) recomputes every row and
must give the same rows as the refreshes did; a test holds the two to that. The rollups
(``partnerships.services.rollups``) follow the rows written, in the same transaction.

Writes compare before they write: an unchanged row is not saved again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q

from partnerships import ledger
from partnerships.models import Clause, Deal, DealParty, LedgerEntry
from partnerships.services.rollups import rollups_rebuild, rollups_refresh

# Fields a refresh writes on an existing row (everything but the keys).
_FIELDS = (
    "deal_id",
    "grantor_id",
    "beneficiary_id",
    "mutual",
    "flow",
    "clause_kind",
    "unit",
    "amount",
    "stated_amount",
    "stated_unit",
    "counted",
    "qualifier",
    "certainty",
    "basis",
    "is_tranche",
    "announced_on",
    "year",
    "deal_kind",
)
_CLAUSE_VALUES = (
    "id",
    "deal_id",
    "kind",
    "grantor_id",
    "beneficiary_id",
    "mutual",
    "amount",
    "unit",
    "qualifier",
    "basis",
    "part_of_id",
    "certainty",
    "position",
)
MAX_CHAIN_STEPS = 50  # a predecessor chain is a handful of phases; this bounds a corrupt one
# PostgreSQL advisory lock key (any constant the project uses for nothing else): "PWLEDGER".
LEDGER_LOCK = 0x50574C4544474552 & 0x7FFFFFFFFFFFFFFF


def _serialise_refreshes() -> None:
    """One ledger refresh at a time, until the transaction ends.

    Two curators editing two phases of one chain would otherwise each compute the chain from
    a state without the other's change. Curation writes are few, so one lock for all is cheap;
    it is taken before anything is read, so the refresh sees every write committed before it.
    SQLite serialises writers anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK])


@dataclass(frozen=True)
class LedgerRefresh:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _chain_scope(deal_ids: set[int]) -> set[int]:
    """The given deals and every deal linked to them by predecessor links, either way.

    One query per step of the longest chain: each step adds the frontier's predecessors and
    successors, until nothing new turns up.
    """
    scope, frontier = set(deal_ids), set(deal_ids)
    for _step in range(MAX_CHAIN_STEPS):
        if not frontier:
            break
        rows = Deal.objects.filter(Q(pk__in=frontier) | Q(predecessor_id__in=frontier)).values_list(
            "id", "predecessor_id"
        )
        found = {pk for row in rows for pk in row if pk is not None}
        frontier = found - scope
        scope |= found
    return scope


def _nearest_published(deals: dict[int, dict]) -> dict[int, int | None]:
    """Each published deal's nearest earlier phase that is published (unpublished ones pass through)."""
    published = Deal.Status.PUBLISHED
    parent = {}
    for pk, deal in deals.items():
        if deal["status"] != published:
            continue
        cursor, seen = deal["predecessor_id"], {pk}
        while cursor in deals and cursor not in seen and deals[cursor]["status"] != published:
            seen.add(cursor)
            cursor = deals[cursor]["predecessor_id"]
        found = cursor in deals and cursor not in seen and deals[cursor]["status"] == published
        parent[pk] = cursor if found else None
    return parent


def _desired_rows(deals: dict[int, dict]) -> dict[int, dict]:
    """The ledger rows the published deals among ``deals`` call for, by clause id."""
    published = [pk for pk, deal in deals.items() if deal["status"] == Deal.Status.PUBLISHED]
    roles: dict[int, dict[int, str]] = {}
    for deal_id, company_id, role in DealParty.objects.filter(deal_id__in=published).values_list(
        "deal_id", "company_id", "role"
    ):
        roles.setdefault(deal_id, {})[company_id] = role
    clauses = Clause.objects.filter(
        deal_id__in=published,
        effect=Clause.Effect.GRANTED,
        grantor__isnull=False,
        beneficiary__isnull=False,
    ).values(*_CLAUSE_VALUES)
    entries: dict[int, list[ledger.Entry]] = {pk: [] for pk in published}
    rows: dict[int, dict] = {}
    for clause in clauses:
        parties = roles.get(clause["deal_id"], {})
        grantor, beneficiary = clause["grantor_id"], clause["beneficiary_id"]
        # Not a flow between two parties of the deal: the publish gate refuses such clauses.
        if grantor == beneficiary or grantor not in parties or beneficiary not in parties:
            continue
        flow = ledger.flow_kind(clause["kind"], clause["unit"], parties[grantor])
        if flow == ledger.INVESTMENT and not ledger.investor_first(
            clause["kind"], clause["unit"], parties[grantor], parties[beneficiary]
        ):
            grantor, beneficiary = beneficiary, grantor
        amount, unit = ledger.normalise(clause["amount"], clause["unit"])
        entry = ledger.Entry(
            clause["id"], grantor, beneficiary, flow, unit, amount, clause["basis"],
            clause["part_of_id"] is not None, position=clause["position"],
        )  # fmt: skip
        entries[clause["deal_id"]].append(entry)
        deal = deals[clause["deal_id"]]
        rows[clause["id"]] = {
            "deal_id": clause["deal_id"],
            "grantor_id": grantor,
            "beneficiary_id": beneficiary,
            "mutual": clause["mutual"],
            "flow": flow,
            "clause_kind": clause["kind"],
            "unit": unit,
            "amount": amount,
            "stated_amount": clause["amount"],
            "stated_unit": clause["unit"],
            "qualifier": clause["qualifier"],
            "certainty": clause["certainty"],
            "basis": clause["basis"],
            "is_tranche": entry.is_tranche,
            "announced_on": deal["announced_on"],
            "year": deal["announced_on"].year,
            "deal_kind": deal["kind"],
        }
    counted = ledger.count_chains(entries, _nearest_published(deals))
    for clause_id, row in rows.items():
        row["counted"] = counted.get(clause_id, Decimal(0))
    return rows


def _same(entry: LedgerEntry, row: dict) -> bool:
    for name in _FIELDS:
        stored, wanted = getattr(entry, name), row[name]
        if isinstance(wanted, Decimal) or isinstance(stored, Decimal):
            if (stored is None) != (wanted is None) or (stored is not None and Decimal(stored) != wanted):
                return False
        elif stored != wanted:
            return False
    return True


def _write(scope: set[int] | None, desired: dict[int, dict]) -> LedgerRefresh:
    existing_qs = (
        LedgerEntry.objects.all() if scope is None else LedgerEntry.objects.filter(deal_id__in=scope)
    )
    existing = {entry.clause_id: entry for entry in existing_qs}
    stale = [entry.pk for clause_id, entry in existing.items() if clause_id not in desired]
    # A clause moved to another deal (a merge) keeps its one row: updated, not duplicated.
    moved = LedgerEntry.objects.filter(clause_id__in=set(desired) - set(existing)).exclude(pk__in=stale)
    existing.update({entry.clause_id: entry for entry in moved})
    # The rollups' keys of every row that goes, comes or changes: its sides and year, before and after.
    keys = {_key(entry) for clause_id, entry in existing.items() if clause_id not in desired}
    if stale:
        LedgerEntry.objects.filter(pk__in=stale).delete()
    new, changed = [], []
    for clause_id, row in desired.items():
        entry = existing.get(clause_id)
        if entry is None:
            new.append(LedgerEntry(clause_id=clause_id, **row))
        elif not _same(entry, row):
            keys.add(_key(entry))
            for name in _FIELDS:
                setattr(entry, name, row[name])
            changed.append(entry)
    keys.update(_key(entry) for entry in (*new, *changed))
    LedgerEntry.objects.bulk_create(new, batch_size=2000)
    LedgerEntry.objects.bulk_update(changed, _FIELDS, batch_size=2000)
    if scope is None:
        rollups_rebuild()
    else:
        rollups_refresh(keys=keys)
    return LedgerRefresh(len(new), len(changed), len(stale))


def _key(entry: LedgerEntry) -> tuple[int, int, int]:
    return (entry.grantor_id, entry.beneficiary_id, entry.year)


def _deals(scope: set[int] | None) -> dict[int, dict]:
    qs = Deal.objects.all() if scope is None else Deal.objects.filter(pk__in=scope)
    return {row["id"]: row for row in qs.values("id", "predecessor_id", "status", "kind", "announced_on")}


@transaction.atomic
def ledger_refresh(*, deal_ids: Iterable[int | None]) -> LedgerRefresh:
    """Rewrite the ledger rows of these deals and of every deal in their predecessor chains.

    Call it after the write, in the write's transaction, with every deal the write touched
    (both deals of a merge, the old and new predecessor of a relinked phase). Deals that
    are not published lose their rows. Returns how many rows were created, updated, deleted.
    """
    wanted = {pk for pk in deal_ids if pk is not None}
    if not wanted:
        return LedgerRefresh()
    _serialise_refreshes()
    scope = _chain_scope(wanted)
    return _write(scope, _desired_rows(_deals(scope)))


@transaction.atomic
def ledger_rebuild() -> LedgerRefresh:
    """Recompute the whole ledger from the clauses (``manage.py rebuild_ledger``)."""
    _serialise_refreshes()
    return _write(None, _desired_rows(_deals(None)))
