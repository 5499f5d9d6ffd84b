"""The figures of the extraction evaluation, counted entry by entry against our labels.

A label entry says whether its text is a deal, the deal's kind and parties, and its clauses
with direction (grantor → beneficiary, or mutual), basis and tranche (``part_of``). A
predicted result has the same shape (``result_of`` builds it from an ``Extraction``).

- is_deal precision / recall / F1 over every entry;
- kind accuracy and parties exact-set over the labelled deals;
- clause-kind F1: per deal, the set of clause kinds stated against the set read (``other``
  ignored on both sides), counted over all deals, including those whose text states no term;
- direction, basis and tranche: labelled clauses are matched to read clauses of the same kind
  (same amount first, then both without an amount, then any), and a matched clause scores its
  grantor and beneficiary (non-mutual clauses), its basis (matched on the amount) and whether
  its ``part_of`` points at the clause matched to the labelled one;
- amounts: each labelled key figure is found among the clauses read (same unit, within 1 %);
- clauses on non-deals: texts labelled not a deal that got clauses anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extraction.vocabulary import normalize_name

IGNORED_KIND = "other"


def result_of(extraction) -> dict:
    """An ``Extraction`` as the evaluator reads it (fields the extractor lacks read as unknown)."""
    parties = [p.name for p in extraction.parties]
    return {
        "is_deal": extraction.is_deal,
        "kind": extraction.kind,
        "parties": parties,
        "clauses": [
            {
                "kind": str(c.kind),
                "amount": None if c.amount is None else float(c.amount),
                "unit": c.unit or None,
                "grantor": getattr(c, "grantor", None),
                "beneficiary": getattr(c, "beneficiary", None),
                "basis": getattr(c, "basis", None) or None,
                "part_of": getattr(c, "part_of", None),
                "mutual": bool(getattr(c, "mutual", False)),
            }
            for c in extraction.clauses
        ],
    }


def canonical(index, name: str | None) -> str | None:
    if name is None:
        return None
    company = index.resolve(name)
    if company is not None:
        return company.slug
    key = normalize_name(name)
    return key[4:] if key.startswith("the ") else key


def _alternatives(index, entry: dict, side: str | None) -> set[str | None]:
    """Every spelling of a labelled party (``A|B``), canonical; {None} for an unnamed side."""
    if side is None:
        return {None}
    for party in entry.get("parties") or []:
        names = party.split("|")
        if names[0] == side:
            return {canonical(index, n) for n in names}
    return {canonical(index, side)}


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _same_amount(a: dict, b: dict) -> bool:
    if a["amount"] is None or b["amount"] is None or a["unit"] != b["unit"]:
        return False
    want = float(a["amount"])
    return abs(float(b["amount"]) - want) <= max(1e-9, abs(want) * 0.01)


@dataclass
class Tally:
    """Counts behind every figure, added to entry by entry."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, value: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + value

    def ratio(self, part: str, whole: str) -> float | None:
        total = self.counts.get(whole, 0)
        return round(self.counts.get(part, 0) / total, 3) if total else None


def _count_verdict(tally: Tally, entry: dict, result: dict, name: str) -> None:
    if entry["is_deal"] and result["is_deal"]:
        tally.tp += 1
    elif entry["is_deal"]:
        tally.fn += 1
        tally.misses.append(f"{name}: deal read as not a deal")
    elif result["is_deal"]:
        tally.fp += 1
        tally.misses.append(f"{name}: not a deal read as a deal ({result['kind']}, {result['parties']})")
    if not entry["is_deal"]:
        tally.add("non_deals")
        if result["clauses"]:
            tally.add("clauses_on_non_deals")


def _count_parties(tally: Tally, entry: dict, result: dict, name: str, index) -> None:
    predicted = {canonical(index, p) for p in result["parties"]}
    matched = set()
    for label in entry["parties"]:
        key = next((k for k in _alternatives(index, entry, label.split("|")[0]) if k in predicted), None)
        if key is None:
            tally.add("party_fn")
        else:
            matched.add(key)
            tally.add("party_tp")
    tally.add("party_fp", len(predicted - matched))
    tally.add("deals")
    if len(matched) == len(entry["parties"]) and not predicted - matched:
        tally.add("parties_exact")
    else:
        tally.misses.append(f"{name}: parties {sorted(result['parties'])} vs {entry['parties']}")


def _count_kinds(tally: Tally, entry: dict, result: dict, name: str) -> None:
    if result["kind"] == entry["kind"]:
        tally.add("kind_right")
    else:
        tally.misses.append(f"{name}: kind {result['kind']} vs {entry['kind']}")
    want = {c["kind"] for c in entry["clauses"]} - {IGNORED_KIND}
    got = {c["kind"] for c in result["clauses"]} - {IGNORED_KIND}
    tally.add("clause_tp", len(want & got))
    tally.add("clause_fp", len(got - want))
    tally.add("clause_fn", len(want - got))
    if want != got:
        tally.misses.append(f"{name}: clause kinds missing {sorted(want - got)}, extra {sorted(got - want)}")


