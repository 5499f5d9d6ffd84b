"""The learned deal classifier: a versioned JSON artefact read in pure Python, rules alone without it."""

import json
import math

import pytest

from extraction.classifier import (
    DEFAULT_ARTEFACT,
    FORMAT,
    FORMAT_VERSION,
    ArtefactError,
    from_json,
    load_classifier,
    ngrams,
)
from extraction.classify import RULE_FEATURES
from extraction.core import classifier_input, extract_text

DEAL = (
    "TITLE: Globex and Initech announce a strategic partnership\n\nGlobex will invest $2 billion in Initech."
)
NOT_A_DEAL = "TITLE: Introducing Globex Nine\n\nOur newest model is available today to all users."


def _artefact(**changes) -> dict:
    """A tiny hand-made artefact: the word "partnership" pushes towards a deal, nothing else counts."""
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": "2026-01-01.test",
        "trained_on": "2026-01-01",
        "training_set_sha256": "0" * 64,
        "threshold": 0.5,
        "bias": -1.0,
        "terms": ["partnership", "model"],
        "idf": [2.0, 1.0],
        "weights": [4.0, -1.0],
        "rule_features": list(RULE_FEATURES),
        "rule_means": [0.0] * len(RULE_FEATURES),
        "rule_scales": [1.0] * len(RULE_FEATURES),
        "rule_weights": [0.0] * len(RULE_FEATURES),
        "metrics": {},
    }
    data.update(changes)
    return data


def test_the_shipped_artefact_is_versioned_with_its_training_set_hash_date_and_threshold():
    data = json.loads(DEFAULT_ARTEFACT.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and data["format_version"] == FORMAT_VERSION
    assert (
        data["version"].startswith(data["trained_on"]) and data["training_set_sha256"][:10] in data["version"]
    )
    assert len(data["training_set_sha256"]) == 64
    assert 0 < data["threshold"] < 1
    assert data["metrics"]["out_of_fold"]["recall"] >= data["metrics"]["out_of_fold"]["target_recall"]
    classifier = load_classifier(DEFAULT_ARTEFACT)
    assert classifier.version == data["version"] and classifier.rule_names == RULE_FEATURES


def test_its_probability_is_the_logistic_of_tfidf_weights_and_bias():
    classifier = from_json(_artefact())
    text = "partnership partnership model"
    # Sublinear tf times idf, unit length, dot the weights: (1+ln 2)*2 and 1*1.
    a, b = (1 + math.log(2)) * 2.0, 1.0
    norm = math.hypot(a, b)
    z = -1.0 + (4.0 * a - 1.0 * b) / norm
    rules = dict.fromkeys(RULE_FEATURES, 0.0)
    assert classifier.probability(text, rules) == pytest.approx(1 / (1 + math.exp(-z)))
    assert classifier.probability("nothing known here", rules) == pytest.approx(1 / (1 + math.e))


def test_with_a_classifier_the_learned_score_decides_and_without_one_the_rules_do():
    eager = from_json(_artefact(bias=5.0, weights=[0.0, 0.0]))
    reluctant = from_json(_artefact(bias=-5.0, weights=[0.0, 0.0]))
    assert extract_text(NOT_A_DEAL, classifier=eager).is_deal is False  # no party named: never a deal
    assert extract_text(DEAL, classifier=eager).is_deal is True
    reluctant_result = extract_text(DEAL, classifier=reluctant)
    assert reluctant_result.is_deal is False and reluctant_result.clauses == []
    assert extract_text(DEAL).is_deal is True  # rules only


def test_the_classifier_reads_the_same_words_and_cues_training_does():
    item = classifier_input(DEAL)
    assert set(item.rules) == set(RULE_FEATURES)
    assert "strategic partnership" in ngrams(item.text) and "$" in ngrams(item.text)


@pytest.mark.parametrize(
    "changes",
    [
        {"format": "something-else"},
        {"format_version": 99},
        {"weights": [1.0]},
        {"idf": [1.0, "x"]},
        {"threshold": 1.5},
        {"rule_scales": [0.0] * len(RULE_FEATURES)},
        {"version": ""},
        {"bias": float("nan")},
    ],
)
def test_a_malformed_artefact_is_refused_with_a_clear_error(changes):
    with pytest.raises(ArtefactError):
        from_json(_artefact(**changes))


def test_an_unreadable_file_is_an_artefact_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtefactError):
        load_classifier(path)
    with pytest.raises(ArtefactError):
        load_classifier(tmp_path / "absent.json")
