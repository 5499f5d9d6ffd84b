"""The curation admin: review queue, deal actions, companies, and (read-only) alerts.

A package because the deal admin and its review queue alone pass the size where one
module stays readable (STYLE.md).
"""

from partnerships.admin import alerts, companies, deals  # noqa: F401  (registers the model admins)
