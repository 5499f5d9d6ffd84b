"""A database loaded with version 1 of the dataset becomes exactly what a fresh load of version 2 gives.

Version 1 rows are rebuilt here as its loader wrote them (clauses by position without keys,
sources titled after their URL, the load time as publication date), for a few of its deals;
the test then loads the shipped file over them and compares every dataset row, the ledger
included, with a fresh load.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from partnerships.models import Clause, Company, Deal, DealParty, LedgerEntry
from partnerships.services.dataset import dataset_load
from scrapers.models import Announcement

pytestmark = pytest.mark.django_db

LOAD_TIME = timezone.now()
# (slug, kind, announced_on, predecessor, confidence, parties, clauses, sources) as version 1 had them.
V1 = [
    (
        "microsoft-openai-2019", "investment", "2019-07-22", None, 1.0,
        [("microsoft", "investor"), ("openai", "investee")],
        [("investment", "", "1000000000", "USD", ""), ("exclusivity", "cloud", None, "", ""),
         ("research_collaboration", "supercomputing", None, "", ""),
         ("preferred_provider", "commercialization", None, "", "")],
        ["https://openai.com/index/microsoft-invests-in-and-partners-with-openai/",
         "https://www.example-mirror.test/2019/microsoft-openai-copy"],
    ),
    (
        "stargate-2025", "compute", "2025-01-21", None, 1.0,
        [("openai", "investor"), ("softbank", "investor"), ("oracle", "investor"), ("mgx", "investor"),
         ("arm", "provider"), ("microsoft", "provider"), ("nvidia", "provider")],
        [("compute_commitment", "", "500000000000", "USD", ""), ("investment", "equity", None, "", ""),
         ("other", "site", None, "", "")],
        ["https://openai.com/index/announcing-the-stargate-project/"],
    ),
    (
        "amazon-anthropic-2023", "investment", "2023-09-25", None, 1.0,
        [("amazon", "investor"), ("anthropic", "investee")],
        [("investment", "", "4000000000", "USD", "up_to"), ("preferred_provider", "cloud", None, "", ""),
         ("chips_supply", "trainium", None, "", "")],
        ["https://www.example-mirror.test/amazon-anthropic-four-billion"],
    ),
    (
        "microsoft-openai-2025-09-mou", "cloud", "2025-09-11", None, 0.5,
        [("microsoft", "partner"), ("openai", "partner")],
        [("other", "memorandum", None, "", "")],
        ["https://openai.com/index/joint-statement-from-openai-and-microsoft/"],
    ),
]  # fmt: skip


def _slug_title(url: str) -> str:
    words = url.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    return words[:1].upper() + words[1:]


def build_version_1():
    """The rows version 1's loader wrote for the deals above (companies with their v1 names)."""
    names = {
        "microsoft": "Microsoft", "openai": "OpenAI", "softbank": "SoftBank Group", "oracle": "Oracle",
        "mgx": "MGX", "arm": "Arm", "nvidia": "NVIDIA", "amazon": "Amazon", "anthropic": "Anthropic",
    }  # fmt: skip
    companies = {
        slug: Company.objects.create(slug=slug, name=name, kind="other") for slug, name in names.items()
    }
    for slug, kind, day, _predecessor, confidence, parties, clauses, sources in V1:
        deal = Deal.objects.create(
            slug=slug, title=f"Version 1 title of {slug}", kind=kind, status=Deal.Status.PUBLISHED,
            announced_on=datetime.date.fromisoformat(day), summary="Version 1 summary.", confidence=confidence,
            published_at=LOAD_TIME,
        )  # fmt: skip
        for company, role in parties:
            DealParty.objects.create(deal=deal, company=companies[company], role=role)
        pages = [
            Announcement.objects.get_or_create(
                url=url, defaults={"title": _slug_title(url), "fetch_status": "skipped"}
            )[0]
            for url in sources
        ]
        deal.sources.add(*pages)
        for position, (clause_kind, subject, amount, unit, qualifier) in enumerate(clauses):
            Clause.objects.create(
                deal=deal, position=position, kind=clause_kind, subject=subject, summary="v1",
                amount=Decimal(amount) if amount else None, unit=unit, qualifier=qualifier,
                status=Clause.Status.CONFIRMED, source=pages[0],
            )  # fmt: skip


def state() -> dict:
    """Everything the dataset decides, by natural key (no primary keys, no load times)."""
    deals = {}
    for deal in Deal.objects.select_related("predecessor").prefetch_related(
        "deal_parties__company", "sources"
    ):
        clauses = {
            c.dataset_key: (
                c.kind, c.subject, c.summary, c.effect, c.amount, c.unit, c.qualifier, c.mutual, c.basis,
                c.certainty, c.position, c.status, c.confidence, c.quote,
                c.grantor.slug, c.beneficiary.slug, c.part_of.dataset_key if c.part_of else None,
                c.source.url if c.source else None,
            )
            for c in deal.clauses.select_related("grantor", "beneficiary", "part_of", "source")
        }  # fmt: skip
        deals[deal.slug] = {
            "row": (
                deal.title, deal.kind, deal.status, deal.announced_on, deal.announced_precision, deal.summary,
                deal.value_min, deal.value_max, deal.currency, deal.valuation_amount, deal.confidence,
                deal.published_at, deal.updated_at, deal.predecessor.slug if deal.predecessor else None,
            ),
            "parties": sorted((p.company.slug, p.role) for p in deal.deal_parties.all()),
            "sources": sorted(s.url for s in deal.sources.all()),
            "clauses": clauses,
        }  # fmt: skip
    return {
        "deals": deals,
        "companies": sorted(Company.objects.values_list("slug", "name", "kind", "description")),
        "pages": sorted(Announcement.objects.values_list("url", "title", "publisher", "source_kind")),
        "ledger": sorted(
            LedgerEntry.objects.values_list(
                "deal__slug",
                "clause__dataset_key",
                "grantor__slug",
                "beneficiary__slug",
                "flow",
                "unit",
                "counted",
                "certainty",
            )
        ),  # fmt: skip
    }


def fresh_state() -> dict:
    with transaction.atomic():
        dataset_load(use_evidence=False)
        found = state()
        transaction.set_rollback(True)
    return found


def test_it_turns_a_version_1_database_into_a_fresh_version_2_load():
    expected = fresh_state()
    build_version_1()
    summary = dataset_load(use_evidence=False)

    assert state() == expected
    assert summary.clauses.removed > 0 and summary.announcements.removed >= 2  # at least the two mirrors
    # No orphan: every clause of a dataset deal has its key, every page is cited by a deal.
    assert not Clause.objects.filter(dataset_key="").exists()
    assert not Announcement.objects.filter(deals__isnull=True).exists()
    assert not Announcement.objects.filter(url__startswith="https://www.example-mirror.test/").exists()


def test_it_keeps_the_rows_and_history_of_version_1_clauses_it_matches():
    build_version_1()
    azure_cloud = Clause.objects.get(deal__slug="microsoft-openai-2019", kind="exclusivity")
    dataset_load(use_evidence=False)
    azure_cloud.refresh_from_db()
    assert azure_cloud.dataset_key == "c2" and azure_cloud.grantor.slug == "openai"
    assert azure_cloud.history.count() == 2  # created by version 1, updated once by version 2
    # The second load after the upgrade changes nothing.
    assert not dataset_load(use_evidence=False).changed
