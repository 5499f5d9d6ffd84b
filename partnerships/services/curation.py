"""What every curation write shares: its result, the deal row lock and the audit-trail stamp."""

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
