"""manage.py train_deal_classifier on a tiny database of curators' decisions, and the rows it learns from."""

import json

import pytest
from django.core.management import CommandError, call_command

from extraction.classifier import load_classifier
from extraction.core import extract_text
from partnerships.models import Deal
from partnerships.training import curated_training_rows
from tests.factories import AnnouncementFactory, DealFactory

pytest.importorskip("sklearn")

DEAL_TEXTS = [
    "Globex and Initech announce a strategic partnership. Globex will invest $2 billion in Initech.",
    "Acme signs a multi-year cloud agreement with Initech worth $3 billion.",
    "Umbrella and Globex announce a partnership to distribute Umbrella's models to Globex customers.",
    "Initech raises $500 million in a Series C funding round led by Acme.",
    "Hooli and Acme sign a licensing agreement for Hooli's news archive.",
    "Globex agrees to acquire Vandelay in a deal to expand its research team.",
]
OTHER_TEXTS = [
    "Introducing Globex Nine, our newest model, available today to all users.",
    "Our quarterly letter on safety research and what we learned this year.",
    "Jane Doe joins Initech as chief financial officer.",
    "How a bakery uses our assistant to answer customer emails.",
    "We are opening a new office in Lisbon next spring.",
    "A research paper on sparse attention, with benchmarks.",
]


def _decided(text: str, status: str, title: str):
    announcement = AnnouncementFactory(text=text, title=title)
    target = DealFactory(status=Deal.Status.PUBLISHED) if status == Deal.Status.MERGED else None
    deal = DealFactory(status=status, merged_into=target)
    deal.sources.add(announcement)
    return announcement


@pytest.fixture
def decisions(db):
    for number, text in enumerate(DEAL_TEXTS):
        status = Deal.Status.MERGED if number == 0 else Deal.Status.PUBLISHED
        _decided(text, status, title=text.split(".")[0])
    for text in OTHER_TEXTS:
        _decided(text, Deal.Status.REJECTED, title=text.split(".")[0])


def test_the_selector_turns_published_merged_and_rejected_deals_into_rows(decisions):
    undecided = AnnouncementFactory(text="A candidate nobody looked at yet.")
    DealFactory(status=Deal.Status.CANDIDATE).sources.add(undecided)
    both = AnnouncementFactory(text="Acme and Initech announce a partnership.")
    DealFactory(status=Deal.Status.REJECTED).sources.add(both)
    DealFactory(status=Deal.Status.PUBLISHED).sources.add(both)
    rows = curated_training_rows()
    by_text = {row.raw: row.is_deal for row in rows}
    assert len(rows) == len(DEAL_TEXTS) + len(OTHER_TEXTS) + 1
    assert all(by_text[text] for text in DEAL_TEXTS) and not any(by_text[text] for text in OTHER_TEXTS)
    assert by_text["Acme and Initech announce a partnership."] is True  # a real deal read wrongly once
    assert "A candidate nobody looked at yet." not in by_text


def test_it_trains_on_curators_decisions_and_writes_a_versioned_artefact(decisions, tmp_path):
    output = tmp_path / "classifier.json"
    call_command("train_deal_classifier", "--no-labels", "--folds", "2", "--output", str(output))
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["metrics"]["rows"] == 12 and data["metrics"]["deals"] == 6
    assert data["metrics"]["by_origin"] == {"curators:deal": 6, "curators:rejected": 6}
    assert data["training_set_sha256"][:10] in data["version"] and data["trained_on"] in data["version"]
    classifier = load_classifier(output)
    assert classifier.threshold == data["threshold"]
    deal = extract_text(
        "TITLE: Hooli and Acme announce a partnership\n\n" + DEAL_TEXTS[0], classifier=classifier
    )
    assert 0.0 <= deal.confidence <= 1.0


def test_the_same_rows_give_the_same_version_whatever_their_order(decisions, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    call_command("train_deal_classifier", "--no-labels", "--folds", "2", "--output", str(first))
    call_command("train_deal_classifier", "--no-labels", "--folds", "2", "--output", str(second))
    assert json.loads(first.read_text())["version"] == json.loads(second.read_text())["version"]


def test_too_few_rows_are_a_clear_error_and_write_nothing(db, tmp_path):
    _decided(DEAL_TEXTS[0], Deal.Status.PUBLISHED, title="One deal")
    output = tmp_path / "classifier.json"
    with pytest.raises(CommandError, match="too few"):
        call_command("train_deal_classifier", "--no-labels", "--output", str(output))
    assert not output.exists()


def test_the_regularisation_is_the_most_precise_at_the_target_recall_not_the_best_on_average(monkeypatch):
    import numpy as np

    from extraction.core import classifier_input
    from partnerships import classifier_training
    from partnerships.training import TrainingRow

    texts = [(t, True) for t in DEAL_TEXTS] + [(t, False) for t in OTHER_TEXTS]
    rows = [TrainingRow(raw=t, is_deal=d, origin="test") for t, d in texts]
    inputs = [classifier_input(t) for t, _ in texts]
    # C=0.5 ranks five deals first but one below every non-deal, so reaching recall 1 costs it
    # half its precision; C=8.0 ranks two non-deals first (worse on average) but then every deal.
    scores = {
        0.5: np.array([0.9, 0.9, 0.9, 0.9, 0.9, 0.05] + [0.2] * 6),
        8.0: np.array([0.8, 0.75, 0.7, 0.65, 0.6, 0.55] + [0.95, 0.9, 0.1, 0.1, 0.1, 0.1]),
    }
    monkeypatch.setattr(classifier_training, "C_VALUES", (0.5, 8.0))
    monkeypatch.setattr(
        classifier_training, "_out_of_fold", lambda inputs, labels, *, c, folds, seed: scores[c]
    )
    labels = [1] * 6 + [0] * 6
    assert classifier_training._average_precision(
        scores[0.5], labels
    ) > classifier_training._average_precision(scores[8.0], labels)

    fitted = classifier_training.fit(rows, inputs, target_recall=1.0, folds=2)

    assert fitted.metrics["C"] == 8.0
    assert fitted.metrics["out_of_fold"]["precision"] == 0.75
