"""The curation admin: review queue, deal actions, companies, and (read-only) alerts.

A package because the deal admin and its review queue alone pass the size where one
module stays readable (STYLE.md).
"""

from partnerships.admin import alerts, companies, deals  # noqa: F401  (registers the model admins)
from partnerships.roles import connect_role_sync

# The admin is loaded in every process that runs migrations, so role groups stay in step
# with the models (see partnerships/roles.py).
connect_role_sync()
