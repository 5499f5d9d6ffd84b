"""The labelled evaluation set in bench/labels: its shape, its vocabulary, its splits, and locators
that each point at exactly one item of the captured pages (read at run time, never stored here)."""

import hashlib
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 (our own stored copies of public feeds)
from pathlib import Path

import pytest

from partnerships.models import Clause, Deal

LABELS = Path(__file__).resolve().parents[2] / "bench" / "labels"
FRESH_HOLDOUT = "v2/holdout_fresh.json"
SITE_LISTING = "listings/Version1_ai-landscape-tracker__site_data_entries.json"

# Kinds the labels use ahead of the model: the regulators' vocabulary and acqui-hires.
NEW_CLAUSE_KINDS = {
    "convertible_note",
    "non_voting",
    "consultation_rights",
    "board_observer",
    "cloud_spend_back",
    "discounted_compute",
    "chip_codesign",
    "product_integration",
    "talent",
    "model_release_parity",
}
# How a new clause kind reads in the older, coarser vocabulary of `clause_kinds`.
COARSE_KIND = {
    "convertible_note": "investment",
    "non_voting": "equity_stake",
    "board_observer": "board_rights",
    "cloud_spend_back": "compute_commitment",
    "discounted_compute": "compute_commitment",
    "chip_codesign": "research_collaboration",
    "product_integration": "model_distribution",
}
CLAUSE_KINDS = {kind.value for kind in Clause.Kind} | NEW_CLAUSE_KINDS
DEAL_KINDS = {kind.value for kind in Deal.Kind} | {"acquihire"}
UNITS = {unit.value for unit in Clause.Unit}
SPLITS = {"dev", "test", "holdout"}
FIELDS = {
    "path",
    "source",
    "locator",
    "is_deal",
    "kind",
    "parties",
    "clause_kinds",
    "amounts",
    "clauses",
    "group",
    "split",
    "fact_sheet_id",
    "note",
}
CLAUSE_FIELDS = {"kind", "grantor", "beneficiary", "amount", "unit", "basis", "part_of", "mutual"}
LOCATOR_KEYS = ({"id"}, {"link"}, {"href"}, {"start", "end"})


def _load() -> list[tuple[str, dict]]:
    files = sorted(LABELS.glob("*.json")) + sorted((LABELS / "v2").glob("*.json"))
    return [
        (path.relative_to(LABELS).as_posix(), entry)
        for path in files
        for entry in json.loads(path.read_text(encoding="utf-8"))
    ]


ENTRIES = _load()


def _name(file: str, entry: dict) -> str:
    return f"{file}: {entry.get('source')} {entry.get('locator')}"


def _canonical_parties(entry: dict) -> set[str]:
    return {party.split("|")[0] for party in entry.get("parties") or []}


def _hash_split(group: str) -> str:
    return "dev" if int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) % 100 < 60 else "test"


def _entry_problems(entry: dict) -> list[str]:
    problems = [f"unknown field {key}" for key in set(entry) - FIELDS]
    for key in ("source", "locator", "is_deal", "clauses", "group", "split"):
        if key not in entry:
            problems.append(f"missing {key}")
    if entry.get("split") not in SPLITS:
        problems.append(f"split {entry.get('split')}")
    locator = entry.get("locator")
    if locator is not None and set(locator) not in LOCATOR_KEYS:
        problems.append(f"locator keys {sorted(locator)}")
    if entry.get("is_deal"):
        if entry.get("kind") not in DEAL_KINDS:
            problems.append(f"deal kind {entry.get('kind')}")
        parties = entry.get("parties") or []
        if not parties or any(not alt.strip() for party in parties for alt in party.split("|")):
            problems.append(f"parties {parties}")
        if len(_canonical_parties(entry)) != len(parties):
            problems.append("a party is listed twice")
    for label in entry.get("amounts") or []:
        if label.get("unit") not in UNITS or not isinstance(label.get("amount"), (int, float)):
            problems.append(f"amount {label}")
    return problems