def match_clauses(labelled: list[dict], read: list[dict]) -> dict[int, tuple[int, bool]]:
    """Labelled clause index → (read clause index, matched on the amount), kind by kind."""
    matches: dict[int, tuple[int, bool]] = {}
    used: set[int] = set()
    tests = (
        lambda a, b: _same_amount(a, b),
        lambda a, b: a["amount"] is None and b["amount"] is None,
        lambda a, b: True,
    )
    for step, same in enumerate(tests):
        for i, want in enumerate(labelled):
            if i in matches or want["kind"] == IGNORED_KIND:
                continue
            j = next(
                (
                    j
                    for j, got in enumerate(read)
                    if j not in used and got["kind"] == want["kind"] and same(want, got)
                ),
                None,
            )
            if j is not None:
                matches[i] = (j, step == 0)
                used.add(j)
    return matches


def _count_clauses(tally: Tally, entry: dict, result: dict, name: str, index) -> None:
    """Direction, basis and tranche of the clauses matched between label and reading."""
    labelled, read = entry["clauses"], result["clauses"]
    matches = match_clauses(labelled, read)
    for i, (j, on_amount) in matches.items():
        want, got = labelled[i], read[j]
        if not want["mutual"]:
            tally.add("direction_total")
            right = canonical(index, got["grantor"]) in _alternatives(index, entry, want["grantor"]) and (
                canonical(index, got["beneficiary"]) in _alternatives(index, entry, want["beneficiary"])
            )
            if right:
                tally.add("direction_right")
            else:
                tally.misses.append(
                    f"{name}: {want['kind']} direction {got['grantor']} → {got['beneficiary']} "
                    f"vs {want['grantor']} → {want['beneficiary']}"
                )
        if on_amount and want["basis"] is not None:
            tally.add("basis_total")
            if got["basis"] == want["basis"]:
                tally.add("basis_right")
            else:
                tally.misses.append(
                    f"{name}: {want['kind']} {want['amount']} basis {got['basis']} vs {want['basis']}"
                )
        if on_amount and (want["part_of"] is not None or got["part_of"] is not None):
            tally.add("tranche_total")
            expected = matches.get(want["part_of"], (None,))[0] if want["part_of"] is not None else None
            if got["part_of"] == expected and (expected is not None or want["part_of"] is None):
                tally.add("tranche_right")
            else:
                tally.misses.append(
                    f"{name}: {want['kind']} {want['amount']} part_of {got['part_of']} vs {want['part_of']}"
                )


def _count_amounts(tally: Tally, entry: dict, result: dict, name: str) -> None:
    for label in entry.get("amounts") or []:
        tally.add("amounts_total")
        want = {"amount": label["amount"], "unit": label["unit"]}
        if any(_same_amount(want, c) for c in result["clauses"]):
            tally.add("amounts_found")
        else:
            tally.misses.append(f"{name}: amount {label['amount']} {label['unit']} not found")


def evaluate(entries: list[dict], results: dict[str, dict], index, *, key, name) -> dict:
    """Every figure for one split; ``key``/``name`` give an entry's result key and display name."""
    tally = Tally()
    for entry in entries:
        result, label = results[key(entry)], name(entry)
        _count_verdict(tally, entry, result, label)
        if entry["is_deal"]:
            _count_parties(tally, entry, result, label, index)
            _count_kinds(tally, entry, result, label)
            _count_clauses(tally, entry, result, label, index)
            _count_amounts(tally, entry, result, label)
    return _figures(tally, len(entries))


def _figures(tally: Tally, entries: int) -> dict:
    c = tally.counts
    precision, recall, f1 = _f1(tally.tp, tally.fp, tally.fn)
    party = _f1(c.get("party_tp", 0), c.get("party_fp", 0), c.get("party_fn", 0))
    clause = _f1(c.get("clause_tp", 0), c.get("clause_fp", 0), c.get("clause_fn", 0))
    return {
        "entries": entries,
        "deals": tally.tp + tally.fn,
        "is_deal_precision": round(precision, 3),
        "is_deal_recall": round(recall, 3),
        "is_deal_f1": round(f1, 3),
        "kind_accuracy": tally.ratio("kind_right", "deals"),
        "parties_exact": tally.ratio("parties_exact", "deals"),
        "party_f1": round(party[2], 3),
        "clause_kind_precision": round(clause[0], 3),
        "clause_kind_recall": round(clause[1], 3),
        "clause_kind_f1": round(clause[2], 3),
        "direction_accuracy": tally.ratio("direction_right", "direction_total"),
        "direction_scored": c.get("direction_total", 0),
        "basis_accuracy": tally.ratio("basis_right", "basis_total"),
        "basis_scored": c.get("basis_total", 0),
        "tranche_accuracy": tally.ratio("tranche_right", "tranche_total"),
        "tranche_scored": c.get("tranche_total", 0),
        "amount_accuracy": tally.ratio("amounts_found", "amounts_total"),
        "amounts_labelled": c.get("amounts_total", 0),
        "clauses_on_non_deals": c.get("clauses_on_non_deals", 0),
        "non_deals": c.get("non_deals", 0),
        "misses": tally.misses,
    }
