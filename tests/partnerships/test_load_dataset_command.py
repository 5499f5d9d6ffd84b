import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from partnerships.models import Clause, Deal
from partnerships.services.dataset import DEFAULT_PATH

pytestmark = pytest.mark.django_db

RAW = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def run(*args) -> str:
    out = StringIO()
    call_command("load_dataset", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"partnerships", "scrapers"}
    }


def broken_file(tmp_path, change) -> str:
    data = json.loads(json.dumps(RAW))
    change(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_it_prints_a_line_per_section_and_a_summary():
    output = run("--no-evidence")
    lines = output.splitlines()
    assert lines[0].startswith("Companies: 74 (74 new, 0 updated, 0 unchanged); aliases:")
    assert lines[1].startswith("Newsrooms: 20 (20 new")
    assert lines[2].startswith("Deals: 101 (101 new")
    assert lines[3].startswith("Clauses: 349 (349 new")
    assert lines[4].startswith("Ledger: 345 rows new")
    assert lines[-1].startswith("Loaded 101 deals (101 new, 0 updated, 0 unchanged), 74 companies,")
    assert "newsrooms" in lines[-1] and "ledger:" in lines[-1]


def test_it_loads_exactly_once():
    run("--no-evidence")
    before = row_counts()
    output = run("--no-evidence")
    assert row_counts() == before
    assert "Loaded 101 deals (0 new, 0 updated, 101 unchanged)" in output
    assert "Nothing to change" in output


def test_it_leaves_quotes_empty_without_a_fact_sheet():
    output = run("--no-evidence")
    assert "Evidence quotes not requested." in output
    assert Clause.objects.count() > 100
    assert not Clause.objects.exclude(quote="").exists()


def test_it_notes_a_missing_default_fact_sheet(monkeypatch, tmp_path):
    monkeypatch.setenv("PACTWATCH_REALDATA", str(tmp_path / "nowhere"))
    output = run()
    assert "No fact sheet at" in output and "without evidence quotes" in output
    assert not Clause.objects.exclude(quote="").exists()


def test_it_reads_quotes_from_an_explicit_fact_sheet(realdata):
    output = run("--evidence", str(realdata / "deals_v2.json"))
    assert f"titles from {realdata / 'deals_v2.json'}" in output
    assert Clause.objects.exclude(quote="").count() > 100


def test_it_keeps_quotes_when_reloaded_without_the_fact_sheet(realdata):
    run("--evidence", str(realdata / "deals_v2.json"))
    quoted = Clause.objects.exclude(quote="").count()
    run("--no-evidence")
    assert Clause.objects.exclude(quote="").count() == quoted


def test_it_refuses_a_fact_sheet_that_is_not_there(tmp_path):
    with pytest.raises(CommandError, match="cannot read the fact sheet"):
        run("--evidence", str(tmp_path / "missing.json"))
    assert not Deal.objects.exists()


def test_it_refuses_contradicting_evidence_options(tmp_path):
    with pytest.raises(CommandError, match="contradict"):
        run("--evidence", str(tmp_path / "x.json"), "--no-evidence")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["deals"][26]["clauses"][0].update(kind="handshake"),
            "deals[26] (microsoft-openai-2025-01) clauses[0]: unknown clause kind 'handshake'",
        ),
        (
            lambda d: d["deals"][5]["clauses"][1].update(amount="-1"),
            "deals[5] (amazon-anthropic-2023) clauses[1]: negative amount '-1'",
        ),
        (
            lambda d: d["deals"][0]["parties"].append({"company": "stargate-inc", "role": "partner"}),
            "deals[0] (microsoft-openai-2019) parties[2]: missing party: unknown company 'stargate-inc'",
        ),
        (
            lambda d: d["deals"][24].update(predecessor="amazon-anthropic-2025"),
            "deals[24] (amazon-anthropic-2024): unknown predecessor slug 'amazon-anthropic-2025'",
        ),
    ],
)
def test_it_rejects_a_bad_file_and_changes_nothing(change, message, tmp_path):
    run("--no-evidence")
    Deal.objects.filter(slug="apple-openai-2024").update(summary="edited by a curator")
    before = row_counts()
    with pytest.raises(CommandError) as caught:
        run("--no-evidence", "--path", broken_file(tmp_path, change))
    assert "nothing changed" in str(caught.value)
    assert message in str(caught.value)
    assert row_counts() == before
    assert Deal.objects.get(slug="apple-openai-2024").summary == "edited by a curator"


def test_it_rejects_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "dataset.json"
    path.write_text('{"companies": [')
    with pytest.raises(CommandError, match=r"not valid JSON \(line 1"):
        run("--path", str(path))
    assert not Deal.objects.exists()
