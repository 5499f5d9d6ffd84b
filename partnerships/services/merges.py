"""Folding duplicates into the record that survives: deals and companies.

A deal merge changes the survivor's clauses (and maybe its phase link) and re-points the
merged deal's later phases, so every published deal it touched is checked for a material
change once, at the end, in the merge's transaction. A company merge moves party rows,
aliases and follows; parties are not part of a deal's terms, so it records no alert event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from partnerships.diff import clause_diff
from partnerships.models import Clause, Company, CompanyAlias, Deal, DealParty, LedgerEntry, normalize_name
from partnerships.search.index import search_index_update
from partnerships.services.alerts.events import deal_detect_change, deal_terms
from partnerships.services.curation import CurationResult, history_stamp
from partnerships.services.ledger import ledger_refresh


def _same_clause(a: Clause, b: Clause) -> bool:
    return a.diff_key == b.diff_key and clause_diff([a], [b], directional=False).is_empty


def _lock_pair(deal: Deal, into: Deal) -> tuple[Deal, Deal]:
    if deal.pk == into.pk:
        raise ValidationError("A deal cannot be merged into itself.")
    # Lock both rows in a fixed order so two opposite merges cannot deadlock.
    locked = {
        d.pk: d for d in Deal.objects.select_for_update().filter(pk__in=[deal.pk, into.pk]).order_by("pk")
    }
    return locked[deal.pk], locked[into.pk]


def _move_parties(deal: Deal, into: Deal, actor) -> int:
    """Parties of ``deal`` join ``into``; one already on the survivor stays as it is."""
    survivor_companies = set(into.deal_parties.values_list("company_id", flat=True))
    moved = 0
    for party in deal.deal_parties.all():
        if party.company_id in survivor_companies:
            history_stamp(party, actor=actor, reason=f"merged into deal {into.pk}").delete()
            continue
        party.deal = into
        history_stamp(party, actor=actor, reason=f"moved from deal {deal.pk}").save()
        survivor_companies.add(party.company_id)
        moved += 1
    return moved


def _move_clauses(deal: Deal, into: Deal, actor) -> int:
    """Clauses of ``deal`` join ``into``; a twin the survivor states identically only lends its evidence."""
    survivor_clauses = list(into.clauses.all())
    next_position = max((c.position for c in survivor_clauses), default=0) + 1
    moved = 0
    for clause in deal.clauses.all():
        twin = next((c for c in survivor_clauses if _same_clause(c, clause)), None)
        if twin is not None:
            if (not twin.quote and clause.quote) or (twin.source_id is None and clause.source_id):
                twin.quote = twin.quote or clause.quote
                twin.source_id = twin.source_id or clause.source_id
                history_stamp(twin, actor=actor, reason=f"evidence from deal {deal.pk}").save()
            history_stamp(clause, actor=actor, reason=f"duplicate of clause {twin.pk}").delete()
            continue
        clause.deal = into
        clause.position = next_position
        next_position += 1
        history_stamp(clause, actor=actor, reason=f"moved from deal {deal.pk}").save()
        survivor_clauses.append(clause)
        moved += 1
    return moved


def _repoint_links(deal: Deal, into: Deal, actor, successors: list[Deal]) -> None:
    """Anything that pointed at the merged deal now points at the survivor."""
    for earlier in Deal.objects.filter(merged_into=deal):
        earlier.merged_into = into
        history_stamp(earlier, actor=actor, reason=f"survivor changed to {into.pk}").save()
    for successor in successors:
        successor.predecessor = into
        history_stamp(successor, actor=actor, reason=f"predecessor merged into {into.pk}").save()
    if into.predecessor_id is None and deal.predecessor_id not in (None, into.pk):
        into.predecessor_id = deal.predecessor_id
        history_stamp(into, actor=actor, reason=f"predecessor taken from deal {deal.pk}").save()


@transaction.atomic
def deal_merge(*, deal: Deal, into: Deal, actor=None) -> CurationResult:
    """Fold a duplicate deal into the one that survives.

    Sources, parties and clauses move to ``into`` without duplicates: a party already on
    the survivor stays as it is, and a clause the survivor already states identically is
    dropped after lending it any evidence (quote, source) the survivor lacked. The merged
    deal keeps its row and slug with status "merged" so its URL can answer 301.
    """
    deal, into = _lock_pair(deal, into)
    if deal.status == Deal.Status.MERGED:
        if deal.merged_into_id == into.pk:
            return CurationResult(False, f"“{deal.title}” was already merged into “{into.title}”.")
        raise ValidationError(f"“{deal.title}” was already merged into another deal.")
    if into.status in {Deal.Status.MERGED, Deal.Status.REJECTED}:
        raise ValidationError(
            f"“{into.title}” is {into.get_status_display().lower()}; merge into a live deal instead."
        )
    successors = list(Deal.objects.filter(predecessor=deal).exclude(pk=into.pk))
    terms_before = {d.pk: deal_terms(deal_id=d.pk) for d in (into, *successors)}

    into.sources.add(*deal.sources.all())
    # A competition review linked to the duplicate (a CMA case waiting as a candidate) concerns the survivor.
    into.regulatory_reviews.add(*deal.regulatory_reviews.all())
    moved_parties = _move_parties(deal, into, actor)
    moved_clauses = _move_clauses(deal, into, actor)
    _repoint_links(deal, into, actor, successors)
    # A row on the survivor too, so its own change log tells that a duplicate was folded in.
    history_stamp(into, actor=actor, reason=f"absorbed deal {deal.pk} ({deal.slug})").save()
    deal.status = Deal.Status.MERGED
    deal.merged_into = into
    deal.status_reason = f"Merged into “{into.title}”."
    history_stamp(deal, actor=actor, reason=f"merged into {into.pk}").save()
    search_index_update(deal_ids=[deal.pk, into.pk])

    ledger_refresh(deal_ids=[deal.pk, into.pk, *(s.pk for s in successors)])
    for deal_id, before in terms_before.items():
        if before is not None:
            deal_detect_change(deal_id=deal_id, before=before)
    return CurationResult(
        True,
        f"Merged “{deal.title}” into “{into.title}”: {moved_parties} parties and {moved_clauses} clauses moved.",
    )


def _move_other_relations(company: Company, into: Company) -> int:
    """Every other relation to Company (newsrooms, subscriptions following it, future ones)
    moves generically, so a model added later cannot silently block or lose a merge."""
    moved = 0
    for relation in Company._meta.related_objects:
        model = relation.related_model
        # The ledger is derived: it is recomputed from the moved clauses instead.
        if model in (DealParty, CompanyAlias, LedgerEntry) or model.__name__.startswith("Historical"):
            continue
        if relation.many_to_many:
            through = relation.through
            source_col = relation.field.m2m_reverse_field_name()
            owner_col = relation.field.m2m_field_name()
            owners = set(
                through.objects.filter(**{source_col: company}).values_list(f"{owner_col}_id", flat=True)
            )
            already = set(
                through.objects.filter(**{source_col: into}).values_list(f"{owner_col}_id", flat=True)
            )
            through.objects.bulk_create(
                [through(**{f"{owner_col}_id": pk, source_col: into}) for pk in owners - already]
            )
            through.objects.filter(**{source_col: company}).delete()
            moved += len(owners)
        elif relation.one_to_many or relation.one_to_one:
            moved += model._default_manager.filter(**{relation.field.name: company}).update(
                **{relation.field.name: into}
            )
    return moved


@transaction.atomic
def company_merge(*, company: Company, into: Company, actor=None) -> CurationResult:
    """Fold a duplicate company into another: its deals, aliases, newsrooms and follows move.

    A deal that already lists ``into`` keeps that party row and drops the duplicate's.
    The merged company's name becomes an alias of the survivor so matching still finds it.
    """
    if company.pk == into.pk:
        raise ValidationError("A company cannot be merged into itself.")
    company = Company.objects.select_for_update().get(pk=company.pk)
    into = Company.objects.select_for_update().get(pk=into.pk)

    survivor_deals = set(into.deal_parties.values_list("deal_id", flat=True))
    touched = survivor_deals | set(company.deal_parties.values_list("deal_id", flat=True))
    moved_deals = 0
    for party in company.deal_parties.all():
        if party.deal_id in survivor_deals:
            history_stamp(party, actor=actor, reason=f"company merged into {into.pk}").delete()
            continue
        party.company = into
        history_stamp(party, actor=actor, reason=f"company merged into {into.pk}").save()
        moved_deals += 1

    moved_aliases = company.aliases.update(company=into)
    old_name = normalize_name(company.name)
    if (
        old_name != normalize_name(into.name)
        and not CompanyAlias.objects.filter(normalized=old_name).exists()
    ):
        CompanyAlias.objects.create(company=into, name=company.name)
    moved_other = _move_other_relations(company, into)

    name = company.name
    # Clauses moved to the survivor as grantor or beneficiary with the other relations;
    # its ledger rows are recomputed (a clause between the two companies is no flow any more).
    ledger_refresh(deal_ids=touched)
    history_stamp(company, actor=actor, reason=f"merged into {into.pk}").delete()
    return CurationResult(
        True,
        f"Merged “{name}” into “{into.name}”: {moved_deals} deals, {moved_aliases} aliases and "
        f"{moved_other} other links moved.",
    )
