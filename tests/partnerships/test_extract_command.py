"""``manage.py extract PATH --json``: one JSON object, and the database left untouched."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from partnerships.models import Company, Deal
from tests.factories import CompanyFactory

PRESS_RELEASE = """<html><head><title>AMD and OpenAI announce strategic partnership</title>
<script>tracking()</script></head><body>
<h1>AMD and OpenAI Announce Strategic Partnership to Deploy 6 Gigawatts of AMD GPUs</h1>
<p>SANTA CLARA, Calif., Oct. 06, 2025 (GLOBE NEWSWIRE) -- AMD and OpenAI today announced a multi-year
agreement to deploy 6 gigawatts of AMD GPUs, starting with 1 gigawatt in 2026.</p>
<p>As part of the agreement, AMD has issued OpenAI a warrant for up to 160 million shares of AMD common stock.</p>
</body></html>"""


def _run(path, *args):
    out = io.StringIO()
    call_command("extract", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_prints_exactly_one_json_object_and_writes_nothing(tmp_path):
    CompanyFactory(name="OpenAI", slug="openai")
    path = tmp_path / "release.html"
    path.write_text(PRESS_RELEASE, encoding="utf-8")
    companies_before = Company.objects.count()

    payload = json.loads(_run(path, "--json"))

    assert set(payload) == {"is_deal", "confidence", "kind", "parties", "announced_on", "clauses"}
    assert payload["is_deal"] is True and payload["kind"] == "chips"
    assert sorted(payload["parties"]) == ["AMD", "OpenAI"]
    assert payload["announced_on"] == "2025-10-06"
    found = {(c["kind"], c["amount"], c["unit"], c["qualifier"]) for c in payload["clauses"]}
    assert ("chips_supply", 6, "GW", "") in found
    assert ("warrant", 160_000_000, "shares", "up_to") in found
    assert all(c["quote"] and "<" not in c["quote"] for c in payload["clauses"])
    assert Company.objects.count() == companies_before and not Deal.objects.exists()


def test_it_works_without_a_database(tmp_path, monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("partnerships.management.commands.extract.known_companies", unreachable)
    path = tmp_path / "post.txt"
    path.write_text(
        "TITLE: AWS and OpenAI announce partnership\n\nAWS and OpenAI signed a $38B deal.", encoding="utf-8"
    )
    payload = json.loads(_run(path, "--json"))
    assert sorted(payload["parties"]) == ["Amazon", "OpenAI"]


@pytest.mark.django_db
def test_it_prints_a_summary_line_without_json(tmp_path):
    path = tmp_path / "post.md"
    path.write_text("# Introducing Claude Opus 9\n\nOur newest model is here.", encoding="utf-8")
    lines = _run(path).strip().splitlines()
    assert lines[-1].startswith("Done: not a deal")


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("extract", str(tmp_path / "missing.txt"), "--json")
