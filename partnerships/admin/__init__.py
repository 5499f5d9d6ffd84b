"""The curation admin: review queue, deal actions, companies, and (read-only) alerts.

A package by sub-domain: ``deals`` (deal, clause and party admins), ``review`` (the review
queue and page), ``companies``, ``alerts``, ``ledger`` (read-only), ``regulatory`` (competition reviews); ``base`` and ``display`` hold what they share.
Every write goes through a service in ``partnerships.services``.
"""

from partnerships.admin import alerts, companies, deals, ledger, regulatory  # noqa: F401  (registers the model admins)
from partnerships.roles import connect_role_sync

# The admin is loaded in every process that runs migrations, so role groups stay in step
# with the models (see partnerships/roles.py).
connect_role_sync()
