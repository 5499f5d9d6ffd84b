"""Pactwatch's domain: companies, deals in phases, the clauses that make them up, and the ledger.

Competition authorities' reviews live in ``partnerships.models.regulatory``; alerts and
subscriptions in ``partnerships.models.alerts``; webhook endpoints and their deliveries in
``partnerships.models.webhooks``; announcements,
newsrooms and scrape runs in ``scrapers.models``.
"""

from partnerships.models.alerts import AlertDelivery, AlertEvent, Digest, Subscription
from partnerships.models.companies import Company, CompanyAlias, normalize_name
from partnerships.models.deals import Clause, Deal, DealParty
from partnerships.models.ledger import LedgerEntry
from partnerships.models.regulatory import RegulatoryEvent, RegulatoryReview
from partnerships.models.rollups import CompanyFlowYear, CompanyPartner, CompanyPartnerFlow
from partnerships.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AlertDelivery",
    "AlertEvent",
    "Clause",
    "Company",
    "CompanyAlias",
    "CompanyFlowYear",
    "CompanyPartner",
    "CompanyPartnerFlow",
    "Deal",
    "DealParty",
    "LedgerEntry",
    "RegulatoryEvent",
    "RegulatoryReview",
    "Digest",
    "Subscription",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "normalize_name",
]
