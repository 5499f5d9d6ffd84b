"""Per-client rate limit for the API: a fixed window counter in the shared cache.

The client is ``config.client_ip.client_ip`` (``X-Forwarded-For`` believed only from
``TRUSTED_PROXIES``). On Redis the counter costs one round trip (INCR and EXPIRE in one
pipeline): it runs on every request, cached answers included. On another cache it falls back to
``add`` + ``incr``. While the cache is unreachable the limit fails open: readers are never locked
out because Redis is down.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from config.client_ip import client_ip

logger = logging.getLogger(__name__)


def _count_redis(key: str, window: int) -> int:
    client = cache._cache.get_client(key, write=True)
    pipe = client.pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, window + 1, nx=True)
    return int(pipe.execute()[0])


def _count_generic(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def _count(key: str, window: int) -> int:
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        try:
            return _count_redis(cache.make_key(key), window)
        except (RedisError, OSError) as exc:
            logger.warning("API rate limit unavailable, letting the request through: %s", exc)
            return 0
    return _count_generic(key, window)


def retry_after(request) -> int | None:
    """Seconds the client must wait, or None if this request is within its limit."""
    window = settings.API_RATE_WINDOW
    now = time.time()
    bucket = int(now // window)
    key = f"api:rate:{client_ip(request) or 'unknown'}:{bucket}"
    if _count(key, window) <= settings.API_RATE_LIMIT:
        return None
    return max(1, int((bucket + 1) * window - now + 0.999))
