"""The Microsoft–OpenAI story in four phases, written for tests (facts only, own words)."""

import datetime
from decimal import Decimal

from partnerships.models import Clause, Company, Deal, DealParty
from partnerships.services.ledger import ledger_rebuild
from tests.factories import AnnouncementFactory, ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

E = Clause.Effect


def build_story():
    ms = CompanyFactory(name="Microsoft", slug="microsoft", kind=Company.Kind.CLOUD)
    oa = CompanyFactory(name="OpenAI", slug="openai", kind=Company.Kind.LAB)
    src = AnnouncementFactory(
        url="https://openai.example/2019-partnership",
        title="OpenAI and Microsoft, 2019",
        fetch_status="fetched",  # an archived copy exists, so pages link to it
        content_hash="story-2019",
    )
    phases = []
    specs = [
        (
            "ms-openai-2019",
            datetime.date(2019, 7, 22),
            Deal.Kind.INVESTMENT,
            Decimal("1e9"),
            [
                (Clause.Kind.INVESTMENT, "", Decimal("1e9"), "USD", "", E.GRANTED),
                (Clause.Kind.EXCLUSIVITY, "cloud", None, "", "", E.GRANTED),
            ],
        ),
        (
            "ms-openai-2023",
            datetime.date(2023, 1, 23),
            Deal.Kind.INVESTMENT,
            Decimal("1e10"),
            [
                (Clause.Kind.INVESTMENT, "", Decimal("1e10"), "USD", "approximately", E.GRANTED),
                (Clause.Kind.EXCLUSIVITY, "cloud", None, "", "", E.GRANTED),
            ],
        ),
        (
            "ms-openai-2025-01",
            datetime.date(2025, 1, 21),
            Deal.Kind.CLOUD,
            None,
            [
                (Clause.Kind.EXCLUSIVITY, "cloud", None, "", "", E.REMOVED),
                (Clause.Kind.RIGHT_OF_FIRST_REFUSAL, "compute", None, "", "", E.GRANTED),
            ],
        ),
        (
            "ms-openai-2025-10",
            datetime.date(2025, 10, 28),
            Deal.Kind.INVESTMENT,
            Decimal("2.5e11"),
            [
                (Clause.Kind.RIGHT_OF_FIRST_REFUSAL, "compute", None, "", "", E.REMOVED),
                (Clause.Kind.EQUITY_STAKE, "", Decimal("27"), "percent", "approximately", E.GRANTED),
                (Clause.Kind.COMPUTE_COMMITMENT, "azure", Decimal("2.5e11"), "USD", "", E.GRANTED),
                (Clause.Kind.AGI_CLAUSE, "", None, "", "", E.GRANTED),
            ],
        ),
    ]
    previous = None
    for slug, day, kind, value, clauses in specs:
        deal = DealFactory(
            title=f"Microsoft and OpenAI ({day.year})",
            slug=slug,
            announced_on=day,
            kind=kind,
            value_max=value,
            value_min=value,
            predecessor=previous,
        )
        DealPartyFactory(deal=deal, company=ms, role=DealParty.Role.INVESTOR)
        DealPartyFactory(deal=deal, company=oa, role=DealParty.Role.INVESTEE)
        for position, (ckind, subject, amount, unit, qualifier, effect) in enumerate(clauses):
            # Money and stakes go Microsoft → OpenAI; rights and the Azure commitment OpenAI → Microsoft.
            investing = ckind in (Clause.Kind.INVESTMENT, Clause.Kind.EQUITY_STAKE)
            ClauseFactory(
                deal=deal,
                kind=ckind,
                grantor=ms if investing else oa,
                beneficiary=oa if investing else ms,
                subject=subject,
                amount=amount,
                unit=unit,
                qualifier=qualifier,
                effect=effect,
                position=position,
                source=src,
                quote=f"Evidence sentence for {ckind} in {day.year}.",
            )
        deal.sources.add(src)
        phases.append(deal)
        previous = deal
    ledger_rebuild()
    return ms, oa, phases, src
