"""The learned deal classifier: logistic regression over word n-grams and the rules' cues, pure Python.

``manage.py train_deal_classifier`` fits the model with scikit-learn and writes a plain JSON
artefact; this module reads that artefact and scores texts with no scikit-learn, no numpy
and no pickle, so the extractor stays a pure package. The score is exactly the fitted
model's: ``sigmoid(bias + w · tfidf(ngrams(text)) + v · standardised(rule cues))``, where
``tfidf`` is scikit-learn's (sublinear term frequency times idf, then unit length) over the
terms the artefact lists, and the rule cues are ``extraction.classify.rule_features``.

The artefact says which ``version`` it is (a date and the hash of its training set), how it
was trained and how well it did, and the ``threshold`` at which a text counts as a deal:
the highest whose recall on held-out folds of its training labels is at least the target
(a missed deal costs more than a candidate a curator rejects).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "pactwatch-deal-classifier"
FORMAT_VERSION = 1
DEFAULT_ARTEFACT = Path(__file__).resolve().parent / "data" / "deal_classifier.json"
MAX_CHARS = 1_500
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[$€£]")
_DIGITS = re.compile(r"\d")


class ArtefactError(ValueError):
    """The file is not a deal-classifier artefact this code can read."""


def classifier_text(title: str, lead: list[str], prose: list[str]) -> str:
    """What the words are read from: the headline (twice, it weighs most), the lead, then the prose."""
    parts = [title, title, *lead]
    size = sum(len(p) for p in parts)
    for sentence in prose:
        if size >= MAX_CHARS:
            break
        if sentence not in lead:
            parts.append(sentence)
            size += len(sentence)
    return " ".join(parts)[: MAX_CHARS + 2 * len(title)]


def ngrams(text: str) -> list[str]:
    """Lower-cased words (digits folded to 0) and word pairs: the classifier's terms."""
    words = [_DIGITS.sub("0", w) for w in _TOKEN.findall(text.lower())]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class DealClassifier:
    version: str
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    weights: tuple[float, ...]
    rule_names: tuple[str, ...]
    rule_means: tuple[float, ...]
    rule_scales: tuple[float, ...]
    rule_weights: tuple[float, ...]
    bias: float
    threshold: float
    metrics: dict = field(default_factory=dict, compare=False)

    def _words(self, text: str) -> float:
        counts = Counter(t for t in ngrams(text) if t in self.vocabulary)
        values = {
            self.vocabulary[t]: (1.0 + math.log(n)) * self.idf[self.vocabulary[t]] for t, n in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in values.values()))
        if not norm:
            return 0.0
        return sum(self.weights[i] * v for i, v in values.items()) / norm

    def _rules(self, rules: dict[str, float]) -> float:
        total = 0.0
        for name, mean, scale, weight in zip(
            self.rule_names, self.rule_means, self.rule_scales, self.rule_weights, strict=True
        ):
            total += weight * (float(rules.get(name, 0.0)) - mean) / scale
        return total

    def probability(self, text: str, rules: dict[str, float]) -> float:
        """How likely the text announces a deal, from its words and the rules' cues."""
        z = self.bias + self._words(text) + self._rules(rules)
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _floats(data: dict, key: str, length: int | None = None) -> tuple[float, ...]:
    values = data.get(key)
    if not isinstance(values, list) or (length is not None and len(values) != length):
        raise ArtefactError(f"artefact field {key!r} is not a list of {length or 'some'} numbers")
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError) as error:
        raise ArtefactError(f"artefact field {key!r} holds a non-number") from error
    if not all(math.isfinite(v) for v in out):
        raise ArtefactError(f"artefact field {key!r} holds a non-finite number")
    return out


def _vocabulary(data: dict) -> dict[str, int]:
    terms = data.get("terms")
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise ArtefactError("artefact field 'terms' is not a list of strings")
    return {term: i for i, term in enumerate(terms)}


def from_json(data: dict) -> DealClassifier:
    """A classifier from its artefact's JSON object; ``ArtefactError`` says what is wrong."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArtefactError(f"not a {FORMAT} artefact")
    if data.get("format_version") != FORMAT_VERSION:
        raise ArtefactError(
            f"artefact format version {data.get('format_version')!r}, expected {FORMAT_VERSION}"
        )
    vocabulary = _vocabulary(data)
    rule_names = data.get("rule_features")
    if not isinstance(rule_names, list) or not all(isinstance(n, str) for n in rule_names):
        raise ArtefactError("artefact field 'rule_features' is not a list of names")
    count = len(rule_names)
    scales = _floats(data, "rule_scales", count)
    if any(s <= 0 for s in scales):
        raise ArtefactError("artefact field 'rule_scales' must be positive")
    threshold, bias = _floats({"t": [data.get("threshold"), data.get("bias")]}, "t", 2)
    if not 0.0 < threshold < 1.0:
        raise ArtefactError("artefact threshold must lie between 0 and 1")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise ArtefactError("artefact has no version")
    return DealClassifier(
        version=version,
        vocabulary=vocabulary,
        idf=_floats(data, "idf", len(vocabulary)),
        weights=_floats(data, "weights", len(vocabulary)),
        rule_names=tuple(rule_names),
        rule_means=_floats(data, "rule_means", count),
        rule_scales=scales,
        rule_weights=_floats(data, "rule_weights", count),
        bias=bias,
        threshold=threshold,
        metrics=data.get("metrics") if isinstance(data.get("metrics"), dict) else {},
    )


def load_classifier(path: str | Path) -> DealClassifier:
    """Read an artefact file; ``ArtefactError`` when it is unreadable or not an artefact."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ArtefactError(f"cannot read the deal-classifier artefact {path}: {error}") from error
    return from_json(data)
