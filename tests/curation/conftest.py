import datetime

import pytest
from django.contrib.auth.models import Group, User

from partnerships.models import Clause, Deal
from tests.factories import AnnouncementFactory, ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pw-root-123")


def _staff(username, group=None):
    user = User.objects.create_user(username, f"{username}@example.com", "pw-123-long-enough", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def curator(db):
    return _staff("cora", "Curator")


@pytest.fixture
def viewer(db):
    return _staff("vic", "Viewer")


@pytest.fixture
def bare_staff(db):
    return _staff("sam")


def make_candidate(*, parties=2, clauses=2, confirmed=True, text=None, directed=True, **kwargs):
    """A candidate deal as a curator leaves it: parties, a source, clauses with quotes.

    ``directed``: each clause names its grantor and beneficiary among the first two parties
    (the investor invests, the customer spends), as the publish gate asks.
    """
    source = AnnouncementFactory(
        text=text
        or "Northwind and Contoso agree a cloud deal. Contoso will invest $2 billion in Northwind. "
        "Northwind commits to spend $10 billion on Contoso cloud over five years."
    )
    kwargs.setdefault("status", Deal.Status.CANDIDATE)
    kwargs.setdefault("kind", Deal.Kind.CLOUD)
    kwargs.setdefault("announced_on", datetime.date(2025, 3, 1))
    deal = DealFactory(**kwargs)
    deal.sources.add(source)
    companies = [DealPartyFactory(deal=deal, company=CompanyFactory()).company for _ in range(parties)]
    quotes = ["Contoso will invest $2 billion in Northwind.", "spend $10 billion on Contoso cloud"]
    kinds = [Clause.Kind.INVESTMENT, Clause.Kind.COMPUTE_COMMITMENT]
    for i in range(clauses):
        sides = {}
        if directed and len(companies) >= 2:
            investor, investee = companies[1], companies[0]
            sides = {"grantor": investor, "beneficiary": investee} if i % 2 == 0 else {}
            sides = sides or {"grantor": investee, "beneficiary": investor}
        ClauseFactory(
            deal=deal,
            **sides,
            kind=kinds[i % 2],
            subject="" if i < 2 else f"item {i}",
            amount=[2_000_000_000, 10_000_000_000][i % 2],
            unit=Clause.Unit.USD,
            quote=quotes[i % 2],
            source=source,
            status=Clause.Status.CONFIRMED if confirmed else Clause.Status.EXTRACTED,
            confidence=0.8,
        )
    return deal
