"""From stored announcements to candidate deals: creation, idempotency, dedup across sources, phases."""

import datetime

import pytest
from django.utils import timezone

from partnerships.diff import clause_diff
from partnerships.models import Clause, Company, CompanyAlias, Deal, DealParty
from partnerships.services.candidates import announcement_extract, deal_phase_diff
from partnerships.tasks import announcement_extract_task
from scrapers.models import Announcement
from tests.factories import (
    AnnouncementFactory,
    ClauseFactory,
    CompanyFactory,
    DealFactory,
    DealPartyFactory,
    NewsroomFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies():
    made = {
        name: CompanyFactory(name=name, slug=slug, website=f"https://www.{slug}.com")
        for name, slug in (
            ("Microsoft", "microsoft"),
            ("OpenAI", "openai"),
            ("Anthropic", "anthropic"),
            ("Amazon", "amazon"),
        )
    }
    CompanyAlias.objects.create(company=made["Amazon"], name="AWS")
    return made


def _announce(company, title, text, day, url=None):
    newsroom = NewsroomFactory(company=company)
    return AnnouncementFactory(
        newsroom=newsroom,
        title=title,
        text=text,
        url=url or f"https://{company.slug}.example.com/news/{day.isoformat()}-{abs(hash(title)) % 10**6}",
        published_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))),
    )


AMAZON_DEAL = (
    "Today we are announcing that Amazon will invest up to $4 billion in Anthropic. "
    "As part of the agreement, AWS will become our primary cloud provider for mission-critical workloads. "
    "The multi-year partnership also makes our models available to AWS customers."
)


def test_it_creates_a_candidate_deal_with_its_clauses_parties_and_source(companies):
    announcement = _announce(
        companies["Anthropic"],
        "Expanding access to safer AI with Amazon",
        AMAZON_DEAL,
        datetime.date(2023, 9, 25),
    )

    deal = announcement_extract(announcement_id=announcement.pk)

    assert deal.status == Deal.Status.CANDIDATE
    assert 0 < deal.confidence <= 1
    assert deal.kind == Deal.Kind.INVESTMENT
    assert deal.announced_on == datetime.date(2023, 9, 25)
    assert deal.value_max == 4 * 10**9 and deal.value_min is None
    assert list(deal.sources.all()) == [announcement]
    assert {p.company.slug: p.role for p in deal.deal_parties.select_related("company")} == {
        "amazon": "investor",
        "anthropic": "investee",
    }
    clauses = list(deal.clauses.all())
    assert {c.kind for c in clauses} >= {
        Clause.Kind.INVESTMENT,
        Clause.Kind.PREFERRED_PROVIDER,
        Clause.Kind.TERM,
    }
    for clause in clauses:
        assert clause.status == Clause.Status.EXTRACTED
        assert clause.source == announcement
        assert clause.quote and clause.quote in announcement.text
    announcement.refresh_from_db()
    assert announcement.extracted_at is not None


def test_it_never_publishes_what_it_extracts(companies):
    announcement = _announce(
        companies["Anthropic"],
        "Expanding access to safer AI with Amazon",
        AMAZON_DEAL,
        datetime.date(2023, 9, 25),
    )
    announcement_extract(announcement_id=announcement.pk)
    assert not Deal.objects.public().exists()
    assert not Clause.objects.confirmed().exists()


def test_extracting_twice_changes_nothing(companies):
    announcement = _announce(
        companies["Anthropic"],
        "Expanding access to safer AI with Amazon",
        AMAZON_DEAL,
        datetime.date(2023, 9, 25),
    )
    first = announcement_extract(announcement_id=announcement.pk)

    def snapshot():
        return (
            list(Deal.objects.values_list("pk", "updated_at", "confidence", "kind")),
            list(Clause.objects.values_list("pk", "updated_at")),
            list(DealParty.objects.values_list("pk", "company_id")),
            Company.objects.count(),
            Deal.history.count(),
            Clause.history.count(),
        )

    before = snapshot()
    second = announcement_extract(announcement_id=announcement.pk)
    assert second.pk == first.pk
    assert snapshot() == before


