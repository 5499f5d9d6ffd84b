"""How well the extractor reads real announcements, against labels we wrote ourselves.

Labels live in ``bench/labels`` (facts only; see its README). Each entry names its text by
``source`` + ``locator`` and ``bench/label_texts.py`` reads that text at run time from the
captured real pages (``PACTWATCH_REALDATA``, by default a ``shared/realdata`` folder beside
the checkout); nothing from them is stored here. Results are keyed by (source, locator).

Figures are reported per split: ``dev`` (tuned on), ``test`` (held out, looked at
sparingly), the two parts of the holdout (``holdout-feeds``: vendor feeds labelled after
tuning; ``holdout-fresh``: sources no rule was tuned on), and ``held-out``, the three
held-out columns together, which the goals (``TARGETS``) apply to. The extractor runs as
configured by default: rules plus the shipped deal classifier when its artefact is present.

    python -m bench.extraction_eval [--split dev|test|holdout-feeds|holdout-fresh|all]
                                    [--no-classifier] [--misses SPLIT ...]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.extraction_metrics import evaluate, result_of  # noqa: E402
from bench.label_texts import Captures, LabelText, entry_key, entry_name, load_labels  # noqa: E402

TARGETS = {
    "is_deal_f1": 0.92,
    "parties_exact": 0.9,
    "clause_kind_f1": 0.85,
    "direction_accuracy": 0.9,
    "amount_accuracy": 0.9,
    "kind_accuracy": 0.8,
}
SPLITS = ("dev", "test", "holdout-feeds", "holdout-fresh")
HELD_OUT = "held-out"
HELD_OUT_SPLITS = ("test", "holdout-feeds", "holdout-fresh")
THROUGHPUT_SECONDS = 3.0  # bounded: at most this long (and 20 passes) timing the extractor
THROUGHPUT_PASSES = 20


def realdata_dir() -> Path:
    default = ROOT.parent / "shared" / "realdata"
    return Path(os.environ.get("PACTWATCH_REALDATA", default)) if not default.is_dir() else default


def default_classifier():
    """The shipped deal classifier, or None (rules only) when its artefact is absent."""
    try:
        from extraction.classifier import DEFAULT_ARTEFACT, load_classifier
    except ImportError:  # an extractor from before the classifier
        return None
    return load_classifier(DEFAULT_ARTEFACT) if DEFAULT_ARTEFACT.is_file() else None


def read_texts(entries: list[dict], realdata: Path) -> dict[str, LabelText]:
    captures = Captures(realdata)
    return {entry_key(entry): captures.text(entry) for entry in entries}


def _extractor(classifier):
    from extraction.core import extract_text
    from extraction.lexicon import SEED_COMPANIES
    from extraction.parties import company_index

    index = company_index(SEED_COMPANIES)
    kwargs = {"classifier": classifier} if classifier is not None else {}

    def run(text: LabelText):
        publisher = index.resolve(text.publisher) if text.publisher else None
        return extract_text(text.raw, companies=SEED_COMPANIES, publisher=publisher, **kwargs)

    return run, index


def extract_all(texts: dict[str, LabelText], classifier) -> dict[str, dict]:
    run, _ = _extractor(classifier)
    return {key: result_of(run(text)) for key, text in texts.items()}


def throughput(texts: list[LabelText], classifier) -> float:
    """Announcements per second on one core: the pure extractor, the classifier on when given."""
    run, _ = _extractor(classifier)
    done = 0
    started = time.perf_counter()
    for _ in range(THROUGHPUT_PASSES):
        for text in texts:
            run(text)
            done += 1
        if time.perf_counter() - started > THROUGHPUT_SECONDS:
            break
    return done / (time.perf_counter() - started)


def _chosen(split: str) -> tuple[str, ...]:
    if split == "all":
        return SPLITS
    return (split,)


def run(split: str = "all", *, use_classifier: bool = True) -> dict:
    from extraction.lexicon import SEED_COMPANIES
    from extraction.parties import company_index

    realdata = realdata_dir()
    if not realdata.is_dir():
        return {"skipped": f"real data not found at {realdata}"}
    chosen = _chosen(split)
    entries = [e for e in load_labels() if e["eval_split"] in chosen]
    texts = read_texts(entries, realdata)
    classifier = default_classifier() if use_classifier else None
    results = extract_all(texts, classifier)
    index = company_index(SEED_COMPANIES)
    report: dict = {"classifier": getattr(classifier, "version", None) or "off (rules only)"}
    for name in chosen:
        report[name] = evaluate(
            [e for e in entries if e["eval_split"] == name], results, index, key=entry_key, name=entry_name
        )
    if split == "all":
        report[HELD_OUT] = evaluate(
            [e for e in entries if e["eval_split"] in HELD_OUT_SPLITS],
            results,
            index,
            key=entry_key,
            name=entry_name,
        )
    report["throughput_per_s"] = round(throughput(list(texts.values()), classifier), 1)
    report["mean_chars"] = round(sum(len(t.raw) for t in texts.values()) / max(1, len(texts)))
    return report


_ROWS = (
    ("entries (deals)", lambda r: f"{r['entries']} ({r['deals']})", None),
    ("is_deal precision", lambda r: r["is_deal_precision"], None),
    ("is_deal recall", lambda r: r["is_deal_recall"], None),
    ("is_deal F1", lambda r: r["is_deal_f1"], "is_deal_f1"),
    ("kind accuracy", lambda r: r["kind_accuracy"], "kind_accuracy"),
    ("parties exact set", lambda r: r["parties_exact"], "parties_exact"),
    ("per-party F1", lambda r: r["party_f1"], None),
    ("clause-kind P / R", lambda r: f"{r['clause_kind_precision']} / {r['clause_kind_recall']}", None),
    ("clause-kind F1", lambda r: r["clause_kind_f1"], "clause_kind_f1"),
    (
        "direction (of matched)",
        lambda r: f"{r['direction_accuracy']} ({r['direction_scored']})",
        "direction_accuracy",
    ),
    ("basis (of matched)", lambda r: f"{r['basis_accuracy']} ({r['basis_scored']})", None),
    ("tranche part_of (of matched)", lambda r: f"{r['tranche_accuracy']} ({r['tranche_scored']})", None),
    ("amounts found", lambda r: f"{r['amount_accuracy']} (of {r['amounts_labelled']})", "amount_accuracy"),
    ("clauses on non-deals", lambda r: f"{r['clauses_on_non_deals']} (of {r['non_deals']})", None),
)


def markdown(report: dict, *, misses_for: tuple[str, ...] = ("dev",)) -> str:
    if "skipped" in report:
        return f"Extraction evaluation skipped: {report['skipped']}"
    columns = [name for name in (*SPLITS, HELD_OUT) if name in report]
    lines = [
        f"Deal classifier: {report['classifier']}.\n",
        "| metric | " + " | ".join(columns) + " | goal (held out) |",
        "|---|" + "---|" * len(columns) + "---|",
    ]
    for label, get, target in _ROWS:
        cells = " | ".join(str(get(report[name])) for name in columns)
        goal = "≥ " + str(TARGETS[target]) if target else ("0" if label.startswith("clauses on") else "")
        lines.append(f"| {label} | {cells} | {goal} |")
    lines.append(
        f"| throughput (announcements/s, one core, classifier on) | {report['throughput_per_s']} |"
        + " |" * (len(columns) - 1)
        + " ≥ 100 |"
    )
    lines.append(f"\nMean input size {report['mean_chars']} characters.")
    for name in misses_for:
        if name in report:
            misses = report[name]["misses"]
            lines.append(f"\n**Misses ({name}, {len(misses)})**\n")
            lines.extend(f"- {miss}" for miss in misses)
    return "\n".join(lines)


def figures(report: dict) -> dict:
    out = {"throughput_per_s": report.get("throughput_per_s"), "classifier": report.get("classifier")}
    for name in (*SPLITS, HELD_OUT):
        for key, value in report.get(name, {}).items():
            if key != "misses":
                out[f"{name.replace('-', '_')}_{key}"] = value
    return out


def main(split: str = "all", *, use_classifier: bool = True, misses_for: tuple[str, ...] = ("dev",)) -> dict:
    report = run(split, use_classifier=use_classifier)
    print(markdown(report, misses_for=misses_for))
    return figures(report)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--no-classifier", action="store_true", help="rules only")
    parser.add_argument("--misses", nargs="*", default=["dev"], help="splits whose misses are listed")
    args = parser.parse_args()
    main(args.split, use_classifier=not args.no_classifier, misses_for=tuple(args.misses))
