"""One deal's page, the deal comparison, and the years that have deals."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.db.models.functions import ExtractYear

from partnerships.diff import clause_diff
from partnerships.models import Clause, Deal, DealParty
from partnerships.selectors.common import ANNOUNCEMENT_HEAVY, clauses_prefetch
from scrapers.models import Announcement


def deal_detail(*, slug: str) -> Deal | None:
    """A deal with everything its page shows, whatever its status (the view decides): 7 queries."""
    return (
        Deal.objects.select_related("predecessor__predecessor", "merged_into")
        .with_last_change()
        .prefetch_related(
            Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
            clauses_prefetch(),
            Prefetch(
                "sources",
                queryset=Announcement.objects.select_related("filing__company").defer(*ANNOUNCEMENT_HEAVY),
            ),
            Prefetch("predecessor__clauses", queryset=Clause.objects.order_by("position", "id")),
            Prefetch("predecessor__predecessor__clauses", queryset=Clause.objects.order_by("position", "id")),
            Prefetch("successors", queryset=Deal.objects.public().order_by("announced_on", "id")),
            Prefetch("successors__clauses", queryset=Clause.objects.order_by("position", "id")),
        )
        .filter(slug=slug)
        .first()
    )


def merge_survivor(deal: Deal) -> Deal | None:
    """Follow ``merged_into`` to the deal that absorbed this one (bounded: no loops)."""
    seen = {deal.pk}
    current = deal.merged_into
    while current is not None and current.status == Deal.Status.MERGED and current.merged_into_id:
        if current.merged_into_id in seen or len(seen) > 10:
            return None
        seen.add(current.pk)
        current = Deal.objects.select_related("merged_into").get(pk=current.pk).merged_into
    return current


@dataclass
class PhaseChange:
    """What changed from ``before`` to ``after``, as the deal and partnership pages show it."""

    before: Deal
    after: Deal
    diff: object
    amounts: list = field(default_factory=list)  # PhaseAmount per flow (the partnership page)

    @property
    def terms_stated(self) -> bool:
        return states_terms(self.after)


def states_terms(deal: Deal) -> bool:
    """Whether a phase names any term (uses prefetched clauses).

    A joint statement or non-binding memorandum between two phases ("terms to follow") records
    at most an "other" clause. Diffing it against the phase before would show every standing
    term as no longer listed, and the next phase's terms as all new; it is instead shown as a
    step that changes nothing, and the next phase is compared with the last one that stated terms.
    """
    return any(clause.kind != Clause.Kind.OTHER for clause in deal.clauses.all())


def terms_base(deal: Deal) -> Deal | None:
    """The phase this one's terms are compared with: its predecessor, or the one before a
    predecessor that stated no terms (needs ``predecessor__predecessor`` and their clauses loaded)."""
    before = deal.predecessor
    if before is None or not before.is_public:
        return None
    if states_terms(deal) and not states_terms(before):
        earlier = before.predecessor
        if earlier is not None and earlier.is_public and states_terms(earlier):
            return earlier
    return before


def phase_changes(deal: Deal) -> tuple[PhaseChange | None, list[PhaseChange]]:
    """The diff from the previous phase, and to each public next phase (uses prefetched clauses)."""
    previous = None
    base = terms_base(deal)
    if base is not None:
        previous = PhaseChange(base, deal, clause_diff(base.clauses.all(), deal.clauses.all()))
    following = [
        PhaseChange(deal, nxt, clause_diff(deal.clauses.all(), nxt.clauses.all()))
        for nxt in deal.successors.all()
    ]
    return previous, following


@dataclass
class CompareRow:
    kind: str
    label: str
    cells: list  # one list of clauses per deal


def compare_deals(*, slugs: list[str]):
    """Public deals in the order asked, with a clause-kind × deal matrix: 3 queries."""
    found = {
        deal.slug: deal
        for deal in Deal.objects.public()
        .filter(slug__in=slugs)
        .prefetch_related(
            Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
            clauses_prefetch(),
        )
    }
    deals = [found[slug] for slug in slugs if slug in found]
    missing = [slug for slug in slugs if slug not in found]
    rows = []
    for kind, label in Clause.Kind.choices:
        cells = [[c for c in deal.clauses.all() if c.kind == kind] for deal in deals]
        if any(cells):
            rows.append(CompareRow(kind, label, cells))
    return deals, rows, missing


def deal_years():
    """The years that have published deals, for year filters (1 query)."""
    return [
        row["year"]
        for row in Deal.objects.published()
        .annotate(year=ExtractYear("announced_on"))
        .values("year")
        .distinct()
        .order_by("-year")
    ]
