"""A Redis cache that degrades to "miss" when Redis is down.

Readers must never see a 500 because the cache is unavailable: a failed read is a miss,
a failed write is dropped, and both are logged so operators notice.

Every public method of Django's ``RedisCache`` is wrapped (``tests/faults/test_redis_outage.py``
checks that no new one slips through after a Django upgrade). Two more things keep a dead
or hung Redis from slowing pages down:

- short socket timeouts by default, so a Redis that accepts connections but never answers
  costs at most a fraction of a second, not a hung worker;
- a per-process circuit breaker: after a failure the cache is skipped for
  ``CIRCUIT_SECONDS`` so a page with ten cache calls does not pay ten timeouts, and the
  warning is logged once per outage instead of once per call.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CIRCUIT_SECONDS = 5.0
DEFAULT_SOCKET_TIMEOUT = 0.5


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _tolerate(self, op, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            result = getattr(super(), op)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            with self._lock:
                first = self._down_until == 0.0
                self._down_until = time.monotonic() + CIRCUIT_SECONDS
            logger.warning(
                "cache %s failed, continuing without cache for %.0fs%s: %s",
                op,
                CIRCUIT_SECONDS,
                "" if first else " (still failing)",
                exc,
            )
            return default
        if self._down_until:
            with self._lock:
                self._down_until = 0.0
            logger.warning("cache is reachable again")
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._tolerate("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._tolerate("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._tolerate("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._tolerate("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # incr on a missing key raises ValueError by contract; only transport errors are
        # tolerated, and then the counter reads as ``delta`` (rate limits fail open while
        # Redis is down rather than locking every visitor out).
        return self._tolerate("incr", delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the list of keys that failed to be set.
        return self._tolerate("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._tolerate("delete_many", None, keys, version)

    def clear(self):
        return self._tolerate("clear", False)