def _one_clause_problems(clause: dict, number: int, sides: set[str], count: int) -> list[str]:
    if set(clause) - {"effect"} != CLAUSE_FIELDS:
        return [f"fields {sorted(clause)}"]
    problems = []
    if clause["kind"] not in CLAUSE_KINDS:
        problems.append(f"kind {clause['kind']}")
    if clause["unit"] not in UNITS | {None} or (clause["amount"] is None) != (clause["unit"] is None):
        problems.append(f"amount {clause['amount']} {clause['unit']}")
    if clause["basis"] not in {"total", "incremental", None}:
        problems.append(f"basis {clause['basis']}")
    if clause.get("effect", "granted") not in {"granted", "removed"}:
        problems.append(f"effect {clause['effect']}")
    if not isinstance(clause["mutual"], bool):
        problems.append(f"mutual {clause['mutual']}")
    named = [side for side in (clause["grantor"], clause["beneficiary"]) if side is not None]
    if not named or any(side not in sides for side in named):
        problems.append(f"sides {clause['grantor']} -> {clause['beneficiary']} not among {sorted(sides)}")
    part_of = clause["part_of"]
    if part_of is not None and (
        not isinstance(part_of, int) or not 0 <= part_of < count or part_of == number
    ):
        problems.append(f"part_of {part_of}")
    return problems


def _clause_problems(entry: dict) -> list[str]:
    clauses = entry.get("clauses") or []
    sides = _canonical_parties(entry)
    return [
        f"clause {number} {problem}"
        for number, clause in enumerate(clauses)
        for problem in _one_clause_problems(clause, number, sides, len(clauses))
    ]


def test_the_labelled_set_has_at_least_400_entries_in_three_splits_with_deals_and_non_deals():
    assert len(ENTRIES) >= 400
    for split in SPLITS:
        entries = [entry for _, entry in ENTRIES if entry["split"] == split]
        assert sum(entry["is_deal"] for entry in entries) >= 30, split
        assert sum(not entry["is_deal"] for entry in entries) >= 30, split


def test_every_entry_has_the_required_fields_and_known_kinds_units_and_splits():
    problems = [f"{_name(file, entry)}: {p}" for file, entry in ENTRIES for p in _entry_problems(entry)]
    assert problems == []


def test_every_clause_names_its_sides_among_the_parties_and_points_part_of_inside_its_list():
    problems = [f"{_name(file, entry)}: {p}" for file, entry in ENTRIES for p in _clause_problems(entry)]
    assert problems == []


def test_non_deals_have_no_clauses_no_kind_and_no_parties():
    offenders = [
        _name(file, entry)
        for file, entry in ENTRIES
        if not entry["is_deal"] and (entry["clauses"] or entry.get("kind") or entry.get("parties"))
    ]
    assert offenders == []


def test_every_labelled_amount_is_the_amount_of_one_of_its_clauses():
    def found(label: dict, clauses: list[dict]) -> bool:
        want = float(label["amount"])
        return any(
            c["unit"] == label["unit"] and abs(float(c["amount"]) - want) <= abs(want) * 0.01
            for c in clauses
            if c["amount"] is not None
        )

    missing = [
        f"{_name(file, entry)}: {label}"
        for file, entry in ENTRIES
        for label in entry.get("amounts") or []
        if not found(label, entry["clauses"])
    ]
    assert missing == []


def test_clause_kinds_agree_with_the_clauses():
    """New entries list exactly their clauses' kinds; the older entries' coarse kinds must be covered."""
    disagreeing = []
    for file, entry in ENTRIES:
        if "clause_kinds" not in entry:
            continue
        kinds = {clause["kind"] for clause in entry["clauses"]}
        if file.startswith("v2/"):
            ok = entry["clause_kinds"] == sorted(kinds)
        else:
            covered = kinds | {COARSE_KIND.get(kind, kind) for kind in kinds}
            ok = set(entry["clause_kinds"]) - {"other"} <= covered
        if not ok:
            disagreeing.append(f"{_name(file, entry)}: {entry['clause_kinds']} vs {sorted(kinds)}")
    assert disagreeing == []


def test_a_group_never_straddles_two_splits():
    splits: dict[str, set[str]] = {}
    for _, entry in ENTRIES:
        splits.setdefault(entry["group"], set()).add(entry["split"])
    assert {group: s for group, s in splits.items() if len(s) > 1} == {}