def test_reextracting_an_edited_page_updates_the_same_deal(companies):
    announcement = _announce(
        companies["Anthropic"],
        "Expanding access to safer AI with Amazon",
        AMAZON_DEAL,
        datetime.date(2023, 9, 25),
    )
    deal = announcement_extract(announcement_id=announcement.pk)
    Announcement.objects.filter(pk=announcement.pk).update(
        text=AMAZON_DEAL.replace("$4 billion", "$5 billion")
    )

    again = announcement_extract(announcement_id=announcement.pk)

    assert again.pk == deal.pk and Deal.objects.count() == 1
    amounts = set(deal.clauses.filter(kind=Clause.Kind.INVESTMENT).values_list("amount", flat=True))
    assert amounts == {5 * 10**9}
    deal.refresh_from_db()
    assert deal.value_max == 5 * 10**9


def test_it_creates_nothing_for_a_model_launch(companies):
    announcement = _announce(
        companies["Anthropic"],
        "Introducing Claude Opus 9",
        "Our newest model, Claude Opus 9, is available today in Amazon Bedrock. It is our best model yet.",
        datetime.date(2025, 11, 24),
    )
    assert announcement_extract(announcement_id=announcement.pk) is None
    assert not Deal.objects.exists()
    announcement.refresh_from_db()
    assert announcement.extracted_at is not None


def test_it_proposes_organisations_nobody_listed(companies):
    announcement = _announce(
        companies["Anthropic"],
        "Anthropic acquires Quillworks",
        "Today we are announcing that Anthropic is acquiring Quillworks, a maker of developer tools. "
        "The acquisition closes next month.",
        datetime.date(2025, 12, 2),
    )
    deal = announcement_extract(announcement_id=announcement.pk)
    assert deal.kind == Deal.Kind.ACQUISITION
    quill = Company.objects.get(name="Quillworks")
    assert quill.is_proposed
    assert DealParty.objects.filter(deal=deal, company=quill).exists()
    assert not Company.objects.get(slug="anthropic").is_proposed


def test_the_same_deal_from_both_newsrooms_is_one_deal_with_two_sources(companies):
    day = datetime.date(2025, 11, 18)
    first = _announce(
        companies["Microsoft"],
        "Microsoft and OpenAI expand compute agreement",
        "Microsoft and OpenAI today announced that OpenAI will purchase $30 billion of Azure compute capacity. "
        "The multi-year agreement starts next year.",
        day,
    )
    second = _announce(
        companies["OpenAI"],
        "A new compute agreement with Microsoft",
        "We signed an agreement with Microsoft to purchase $30 billion of Azure compute capacity over five years.",
        day + datetime.timedelta(days=1),
    )

    deal = announcement_extract(announcement_id=first.pk)
    same = announcement_extract(announcement_id=second.pk)

    assert same.pk == deal.pk
    assert Deal.objects.count() == 1
    assert set(deal.sources.all()) == {first, second}
    # The second source adds what the first did not say (the five-year term), not a copy of the $30B.
    assert deal.clauses.filter(kind=Clause.Kind.COMPUTE_COMMITMENT, amount=30 * 10**9).count() == 1
    assert deal.clauses.filter(source=second, kind=Clause.Kind.TERM, amount=5).exists()
    # Re-running either source is still a no-op.
    announcement_extract(announcement_id=second.pk)
    assert Deal.objects.count() == 1 and deal.clauses.count() == Clause.objects.count()


def test_deals_between_the_same_parties_months_apart_stay_separate(companies):
    first = _announce(
        companies["Microsoft"],
        "Microsoft invests in OpenAI",
        "Microsoft will invest $1 billion in OpenAI.",
        datetime.date(2019, 7, 22),
    )
    later = _announce(
        companies["Microsoft"],
        "Microsoft and OpenAI sign a licence",
        "Microsoft and OpenAI signed an agreement under which Microsoft licenses OpenAI technology.",
        datetime.date(2020, 9, 22),
    )
    one = announcement_extract(announcement_id=first.pk)
    two = announcement_extract(announcement_id=later.pk)
    assert one.pk != two.pk
    assert two.predecessor is None  # not worded as an extension of the earlier deal


