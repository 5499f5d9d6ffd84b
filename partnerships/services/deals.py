"""Curation writes: what a curator does to a candidate or a published deal.

Every function takes keyword-only arguments, validates before it writes, runs in one
transaction with the deal row locked, and saves through the model so the audit trail
(django-simple-history) records who did what. ``actor`` is the user acting; inside an
admin request the history middleware already knows it, outside one (commands, tests)
passing it keeps the trail honest.

The alert fan-out is not called from here: the alerts app listens for a deal's status
changing to published (``partnerships.services.alerts``). Publishing is therefore made
idempotent at this level — a deal that is already published is left untouched, so its
post_save never fires a second time however often the button is pressed.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships.diff import ClauseDiff, clause_diff
from partnerships.models import Clause, Company, CompanyAlias, Deal, DealParty, normalize_name


@dataclass(frozen=True)
class CurationResult:
    """What a curation step did, in words a curator reads in the admin's message bar."""

    changed: bool
    message: str


def _locked(deal: Deal) -> Deal:
    # select_for_update serialises two curators (or two clicks) acting on the same deal;
    # SQLite ignores it and serialises writers anyway.
    return Deal.objects.select_for_update().get(pk=deal.pk)


def _stamp(instance, *, actor, reason: str = ""):
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason[:100]
    return instance


def deal_publish_problems(*, deal: Deal) -> list[str]:
    """Everything that stops a deal from being published, one sentence each (empty: ready)."""
    problems = []
    party_names = [p.company.name for p in deal.deal_parties.select_related("company")]
    if len(party_names) < 2:
        found = ", ".join(party_names) if party_names else "none"
        problems.append(f"It needs at least two parties (found {len(party_names)}: {found}).")
    if not deal.kind:
        problems.append("It needs a kind (investment, cloud, compute, ...).")
    if deal.announced_on is None:
        problems.append("It needs an announcement date.")
    elif deal.announced_on > timezone.localdate():
        problems.append(f"Its announcement date {deal.announced_on:%Y-%m-%d} is in the future.")
    pending = [c for c in deal.clauses.all() if c.status != Clause.Status.CONFIRMED]
    if pending:
        listed = "; ".join(f"{c.get_kind_display()}{f' ({c.subject})' if c.subject else ''}" for c in pending)
        problems.append(f"Confirm or drop every clause; {len(pending)} still unreviewed: {listed}.")
    return problems


@transaction.atomic
def deal_publish(*, deal: Deal, actor=None) -> CurationResult:
    """Make a candidate (or a rejected / retracted deal) public.

    Raises ValidationError listing everything missing. Publishing an already published
    deal changes nothing and says so, so the alert fan-out runs once per deal event.
    """
    deal = _locked(deal)
    if deal.status == Deal.Status.PUBLISHED:
        return CurationResult(False, f"“{deal.title}” was already published; nothing changed.")
    if deal.status == Deal.Status.MERGED:
        raise ValidationError(f"“{deal.title}” was merged into another deal; publish that one instead.")
    problems = deal_publish_problems(deal=deal)
    if problems:
        raise ValidationError([f"“{deal.title}” cannot be published yet: {problems[0]}", *problems[1:]])
    # Publishing vouches for the parties too: companies extraction only proposed become public.
    approved = []
    for company in Company.objects.filter(deal_parties__deal=deal, is_proposed=True):
        company.is_proposed = False
        _stamp(company, actor=actor, reason=f"approved with deal {deal.pk}").save()
        approved.append(company.name)
    deal.status = Deal.Status.PUBLISHED
    deal.status_reason = ""
    deal.published_at = deal.published_at or timezone.now()
    _stamp(deal, actor=actor, reason="published").save()
    note = f" New companies approved: {', '.join(approved)}." if approved else ""
    return CurationResult(True, f"Published “{deal.title}”.{note}")


@transaction.atomic
def deal_review_clauses(*, deal: Deal, confirm: list[int], drop: list[int], actor=None) -> CurationResult:
    """Apply a curator's verdict on extracted clauses: confirmed ones stay, dropped ones go.

    Ids that are not clauses of this deal are refused rather than ignored, so a stale form
    cannot touch another deal's clauses.
    """
    if set(confirm) & set(drop):
        raise ValidationError("A clause cannot be both confirmed and dropped.")
    deal = _locked(deal)
    clauses = {c.pk: c for c in deal.clauses.all()}
    foreign = (set(confirm) | set(drop)) - set(clauses)
    if foreign:
        raise ValidationError(f"Clauses {sorted(foreign)} do not belong to “{deal.title}”; reload the page.")
    confirmed = 0
    for pk in confirm:
        clause = clauses[pk]
        if clause.status != Clause.Status.CONFIRMED:
            clause.status = Clause.Status.CONFIRMED
            _stamp(clause, actor=actor, reason="confirmed").save()
            confirmed += 1
    for pk in drop:
        _stamp(clauses[pk], actor=actor, reason="dropped").delete()
    return CurationResult(bool(confirmed or drop), f"{confirmed} clauses confirmed, {len(drop)} dropped.")


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"Give a reason for {what}: it is kept with the deal.")
    return reason


