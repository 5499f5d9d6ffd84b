"""Fitting the deal classifier with scikit-learn and writing its plain JSON artefact.

Used by ``manage.py train_deal_classifier`` only: the extractor reads the artefact with
``extraction.classifier`` (pure Python), so scikit-learn is needed to train, never to run.

The model is a logistic regression (balanced class weights) over the tf-idf of word
n-grams (``extraction.classifier.ngrams``: words and word pairs, sublinear term frequency,
terms seen in at least two texts) and the rules' cues (``rule_features``, standardised).
Its threshold is chosen on out-of-fold probabilities (stratified k-fold over the training
rows): the highest threshold whose recall is at least the target, reported with the
precision at that recall; the regularisation strength is the one most precise there. The
final model is then fitted on every row.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from extraction.classifier import FORMAT, FORMAT_VERSION, from_json, ngrams
from extraction.classify import RULE_FEATURES
from extraction.core import ClassifierInput
from partnerships.training import TrainingRow

C_VALUES = (0.5, 2.0, 8.0)


class TrainingError(ValueError):
    """The rows cannot train a classifier (too few, one class only)."""


@dataclass(frozen=True)
class Fitted:
    artefact: dict
    metrics: dict


def training_set_hash(rows: list[TrainingRow]) -> str:
    """The same rows give the same hash, whatever their order."""
    keys = sorted(
        hashlib.sha256(json.dumps([r.raw, r.title, r.source, r.is_deal]).encode("utf-8")).hexdigest()
        for r in rows
    )
    return hashlib.sha256("\n".join(keys).encode("ascii")).hexdigest()


def _matrices(inputs: list[ClassifierInput], fit_on: list[int] | None = None):
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    fit_on = list(range(len(inputs))) if fit_on is None else fit_on
    vectorizer = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True, min_df=2, norm="l2", lowercase=False)
    vectorizer.fit([inputs[i].text for i in fit_on])
    rules = np.array([[i.rules[name] for name in RULE_FEATURES] for i in inputs], dtype=float)
    means = rules[fit_on].mean(axis=0)
    scales = rules[fit_on].std(axis=0)
    scales[scales == 0] = 1.0
    words = vectorizer.transform([i.text for i in inputs])
    return hstack([words, csr_matrix((rules - means) / scales)]).tocsr(), vectorizer, means, scales


def _model(c: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=seed)


def _out_of_fold(inputs, labels, *, c: float, folds: int, seed: int):
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    probabilities = np.zeros(len(inputs))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, held in splitter.split(np.zeros(len(labels)), labels):
        matrix, _, _, _ = _matrices(inputs, list(train))
        model = _model(c, seed).fit(matrix[train], labels[train])
        probabilities[held] = model.predict_proba(matrix[held])[:, 1]
    return probabilities


def choose_threshold(probabilities, labels, *, target_recall: float) -> dict:
    """The highest threshold whose recall is at least ``target_recall``, with precision and F1 there."""
    positives = int(sum(labels))
    best = None
    for threshold in sorted({float(p) for p in probabilities}, reverse=True):
        predicted = [p >= threshold for p in probabilities]
        tp = sum(1 for p, y in zip(predicted, labels, strict=True) if p and y)
        if positives and tp / positives >= target_recall:
            fp = sum(1 for p, y in zip(predicted, labels, strict=True) if p and not y)
            precision, recall = tp / (tp + fp), tp / positives
            best = {
                "threshold": threshold,
                "recall": round(recall, 4),
                "precision": round(precision, 4),
                "f1": round(2 * precision * recall / (precision + recall), 4),
            }
            break
    if best is None:
        raise TrainingError("no threshold reaches the target recall")
    return best


def _average_precision(probabilities, labels) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(labels, probabilities))


def _choose_c(scored: dict, labels, *, target_recall: float) -> tuple[float, dict]:
    """The model is used at one operating point (the target recall), so C is the one most precise
    there; average precision, over every threshold, only breaks ties."""
    points = {
        c: choose_threshold(list(scored[c]), list(labels), target_recall=target_recall) for c in C_VALUES
    }
    c = max(
        C_VALUES, key=lambda value: (points[value]["precision"], _average_precision(scored[value], labels))
    )
    return c, points[c]


def fit(
    rows: list[TrainingRow],
    inputs: list[ClassifierInput],
    *,
    target_recall: float = 0.95,
    folds: int = 5,
    seed: int = 0,
    today: datetime.date | None = None,
) -> Fitted:
    """Choose C and the threshold on out-of-fold scores, fit on every row, return the artefact."""
    import numpy as np
    import sklearn

    labels = np.array([1 if r.is_deal else 0 for r in rows])
    if len(rows) < 2 * folds or labels.sum() < folds or (len(labels) - labels.sum()) < folds:
        raise TrainingError(
            f"{len(rows)} rows ({int(labels.sum())} deals) are too few for {folds}-fold training"
        )
    scored = {c: _out_of_fold(inputs, labels, c=c, folds=folds, seed=seed) for c in C_VALUES}
    c, chosen = _choose_c(scored, labels, target_recall=target_recall)
    matrix, vectorizer, means, scales = _matrices(inputs)
    model = _model(c, seed).fit(matrix, labels)
    terms = len(vectorizer.vocabulary_)
    digest = training_set_hash(rows)
    day = (today or datetime.date.today()).isoformat()
    metrics = {
        "out_of_fold": {**chosen, "target_recall": target_recall, "folds": folds},
        "average_precision": round(_average_precision(scored[c], labels), 4),
        "C": c,
        "rows": len(rows),
        "deals": int(labels.sum()),
        "by_origin": _origins(rows),
    }
    artefact = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": f"{day}.{digest[:10]}",
        "trained_on": day,
        "training_set_sha256": digest,
        "trainer": f"scikit-learn {sklearn.__version__} LogisticRegression(C={c}, class_weight=balanced)",
        "threshold": chosen["threshold"],
        "bias": float(model.intercept_[0]),
        "terms": [str(t) for t in vectorizer.get_feature_names_out()],
        "idf": [float(v) for v in vectorizer.idf_],
        "weights": [float(v) for v in model.coef_[0][:terms]],
        "rule_features": list(RULE_FEATURES),
        "rule_means": [float(v) for v in means],
        "rule_scales": [float(v) for v in scales],
        "rule_weights": [float(v) for v in model.coef_[0][terms:]],
        "metrics": metrics,
    }
    _check_pure_scores(artefact, model, matrix, inputs)
    return Fitted(artefact=artefact, metrics=metrics)


def _origins(rows: list[TrainingRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.origin] = counts.get(row.origin, 0) + 1
    return dict(sorted(counts.items()))


def _check_pure_scores(artefact: dict, model, matrix, inputs: list[ClassifierInput]) -> None:
    """The pure-Python reading of the artefact must give scikit-learn's probabilities."""
    classifier = from_json(artefact)
    expected = model.predict_proba(matrix)[:, 1]
    for item, want in zip(inputs, expected, strict=True):
        got = classifier.probability(item.text, item.rules)
        if abs(got - float(want)) > 1e-6:
            raise TrainingError(f"pure scoring disagrees with scikit-learn: {got} vs {want}")
