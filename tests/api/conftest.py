import datetime
from decimal import Decimal

import pytest

from partnerships.models import Clause, Company, CompanyAlias, Deal, DealParty
from partnerships.services.ledger import ledger_refresh
from tests.factories import AnnouncementFactory, ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.SITE_URL = "https://pactwatch.example"
    settings.API_RATE_LIMIT = 100_000


class Chain:
    """Two companies, two phases of their partnership (a stake that grows), one alias."""

    def __init__(self):
        self.investor = CompanyFactory(name="Northwind Cloud", slug="northwind", kind=Company.Kind.CLOUD)
        self.lab = CompanyFactory(name="Acme Labs", slug="acme", kind=Company.Kind.LAB)
        CompanyAlias.objects.create(company=self.investor, name="Northwind Web Services")
        self.source = AnnouncementFactory(
            url="https://northwind.example/news/acme",
            title="Northwind invests in Acme",
            publisher="Northwind",
            source_kind="primary",
            fetch_status="fetched",
            content_hash="abc",
        )
        self.first = self._phase("northwind-acme-2023", datetime.date(2023, 1, 10), "1000000000", None)
        self.second = self._phase("northwind-acme-2025", datetime.date(2025, 3, 1), "4000000000", self.first)
        ledger_refresh(deal_ids=[self.first.pk, self.second.pk])

    def _phase(self, slug, day, amount, predecessor):
        deal = DealFactory(
            title=f"Northwind and Acme ({day.year})",
            slug=slug,
            announced_on=day,
            predecessor=predecessor,
            value_min=Decimal(amount),
            value_max=Decimal(amount),
            published_at=datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC),
        )
        DealPartyFactory(deal=deal, company=self.investor, role=DealParty.Role.INVESTOR)
        DealPartyFactory(deal=deal, company=self.lab, role=DealParty.Role.INVESTEE)
        ClauseFactory(
            deal=deal,
            kind=Clause.Kind.INVESTMENT,
            amount=Decimal(amount),
            unit=Clause.Unit.USD,
            grantor=self.investor,
            beneficiary=self.lab,
            basis=Clause.Basis.INCREMENTAL,
            certainty=Clause.Certainty.CONFIRMED,
            quote=f"Northwind puts {amount} into Acme.",
            source=self.source,
        )
        ClauseFactory(
            deal=deal,
            kind=Clause.Kind.EXCLUSIVITY,
            subject="cloud",
            grantor=self.lab,
            beneficiary=self.investor,
        )
        deal.sources.add(self.source)
        return deal


@pytest.fixture
def chain(db):
    return Chain()


@pytest.fixture
def merged(chain):
    return DealFactory(
        title="Duplicate", slug="duplicate-of-2025", status=Deal.Status.MERGED, merged_into=chain.second
    )
