"""The counting rule behind every total: what a clause adds, given the clauses before it.

Pure functions over plain records (no database): ``partnerships.services.ledger`` feeds them
the clauses of published deals and stores the result as ``LedgerEntry`` rows, and the
dataset loader uses the same rule for a deal's headline value, so a figure is counted the
same way wherever it is added up.

Flow kinds say what moves from the grantor to the beneficiary:

* ``investment``: equity, investments, convertible notes, warrants (investor → investee);
* ``spend``: money committed for compute, cloud or chips (customer → provider);
* ``supply``: compute or chips supplied, in GW or chips (supplier → customer);
* ``licence``: IP licences, model distribution, product integration, content;
* ``right``: exclusivity, first refusal, preferred provider, board and consultation rights...;
* ``other``: everything else (licence fees, contract ceilings, hiring, research...).

Units are normalised before anything is added: MW become GW (divided by 1,000); money
stays in its own currency (USD, EUR and GBP are summed apart and never converted).

The counting rule, per clause of a published deal:

1. a tranche (``part_of`` set) counts 0: the clause it belongs to counts;
2. an amount in a unit that does not add up (percent, years, shares, a year) counts 0;
3. an incremental amount, or one whose basis is not stated, counts in full;
4. a ``total`` amount counts ``max(0, total − earlier)``, where *earlier* is what was
   already counted for the same (grantor, beneficiary, flow kind, unit) in this deal's
   other clauses and in the earlier phases of its predecessor chain.

So "another $4B, $8B in total" counts $4B once, never $12B; Microsoft's "$13B in total"
after $1B in 2019 adds $12B; CoreWeave's "$22.4B in total" after $11.9B + $4B + $6.5B
adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from extraction.vocabulary import (
    MONEY_UNITS,
    ClauseBasis,
    ClauseEffect,
    ClauseKind,
    ClauseUnit,
    PartyRole,
)

INVESTMENT = "investment"
SPEND = "spend"
SUPPLY = "supply"
LICENCE = "licence"
RIGHT = "right"
OTHER = "other"
FLOWS = (
    (INVESTMENT, "Investment"),
    (SPEND, "Spend commitment"),
    (SUPPLY, "Compute or chips supply"),
    (LICENCE, "Licence or distribution"),
    (RIGHT, "Right"),
    (OTHER, "Other"),
)

_INVESTMENT_KINDS = frozenset(
    {ClauseKind.EQUITY_STAKE, ClauseKind.INVESTMENT, ClauseKind.CONVERTIBLE_NOTE, ClauseKind.WARRANT}
)
_COMPUTE_KINDS = frozenset(
    {ClauseKind.COMPUTE_COMMITMENT, ClauseKind.CLOUD_SPEND_BACK, ClauseKind.DISCOUNTED_COMPUTE}
)
_LICENCE_KINDS = frozenset(
    {ClauseKind.IP_LICENSE, ClauseKind.MODEL_DISTRIBUTION, ClauseKind.PRODUCT_INTEGRATION}
)
_RIGHT_KINDS = frozenset(
    {
        ClauseKind.EXCLUSIVITY,
        ClauseKind.PREFERRED_PROVIDER,
        ClauseKind.RIGHT_OF_FIRST_REFUSAL,
        ClauseKind.BOARD_RIGHTS,
        ClauseKind.BOARD_OBSERVER,
        ClauseKind.CONSULTATION_RIGHTS,
        ClauseKind.NON_VOTING,
        ClauseKind.MODEL_RELEASE_PARITY,
        ClauseKind.AGI_CLAUSE,
        ClauseKind.REVENUE_SHARE,
    }
)
_CAPACITY_UNITS = frozenset({ClauseUnit.GW, ClauseUnit.MW, ClauseUnit.CHIPS})
# What may be added up once normalised; percent, shares, years and "through year" may not.
ADDITIVE_UNITS = frozenset(MONEY_UNITS | {ClauseUnit.GW, ClauseUnit.CHIPS})
_SUPPLYING_ROLES = frozenset({PartyRole.PROVIDER, PartyRole.VENTURE})
_HOLDER_ROLES = frozenset({PartyRole.INVESTOR, PartyRole.ACQUIRER})
_ISSUER_ROLES = frozenset({PartyRole.INVESTEE, PartyRole.TARGET, PartyRole.VENTURE})


def flow_kind(kind: str, unit: str, grantor_role: str = "") -> str:
    """What a clause moves from its grantor to its beneficiary (see the module docstring).

    A compute commitment in a currency is money spent by a customer, unless its grantor is
    the provider (Stargate LLC committing $500B of capacity to OpenAI: supply, in dollars);
    in GW, MW or chips it is capacity supplied; with no unit, it is spend only when its
    grantor is the deal's customer.
    """
    if kind in _INVESTMENT_KINDS:
        return INVESTMENT
    if kind == ClauseKind.CHIPS_SUPPLY:
        return SPEND if unit in MONEY_UNITS and grantor_role not in _SUPPLYING_ROLES else SUPPLY
    if kind == ClauseKind.CLOUD_SPEND_BACK:
        return SPEND
    if kind in _COMPUTE_KINDS:
        if unit in MONEY_UNITS:
            return SUPPLY if grantor_role in _SUPPLYING_ROLES else SPEND
        if unit in _CAPACITY_UNITS:
            return SUPPLY
        return SPEND if grantor_role == PartyRole.CUSTOMER else SUPPLY
    if kind in _LICENCE_KINDS:
        return LICENCE
    if kind in _RIGHT_KINDS:
        return RIGHT
    return OTHER


def investor_first(kind: str, unit: str, grantor_role: str, beneficiary_role: str) -> bool:
    """Whether an investment clause's grantor is the investor (else the sides are swapped).

    The ledger writes every investment row investor → investee, the way the money goes,
    whichever way a clause words it: "Intel issues shares to NVIDIA" and "AMD grants OpenAI
    warrants" are positions NVIDIA and OpenAI take. The deal's roles decide when they can
    (an investor or acquirer facing an investee, target or venture); otherwise money,
    notes and percentage stakes are the grantor's, warrants and shares the beneficiary's.
    """
    if grantor_role in _HOLDER_ROLES and beneficiary_role in _ISSUER_ROLES:
        return True
    if beneficiary_role in _HOLDER_ROLES and grantor_role in _ISSUER_ROLES:
        return False
    issued_to_beneficiary = kind == ClauseKind.WARRANT or (
        kind == ClauseKind.EQUITY_STAKE and (unit == ClauseUnit.SHARES or unit in MONEY_UNITS)
    )
    return not issued_to_beneficiary


def normalise(amount: Decimal | None, unit: str) -> tuple[Decimal | None, str]:
    """``(750, "MW")`` → ``(0.75, "GW")``; every other unit is kept as it is."""
    if unit == ClauseUnit.MW:
        return (None if amount is None else amount / Decimal(1000)), str(ClauseUnit.GW)
    return amount, unit


@dataclass(frozen=True)
class Entry:
    """One clause as the counting rule sees it (amount and unit already normalised)."""

    clause_id: int
    grantor_id: int
    beneficiary_id: int
    flow: str
    unit: str
    amount: Decimal | None
    basis: str = ""
    is_tranche: bool = False
    effect: str = ClauseEffect.GRANTED
    position: int = 0

    @property
    def key(self) -> tuple[int, int, str, str]:
        return (self.grantor_id, self.beneficiary_id, self.flow, self.unit)

    @property
    def countable(self) -> bool:
        return (
            self.amount is not None
            and not self.is_tranche
            and self.unit in ADDITIVE_UNITS
            and self.effect == ClauseEffect.GRANTED
        )


Totals = dict[tuple[int, int, str, str], Decimal]


def count_deal(entries: Sequence[Entry], earlier: Mapping | None = None) -> tuple[dict[int, Decimal], Totals]:
    """What each clause of one deal counts, given what its earlier phases counted per key.

    Returns the counted amount per clause id and this deal's own counted sums per key.
    Increments are counted first, so a total subtracts every increment of the deal
    whatever their order; several totals of one key count as the largest of them.
    """
    earlier = earlier or {}
    counted: dict[int, Decimal] = {}
    own: Totals = defaultdict(Decimal)
    totals = []
    for entry in entries:
        if not entry.countable:
            counted[entry.clause_id] = Decimal(0)
        elif entry.basis == ClauseBasis.TOTAL:
            totals.append(entry)
        else:
            counted[entry.clause_id] = entry.amount
            own[entry.key] += entry.amount
    for entry in sorted(totals, key=lambda e: (e.position, e.clause_id)):
        before = earlier.get(entry.key, Decimal(0)) + own[entry.key]
        counted[entry.clause_id] = max(Decimal(0), entry.amount - before)
        own[entry.key] += counted[entry.clause_id]
    return counted, dict(own)


def count_chains(
    deals: Mapping[int, Sequence[Entry]], parent: Mapping[int, int | None]
) -> dict[int, Decimal]:
    """Counted amounts for the clauses of several deals linked in predecessor chains.

    ``deals`` maps each deal to its entries; ``parent`` maps a deal to its nearest earlier
    phase among ``deals`` (or None). A phase sees the sums of all the phases before it, so
    a total counts only what its whole partnership had not counted yet.
    """
    depth: dict[int, int] = {}
    for deal_id in deals:
        seen, cursor, steps = {deal_id}, parent.get(deal_id), 0
        while cursor is not None and cursor not in seen:
            seen.add(cursor)
            steps += 1
            cursor = parent.get(cursor)
        depth[deal_id] = steps
    running: dict[int, Totals] = {}
    counted: dict[int, Decimal] = {}
    for deal_id in sorted(deals, key=lambda pk: (depth[pk], pk)):
        before = running.get(parent.get(deal_id), {}) if parent.get(deal_id) != deal_id else {}
        deal_counted, own = count_deal(deals[deal_id], before)
        counted.update(deal_counted)
        merged = dict(before)
        for key, value in own.items():
            merged[key] = merged.get(key, Decimal(0)) + value
        running[deal_id] = merged
    return counted
