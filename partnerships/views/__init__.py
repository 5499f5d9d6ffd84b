"""Views of the public dashboard (pages) and the scraped archive."""

from partnerships.views.archive import announcement_detail, announcement_list, sources
from partnerships.views.compare import compare_deals
from partnerships.views.pages import (
    company_detail,
    compare_companies,
    deal_detail,
    deal_list,
    exports_doc,
    flows,
    home,
    network,
    partnership,
    search,
)

__all__ = [
    "announcement_detail",
    "announcement_list",
    "compare_companies",
    "compare_deals",
    "company_detail",
    "deal_detail",
    "deal_list",
    "exports_doc",
    "flows",
    "home",
    "network",
    "partnership",
    "search",
    "sources",
]
