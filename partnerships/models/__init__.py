"""Pactwatch's domain: companies, deals in phases, the clauses that make them up, and the ledger.

Alerts and subscriptions live in ``partnerships.models.alerts``; announcements,
newsrooms and scrape runs in ``scrapers.models``.
"""

from partnerships.models.alerts import AlertDelivery, AlertEvent, Digest, Subscription
from partnerships.models.companies import Company, CompanyAlias, normalize_name
from partnerships.models.deals import Clause, Deal, DealParty
from partnerships.models.ledger import LedgerEntry

__all__ = [
    "AlertDelivery",
    "AlertEvent",
    "Clause",
    "Company",
    "CompanyAlias",
    "Deal",
    "DealParty",
    "LedgerEntry",
    "Digest",
    "Subscription",
    "normalize_name",
]
