"""Signed links (one salt per purpose), absolute URLs, RFC 8058 headers, Message-IDs, abuse limits."""

import functools
import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from partnerships.models import Subscription
from partnerships.models.alerts import normalize_email


class TokenError(Exception):
    """A signed link that cannot be used; ``message`` is safe to show to the visitor."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.message = message
        self.expired = expired


_PURPOSES = {
    # purpose: settings name of its max age (None: never expires, e.g. a feed reader's URL)
    "confirm": "ALERTS_CONFIRM_MAX_AGE",
    "manage": "ALERTS_MANAGE_MAX_AGE",
    "unsubscribe": "ALERTS_UNSUBSCRIBE_MAX_AGE",
    "feed": None,
}


def _salt(purpose: str) -> str:
    if purpose not in _PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    # A salt per purpose: a feed or unsubscribe link can never be replayed as a manage link.
    return f"pactwatch.alerts.{purpose}"


def subscription_token(*, subscription: Subscription, purpose: str) -> str:
    # The address is bound by a short hash, never carried in the URL in the clear.
    return signing.dumps({"s": subscription.pk, "h": _email_hash(subscription.email)}, salt=_salt(purpose))


def subscription_from_token(*, token: str, purpose: str) -> Subscription:
    setting = _PURPOSES.get(purpose, "missing")
    max_age = getattr(settings, setting) if setting else None
    try:
        data = signing.loads(token, salt=_salt(purpose), max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError("This link has expired.", expired=True) from None
    except signing.BadSignature:
        raise TokenError("This link is not valid.") from None
    subscription = Subscription.objects.filter(pk=data.get("s")).first() if isinstance(data, dict) else None
    if subscription is None or _email_hash(subscription.email) != data.get("h"):
        raise TokenError("This link is not valid.")
    return subscription


def _email_hash(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:12]


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


@functools.lru_cache(maxsize=32)
def _link_prefix(name: str, site_url: str) -> str:
    # Resolved once: fan-out builds two links per subscriber and ``reverse`` is not free.
    return site_url + reverse(f"partnerships:{name}", kwargs={"token": "TOKEN"}).removesuffix("TOKEN/")


def _signed_link(subscription, purpose: str, name: str) -> str:
    token = subscription_token(subscription=subscription, purpose=purpose)
    return f"{_link_prefix(name, settings.SITE_URL)}{token}/"


def confirm_url(subscription) -> str:
    return _signed_link(subscription, "confirm", "alert_confirm")


def manage_url(subscription) -> str:
    return _signed_link(subscription, "manage", "alert_manage")


def unsubscribe_url(subscription) -> str:
    return _signed_link(subscription, "unsubscribe", "alert_unsubscribe")


def feed_url(subscription) -> str:
    return _signed_link(subscription, "feed", "alert_feed")


def deal_url(deal) -> str:
    return _absolute(deal.get_absolute_url())


def list_headers(*, unsubscribe: str, message_id: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe, plus a Message-ID that is the same on every retry."""
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": message_id,
        "Auto-Submitted": "auto-generated",
    }


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def alert_message_id(*, subscription_id: int, deal_id: int, event: str) -> str:
    return f"<alert.{deal_id}.{event}.{subscription_id}@{_mail_domain()}>"


def digest_message_id(*, subscription_id: int, period: str) -> str:
    return f"<digest.{period}.{subscription_id}@{_mail_domain()}>"


def _within_limit(key: str, *, limit: int, window: int) -> bool:
    """Fixed-window counter on the shared cache (Redis in production): add then incr, atomic."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def subscribe_ip_ok(*, ip: str | None) -> bool:
    """Counts every subscribe POST from one client IP, valid or not."""
    return _within_limit(
        f"alerts:subscribe:ip:{ip or 'unknown'}", limit=settings.ALERTS_SUBSCRIBE_PER_IP, window=3600
    )


def subscribe_address_ok(*, email: str) -> bool:
    """Counts requests for one address from anywhere: nobody can mail-bomb it through us."""
    return _within_limit(
        f"alerts:subscribe:addr:{_email_hash(email)}",
        limit=settings.ALERTS_SUBSCRIBE_PER_ADDRESS,
        window=3600,
    )
