"""Two test runs on one machine share its Redis: each keeps to its own keys (tests/keyspace.py)."""

import pytest
import redis
from django.core.cache import caches

from tests import keyspace

ANOTHER_RUNS_KEY = "elaas-test-another-run:1:circulars"


@pytest.fixture
def redis_cache(settings):
    """The default cache in Redis, as CI runs it, under this run's prefix."""
    client = redis.Redis.from_url(keyspace.TEST_REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {keyspace.TEST_REDIS_URL}")
    settings.CACHES = keyspace.own_key_space(
        {
            **settings.CACHES,
            "default": {
                "BACKEND": "core.cache.ResilientRedisCache",
                "LOCATION": keyspace.TEST_REDIS_URL,
                "KEY_PREFIX": "elaas",
            },
        }
    )
    client.set(ANOTHER_RUNS_KEY, "theirs")
    yield caches["default"], client
    client.delete(ANOTHER_RUNS_KEY)
    client.close()


def test_a_runs_keys_carry_its_own_prefix(redis_cache):
    cache, client = redis_cache
    cache.set("status-page", "ours")
    # (a key an earlier test of this run wrote outside the cleared aliases may still be there)
    [key] = client.keys(f"{keyspace.TEST_KEY_PREFIX}:*status-page")
    assert key.decode() == f"{keyspace.TEST_KEY_PREFIX}:elaas:1:status-page"


def test_clearing_before_a_test_deletes_this_runs_keys_and_no_other(redis_cache):
    cache, client = redis_cache
    cache.set("status-page", "ours")

    keyspace.clear("default")

    assert cache.get("status-page") is None
    assert client.get(ANOTHER_RUNS_KEY) == b"theirs"  # FLUSHDB would have taken it
