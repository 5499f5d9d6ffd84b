"""Expected figures computed straight from the shipped dataset file, without the ledger code.

The tests of the pages compare what a page states with what this module derives from
``partnerships/data/dataset.json`` by the rule the site documents: money goes grantor →
beneficiary (an equity stake in dollars is held by its beneficiary unless the grantor is
the investor); a tranche (``part_of``) adds nothing; an amount whose basis is "total" adds
only what the same grantor, beneficiary, flow and unit had not yet counted in the deal and
its earlier phases; MW are thousandths of a GW; confirmed, reported and unconfirmed are
kept apart. Written small and on its own, so a bug in the ledger cannot hide in both.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

DATASET = Path(__file__).resolve().parents[2] / "partnerships" / "data" / "dataset.json"
INVEST = {"investment", "equity_stake", "convertible_note", "warrant"}
COMPUTE = {"compute_commitment", "cloud_spend_back", "discounted_compute", "chips_supply"}
SUPPLIERS = {"provider", "venture"}


def load() -> dict:
    return json.loads(DATASET.read_text(encoding="utf-8"))


def _flow(clause: dict, roles: dict) -> tuple[str, str, str, str] | None:
    """(grantor, beneficiary, flow, unit) of a clause that moves money or compute, else None."""
    kind, unit = clause["kind"], clause["unit"]
    giver, taker = clause["grantor"], clause["beneficiary"]
    if unit == "MW":
        unit = "GW"
    if kind in INVEST and unit == "USD":
        investor, investee = invest_direction(clause, roles)
        return investor, investee, "investment", unit
    if kind in COMPUTE and unit == "USD":
        flow = "supply" if roles.get(giver) in SUPPLIERS and kind != "cloud_spend_back" else "spend"
        return giver, taker, flow, unit
    if kind in COMPUTE and unit == "GW":
        return giver, taker, "supply", unit
    return None


def invest_direction(clause: dict, roles: dict) -> tuple[str, str]:
    """(investor, investee) of an investment clause: roles decide; else stakes in shares or
    money and warrants are held by the beneficiary, money, notes and percentages given by the grantor."""
    giver, taker = clause["grantor"], clause["beneficiary"]
    holders, issuers = {"investor", "acquirer"}, {"investee", "target", "venture"}
    if roles.get(giver) in holders and roles.get(taker) in issuers:
        return giver, taker
    if roles.get(taker) in holders and roles.get(giver) in issuers:
        return taker, giver
    held = clause["kind"] == "warrant" or (
        clause["kind"] == "equity_stake" and clause["unit"] in {"shares", "USD"}
    )
    return (taker, giver) if held else (giver, taker)


def investors_of(slug: str) -> set[str]:
    """Every company an investment clause names as investing in ``slug`` (amount stated or not)."""
    found = set()
    for deal in load()["deals"]:
        roles = {party["company"]: party["role"] for party in deal["parties"]}
        for clause in deal["clauses"]:
            if clause["kind"] in INVEST and clause["effect"] == "granted" and clause["grantor"]:
                investor, investee = invest_direction(clause, roles)
                if investee == slug and investor != slug:
                    found.add(investor)
    return found


def _amount(clause: dict) -> Decimal:
    value = Decimal(clause["amount"])
    return value / 1000 if clause["unit"] == "MW" else value


def counted() -> list[dict]:
    """One record per counting clause: deal, year, grantor, beneficiary, flow, unit, certainty, amount."""
    data = load()
    deals = {deal["slug"]: deal for deal in data["deals"]}
    totals: dict[str, dict] = {}  # deal slug → running sums per key, including its earlier phases

    def running(slug: str) -> dict:
        if slug in totals:
            return totals[slug]
        deal = deals[slug]
        before = dict(running(deal["predecessor"])) if deal["predecessor"] in deals else {}
        records, own = _deal_records(deal, before)
        totals[slug] = {k: before.get(k, Decimal(0)) + own.get(k, Decimal(0)) for k in {*before, *own}}
        all_records.extend(records)
        return totals[slug]

    all_records: list[dict] = []
    for slug in deals:
        running(slug)
    return all_records


def _deal_records(deal: dict, before: dict) -> tuple[list[dict], dict]:
    roles = {party["company"]: party["role"] for party in deal["parties"]}
    own: dict = defaultdict(Decimal)
    records, totals = [], []
    for clause in deal["clauses"]:
        if clause["effect"] != "granted" or clause["amount"] is None or clause["part_of"]:
            continue
        if not clause["grantor"] or clause["grantor"] == clause["beneficiary"]:
            continue
        found = _flow(clause, roles)
        if found is None:
            continue
        (totals if clause["basis"] == "total" else records).append((found, clause))
    increments = []
    for key, clause in records:
        own[key] += _amount(clause)
        increments.append((key, clause, _amount(clause)))
    for key, clause in totals:
        add = max(Decimal(0), _amount(clause) - before.get(key, Decimal(0)) - own[key])
        own[key] += add
        increments.append((key, clause, add))
    year = int(deal["announced_on"][:4])
    rows = [
        {
            "deal": deal["slug"],
            "year": year,
            "grantor": key[0],
            "beneficiary": key[1],
            "flow": key[2],
            "unit": key[3],
            "certainty": clause["certainty"],
            "amount": value,
        }  # fmt: skip
        for key, clause, value in increments
    ]
    return rows, dict(own)


class Sum:
    """Amounts by certainty, shaped like the ledger's (``confirmed``, ``reported``, ``unconfirmed``)."""

    def __init__(self):
        self.confirmed = self.reported = self.unconfirmed = Decimal(0)

    def add(self, certainty: str, value: Decimal) -> None:
        setattr(self, certainty, getattr(self, certainty) + value)


def sums(records, **match) -> Sum:
    total = Sum()
    for record in records:
        if all(
            record[name] in (value if isinstance(value, tuple) else (value,)) for name, value in match.items()
        ):
            total.add(record["certainty"], record["amount"])
    return total
