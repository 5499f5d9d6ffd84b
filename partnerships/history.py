"""The audit trail of a deal in words: who changed which field, when, from what to what.

Built from django-simple-history's rows for the deal, its clauses and its parties, with a
fixed number of queries however long the history is, so the public deal page can show a
change log and the admin can show the same story.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Subquery

from partnerships.models import Clause, Company, Deal, DealParty

_SKIPPED = {"id", "created_at", "updated_at", "position"}
_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass
class ChangeEntry:
    when: datetime
    who: str  # username, or "" when the change came from a task or a command
    subject: str  # "Deal", "Clause: Equity stake", "Party: Microsoft"
    action: str  # created / changed / deleted
    changes: list[FieldChange] = field(default_factory=list)
    reason: str = ""

    def __str__(self):
        detail = "; ".join(f"{c.field}: {c.before or '—'} → {c.after or '—'}" for c in self.changes)
        return f"{self.when:%Y-%m-%d %H:%M} {self.who or 'system'} {self.action} {self.subject}" + (
            f" ({detail})" if detail else ""
        )


def deal_change_log(
    deal: Deal, *, since_published: bool = False, limit: int | None = None
) -> list[ChangeEntry]:
    """Every recorded change to ``deal``, its clauses and its parties, newest first.

    ``since_published`` keeps only what happened from the first publication on — what a
    reader of the public page cares about. Clauses and parties moved in from a merged
    deal bring their earlier history with them.
    """
    deal_rows = list(Deal.history.filter(id=deal.pk).select_related("history_user").order_by("history_date"))
    clause_rows = list(
        Clause.history.filter(id__in=Subquery(Clause.history.filter(deal_id=deal.pk).values("id")))
        .select_related("history_user")
        .order_by("history_date")
    )
    party_rows = list(
        DealParty.history.filter(id__in=Subquery(DealParty.history.filter(deal_id=deal.pk).values("id")))
        .select_related("history_user")
        .order_by("history_date")
    )
    names = _related_names(deal_rows, party_rows, clause_rows)

    entries = []
    entries += _entries(deal_rows, Deal, lambda row: "Deal", names)
    entries += _entries(
        clause_rows,
        Clause,
        lambda row: (
            "Clause: " + Clause.Kind(row.kind).label + (f" ({row.subject})" if row.subject else "")
            if row.kind in Clause.Kind.values
            else f"Clause: {row.kind}"
        ),
        names,
    )
    entries += _entries(
        party_rows, DealParty, lambda row: "Party: " + names["company"].get(row.company_id, "?"), names
    )
    if since_published:
        first = next((row.history_date for row in deal_rows if row.status == Deal.Status.PUBLISHED), None)
        entries = [e for e in entries if first is not None and e.when >= first]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit] if limit else entries


def _related_names(deal_rows, party_rows, clause_rows) -> dict[str, dict]:
    company_ids = {row.company_id for row in party_rows}
    deal_ids = {getattr(row, name) for row in deal_rows for name in ("predecessor_id", "merged_into_id")}
    deal_ids |= {row.deal_id for row in [*party_rows, *clause_rows]}
    source_ids = {row.source_id for row in clause_rows}
    from scrapers.models import Announcement

    return {
        "company": dict(Company.objects.filter(pk__in=company_ids - {None}).values_list("pk", "name")),
        "deal": dict(Deal.objects.filter(pk__in=deal_ids - {None}).values_list("pk", "title"))
        if deal_ids - {None}
        else {},
        "announcement": dict(Announcement.objects.filter(pk__in=source_ids - {None}).values_list("pk", "url"))
        if source_ids - {None}
        else {},
    }


def _display(model, field_obj, value, names) -> str:
    if value is None or value == "":
        return ""
    if field_obj.is_relation:
        target = field_obj.related_model._meta.model_name
        lookup = {"company": "company", "deal": "deal", "announcement": "announcement"}.get(target)
        return str(names.get(lookup, {}).get(value, f"#{value}"))
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    return str(value)


def _entries(rows, model, subject_of, names) -> list[ChangeEntry]:
    fields = [f for f in model._meta.concrete_fields if f.name not in _SKIPPED]
    previous = {}
    entries = []
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        action = _ACTIONS.get(row.history_type, "changed")
        changes = []
        if action == "changed" and before is not None:
            for f in fields:
                old, new = getattr(before, f.attname, None), getattr(row, f.attname, None)
                if old != new:
                    changes.append(
                        FieldChange(
                            f.verbose_name, _display(model, f, old, names), _display(model, f, new, names)
                        )
                    )
            if not changes and not row.history_change_reason:
                continue  # a save that changed nothing tracked and says nothing is not news
        user = row.history_user
        entries.append(
            ChangeEntry(
                when=row.history_date,
                who=user.get_username() if user else "",
                subject=subject_of(row),
                action=action,
                changes=changes,
                reason=row.history_change_reason or "",
            )
        )
    return entries
