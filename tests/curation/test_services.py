import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from partnerships.history import deal_change_log
from partnerships.models import Clause, CompanyAlias, Deal, DealParty
from partnerships.services.deals import deal_link_phase, deal_publish, deal_reject, deal_retract
from partnerships.services.merges import company_merge, deal_merge
from scrapers.models import Newsroom
from tests.curation.conftest import make_candidate
from tests.factories import (
    AnnouncementFactory,
    ClauseFactory,
    CompanyFactory,
    DealFactory,
    DealPartyFactory,
    NewsroomFactory,
)

pytestmark = pytest.mark.django_db


def test_it_publishes_a_complete_candidate(curator):
    deal = make_candidate()
    result = deal_publish(deal=deal, actor=curator)
    deal.refresh_from_db()
    assert result.changed
    assert deal.status == Deal.Status.PUBLISHED
    assert deal.published_at is not None
    assert deal.history.first().history_user == curator


def test_publishing_approves_companies_extraction_proposed():
    deal = make_candidate()
    proposed = deal.deal_parties.first().company
    type(proposed).objects.filter(pk=proposed.pk).update(is_proposed=True)
    result = deal_publish(deal=deal)
    proposed.refresh_from_db()
    assert not proposed.is_proposed
    assert proposed.name in result.message


def test_it_lists_everything_missing_when_publish_is_refused():
    deal = make_candidate(parties=1, confirmed=False, kind="", announced_on=datetime.date(2999, 1, 1))
    with pytest.raises(ValidationError) as exc:
        deal_publish(deal=deal)
    text = " ".join(exc.value.messages)
    assert "at least two parties (found 1" in text
    assert "needs a kind" in text
    assert "2999-01-01 is in the future" in text
    assert "2 still unreviewed: Investment; Compute commitment" in text
    deal.refresh_from_db()
    assert deal.status == Deal.Status.CANDIDATE
    assert deal.history.count() == 1  # only the creation: nothing was written


def test_it_publishes_only_once_however_often_asked():
    deal = make_candidate()
    first = deal_publish(deal=deal)
    rows = deal.history.count()
    second = deal_publish(deal=deal)
    assert first.changed and not second.changed
    assert "already published" in second.message
    assert deal.history.count() == rows


def test_it_refuses_to_publish_a_merged_deal():
    survivor = make_candidate(status=Deal.Status.PUBLISHED)
    dup = make_candidate()
    deal_merge(deal=dup, into=survivor)
    with pytest.raises(ValidationError, match="merged into another deal"):
        deal_publish(deal=dup)


def test_it_requires_a_reason_to_reject_and_keeps_it():
    deal = make_candidate()
    with pytest.raises(ValidationError, match="Give a reason for rejecting"):
        deal_reject(deal=deal, reason="  ")
    deal_reject(deal=deal, reason="A product launch, not a deal.")
    deal.refresh_from_db()
    assert deal.status == Deal.Status.REJECTED
    assert deal.status_reason == "A product launch, not a deal."


def test_it_does_not_reject_a_published_deal():
    deal = make_candidate(status=Deal.Status.PUBLISHED)
    with pytest.raises(ValidationError, match="retract it instead"):
        deal_reject(deal=deal, reason="nope")


def test_it_retracts_a_published_deal_keeping_the_reason():
    deal = make_candidate(status=Deal.Status.PUBLISHED)
    with pytest.raises(ValidationError, match="reason for retracting"):
        deal_retract(deal=deal, reason="")
    deal_retract(deal=deal, reason="The vendor withdrew the announcement.")
    deal.refresh_from_db()
    assert deal.status == Deal.Status.RETRACTED
    assert deal.status_reason == "The vendor withdrew the announcement."
    assert Deal.objects.public().filter(pk=deal.pk).exists()


def test_it_only_retracts_published_deals():
    with pytest.raises(ValidationError, match="Only published deals"):
        deal_retract(deal=make_candidate(), reason="x")


