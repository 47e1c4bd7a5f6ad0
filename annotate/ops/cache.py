"""Django's built-in Redis cache, made to survive a Redis restart: while Redis cannot be reached
a read is a miss and a write is dropped (logged), so pages and the API keep answering from the
database instead of failing. /readyz still reports the cache as down (it pings Redis itself).

What this costs while Redis is down: cached figures are recomputed, and limits kept in the
cache (rate limits) do not count."""
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
logger = logging.getLogger("annotate.cache")


def _forgiving(method, fallback):
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            logger.warning("cache unreachable, %s skipped: %s", method.__name__, error)
            return fallback() if callable(fallback) else fallback

    call.__name__ = method.__name__
    return call


class ForgivingRedisCacheClient(RedisCacheClient):
    get_many = _forgiving(RedisCacheClient.get_many, dict)
    has_key = _forgiving(RedisCacheClient.has_key, False)
    add = _forgiving(RedisCacheClient.add, False)
    set = _forgiving(RedisCacheClient.set, None)
    set_many = _forgiving(RedisCacheClient.set_many, list)
    touch = _forgiving(RedisCacheClient.touch, False)
    delete = _forgiving(RedisCacheClient.delete, False)
    delete_many = _forgiving(RedisCacheClient.delete_many, None)

    def get(self, key, default):  # a miss returns the caller's default
        try:
            return RedisCacheClient.get(self, key, default)
        except UNREACHABLE as error:
            logger.warning("cache unreachable, get skipped: %s", error)
            return default


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient

    def ping(self) -> bool:
        return self._cache.get_client(write=True).ping()
