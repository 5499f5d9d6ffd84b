"""Curation writes: what a curator does to a candidate or a published deal.

Every function takes keyword-only arguments, validates before it writes, runs in one
transaction with the deal row locked, and saves through the model so the audit trail
(django-simple-history) records who did what. Each ends by refreshing the ledger of the
deals it touched (``ledger_refresh``), in the same transaction, so no total is ever read
from terms that are gone.

The SQLite search index is updated here too (``search_index_update``; a no-op on PostgreSQL,
whose search columns are generated). Alerts are part of the write, called here rather than
hidden in model signals: publishing
records the "published" event (``deal_publication_record``), and every path that can change
a published deal's terms (``deal_update``, ``deal_review_clauses``, ``deal_link_phase``, and
the merges in ``partnerships.services.merges``) reads the terms before writing and asks
``deal_detect_change`` afterwards, in the same transaction. One curator action makes at most
one "changed" event, however many rows it touched; the fan-out is enqueued after commit.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships.diff import ClauseDiff, clause_diff
from partnerships.evidence import MISSING, UNCHECKED, quote_checks
from partnerships.models import Clause, Company, Deal, DealParty
from partnerships.search.index import search_index_update
from partnerships.services.alerts.events import deal_detect_change, deal_publication_record, deal_terms
from partnerships.services.curation import CurationResult, clause_problems, deal_lock, history_stamp
from partnerships.services.ledger import ledger_refresh


def _label(clause: Clause) -> str:
    return f"{clause.get_kind_display()}{f' ({clause.subject})' if clause.subject else ''}"


def quote_problems(clauses, sources) -> list[str]:
    """A sentence per quote the archived source text does not hold, or that no archive can check."""
    checks = quote_checks(clauses, sources)
    problems = []
    for clause in clauses:
        if checks.get(clause.pk) == MISSING:
            problems.append(f"{_label(clause)}: its quote is not found in the source text.")
        elif checks.get(clause.pk) == UNCHECKED:
            problems.append(
                f"{_label(clause)}: its quote cannot be checked, no source has an archived text "
                "(archive the page first: manage.py archive_sources)."
            )
    return problems


def deal_publish_problems(*, deal: Deal) -> list[str]:
    """Everything that stops a deal from being published, one sentence each (empty: ready).

    The review page lists the same sentences and disables its publish button while any is
    left: parties, kind and date; at least one source; every clause reviewed; every clause
    that needs one has a grantor and a beneficiary, both parties of the deal; every quote
    found in the archived text of its source.
    """
    problems = []
    parties = list(deal.deal_parties.select_related("company"))
    party_names = [p.company.name for p in parties]
    if len(party_names) < 2:
        found = ", ".join(party_names) if party_names else "none"
        problems.append(f"It needs at least two parties (found {len(party_names)}: {found}).")
    if not deal.kind:
        problems.append("It needs a kind (investment, cloud, compute, ...).")
    if deal.announced_on is None:
        problems.append("It needs an announcement date.")
    elif deal.announced_on > timezone.localdate():
        problems.append(f"Its announcement date {deal.announced_on:%Y-%m-%d} is in the future.")
    sources = list(deal.sources.only("id", "url", "title", "text"))
    if not sources:
        problems.append("It needs at least one source announcement.")
    clauses = list(deal.clauses.select_related("grantor", "beneficiary"))
    pending = [c for c in clauses if c.status != Clause.Status.CONFIRMED]
    if pending:
        listed = "; ".join(_label(c) for c in pending)
        problems.append(f"Confirm or drop every clause; {len(pending)} still unreviewed: {listed}.")
    problems += clause_problems(clauses, {p.company_id for p in parties})
    problems += quote_problems(clauses, sources)
    return problems


@transaction.atomic
def deal_publish(*, deal: Deal, actor=None) -> CurationResult:
    """Make a candidate (or a rejected / retracted deal) public and record its alert event.

    Raises ValidationError listing everything missing. Publishing an already published
    deal changes nothing and says so, so the alert fan-out runs once per deal event.
    """
    deal = deal_lock(deal)
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
        history_stamp(company, actor=actor, reason=f"approved with deal {deal.pk}").save()
        approved.append(company.name)
    deal.status = Deal.Status.PUBLISHED
    deal.status_reason = ""
    deal.published_at = deal.published_at or timezone.now()
    history_stamp(deal, actor=actor, reason="published").save()
    deal_publication_record(deal_id=deal.pk)
    ledger_refresh(deal_ids=[deal.pk])
    search_index_update(deal_ids=[deal.pk])
    note = f" New companies approved: {', '.join(approved)}." if approved else ""
    return CurationResult(True, f"Published “{deal.title}”.{note}")


# Changed only by their own actions (publish, reject, retract, merge, link a phase), which
# validate them: an edit keeps what is stored, so a form opened before another curator's
# action cannot undo it.
ACTION_FIELDS = ("status", "status_reason", "published_at", "merged_into_id", "predecessor_id")


def _prepare_edit(deal: Deal, rows: Sequence[Clause | DealParty]) -> None:
    """Lock the deal, keep its action fields as stored, refuse clauses or parties of another deal."""
    foreign = sorted(r.pk for r in rows if r.deal_id not in (None, deal.pk))
    if foreign:
        raise ValidationError(f"Rows {foreign} do not belong to “{deal.title}”; reload the page.")
    if deal.pk is None:
        return
    stored = Deal.objects.select_for_update().filter(pk=deal.pk).values(*ACTION_FIELDS).get()
    for name, value in stored.items():
        setattr(deal, name, value)


def _check_clauses(deal: Deal, clauses: Sequence[Clause]) -> None:
    """Refuse a clause whose sides are not parties of the deal, or that is part of another deal's clause."""
    party_ids = set(DealParty.objects.filter(deal=deal).values_list("company_id", flat=True))
    errors = []
    for clause in clauses:
        label = _label(clause)
        for side in ("grantor", "beneficiary"):
            company_id = getattr(clause, f"{side}_id")
            if company_id is not None and company_id not in party_ids:
                errors.append(f"{label}: its {side} is not a party of “{deal.title}”.")
        if clause.part_of_id is not None:
            parent = Clause.objects.filter(pk=clause.part_of_id).values_list("deal_id", flat=True).first()
            if parent != deal.pk or (clause.pk is not None and clause.part_of_id == clause.pk):
                errors.append(f"{label}: it can only be part of another clause of the same deal.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    clauses: Sequence[Clause] = (),
    deleted_clauses: Sequence[Clause] = (),
    parties: Sequence[DealParty] = (),
    deleted_parties: Sequence[DealParty] = (),
    save_deal: bool = True,
    actor=None,
    reason: str = "",
) -> CurationResult:
    """Save one curator edit of a deal, its parties and its clauses: the admin form and its inlines.

    ``deal`` carries the edited field values (a form has put them there) and is saved unless
    ``save_deal`` is False (an edit of clauses only); ``clauses``/``parties`` are new or
    edited rows of this deal and ``deleted_*`` the ones to remove. Parties are written
    first, so a clause may name a party added in the same edit; a clause whose grantor or
    beneficiary is not a party, or that is part of a clause of another deal, is refused and
    nothing is written. If the deal is published and its material terms (headline value,
    phase link, clauses) moved, exactly one "changed" alert event is recorded; an edit that
    changed none of them records nothing. Status, phase link and merge target are not
    edited here (``ACTION_FIELDS``).
    """
    _prepare_edit(deal, [*clauses, *deleted_clauses, *parties, *deleted_parties])
    before = deal_terms(deal_id=deal.pk)
    if save_deal or deal.pk is None:
        history_stamp(deal, actor=actor, reason=reason).save()
    for party in deleted_parties:
        history_stamp(party, actor=actor).delete()
    for party in parties:
        party.deal = deal
        history_stamp(party, actor=actor).save()
    _check_clauses(deal, clauses)
    for clause in clauses:
        clause.deal = deal
        history_stamp(clause, actor=actor).save()
    for clause in deleted_clauses:
        history_stamp(clause, actor=actor).delete()
    ledger_refresh(deal_ids=[deal.pk])
    event = deal_detect_change(deal_id=deal.pk, before=before) if before is not None else None
    search_index_update(deal_ids=[deal.pk])
    note = " Subscribers will be told what changed." if event is not None else ""
    return CurationResult(True, f"Saved “{deal.title}”.{note}")


