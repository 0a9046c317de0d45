"""A Redis cache that degrades instead of failing: with Redis down every page keeps working.

A read is a miss, a write is skipped, `add` says "added" (so allauth's rate limits and used-code
checks let people through rather than lock everyone out), and one warning per minute is logged.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    _DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
except ImportError:  # pragma: no cover - redis is a dependency
    _DOWN = (ConnectionError, TimeoutError, OSError)

_last_warning = 0.0


def _warn(exc):
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        log.warning("Redis cache unavailable, answering without it: %s", exc)


class ResilientRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _DOWN as exc:
            _warn(exc)
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
            return True

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except _DOWN as exc:
            _warn(exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except _DOWN as exc:
            _warn(exc)
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
            return False

    def clear(self):
        try:
            return super().clear()
        except _DOWN as exc:
            _warn(exc)
            return False
