"""``manage.py train_deal_classifier``: fit the deal classifier on labels and curators' decisions.

Rows come from two places: the labelled set in ``bench/labels`` (the ``dev`` split by
default, texts read from the captured pages that ``PACTWATCH_REALDATA`` or ``--realdata``
names; skipped with a warning when they are absent) and every announcement behind a deal a
curator published, merged or rejected (``partnerships.training``). The artefact is written
as JSON to ``--output`` (by default ``EXTRACTION_CLASSIFIER_PATH``); the extractor loads it
the next time a worker starts. See docs/extraction.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from extraction.classifier import DEFAULT_ARTEFACT
from extraction.core import classifier_input
from extraction.lexicon import SEED_COMPANIES
from extraction.parties import company_index
from partnerships.services.candidates import known_companies
from partnerships.training import TrainingRow, curated_training_rows


def label_rows(realdata: Path, splits: tuple[str, ...]) -> list[TrainingRow]:
    """The labelled entries of ``splits`` as training rows, their texts read through their locators."""
    from bench.label_texts import Captures, load_labels

    captures = Captures(realdata)
    rows = []
    for entry in load_labels():
        if entry["eval_split"] not in splits:
            continue
        text = captures.text(entry)
        rows.append(
            TrainingRow(
                raw=text.raw, is_deal=bool(entry["is_deal"]), origin="labels", publisher=text.publisher
            )
        )
    return rows


class Command(BaseCommand):
    help = "Train the deal classifier on the labelled set and curators' decisions; write its JSON artefact."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Artefact path (default: EXTRACTION_CLASSIFIER_PATH).")
        parser.add_argument("--realdata", help="Folder of captured pages the labels point into.")
        parser.add_argument(
            "--splits", nargs="+", default=["dev"], help="Label splits to train on (default dev)."
        )
        parser.add_argument("--no-labels", action="store_true", help="Train on curators' decisions only.")
        parser.add_argument("--no-curators", action="store_true", help="Train on the labels only.")
        parser.add_argument("--target-recall", type=float, default=0.95)
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        try:
            from partnerships.classifier_training import TrainingError, fit
        except ImportError as error:
            raise CommandError(
                f"training needs scikit-learn ({error}); install it with pip install -e '.[train]'"
            ) from error
        if not 0 < options["target_recall"] <= 1:
            raise CommandError("--target-recall must be in (0, 1]")
        rows = self._rows(options)
        companies = _companies()
        index = company_index(companies)
        inputs = [
            classifier_input(
                row.raw,
                companies=companies,
                title=row.title,
                source=row.source,
                publisher=index.resolve(row.publisher) if row.publisher else None,
            )
            for row in rows
        ]
        try:
            fitted = fit(
                rows,
                inputs,
                target_recall=options["target_recall"],
                folds=options["folds"],
                seed=options["seed"],
            )
        except TrainingError as error:
            raise CommandError(str(error)) from error
        output = Path(options["output"] or settings.EXTRACTION_CLASSIFIER_PATH or DEFAULT_ARTEFACT)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(fitted.artefact, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )
        oof = fitted.metrics["out_of_fold"]
        self.stdout.write(
            f"Trained deal classifier {fitted.artefact['version']} on {fitted.metrics['rows']} rows "
            f"({fitted.metrics['deals']} deals; {fitted.metrics['by_origin']}): threshold {oof['threshold']:.4f}, "
            f"out-of-fold recall {oof['recall']}, precision {oof['precision']}; wrote {output}."
        )

    def _rows(self, options) -> list[TrainingRow]:
        rows: list[TrainingRow] = []
        if not options["no_labels"]:
            realdata = Path(options["realdata"]) if options["realdata"] else _default_realdata()
            if realdata.is_dir():
                rows.extend(label_rows(realdata, tuple(options["splits"])))
            else:
                self.stderr.write(
                    f"Captured pages not found at {realdata}: training without the labelled set."
                )
        if not options["no_curators"]:
            rows.extend(curated_training_rows())
        return rows


def _companies():
    """Database companies and their aliases, then the seed list; the seed list alone without a database."""
    try:
        return known_companies()
    except DatabaseError:
        return SEED_COMPANIES


def _default_realdata() -> Path:
    from bench.extraction_eval import realdata_dir

    return realdata_dir()
