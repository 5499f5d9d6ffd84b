"""What every curation write shares: its result, the deal row lock, the audit-trail stamp, and
the direction checks the services, the admin forms and the publish gate apply to clauses."""

from dataclasses import dataclass

from partnerships.models import Deal


@dataclass(frozen=True)
class CurationResult:
    """What a curation step did, in words a curator reads in the admin's message bar."""

    changed: bool
    message: str


def deal_lock(deal: Deal) -> Deal:
    """The deal re-read under a row lock.

    ``select_for_update`` serialises two curators (or two clicks) acting on the same deal;
    SQLite ignores it and serialises writers anyway.
    """
    return Deal.objects.select_for_update().get(pk=deal.pk)


def history_stamp(instance, *, actor, reason: str = ""):
    """Tell django-simple-history who made the next save or delete of ``instance``, and why.

    Inside an admin request the history middleware already knows the user; outside one
    (commands, tests) passing ``actor`` keeps the trail honest.
    """
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason[:100]
    return instance


def clause_problems(clauses, party_ids: set[int]) -> list[str]:
    """A sentence per clause whose grantor or beneficiary is missing or not a party of the deal.

    Every kind but a contract's term and an AGI clause needs both sides (``Clause.needs_direction``):
    without them the ledger cannot say who gives what to whom.
    """
    problems = []
    for clause in clauses:
        label = f"{clause.get_kind_display()}{f' ({clause.subject})' if clause.subject else ''}"
        sides = {"grantor": clause.grantor_id, "beneficiary": clause.beneficiary_id}
        if clause.needs_direction and None in sides.values():
            missing = " and ".join(name for name, value in sides.items() if value is None)
            problems.append(f"{label}: name its {missing} (who gives it and who receives it).")
        strangers = [name for name, value in sides.items() if value is not None and value not in party_ids]
        if strangers:
            problems.append(f"{label}: its {' and '.join(strangers)} is not a party of the deal.")
        if clause.grantor_id is not None and clause.grantor_id == clause.beneficiary_id:
            problems.append(f"{label}: grantor and beneficiary are the same company.")
    return problems