PHASE_2025_01 = (
    "Microsoft and OpenAI announced a new agreement that updates their partnership. "
    "OpenAI has made a new, large Azure commitment for training and serving its models. "
    "Microsoft now has a right of first refusal on new OpenAI compute capacity. "
    "Revenue sharing agreements continue in both directions through 2030."
)
PHASE_2025_10 = (
    "Microsoft and OpenAI signed a new agreement, the next chapter of their partnership. "
    "Microsoft holds a stake of roughly 27 percent in OpenAI Group PBC. "
    "OpenAI has contracted to purchase an incremental $250 billion of Azure services, and Microsoft will no longer "
    "have a right of first refusal to be OpenAI's compute provider. "
    "An independent expert panel will verify when AGI is declared. "
    "Microsoft's IP rights are extended through 2032."
)


def test_later_phases_link_to_the_latest_phase_and_the_right_of_first_refusal_appears_then_disappears(
    companies,
):
    # The 2023 phase was curated and published; the later phases arrive as announcements.
    phase_2023 = DealFactory(
        title="Microsoft extends its OpenAI partnership", announced_on=datetime.date(2023, 1, 23)
    )
    for company in (companies["Microsoft"], companies["OpenAI"]):
        DealPartyFactory(deal=phase_2023, company=company)
    ClauseFactory(deal=phase_2023, kind=Clause.Kind.INVESTMENT)
    ClauseFactory(deal=phase_2023, kind=Clause.Kind.EXCLUSIVITY, subject="cloud")

    january = _announce(
        companies["Microsoft"],
        "Microsoft and OpenAI evolve their partnership",
        PHASE_2025_01,
        datetime.date(2025, 1, 21),
    )
    october = _announce(
        companies["OpenAI"],
        "The next chapter of the Microsoft-OpenAI partnership",
        PHASE_2025_10,
        datetime.date(2025, 10, 28),
    )

    phase_jan = announcement_extract(announcement_id=january.pk)
    phase_oct = announcement_extract(announcement_id=october.pk)

    assert phase_jan.predecessor == phase_2023
    assert phase_oct.predecessor == phase_jan
    assert phase_oct.status == phase_jan.status == Deal.Status.CANDIDATE

    appeared = deal_phase_diff(phase_jan)
    assert Clause.Kind.RIGHT_OF_FIRST_REFUSAL in {c.kind for c in appeared.added}

    disappeared = deal_phase_diff(phase_oct)
    rofr = [change for change in disappeared.changed if change.kind == Clause.Kind.RIGHT_OF_FIRST_REFUSAL]
    assert rofr and rofr[0].fields == ("effect",)
    assert rofr[0].before.effect == Clause.Effect.GRANTED and rofr[0].after.effect == Clause.Effect.REMOVED
    added = {c.kind for c in disappeared.added}
    assert {Clause.Kind.EQUITY_STAKE, Clause.Kind.AGI_CLAUSE} <= added
    # The diff is the one shared function, fed with the stored rows.
    assert clause_diff(phase_jan.clauses.all(), phase_oct.clauses.all()).changed[0].kind


def test_the_task_runs_the_service_and_is_safe_to_repeat(companies):
    announcement = _announce(
        companies["Anthropic"],
        "Expanding access to safer AI with Amazon",
        AMAZON_DEAL,
        datetime.date(2023, 9, 25),
    )
    deal_id = announcement_extract_task.delay(announcement.pk).get()
    assert announcement_extract_task.delay(announcement.pk).get() == deal_id
    assert Deal.objects.count() == 1
    assert announcement_extract_task.delay(10**9).get() is None  # a vanished announcement is not an error


def test_scraping_enqueues_extraction_by_task_name_and_the_task_writes_the_candidate(companies):
    from scrapers.services.articles import _enqueue_extraction

    announcement = _announce(
        companies["Anthropic"],
        "Expanding access to safer AI with Amazon",
        AMAZON_DEAL,
        datetime.date(2023, 9, 25),
    )
    assert not Deal.objects.exists()
    _enqueue_extraction(announcement.pk)  # tasks run eagerly in tests
    assert Deal.objects.get().sources.get() == announcement


def test_the_old_task_name_still_runs_extraction_for_messages_queued_before_the_rename(companies):
    from celery import current_app

    announcement = _announce(
        companies["Anthropic"],
        "Expanding access to safer AI with Amazon",
        AMAZON_DEAL,
        datetime.date(2023, 9, 25),
    )
    old = current_app.tasks["scrapers.extraction.tasks.extract_announcement"]
    assert old.delay(announcement.pk).get() == Deal.objects.get().pk
