"""Test data for the dashboard pages: a small world that grows on demand (5 rows, 50 rows...).

Every kind of row a page lists grows together, so a page whose query count depends on
the number of rows is caught by comparing counts at two sizes.
"""

import datetime
import hashlib
from decimal import Decimal

from django.utils import timezone

from partnerships.models import Clause, Company, Deal, DealParty
from partnerships.services.ledger import ledger_rebuild
from scrapers.models import AnnouncementRevision, ScrapeRun
from tests.factories import (
    AnnouncementFactory,
    ClauseFactory,
    CompanyFactory,
    DealFactory,
    DealPartyFactory,
    NewsroomFactory,
)

KINDS = [Deal.Kind.INVESTMENT, Deal.Kind.CLOUD, Deal.Kind.CHIPS, Deal.Kind.COMPUTE]
CLAUSE_KINDS = [
    (Clause.Kind.INVESTMENT, Decimal("1000000000"), Clause.Unit.USD),
    (Clause.Kind.EXCLUSIVITY, None, ""),
    (Clause.Kind.COMPUTE_COMMITMENT, Decimal("2.5"), Clause.Unit.GW),
    (Clause.Kind.REVENUE_SHARE, Decimal("20"), Clause.Unit.PERCENT),
]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class World:
    def __init__(self):
        self.a = CompanyFactory(name="Alpha Labs", slug="alpha", kind=Company.Kind.LAB)
        self.b = CompanyFactory(name="Beta Cloud", slug="beta", kind=Company.Kind.CLOUD)
        self.newsroom = NewsroomFactory(name="Alpha newsroom", slug="alpha-news", company=self.a)
        self.focus_source = AnnouncementFactory(newsroom=self.newsroom, title="Focus announcement", text="v0")
        self.focus = DealFactory(
            title="Focus deal",
            slug="focus",
            announced_on=datetime.date(2025, 6, 1),
            value_max=Decimal("5000000000"),
        )
        DealPartyFactory(deal=self.focus, company=self.a, role=DealParty.Role.INVESTEE)
        DealPartyFactory(deal=self.focus, company=self.b, role=DealParty.Role.INVESTOR)
        self.focus.sources.add(self.focus_source)
        self.n = 0
        self.previous = None

    def grow_to(self, n: int) -> "World":
        while self.n < n:
            self._add(self.n)
            self.n += 1
        ledger_rebuild()  # the ledger behind every total, network edge and flow
        return self

    def _add(self, i: int):
        kind = KINDS[i % len(KINDS)]
        other = CompanyFactory(name=f"Gamma {i}", slug=f"gamma-{i}", kind=Company.Kind.CHIPMAKER)
        newsroom = NewsroomFactory(name=f"Newsroom {i}", slug=f"newsroom-{i}", company=other)
        ScrapeRun.objects.create(
            newsroom=newsroom,
            status=ScrapeRun.Status.FAILED,
            items_seen=3,
            error=f"timeout {i}",
            finished_at=timezone.now(),
        )
        source = AnnouncementFactory(
            newsroom=newsroom, title=f"Sovereign compute announcement {i}", text=f"Body {i}"
        )
        deal = DealFactory(
            title=f"Deal number {i}",
            slug=f"deal-{i}",
            kind=kind,
            announced_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=30 * i),
            value_max=Decimal(1000000000 + i),
            value_min=None if i % 2 else Decimal(1000000000 + i),
            predecessor=self.previous,
            summary=f"Sovereign compute partnership number {i}.",
        )
        if kind == Deal.Kind.INVESTMENT:
            roles = (DealParty.Role.INVESTOR, DealParty.Role.INVESTEE)
        else:
            roles = (DealParty.Role.CUSTOMER, DealParty.Role.PROVIDER)
        DealPartyFactory(deal=deal, company=self.a if i % 2 else self.b, role=roles[0])
        DealPartyFactory(deal=deal, company=self.b if i % 2 else self.a, role=roles[1])
        DealPartyFactory(deal=deal, company=other, role=DealParty.Role.PARTNER)
        clause_kind, amount, unit = CLAUSE_KINDS[i % len(CLAUSE_KINDS)]
        giver, taker = (self.a, self.b) if i % 2 else (self.b, self.a)
        ClauseFactory(
            deal=deal,
            kind=clause_kind,
            grantor=giver,
            beneficiary=other if i % 3 == 0 else taker,
            amount=amount,
            unit=unit,
            source=source,
            subject="cloud",
            quote=f"Sovereign compute quote {i}",
            position=0,
        )
        ClauseFactory(deal=deal, kind=Clause.Kind.TERM, amount=Decimal(5), unit=Clause.Unit.YEARS, position=1)
        deal.sources.add(source)
        # The focus deal and its source grow too: one clause, one source, one revision per step.
        ClauseFactory(
            deal=self.focus,
            kind=CLAUSE_KINDS[i % 4][0],
            subject=f"subject {i}",
            source=source,
            quote=f"Focus quote {i}",
            position=i,
        )
        self.focus.sources.add(source)
        AnnouncementRevision.objects.create(
            announcement=self.focus_source,
            title=f"Focus v{i}",
            text=f"line a\nline {i}\nline c",
            content_hash=_hash(str(i)),
        )
        self.previous = deal