@transaction.atomic
def deal_review_clauses(*, deal: Deal, confirm: list[int], drop: list[int], actor=None) -> CurationResult:
    """Apply a curator's verdict on extracted clauses: confirmed ones stay, dropped ones go.

    Ids that are not clauses of this deal are refused rather than ignored, so a stale form
    cannot touch another deal's clauses. Written through ``deal_update``, so dropping a
    clause of a published deal alerts its subscribers like any other edit.
    """
    if set(confirm) & set(drop):
        raise ValidationError("A clause cannot be both confirmed and dropped.")
    deal = deal_lock(deal)
    clauses = {c.pk: c for c in deal.clauses.all()}
    foreign = (set(confirm) | set(drop)) - set(clauses)
    if foreign:
        raise ValidationError(f"Clauses {sorted(foreign)} do not belong to “{deal.title}”; reload the page.")
    confirmed = []
    for pk in confirm:
        clause = clauses[pk]
        if clause.status != Clause.Status.CONFIRMED:
            clause.status = Clause.Status.CONFIRMED
            confirmed.append(history_stamp(clause, actor=actor, reason="confirmed"))
    dropped = [history_stamp(clauses[pk], actor=actor, reason="dropped") for pk in drop]
    deal_update(deal=deal, clauses=confirmed, deleted_clauses=dropped, save_deal=False, actor=actor)
    return CurationResult(
        bool(confirmed or drop), f"{len(confirmed)} clauses confirmed, {len(drop)} dropped."
    )


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"Give a reason for {what}: it is kept with the deal.")
    return reason


