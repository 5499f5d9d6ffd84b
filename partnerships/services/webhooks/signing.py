"""Standard Webhooks signatures (https://www.standardwebhooks.com), with the reference package.

Each request carries ``webhook-id`` (the delivery's message id, the same on every retry),
``webhook-timestamp`` (seconds since the epoch, this attempt's) and ``webhook-signature``:
``v1,`` + base64 of HMAC-SHA256 over ``"{id}.{timestamp}.{body}"`` with the endpoint's secret
(``whsec_`` + base64 of 24 random bytes). Receivers verify with any Standard Webhooks library.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's prefix, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signed_headers(*, secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body),
    }
