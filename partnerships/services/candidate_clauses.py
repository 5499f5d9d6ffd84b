"""A candidate's clauses from one source: who gives what to whom, tranches, and how sure.

The extraction names a clause's grantor and beneficiary by party name, says whether it is
mutual and what its basis is, and points a tranche at its whole by index (``part_of``). Here
the names become the companies of the matching extracted parties (``clause_sides``), the index
becomes a link to the row stored for that clause, and every field takes part in the key that
says whether a stored clause is the same one re-read (so re-extracting an unchanged page
touches no row). A clause read from a filing is ``confirmed`` (the filer states it); from any
other page, ``reported`` until a curator says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from extraction.clauses import ExtractedClause
from extraction.parties import ExtractedParty
from partnerships.models import Clause, Company, Deal, normalize_name
from scrapers.models import Announcement


@dataclass(frozen=True)
class _Wanted:
    """An extracted clause with its sides resolved to companies and its tranche parent's key."""

    clause: ExtractedClause
    key: tuple
    grantor: Company | None
    beneficiary: Company | None
    parent: int | None  # index (in the wanted list) of the clause this one is part of


def _base_key(kind, subject, amount, unit, qualifier, effect, quote) -> tuple:
    return (
        kind,
        subject or "",
        None if amount is None else amount.normalize(),
        unit or "",
        qualifier or "",
        effect or Clause.Effect.GRANTED,
        quote or "",
    )


def _clause_key(base: tuple, grantor_id, beneficiary_id, mutual, basis, parent_base) -> tuple:
    """What makes two extractions of a clause the same: its terms, its sides and its whole."""
    return (*base, grantor_id, beneficiary_id, bool(mutual), basis or "", parent_base)


def _extracted_base(clause: ExtractedClause) -> tuple:
    return _base_key(
        clause.kind, clause.subject, clause.amount, clause.unit, clause.qualifier, clause.effect, clause.quote
    )


def _row_base(row: Clause) -> tuple:
    return _base_key(row.kind, row.subject, row.amount, row.unit, row.qualifier, row.effect, row.quote)


def _side(name: str | None, sides: dict[str, Company]) -> Company | None:
    """The company a clause's grantor or beneficiary names: the matching extracted party's."""
    if not name:
        return None
    return sides.get(name) or sides.get(normalize_name(name))


def _wanted(clauses: list[ExtractedClause], sides: dict[str, Company]) -> list[_Wanted]:
    bases = [_extracted_base(c) for c in clauses]
    rows = []
    for index, clause in enumerate(clauses):
        grantor, beneficiary = _side(clause.grantor, sides), _side(clause.beneficiary, sides)
        parent = clause.part_of if clause.part_of is not None and 0 <= clause.part_of < len(clauses) else None
        if parent == index:
            parent = None
        key = _clause_key(
            bases[index],
            grantor.pk if grantor else None,
            beneficiary.pk if beneficiary else None,
            clause.mutual,
            clause.basis,
            bases[parent] if parent is not None else None,
        )
        rows.append(_Wanted(clause, key, grantor, beneficiary, parent))
    return rows


def _stored_key(row: Clause) -> tuple:
    parent = _row_base(row.part_of) if row.part_of_id else None
    return _clause_key(_row_base(row), row.grantor_id, row.beneficiary_id, row.mutual, row.basis, parent)


def clause_certainty(announcement: Announcement) -> str:
    """A filing states what it states: clauses read from one are confirmed; any other page's, reported."""
    if announcement.source_kind == Announcement.SourceKind.FILING:
        return Clause.Certainty.CONFIRMED
    return Clause.Certainty.REPORTED


def clause_sync(
    deal: Deal, announcement: Announcement, clauses: list[ExtractedClause], sides: dict[str, Company]
) -> None:
    """Make this source's extracted clauses equal ``clauses`` without touching unchanged rows.

    ``sides`` maps the extraction's party names to their companies (``clause_sides``): a clause's
    grantor and beneficiary are the companies of the parties it names. ``part_of`` (an index
    into ``clauses``) becomes a link to the row stored for that clause.
    """
    wanted = _wanted(clauses, sides)
    by_key: dict[tuple, int] = {}
    for index, item in enumerate(wanted):
        by_key.setdefault(item.key, index)
    current = Clause.objects.filter(deal=deal, source=announcement, status=Clause.Status.EXTRACTED)
    kept: dict[tuple, Clause] = {}
    stale = []
    for row in current.select_related("part_of"):
        key = _stored_key(row)
        if key in by_key and key not in kept:
            kept[key] = row
        else:
            stale.append(row.pk)
    if stale:
        Clause.objects.filter(pk__in=stale).delete()
    start = deal.clauses.count()
    fresh = [(index, wanted[index]) for key, index in by_key.items() if key not in kept]
    created = Clause.objects.bulk_create(
        [_clause_row(deal, announcement, item, start + offset) for offset, (_index, item) in enumerate(fresh)]
    )
    rows = {by_key[key]: row for key, row in kept.items()}
    rows.update({index: row for (index, _item), row in zip(fresh, created, strict=True)})
    _link_tranches(wanted, by_key, rows, [index for index, _item in fresh])


def _clause_row(deal: Deal, announcement: Announcement, item: _Wanted, position: int) -> Clause:
    clause = item.clause
    return Clause(
        deal=deal,
        kind=clause.kind,
        subject=clause.subject[:200],
        effect=clause.effect,
        grantor=item.grantor,
        beneficiary=item.beneficiary,
        mutual=clause.mutual,
        basis=clause.basis or "",
        certainty=clause_certainty(announcement),
        amount=clause.amount,
        unit=clause.unit if clause.amount is not None or clause.unit else "",
        qualifier=clause.qualifier,
        quote=clause.quote,
        source=announcement,
        confidence=clause.confidence,
        status=Clause.Status.EXTRACTED,
        position=position,
    )


def _link_tranches(wanted: list[_Wanted], by_key: dict, rows: dict[int, Clause], fresh: list[int]) -> None:
    """Point each new tranche at the row of the clause it is part of (created or kept)."""
    changed = []
    for index in fresh:
        parent = wanted[index].parent
        target = rows.get(by_key[wanted[parent].key]) if parent is not None else None
        row = rows[index]
        if target is not None and target.pk != row.pk:
            row.part_of = target
            changed.append(row)
    if changed:
        Clause.objects.bulk_update(changed, ["part_of"])


def clause_sides(parties: list[ExtractedParty], companies: list[Company]) -> dict[str, Company]:
    sides: dict[str, Company] = {}
    for party, company in zip(parties, companies, strict=True):
        sides.setdefault(party.name, company)
        sides.setdefault(normalize_name(party.name), company)
    return sides


def clauses_new_to(deal: Deal, clauses: list[ExtractedClause]) -> list[ExtractedClause]:
    """Clauses a second source adds to a deal: the ones other sources did not already give.

    A kept clause's ``part_of`` is renumbered into the kept list; a tranche whose whole was
    dropped (another source gave it) loses the link rather than point at the wrong clause.
    """
    have = {
        (row.kind, row.subject, None if row.amount is None else row.amount.normalize(), row.unit, row.effect)
        for row in deal.clauses.all()
    }
    keep = [
        index
        for index, c in enumerate(clauses)
        if (c.kind, c.subject, None if c.amount is None else c.amount.normalize(), c.unit, c.effect)
        not in have
    ]
    renumber = {old: new for new, old in enumerate(keep)}
    return [
        replace(
            clauses[old],
            part_of=renumber.get(clauses[old].part_of) if clauses[old].part_of is not None else None,
        )
        for old in keep
    ]
