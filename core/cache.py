"""A Redis cache that degrades instead of failing: with Redis down every page keeps working.

A read is a miss, a write is skipped, `add` says "added", and one warning per minute is logged.
Except for the keys that must not be lost (settings: the cache's FALLBACK, with an ALIAS and
KEY_PREFIXES): allauth's login rate-limit counters and the used one-time codes of TOTP replay
protection are then read and written in the fallback cache (the database), so the limits stay on
instead of letting everyone through, and nobody is locked out either.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)

_last_warning = 0.0


def _warn(exc):
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        log.warning("Redis cache unavailable, answering without it: %s", exc)


class _ReusedClientCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis for every operation (around half a millisecond
    each, mostly its table of response callbacks); this one keeps one per connection pool. A
    redis.Redis is safe to share between threads: each command takes a connection from the pool.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClientCacheClient
        fallback = params.get("FALLBACK") or {}
        self._fallback_alias = fallback.get("ALIAS")
        self._fallback_prefixes = tuple(fallback.get("KEY_PREFIXES", ()))

    def _fallback(self, key):
        """The cache keeping `key` while Redis is down, or None for a key that may be lost."""
        if self._fallback_alias and str(key).startswith(self._fallback_prefixes):
            return caches[self._fallback_alias]
        return None

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _DOWN as exc:
            _warn(exc)
            if (fallback := self._fallback(key)) is not None:
                return fallback.get(key, default, version)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except _DOWN as exc:
            _warn(exc)
            return {}

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except _DOWN as exc:
            _warn(exc)
            if (fallback := self._fallback(key)) is not None:
                return fallback.set(key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except _DOWN as exc:
            _warn(exc)
            return list(data)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except _DOWN as exc:
            _warn(exc)
            if (fallback := self._fallback(key)) is not None:
                return fallback.add(key, value, timeout, version)
            return True

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except _DOWN as exc:
            _warn(exc)
            if (fallback := self._fallback(key)) is not None:
                return fallback.delete(key, version)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except _DOWN as exc:
            _warn(exc)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except _DOWN as exc:
            _warn(exc)
            if (fallback := self._fallback(key)) is not None:  # a counter that must not reset
                return fallback.incr(key, delta, version)
            return delta

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except _DOWN as exc:
            _warn(exc)
            return False

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except _DOWN as exc:
            _warn(exc)
            if (fallback := self._fallback(key)) is not None:
                return fallback.has_key(key, version)
            return False

    def clear(self):
        try:
            return super().clear()
        except _DOWN as exc:
            _warn(exc)
            return False