def test_merge_keeps_every_source_clause_and_party_without_duplicates():
    survivor = make_candidate(status=Deal.Status.PUBLISHED)
    dup = make_candidate()
    shared = survivor.deal_parties.first().company
    DealPartyFactory(deal=dup, company=shared)  # already a party of the survivor
    ClauseFactory(deal=dup, kind=Clause.Kind.EXCLUSIVITY, subject="cloud", quote="only cloud")
    # The same investment clause as the survivor's, but it carries evidence the survivor lacks.
    twin_of = survivor.clauses.get(kind=Clause.Kind.INVESTMENT)
    twin_of.quote = ""
    twin_of.save()
    sources = set(survivor.sources.values_list("pk", flat=True)) | set(
        dup.sources.values_list("pk", flat=True)
    )
    dup_companies = set(dup.deal_parties.values_list("company_id", flat=True))

    result = deal_merge(deal=dup, into=survivor)

    dup.refresh_from_db()
    assert result.changed
    assert dup.status == Deal.Status.MERGED and dup.merged_into == survivor
    assert set(survivor.sources.values_list("pk", flat=True)) == sources
    assert dup_companies <= set(survivor.deal_parties.values_list("company_id", flat=True))
    assert survivor.deal_parties.filter(company=shared).count() == 1
    kinds = sorted(survivor.clauses.values_list("kind", flat=True))
    assert kinds == ["compute_commitment", "exclusivity", "investment"]  # every distinct clause, no twins
    twin_of.refresh_from_db()
    assert twin_of.quote == "Contoso will invest $2 billion in Northwind."
    assert not dup.clauses.exists() and not dup.deal_parties.exists()
    absorbed = deal_change_log(survivor)[0]
    assert (absorbed.subject, absorbed.reason) == ("Deal", f"absorbed deal {dup.pk} ({dup.slug})")


def test_merge_repoints_earlier_merges_and_successors():
    survivor = make_candidate(status=Deal.Status.PUBLISHED)
    middle = make_candidate(status=Deal.Status.PUBLISHED)
    older = make_candidate()
    deal_merge(deal=older, into=middle)
    later = make_candidate(status=Deal.Status.PUBLISHED, announced_on=datetime.date(2025, 6, 1))
    deal_link_phase(deal=later, predecessor=middle)
    deal_merge(deal=middle, into=survivor)
    older.refresh_from_db()
    later.refresh_from_db()
    assert older.merged_into == survivor
    assert later.predecessor == survivor


def test_merge_refuses_itself_and_dead_targets():
    deal = make_candidate()
    with pytest.raises(ValidationError, match="itself"):
        deal_merge(deal=deal, into=deal)
    rejected = make_candidate(status=Deal.Status.REJECTED)
    with pytest.raises(ValidationError, match="merge into a live deal"):
        deal_merge(deal=deal, into=rejected)


def test_phase_linking_returns_the_clause_diff():
    first = DealFactory(announced_on=datetime.date(2019, 7, 22))
    ClauseFactory(deal=first, kind=Clause.Kind.EXCLUSIVITY, subject="cloud")
    ClauseFactory(deal=first, kind=Clause.Kind.INVESTMENT, amount=Decimal("1e9"), unit="USD")
    second = make_candidate(clauses=0, announced_on=datetime.date(2023, 1, 23))
    ClauseFactory(deal=second, kind=Clause.Kind.INVESTMENT, amount=Decimal("1e10"), unit="USD")
    ClauseFactory(deal=second, kind=Clause.Kind.RIGHT_OF_FIRST_REFUSAL)

    diff = deal_link_phase(deal=second, predecessor=first)

    second.refresh_from_db()
    assert second.predecessor == first
    assert [c.kind for c in diff.added] == ["right_of_first_refusal"]
    assert [c.kind for c in diff.removed] == ["exclusivity"]
    assert [(c.kind, c.fields) for c in diff.changed] == [("investment", ("amount",))]


def test_phase_linking_refuses_loops_and_backwards_dates():
    a = DealFactory(announced_on=datetime.date(2020, 1, 1))
    b = DealFactory(announced_on=datetime.date(2021, 1, 1))
    deal_link_phase(deal=b, predecessor=a)
    with pytest.raises(ValidationError, match="loop"):
        deal_link_phase(deal=a, predecessor=b)
    c = DealFactory(announced_on=datetime.date(2019, 1, 1))
    with pytest.raises(ValidationError, match="must be the previous phase"):
        deal_link_phase(deal=c, predecessor=b)
    with pytest.raises(ValidationError, match="own previous phase"):
        deal_link_phase(deal=a, predecessor=a)


