"""Pactwatch's domain: companies, deals in phases, and the clauses that make them up.

Alerts and subscriptions live in ``partnerships.models.alerts``; announcements,
newsrooms and scrape runs in ``scrapers.models``.
"""

from partnerships.models.companies import Company, CompanyAlias, normalize_name
from partnerships.models.deals import Clause, Deal, DealParty

__all__ = ["Clause", "Company", "CompanyAlias", "Deal", "DealParty", "normalize_name"]