@transaction.atomic
def deal_reject(*, deal: Deal, reason: str, actor=None) -> CurationResult:
    """Turn a candidate down; the reason stays on the record for the audit trail."""
    reason = _require_reason(reason, "rejecting")
    deal = _locked(deal)
    if deal.status == Deal.Status.REJECTED:
        return CurationResult(False, f"“{deal.title}” was already rejected; nothing changed.")
    if deal.status != Deal.Status.CANDIDATE:
        raise ValidationError(
            f"Only candidates can be rejected; “{deal.title}” is {deal.get_status_display().lower()}"
            + (" (retract it instead)." if deal.status == Deal.Status.PUBLISHED else ".")
        )
    deal.status = Deal.Status.REJECTED
    deal.status_reason = reason
    _stamp(deal, actor=actor, reason="rejected").save()
    return CurationResult(True, f"Rejected “{deal.title}”.")


@transaction.atomic
def deal_retract(*, deal: Deal, reason: str, actor=None) -> CurationResult:
    """Withdraw a published deal; its page stays up, marked retracted with the reason."""
    reason = _require_reason(reason, "retracting")
    deal = _locked(deal)
    if deal.status == Deal.Status.RETRACTED:
        return CurationResult(False, f"“{deal.title}” was already retracted; nothing changed.")
    if deal.status != Deal.Status.PUBLISHED:
        raise ValidationError(
            f"Only published deals can be retracted; “{deal.title}” is {deal.get_status_display().lower()}."
        )
    deal.status = Deal.Status.RETRACTED
    deal.status_reason = reason
    _stamp(deal, actor=actor, reason="retracted").save()
    return CurationResult(True, f"Retracted “{deal.title}”; its page stays up with the reason.")


def _same_clause(a: Clause, b: Clause) -> bool:
    return a.diff_key == b.diff_key and clause_diff([a], [b]).is_empty


@transaction.atomic
def deal_merge(*, deal: Deal, into: Deal, actor=None) -> CurationResult:
    """Fold a duplicate deal into the one that survives.

    Sources, parties and clauses move to ``into`` without duplicates: a party already on
    the survivor stays as it is, and a clause the survivor already states identically is
    dropped after lending it any evidence (quote, source) the survivor lacked. The merged
    deal keeps its row and slug with status "merged" so its URL can answer 301.
    """
    if deal.pk == into.pk:
        raise ValidationError("A deal cannot be merged into itself.")
    # Lock both rows in a fixed order so two opposite merges cannot deadlock.
    locked = {d.pk: d for d in Deal.objects.select_for_update().filter(pk__in=[deal.pk, into.pk]).order_by("pk")}
    deal, into = locked[deal.pk], locked[into.pk]
    if deal.status == Deal.Status.MERGED:
        if deal.merged_into_id == into.pk:
            return CurationResult(False, f"“{deal.title}” was already merged into “{into.title}”.")
        raise ValidationError(f"“{deal.title}” was already merged into another deal.")
    if into.status in {Deal.Status.MERGED, Deal.Status.REJECTED}:
        raise ValidationError(
            f"“{into.title}” is {into.get_status_display().lower()}; merge into a live deal instead."
        )

    into.sources.add(*deal.sources.all())

    survivor_companies = set(into.deal_parties.values_list("company_id", flat=True))
    moved_parties = 0
    for party in deal.deal_parties.all():
        if party.company_id in survivor_companies:
            _stamp(party, actor=actor, reason=f"merged into deal {into.pk}").delete()
            continue
        party.deal = into
        _stamp(party, actor=actor, reason=f"moved from deal {deal.pk}").save()
        survivor_companies.add(party.company_id)
        moved_parties += 1

    survivor_clauses = list(into.clauses.all())
    next_position = max((c.position for c in survivor_clauses), default=0) + 1
    moved_clauses = 0
    for clause in deal.clauses.all():
        twin = next((c for c in survivor_clauses if _same_clause(c, clause)), None)
        if twin is not None:
            if (not twin.quote and clause.quote) or (twin.source_id is None and clause.source_id):
                twin.quote = twin.quote or clause.quote
                twin.source_id = twin.source_id or clause.source_id
                _stamp(twin, actor=actor, reason=f"evidence from deal {deal.pk}").save()
            _stamp(clause, actor=actor, reason=f"duplicate of clause {twin.pk}").delete()
            continue
        clause.deal = into
        clause.position = next_position
        next_position += 1
        _stamp(clause, actor=actor, reason=f"moved from deal {deal.pk}").save()
        survivor_clauses.append(clause)
        moved_clauses += 1

    # Anything that pointed at the merged deal now points at the survivor.
    for earlier in Deal.objects.filter(merged_into=deal):
        earlier.merged_into = into
        _stamp(earlier, actor=actor, reason=f"survivor changed to {into.pk}").save()
    for successor in Deal.objects.filter(predecessor=deal).exclude(pk=into.pk):
        successor.predecessor = into
        _stamp(successor, actor=actor, reason=f"predecessor merged into {into.pk}").save()
    if into.predecessor_id is None and deal.predecessor_id not in (None, into.pk):
        into.predecessor_id = deal.predecessor_id
        _stamp(into, actor=actor, reason=f"predecessor taken from deal {deal.pk}").save()

    # A row on the survivor too, so its own change log tells that a duplicate was folded in.
    _stamp(into, actor=actor, reason=f"absorbed deal {deal.pk} ({deal.slug})").save()

    deal.status = Deal.Status.MERGED
    deal.merged_into = into
    deal.status_reason = f"Merged into “{into.title}”."
    _stamp(deal, actor=actor, reason=f"merged into {into.pk}").save()
    return CurationResult(
        True,
        f"Merged “{deal.title}” into “{into.title}”: {moved_parties} parties and {moved_clauses} clauses moved.",
    )


