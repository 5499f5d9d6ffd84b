"""``manage.py parse_filing``: a filing's passages naming tracked companies and their clauses, writing nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.models import CompanyAlias
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "filings" / "fixtures"
AMAZON_10K = "amazon_10-K_FY2024_filed_2025-02-07_mentions_anthropic.html"


@pytest.fixture
def tracked():
    amazon = CompanyFactory(name="Amazon", slug="amazon")
    CompanyAlias.objects.create(company=amazon, name="Amazon.com")
    anthropic = CompanyFactory(name="Anthropic", slug="anthropic")
    CompanyAlias.objects.create(company=anthropic, name="Anthropic PBC")
    CompanyFactory(name="Microsoft", slug="microsoft")
    CompanyFactory(name="OpenAI", slug="openai")


@pytest.fixture
def amazon_10k(realdata) -> Path:
    path = realdata / "regulatory" / "edgar" / AMAZON_10K
    if not path.is_file():
        pytest.skip(f"no capture at {path}")
    return path


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("parse_filing", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_filing_its_anthropic_passages_and_their_convertible_notes(tracked, amazon_10k):
    out, err = run(str(amazon_10k), "--filed", "2025-02-07")

    lines = out.splitlines()
    assert lines[0].startswith("Amazon\u2019s 10-K for the year ended December 31, 2024")
    assert lines[1:5] == [
        "  form: 10-K",
        "  filer: Amazon",
        "  filing date: 2025-02-07",
        "  period: 2024-12-31",
    ]
    assert out.count("names Anthropic;") == 3
    assert "Non-Marketable Investments" in out
    assert "clause convertible_note: Amazon → Anthropic 1250000000 USD" in out
    assert "Found " in err and "passage(s) naming a tracked company" in err


def test_it_prints_one_json_object_per_passage(tracked, amazon_10k):
    out, _ = run(str(amazon_10k), "--json")
    records = [json.loads(line) for line in out.splitlines()]
    anthropic = [r for r in records if r["passage"]["companies"] == ["Anthropic"]]

    assert len(anthropic) == 3 and all(r["form"] == "10-K" and r["filer"] == "Amazon" for r in records)
    assert {r["period"] for r in records} == {"2024-12-31"} and {r["filing_date"] for r in records} == {None}
    notes = [c for r in anthropic for c in r["clauses"] if c["kind"] == "convertible_note"]
    assert {(c["grantor"], c["beneficiary"], c["unit"]) for c in notes} == {("Amazon", "Anthropic", "USD")}
    assert {"1250000000", "2750000000", "1300000000", "2700000000"} <= {str(c["amount"]) for c in notes}
    for record in anthropic:
        assert set(record["clauses"][0]) == {"kind", "grantor", "beneficiary", "amount", "unit", "quote"}
        passage = record["passage"]
        assert passage["end"] - passage["start"] == len(passage["text"]) and "Anthropic" in passage["text"]


def test_it_writes_nothing(tracked, amazon_10k):
    with CaptureQueriesContext(connection) as queries:
        run(str(amazon_10k), "--json")
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_it_reads_our_microsoft_10q_note_naming_openai(tracked):
    out, _ = run(str(FIXTURES / "microsoft_10-Q_openai_note.html"), "--filer", "Microsoft")
    assert out.startswith("Microsoft\u2019s 10-Q for the quarter ended September 30, 2025")
    assert "names OpenAI;" in out


def test_it_fetches_a_url_through_the_guarded_fetcher(tracked, server):
    url = server.add(
        "/Archives/msft-20250930.htm", (FIXTURES / "microsoft_10-Q_openai_note.html").read_bytes()
    )
    out, _ = run(url, "--json", "--filer", "Microsoft", "--filed", "2025-10-29")
    records = [json.loads(line) for line in out.splitlines()]
    assert records and {r["filing_date"] for r in records} == {"2025-10-29"}
    assert server.hits("/Archives/msft-20250930.htm") == 1


def test_it_refuses_what_it_cannot_read(tracked, tmp_path, server):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.htm"))
    with pytest.raises(CommandError, match="Could not fetch"):
        run(server.url("/nothing-here.htm"))
    with pytest.raises(CommandError, match="--filed must be a date"):
        run(str(FIXTURES / "microsoft_10-Q_openai_note.html"), "--filed", "soon")
