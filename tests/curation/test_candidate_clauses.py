"""A candidate's clauses keep what extraction read: who gives to whom, mutual, basis, tranche, certainty."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from extraction.clauses import ExtractedClause
from extraction.core import Extraction
from extraction.parties import ExtractedParty
from partnerships.models import Clause
from partnerships.services import candidates
from scrapers.models import Announcement
from tests.factories import AnnouncementFactory, CompanyFactory, NewsroomFactory

pytestmark = pytest.mark.django_db

TOTAL = "Amazon has now invested $8 billion in Anthropic."
TRANCHE = "Amazon invests another $4 billion in Anthropic."
TOGETHER = "The two will research chips together."


def _reading(*, grantor="Amazon") -> Extraction:
    return Extraction(
        is_deal=True,
        confidence=0.9,
        kind="investment",
        parties=[
            ExtractedParty("Amazon", "amazon", "investor", 5.0),
            ExtractedParty("Anthropic", "anthropic", "investee", 5.0),
        ],
        announced_on=datetime.date(2024, 11, 22),
        clauses=[
            ExtractedClause(
                "investment",
                TOTAL,
                Decimal("8e9"),
                "USD",
                grantor=grantor,
                beneficiary="Anthropic",
                basis="total",
            ),
            ExtractedClause(
                "investment",
                TRANCHE,
                Decimal("4e9"),
                "USD",
                grantor=grantor,
                beneficiary="Anthropic",
                basis="incremental",
                part_of=0,
            ),
            ExtractedClause(
                "research_collaboration", TOGETHER, grantor="Amazon", beneficiary="Anthropic", mutual=True
            ),
        ],
        title="Amazon and Anthropic",
    )


@pytest.fixture
def page(monkeypatch):
    amazon = CompanyFactory(name="Amazon", slug="amazon")
    CompanyFactory(name="Anthropic", slug="anthropic")
    reading = {"value": _reading()}
    monkeypatch.setattr(candidates, "extract", lambda *args, **kwargs: reading["value"])

    def make(kind: str) -> Announcement:
        return AnnouncementFactory(
            newsroom=NewsroomFactory(company=amazon),
            source_kind=kind,
            text=" ".join((TOTAL, TRANCHE, TOGETHER)),
            published_at=timezone.make_aware(datetime.datetime(2024, 11, 22, 12)),
        )

    make.reading = reading
    return make


def test_it_stores_who_gives_to_whom_the_basis_and_the_tranche(page):
    deal = candidates.announcement_extract(announcement_id=page(Announcement.SourceKind.PRIMARY).pk)
    total, tranche, research = deal.clauses.order_by("position")

    assert (total.grantor.slug, total.beneficiary.slug, total.basis) == ("amazon", "anthropic", "total")
    assert (tranche.basis, tranche.part_of) == ("incremental", total)
    assert research.mutual and not total.mutual and total.part_of is None
    assert {c.certainty for c in (total, tranche, research)} == {Clause.Certainty.REPORTED}


def test_a_clause_read_from_a_filing_is_confirmed(page):
    deal = candidates.announcement_extract(announcement_id=page(Announcement.SourceKind.FILING).pk)
    assert set(deal.clauses.values_list("certainty", flat=True)) == {Clause.Certainty.CONFIRMED}
    assert set(deal.clauses.values_list("status", flat=True)) == {Clause.Status.EXTRACTED}


def test_reading_the_same_page_again_touches_no_clause(page):
    announcement = page(Announcement.SourceKind.PRIMARY)
    deal = candidates.announcement_extract(announcement_id=announcement.pk)
    before = list(deal.clauses.order_by("pk").values_list("pk", "updated_at", "part_of_id"))
    candidates.announcement_extract(announcement_id=announcement.pk)
    assert list(deal.clauses.order_by("pk").values_list("pk", "updated_at", "part_of_id")) == before


def test_a_clause_whose_grantor_changed_is_replaced_and_its_tranche_follows(page):
    announcement = page(Announcement.SourceKind.PRIMARY)
    deal = candidates.announcement_extract(announcement_id=announcement.pk)
    old = set(deal.clauses.values_list("pk", flat=True))
    page.reading["value"] = _reading(grantor="Anthropic")
    candidates.announcement_extract(announcement_id=announcement.pk)

    total = deal.clauses.get(basis="total")
    tranche = deal.clauses.get(basis="incremental")
    research = deal.clauses.get(kind="research_collaboration")
    assert deal.clauses.count() == 3
    assert total.grantor.slug == tranche.grantor.slug == "anthropic"
    assert tranche.part_of == total and {total.pk, tranche.pk}.isdisjoint(old)
    assert research.pk in old  # unchanged: kept as it was
