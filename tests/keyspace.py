"""Each test run keeps to its own keys in Redis, so that two runs on one machine (two work trees,
a developer and CI, a benchmark) neither read nor delete each other's.

One Redis server serves everyone on a machine. Before, the tests emptied whole databases
(`cache.clear()` is FLUSHDB: CI's database 15 before every test, database 9 around the login
limit tests) and used fixed key and queue names (`celery` in database 7, which bench/surge.py
also empties). Now every key a run writes starts with `TEST_KEY_PREFIX`, unique to the run
(`ELAAS_TEST_RUN` names it, else the process id and a random part), and a run deletes only
keys under it, by pattern; nothing in the tests flushes a database.
"""

import os
import socket
import uuid

# Under pytest-xdist (`make test` runs `-n 2`) each worker is a process of its own, named gw0,
# gw1, ... in PYTEST_XDIST_WORKER: its keys, queues, ports and files are its own too.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_NUMBER = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0

TEST_RUN = os.environ.get("ELAAS_TEST_RUN") or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
if WORKER:
    TEST_RUN = f"{TEST_RUN}-{WORKER}"
TEST_KEY_PREFIX = f"elaas-test-{TEST_RUN}"

# The Redis the tests talk to directly (login limits in Redis, readiness, the queue metric):
# TEST_REDIS_URL, else the run's REDIS_URL, else database 9 of the local server. Sharing a
# database is safe: keys are under the run's prefix, never flushed.
TEST_REDIS_URL = (
    os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9"
)


def is_redis(conf: dict) -> bool:
    return "redis" in conf.get("BACKEND", "").lower()


def own_key_space(caches_setting: dict) -> dict:
    """`CACHES` with every Redis cache's keys put under this run's prefix."""
    out = {}
    for alias, conf in caches_setting.items():
        conf = dict(conf)
        if is_redis(conf):
            conf["KEY_PREFIX"] = f"{TEST_KEY_PREFIX}:{conf.get('KEY_PREFIX', '')}"
        out[alias] = conf
    return out


def delete_own_keys(cache) -> int:
    """Delete the keys of one Redis cache (its KEY_PREFIX, this run's), and nothing else: never
    FLUSHDB. A Redis that does not answer has nothing of ours to delete."""
    import redis

    assert cache.key_prefix.startswith(TEST_KEY_PREFIX), cache.key_prefix
    try:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        return client.delete(*keys) if keys else 0
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        return 0


def clear(*aliases: str) -> None:
    """Empty these caches (default: `default` and `process`) for the next test: a Redis cache
    loses only this run's keys, any other is cleared."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    for alias in aliases or ("default", "process"):
        cache = caches[alias]
        if isinstance(cache, RedisCache):
            delete_own_keys(cache)
        else:
            cache.clear()


def queue_name(purpose: str) -> str:
    """A Celery queue (a Redis list) of this run's own."""
    return f"{TEST_KEY_PREFIX}-{purpose}-{uuid.uuid4().hex[:8]}"


def delete_queue(redis_url: str, name: str) -> None:
    """Remove a queue of this run's and kombu's bindings of it."""
    import redis

    assert name.startswith(TEST_KEY_PREFIX), name
    client = redis.Redis.from_url(redis_url)
    try:
        client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    finally:
        client.close()


# Each worker picks its TCP ports from a band of its own (live servers, nginx, gunicorn, SMTP,
# the OpenID provider), so that a port one worker has just released is never the one another
# worker's server is starting on. Bands sit below Linux's ephemeral range (32768-60999).
PORT_BAND = 1000
FIRST_PORT = 20000


def free_port() -> int:
    """A local TCP port nothing listens on now, from this worker's band."""
    import random

    low = FIRST_PORT + WORKER_NUMBER * PORT_BAND
    for port in random.sample(range(low, low + PORT_BAND), PORT_BAND):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{low + PORT_BAND - 1}")


def own_name(name: str) -> str:
    """A database or file name of this worker's own: `name` under a single process, else
    `name_gw0`, `name_gw1`, ... (as pytest-django names the test databases)."""
    return f"{name}_{WORKER}" if WORKER else name
