"""A Redis cache that degrades to "miss" when Redis is down.

Readers must never see a 500 because the cache is unavailable: a failed read is a miss,
a failed write is dropped, and both are logged so operators notice.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class TolerantRedisCache(RedisCache):
    def _tolerate(self, op, default, *args, **kwargs):
        try:
            return getattr(super(), op)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            logger.warning("cache %s failed, continuing without cache: %s", op, exc)
            return default

    def get(self, key, default=None, version=None):
        return self._tolerate("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._tolerate("get_many", {}, keys, version)

    def set(self, key, value, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._tolerate("set", None, key, value, version=version, **kwargs)

    def add(self, key, value, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._tolerate("add", False, key, value, version=version, **kwargs)

    def set_many(self, data, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._tolerate("set_many", [], data, version=version, **kwargs)

    def delete(self, key, version=None):
        return self._tolerate("delete", False, key, version)

    def incr(self, key, delta=1, version=None):
        # incr on a missing key raises ValueError by contract; only transport errors are tolerated.
        return self._tolerate("incr", delta, key, delta, version)
