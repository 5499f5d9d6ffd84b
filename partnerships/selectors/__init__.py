"""Reads that span models. Views call these; they do the eager loading.

Every selector returns what one page needs in a fixed number of queries, whatever the
number of rows, so a page's query count is pinned by a test (5 rows and 50 rows).
Lists are filtered, ordered and cut in the database; nothing loads a table into Python.

One module per page family: ``timeline``, ``home``, ``deals`` (deal page, comparison),
``partnership``, ``regulatory`` (competition reviews on the deal and partnership pages),
``companies``, ``network`` (network and flows), ``ledger`` (every total and relationship,
from the ledger), ``partners`` (a company's side of the ledger, from the rollups),
``figures`` (the totals pages state, by direction and certainty); ``common`` holds shared
prefetches and SQL expressions. Which deals a filter accepts is ``partnerships.filters``.
"""

from partnerships.selectors.companies import CompanyOverview, CompanyTotals, company_overview
from partnerships.selectors.deals import (
    CompareRow,
    PhaseChange,
    compare_deals,
    deal_detail,
    deal_years,
    merge_survivor,
    phase_changes,
)
from partnerships.selectors.figures import (
    FigureLine,
    YearFigures,
    company_figures,
    company_years,
    company_years_and_totals,
    counterparty_lines,
    home_figures,
)
from partnerships.selectors.home import deals_per_quarter, most_active_companies
from partnerships.selectors.ledger import (
    RELATIONSHIPS,
    Amounts,
    LedgerRow,
    LedgerTotals,
    data_as_of,
    ledger_edges,
    ledger_rows,
    ledger_totals,
)
from partnerships.selectors.network import Flows, Network, Window, ledger_flows, ledger_network
from partnerships.selectors.partners import CompanyLedger, company_ledger, company_ledgers
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
    "RELATIONSHIPS",
    "Amounts",
    "ChainEvent",
    "CompanyLedger",
    "SORTS",
    "CompanyOverview",
    "CompanyTotals",
    "CompareRow",
    "Cursor",
    "FigureLine",
    "Flows",
    "LedgerRow",
    "LedgerTotals",
    "MatrixCell",
    "MatrixRow",
    "Network",
    "Partnership",
    "PhaseChange",
    "Sort",
    "TimelinePage",
    "Window",
    "YearFigures",
    "chain_events",
    "company_datalist",
    "company_figures",
    "company_ledger",
    "company_ledgers",
    "company_overview",
    "company_years",
    "company_years_and_totals",
    "compare_deals",
    "counterparty_lines",
    "data_as_of",
    "deal_detail",
    "deal_latest",
    "deal_reviews",
    "deal_timeline",
    "deal_years",
    "deals_per_quarter",
    "home_figures",
    "ledger_edges",
    "ledger_flows",
    "ledger_network",
    "ledger_rows",
    "ledger_totals",
    "merge_survivor",
    "most_active_companies",
    "partnership",
    "phase_changes",
    "sort_named",
    "phase_chain",
]
