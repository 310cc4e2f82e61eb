"""The default cache: Redis, or the database while Redis does not answer.

Only allauth's sign-in rate limits live in the cache. If Redis is down, failing every
sign-in would lock everyone out, and skipping the limits would let a password guesser
in; so each call that cannot reach Redis goes to the fallback cache (the database
cache, shared by every process, so the limits still count across web workers), and the
outage is logged. For RETRY_AFTER seconds after a failure, calls go straight to the
fallback, so a dead Redis costs one connection attempt per worker, not one per call.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)
# When each Redis server was last found down, by location; per process, shared by its threads.
_down_until: dict[str, float] = {}


class FallbackRedisCache(RedisCache):
    """A Redis cache that uses OPTIONS["FALLBACK"] (a cache alias) while Redis is unreachable."""

    def __init__(self, server, params: dict) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.fallback_alias = options.pop("FALLBACK")
        self.retry_after = float(options.pop("RETRY_AFTER", 30))
        super().__init__(server, {**params, "OPTIONS": options})
        self.location = ",".join(self._servers)

    def _run(self, name: str, *args, **kwargs):
        if time.monotonic() >= _down_until.get(self.location, 0.0):
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except REDIS_ERRORS as error:
                if self.location not in _down_until:
                    logger.warning(
                        "The Redis cache at %s does not answer (%s); sign-in rate limits use the "
                        "'%s' cache until it does.",
                        self.location,
                        error,
                        self.fallback_alias,
                    )
                _down_until[self.location] = time.monotonic() + self.retry_after
            else:
                if _down_until.pop(self.location, None) is not None:
                    logger.warning("The Redis cache at %s answers again.", self.location)
                return result
        return getattr(caches[self.fallback_alias], name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._run("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._run("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._run("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._run("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._run("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._run("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._run("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._run("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._run("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._run("delete_many", *args, **kwargs)

    def clear(self):
        return self._run("clear")