def test_company_merge_moves_parties_aliases_and_newsrooms():
    keep = CompanyFactory(name="Amazon")
    dup = CompanyFactory(name="Amazon Web Services")
    CompanyAlias.objects.create(company=dup, name="AWS")
    newsroom = NewsroomFactory(company=dup)
    both = DealFactory()
    DealPartyFactory(deal=both, company=keep, role=DealParty.Role.INVESTOR)
    DealPartyFactory(deal=both, company=dup, role=DealParty.Role.PROVIDER)
    only_dup = DealFactory()
    DealPartyFactory(deal=only_dup, company=dup)

    result = company_merge(company=dup, into=keep)

    assert result.changed
    assert not type(keep).objects.filter(pk=dup.pk).exists()
    assert list(both.deal_parties.values_list("company__name", "role")) == [("Amazon", "investor")]
    assert only_dup.deal_parties.get().company == keep
    assert sorted(keep.aliases.values_list("name", flat=True)) == ["AWS", "Amazon Web Services"]
    assert Newsroom.objects.get(pk=newsroom.pk).company == keep


def test_company_merge_refuses_itself():
    c = CompanyFactory()
    with pytest.raises(ValidationError):
        company_merge(company=c, into=c)


def test_every_action_leaves_history_rows_with_the_actor(curator):
    deal = make_candidate()
    survivor = make_candidate(status=Deal.Status.PUBLISHED, announced_on=datetime.date(2025, 5, 1))
    before = deal.history.count()
    deal_publish(deal=deal, actor=curator)
    deal_retract(deal=deal, reason="withdrawn", actor=curator)
    deal_link_phase(deal=survivor, predecessor=deal, actor=curator)
    other = make_candidate()
    deal_reject(deal=other, reason="noise", actor=curator)
    dup = make_candidate()
    ClauseFactory(deal=dup, kind=Clause.Kind.WARRANT)
    deal_merge(deal=dup, into=survivor, actor=curator)

    assert deal.history.count() == before + 2
    assert [h.status for h in deal.history.order_by("history_date")][-2:] == ["published", "retracted"]
    assert survivor.history.filter(history_user=curator).exists()
    assert other.history.latest("history_date").status_reason == "noise"
    assert dup.history.latest("history_date").status == "merged"
    assert Clause.history.filter(deal_id=survivor.pk, kind="warrant", history_user=curator).exists()
    assert Clause.history.filter(deal_id=dup.pk, history_type="-", history_user=curator).count() == 2


def test_change_log_reads_like_sentences(curator):
    deal = make_candidate()
    source = AnnouncementFactory()
    deal_publish(deal=deal, actor=curator)
    clause = deal.clauses.get(kind=Clause.Kind.INVESTMENT)
    clause._history_user = curator
    clause.amount = Decimal("3000000000")
    clause.source = source
    clause.save()
    deal_retract(deal=deal, reason="withdrawn", actor=curator)

    log = deal_change_log(deal)

    assert log[0].subject == "Deal" and log[0].who == "cora" and log[0].action == "changed"
    assert ("Status", "Published", "Retracted") in [
        (c.field.capitalize(), c.before, c.after) for c in log[0].changes
    ]
    amount = next(e for e in log if e.subject == "Clause: Investment" and e.action == "changed")
    fields = {c.field: (c.before, c.after) for c in amount.changes}
    assert fields["amount"] == ("2000000000.0000", "3000000000.0000")
    assert fields["source"][1] == source.url
    assert any(e.subject.startswith("Party: ") and e.action == "created" for e in log)
    assert "cora changed Deal" in str(log[0])
    published = deal_change_log(deal, since_published=True)
    assert len(published) < len(log)


def test_change_log_query_count_does_not_grow(django_assert_max_num_queries):
    deal = make_candidate(clauses=2)
    for i in range(10):
        deal.summary = f"edit {i}"
        deal.save()
    with django_assert_max_num_queries(6):
        assert len(deal_change_log(deal)) >= 10


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_publishes_make_one_event():
    """Two curators pressing publish at the same instant: the row lock lets one through."""
    import threading

    from django.db import connection, connections

    from partnerships.models import AlertEvent

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    deal = make_candidate()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def press():
        try:
            barrier.wait(timeout=5)
            results.append(deal_publish(deal=Deal.objects.get(pk=deal.pk)).changed)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert errors == []
    assert sorted(results) == [False, True]
    assert AlertEvent.objects.filter(deal=deal, kind="published").count() == 1
    assert Deal.history.filter(id=deal.pk, status="published").count() == 1
