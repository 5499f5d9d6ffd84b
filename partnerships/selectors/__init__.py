"""Reads that span models. Views call these; they do the eager loading.

Every selector returns what one page needs in a fixed number of queries, whatever the
number of rows, so a page's query count is pinned by a test (5 rows and 50 rows).
Lists are filtered, ordered and cut in the database; nothing loads a table into Python.

One module per page family: ``timeline``, ``home``, ``deals`` (deal page, comparison),
``partnership``, ``regulatory`` (competition reviews on the deal and partnership pages), ``companies``, ``network`` (network and flows), ``ledger`` (every total and
relationship, from the ledger); ``common`` holds shared
prefetches and SQL expressions. Which deals a filter accepts is ``partnerships.filters``.
"""

from partnerships.selectors.companies import (
    PARTNER_GROUPS,
    CompanyOverview,
    CompanyTotals,
    company_overview,
    partners_by_group,
)
from partnerships.selectors.deals import (
    CompareRow,
    PhaseChange,
    compare_deals,
    deal_detail,
    deal_years,
    merge_survivor,
    phase_changes,
)
from partnerships.selectors.home import HomeFigures, deals_per_quarter, home_figures, most_active_companies
from partnerships.selectors.ledger import (
    RELATIONSHIPS,
    Amounts,
    CompanyLedger,
    LedgerRow,
    LedgerTotals,
    company_ledger,
    data_as_of,
    ledger_edges,
    ledger_rows,
    ledger_totals,
)
from partnerships.selectors.network import Flow, Network, capital_flows, network_edges
from partnerships.selectors.partnership import MatrixCell, MatrixRow, Partnership, partnership
from partnerships.selectors.regulatory import ChainEvent, chain_events, deal_reviews, phase_chain
from partnerships.selectors.timeline import (
    SORTS,
    Cursor,
    Sort,
    TimelinePage,
    company_datalist,
    deal_latest,
    deal_timeline,
    sort_named,
)

__all__ = [
    "PARTNER_GROUPS",
    "RELATIONSHIPS",
    "Amounts",
    "ChainEvent",
    "CompanyLedger",
    "LedgerRow",
    "LedgerTotals",
    "company_ledger",
    "data_as_of",
    "ledger_edges",
    "ledger_rows",
    "ledger_totals",
    "SORTS",
    "CompanyOverview",
    "CompanyTotals",
    "CompareRow",
    "Cursor",
    "Flow",
    "HomeFigures",
    "MatrixCell",
    "MatrixRow",
    "Network",
    "Partnership",
    "PhaseChange",
    "Sort",
    "TimelinePage",
    "capital_flows",
    "chain_events",
    "company_datalist",
    "company_overview",
    "compare_deals",
    "deal_detail",
    "deal_latest",
    "deal_reviews",
    "deal_timeline",
    "deal_years",
    "deals_per_quarter",
    "home_figures",
    "merge_survivor",
    "most_active_companies",
    "network_edges",
    "partners_by_group",
    "partnership",
    "phase_changes",
    "sort_named",
    "phase_chain",
]