@transaction.atomic
def deal_link_phase(*, deal: Deal, predecessor: Deal, actor=None) -> ClauseDiff:
    """Record ``deal`` as the next phase of ``predecessor``; returns what changed between them."""
    if deal.pk == predecessor.pk:
        raise ValidationError("A deal cannot be its own previous phase.")
    deal = _locked(deal)
    predecessor = Deal.objects.get(pk=predecessor.pk)
    if predecessor.status in {Deal.Status.MERGED, Deal.Status.REJECTED}:
        raise ValidationError(f"“{predecessor.title}” is {predecessor.get_status_display().lower()}; pick a live deal.")
    # Walk back from the chosen predecessor: meeting ``deal`` would close a loop.
    seen, cursor = set(), predecessor
    while cursor is not None and cursor.pk not in seen:
        if cursor.pk == deal.pk:
            raise ValidationError(f"“{predecessor.title}” already comes after “{deal.title}”; that would make a loop.")
        seen.add(cursor.pk)
        cursor = cursor.predecessor
    if predecessor.announced_on and deal.announced_on and predecessor.announced_on > deal.announced_on:
        raise ValidationError(
            f"“{predecessor.title}” ({predecessor.announced_on:%Y-%m-%d}) was announced after "
            f"“{deal.title}” ({deal.announced_on:%Y-%m-%d}); the earlier deal must be the previous phase."
        )
    if deal.predecessor_id != predecessor.pk:
        deal.predecessor = predecessor
        _stamp(deal, actor=actor, reason=f"next phase of {predecessor.pk}").save()
    return clause_diff(list(predecessor.clauses.all()), list(deal.clauses.all()))


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
    moved_deals = 0
    for party in company.deal_parties.all():
        if party.deal_id in survivor_deals:
            _stamp(party, actor=actor, reason=f"company merged into {into.pk}").delete()
            continue
        party.company = into
        _stamp(party, actor=actor, reason=f"company merged into {into.pk}").save()
        moved_deals += 1

    moved_aliases = company.aliases.update(company=into)
    old_name = normalize_name(company.name)
    if old_name != normalize_name(into.name) and not CompanyAlias.objects.filter(normalized=old_name).exists():
        CompanyAlias.objects.create(company=into, name=company.name)

    # Every other relation to Company (newsrooms, subscriptions following it, future ones)
    # moves generically, so a model added later cannot silently block or lose a merge.
    moved_other = 0
    for relation in Company._meta.related_objects:
        model = relation.related_model
        if model in (DealParty, CompanyAlias) or model.__name__.startswith("Historical"):
            continue
        if relation.many_to_many:
            through = relation.through
            source_col = relation.field.m2m_reverse_field_name()
            owner_col = relation.field.m2m_field_name()
            owners = set(through.objects.filter(**{source_col: company}).values_list(f"{owner_col}_id", flat=True))
            already = set(through.objects.filter(**{source_col: into}).values_list(f"{owner_col}_id", flat=True))
            through.objects.bulk_create(
                [through(**{f"{owner_col}_id": pk, source_col: into}) for pk in owners - already]
            )
            through.objects.filter(**{source_col: company}).delete()
            moved_other += len(owners)
        elif relation.one_to_many or relation.one_to_one:
            moved_other += model._default_manager.filter(**{relation.field.name: company}).update(
                **{relation.field.name: into}
            )

    name = company.name
    _stamp(company, actor=actor, reason=f"merged into {into.pk}").delete()
    return CurationResult(
        True,
        f"Merged “{name}” into “{into.name}”: {moved_deals} deals, {moved_aliases} aliases and "
        f"{moved_other} other links moved.",
    )