def test_new_entries_take_their_group_s_split_else_the_fresh_holdout_or_the_group_hash():
    earlier = {entry["group"]: entry["split"] for file, entry in ENTRIES if not file.startswith("v2/")}
    wrong = []
    for file, entry in ENTRIES:
        if not file.startswith("v2/"):
            continue
        if entry["group"] in earlier:
            expected = earlier[entry["group"]]
        elif file == FRESH_HOLDOUT:
            expected = "holdout"
        else:
            expected = _hash_split(entry["group"])
        if entry["split"] != expected:
            wrong.append(f"{_name(file, entry)}: {entry['split']} instead of {expected}")
    assert wrong == []


def test_one_source_and_locator_names_one_entry():
    seen: dict[str, str] = {}
    twice = []
    for file, entry in ENTRIES:
        key = json.dumps([entry["source"], entry["locator"]], sort_keys=True)
        if key in seen:
            twice.append(f"{_name(file, entry)} also in {seen[key]}")
        seen[key] = file
    assert twice == []


class _Captures:
    """Reads each captured file once and counts the items a locator picks out."""

    def __init__(self, root: Path):
        self.root = root
        self.texts: dict[str, str] = {}

    def text(self, source: str) -> str:
        if source not in self.texts:
            self.texts[source] = (self.root / source).read_text(encoding="utf-8")
        return self.texts[source]

    def matches(self, source: str, locator: dict | None) -> int:
        if locator is None:
            return 1
        if "id" in locator:
            entries = json.loads(self.text(source))["entries"]
            return sum(item["id"] == locator["id"] for item in entries)
        if "link" in locator:
            root = ET.fromstring(self.text(source).encode("utf-8"))  # noqa: S314
            return sum((item.findtext("link") or "").strip() == locator["link"] for item in root.iter("item"))
        if "href" in locator:
            return self.text(source).count(f'href="{locator["href"]}"')
        return self._span_matches(source, locator["start"], locator["end"])

    def _span_matches(self, source: str, start: int, end: int) -> int:
        text = self.text(source)
        if not 0 <= start < end <= len(text):
            return 0
        if source.endswith((".html", ".htm")):
            return int(text[start] == "<" and text[end - 1] == ">")
        return int(start == 0 or text[start - 1] == "\n")


@pytest.fixture(scope="module")
def captures(realdata):
    return _Captures(realdata)


def test_every_source_exists_and_every_locator_picks_exactly_one_item(captures):
    missing = [_name(f, e) for f, e in ENTRIES if not (captures.root / e["source"]).is_file()]
    assert missing == []
    ambiguous = [
        f"{_name(f, e)}: {n} matches"
        for f, e in ENTRIES
        if (n := captures.matches(e["source"], e["locator"])) != 1
    ]
    assert ambiguous == []


def test_the_older_path_and_the_new_locator_name_the_same_item(captures):
    disagreeing = []
    for file, entry in ENTRIES:
        path = entry.get("path")
        if path is None:
            continue
        if path.startswith("feed:"):
            same = entry["source"] == SITE_LISTING and entry["locator"] == {"id": path.removeprefix("feed:")}
        elif path.startswith("rss:"):
            feed, _, title = path.removeprefix("rss:").partition("|")
            root = ET.fromstring(captures.text("feeds/" + feed).encode("utf-8"))  # noqa: S314
            links = [
                i.findtext("link").strip() for i in root.iter("item") if i.findtext("title").strip() == title
            ]
            same = entry["source"] == "feeds/" + feed and [entry["locator"]["link"]] == links
        else:
            same = entry["source"] == path and entry["locator"] is None
        if not same:
            disagreeing.append(_name(file, entry))
    assert disagreeing == []


def test_notes_copy_no_run_of_six_words_from_the_captured_page(captures):
    """Notes are our own words; only the older `path` field of the feed-title labels carries titles."""
    copied = []
    for file, entry in ENTRIES:
        words = re.findall(r"[a-z0-9']+", (entry.get("note") or "").lower())
        if len(words) < 6:
            continue
        text = " ".join(re.findall(r"[a-z0-9']+", captures.text(entry["source"]).lower()))
        runs = {" ".join(words[i : i + 6]) for i in range(len(words) - 5)}
        copied.extend(f"{_name(file, entry)}: {run}" for run in runs if f" {run} " in f" {text} ")
    assert copied == []
