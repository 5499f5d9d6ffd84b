"""What each operation reads from its query string, as pydantic models: the schema *is* the check.

The deal list's names and meanings are the timeline's (``partnerships.filters``): the values a
model accepts are handed to ``DealFilter.from_query``, which reads them exactly as it reads the
timeline's query string. Each model is at least as strict as the reader behind it, so a value
the schema allows is never refused later.
"""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from partnerships.api.cursors import LEDGER_PATTERN
from partnerships.api.cursors import PATTERN as CURSOR_PATTERN
from partnerships.filters import MAX_VALUES, YEARS
from partnerships.models import Clause, Deal, LedgerEntry
from partnerships.models.deals import Certainty

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
MAX_SLUG = 200
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_SLUG)]
# Printable text: control characters (a NUL above all) are refused before any view runs.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]+$", min_length=1, max_length=200)]
DealKind = Literal[tuple(Deal.Kind.values)]
ClauseKind = Literal[tuple(Clause.Kind.values)]
FlowKind = Literal[tuple(LedgerEntry.Flow.values)]
# The ledger's units: megawatts are counted in its GW rows, so MW is not a unit there.
LedgerUnit = Literal[tuple(u for u in Clause.Unit.values if u != Clause.Unit.MW)]
CertaintyValue = Literal[tuple(Certainty.values)]
Year = Annotated[int, Field(ge=YEARS[0], le=YEARS[1])]
AMOUNT_PATTERN = r"^\$?[0-9][0-9,]{0,29}(\.[0-9]{1,6})?[kmbtKMBT]?$"


class DealQuery(Schema):
    company: list[Slug] = Field(
        [], max_length=MAX_VALUES, description="Company slugs; a deal matches when one of them is a party."
    )
    counterparty: list[Slug] = Field(
        [], max_length=MAX_VALUES, description="...and one of these is a party too (the timeline's “with”)."
    )
    kind: list[DealKind] = Field([], max_length=MAX_VALUES, description="Deal kinds; any of them.")
    clause: list[ClauseKind] = Field(
        [], max_length=MAX_VALUES, description="Clause kinds: the deal has a clause of one of them."
    )
    year_from: Year = Field(None, description="Announced in this year or later.")
    year_to: Year = Field(
        None,
        description="Announced in this year or earlier. An end before the start is ignored and "
        "reported under ``ignored``, as on the timeline.",
    )
    min_amount: str = Field(
        None,
        pattern=AMOUNT_PATTERN,
        description="Headline value at least this, in the deal's currency: 500M, 1.5B, 2000000.",
    )
    sort: Literal["date", "amount"] = Field(
        "date", description="date: newest first; amount: largest headline value first, none last."
    )
    cursor: str = Field(
        None,
        pattern=CURSOR_PATTERN,
        description="Where the page starts: the ``next_cursor`` of the page before. It carries its "
        "sort, which wins over ``sort``.",
    )
    limit: int = Field(25, ge=1, le=100, description="Deals per page.")

    def timeline_query(self) -> dict[str, list[str]]:
        """The filter parameters as the timeline's query string would carry them."""
        values = {
            "company": self.company,
            "counterparty": self.counterparty,
            "kind": self.kind,
            "clause": self.clause,
            "year_from": [] if self.year_from is None else [str(self.year_from)],
            "year_to": [] if self.year_to is None else [str(self.year_to)],
            "min_amount": [] if self.min_amount is None else [self.min_amount],
        }
        return {name: list(given) for name, given in values.items() if given}


class LedgerQuery(Schema):
    company: Slug = Field(None, description="Rows where this company gives or receives.")
    flow: FlowKind = Field(None, description="One flow kind.")
    unit: LedgerUnit = Field(None, description="One unit (GW rows include megawatts, converted).")
    year: Year = Field(None, description="Clauses of deals announced in this year.")
    certainty: CertaintyValue = Field(None, description="Only amounts of this certainty.")
    cursor: str = Field(
        None,
        pattern=LEDGER_PATTERN,
        description="Where the page starts: the ``next_cursor`` of the page before.",
    )
    limit: int = Field(100, ge=1, le=500, description="Rows per page.")


class CompanyQuery(Schema):
    after: Slug = Field(None, description="The page starts after this slug (the ``next_cursor`` before).")
    limit: int = Field(100, ge=1, le=200)


class AnnouncementQuery(Schema):
    newsroom: Slug = Field(None, description="Only this newsroom's announcements.")
    before: int = Field(None, ge=1, le=10**18, description="Older than this id (the ``next_cursor`` before).")
    limit: int = Field(50, ge=1, le=100)


class SearchQuery(Schema):
    q: Text = Field(..., description="Words to look for; quotes, OR and -word work on PostgreSQL.")