@transaction.atomic
def deal_reject(*, deal: Deal, reason: str, actor=None) -> CurationResult:
    """Turn a candidate down; the reason stays on the record for the audit trail."""
    reason = _require_reason(reason, "rejecting")
    deal = deal_lock(deal)
    if deal.status == Deal.Status.REJECTED:
        return CurationResult(False, f"“{deal.title}” was already rejected; nothing changed.")
    if deal.status != Deal.Status.CANDIDATE:
        raise ValidationError(
            f"Only candidates can be rejected; “{deal.title}” is {deal.get_status_display().lower()}"
            + (" (retract it instead)." if deal.status == Deal.Status.PUBLISHED else ".")
        )
    deal.status = Deal.Status.REJECTED
    deal.status_reason = reason
    history_stamp(deal, actor=actor, reason="rejected").save()
    ledger_refresh(deal_ids=[deal.pk])
    return CurationResult(True, f"Rejected “{deal.title}”.")


@transaction.atomic
def deal_retract(*, deal: Deal, reason: str, actor=None) -> CurationResult:
    """Withdraw a published deal; its page stays up, marked retracted with the reason.

    No alert goes out: subscribers are told about deals and their terms, not about
    withdrawals. Published again later, the deal alerts only if its terms moved meanwhile.
    """
    reason = _require_reason(reason, "retracting")
    deal = deal_lock(deal)
    if deal.status == Deal.Status.RETRACTED:
        return CurationResult(False, f"“{deal.title}” was already retracted; nothing changed.")
    if deal.status != Deal.Status.PUBLISHED:
        raise ValidationError(
            f"Only published deals can be retracted; “{deal.title}” is {deal.get_status_display().lower()}."
        )
    deal.status = Deal.Status.RETRACTED
    deal.status_reason = reason
    history_stamp(deal, actor=actor, reason="retracted").save()
    ledger_refresh(deal_ids=[deal.pk])
    search_index_update(deal_ids=[deal.pk])
    return CurationResult(True, f"Retracted “{deal.title}”; its page stays up with the reason.")


def _check_phase_link(deal: Deal, predecessor: Deal) -> None:
    if predecessor.status in {Deal.Status.MERGED, Deal.Status.REJECTED}:
        raise ValidationError(
            f"“{predecessor.title}” is {predecessor.get_status_display().lower()}; pick a live deal."
        )
    # Walk back from the chosen predecessor: meeting ``deal`` would close a loop.
    seen, cursor = set(), predecessor
    while cursor is not None and cursor.pk not in seen:
        if cursor.pk == deal.pk:
            raise ValidationError(
                f"“{predecessor.title}” already comes after “{deal.title}”; that would make a loop."
            )
        seen.add(cursor.pk)
        cursor = cursor.predecessor
    if predecessor.announced_on and deal.announced_on and predecessor.announced_on > deal.announced_on:
        raise ValidationError(
            f"“{predecessor.title}” ({predecessor.announced_on:%Y-%m-%d}) was announced after "
            f"“{deal.title}” ({deal.announced_on:%Y-%m-%d}); the earlier deal must be the previous phase."
        )


@transaction.atomic
def deal_link_phase(*, deal: Deal, predecessor: Deal, actor=None) -> ClauseDiff:
    """Record ``deal`` as the next phase of ``predecessor``; returns what changed between them.

    The phase link is a material term: a published deal's subscribers hear of it.
    """
    if deal.pk == predecessor.pk:
        raise ValidationError("A deal cannot be its own previous phase.")
    deal = deal_lock(deal)
    predecessor = Deal.objects.get(pk=predecessor.pk)
    _check_phase_link(deal, predecessor)
    if deal.predecessor_id != predecessor.pk:
        before = deal_terms(deal_id=deal.pk)
        old_predecessor = deal.predecessor_id
        deal.predecessor = predecessor
        history_stamp(deal, actor=actor, reason=f"next phase of {predecessor.pk}").save()
        # The chain the deal left loses its later totals' context too: refresh both chains.
        ledger_refresh(deal_ids=[deal.pk, old_predecessor])
        if before is not None:
            deal_detect_change(deal_id=deal.pk, before=before)
    return clause_diff(list(predecessor.clauses.all()), list(deal.clauses.all()))
