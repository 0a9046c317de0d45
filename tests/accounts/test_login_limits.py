"""Login limits count per account and per address, and stay on with Redis down.

Two findings: with Redis unreachable the password limit, the TOTP limit and TOTP replay
protection all switched off (the resilient cache's `add` said "added" and its reads missed); and
ten failed logins from one address (any accounts) refused a colleague's correct login there.

Each test runs with the limits counted in the local-memory cache (development and tests), in Redis
(skipped when no Redis answers at tests.keyspace.TEST_REDIS_URL; the run's own keys, deleted by
pattern, never a flushed database), and with Redis down (a closed port: the counters go to the
database table accounts.LimitCacheEntry). The wall clock is stopped: the codes the tests compute
and the server's expectation are of one TOTP step.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from accounts.models import LimitCacheEntry
from demo.demo_accounts import DEMO_TOTP_SECRET
from tests import keyspace
from tests.actors import PASSWORD

pytestmark = pytest.mark.usefixtures("wall_clock_stopped")  # codes and logins in one TOTP step

REDIS_UP = keyspace.TEST_REDIS_URL  # shared safely: this run's keys only, never flushed
TOO_MANY_TH = "พยายามเข้าสู่ระบบล้มเหลวหลายครั้งเกินไป"  # allauth's Thai: "too many failed attempts"
INCORRECT_CODE_TH = "รหัสไม่ถูกต้อง"


def closed_port() -> int:
    return keyspace.free_port()


def redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_UP, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def resilient(location: str, settings_) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"{keyspace.TEST_KEY_PREFIX}:limits",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "FALLBACK": {"ALIAS": "limits", "KEY_PREFIXES": settings_.LIMIT_KEY_PREFIXES},
        },
        "limits": settings_.LIMITS_CACHE,
    }


@pytest.fixture(params=["local memory", "redis", "redis down"])
def store(request, settings, db):
    """Where the counters live for this test."""
    if request.param == "redis":
        if not redis_is_up():
            pytest.skip(f"no Redis at {REDIS_UP}")
        settings.CACHES = resilient(REDIS_UP, settings)
    elif request.param == "redis down":
        settings.CACHES = resilient(f"redis://127.0.0.1:{closed_port()}/0", settings)
    keyspace.clear("default")
    yield request.param
    keyspace.clear("default")


def log_in(client, email, password=PASSWORD, address="10.1.1.1"):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def code_now() -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def test_colleagues_behind_one_address_log_in_after_twenty_failures_there(
    client_factory, actors, store
):
    clerks = [actors[n] for n in ("other_lao_clerk", "unit_clerk", "district_officer")]
    for clerk in clerks:  # four wrong passwords each, twelve in all, then five for strangers
        for _attempt in range(4):
            assert log_in(client_factory(), clerk.email, "wrong").status_code == 200
    for n in range(8):
        log_in(client_factory(), f"nobody{n}@test.example", "wrong")
    colleague = client_factory()
    response = log_in(colleague, actors["lao_clerk"].email)
    assert response.status_code == 302 and logged_in(colleague)


def test_five_wrong_passwords_lock_that_account_only_from_every_address(
    client_factory, actors, store
):
    victim = actors["lao_clerk"]
    for _attempt in range(5):
        response = log_in(client_factory(), victim.email, "wrong")
        assert TOO_MANY_TH not in response.content.decode()
    for address in ("10.1.1.1", "192.0.2.7"):
        client = client_factory()
        response = log_in(client, victim.email, address=address)
        assert response.status_code == 200 and not logged_in(client)
        assert TOO_MANY_TH in response.content.decode()
    colleague = client_factory()
    assert log_in(colleague, actors["other_lao_clerk"].email).status_code == 302
    assert logged_in(colleague)


def test_a_hundred_failures_from_one_address_make_that_address_wait(client_factory, actors, store):
    for n in range(100):
        log_in(client_factory(), f"guess{n}@test.example", "wrong")
    there = client_factory()
    response = log_in(there, actors["lao_clerk"].email)
    assert response.status_code == 200 and not logged_in(there)
    assert TOO_MANY_TH in response.content.decode()
    elsewhere = client_factory()
    assert log_in(elsewhere, actors["lao_clerk"].email, address="192.0.2.7").status_code == 302


def test_five_wrong_totp_codes_refuse_the_sixth_even_when_it_is_right(client, actors, store):
    response = log_in(client, actors["dla_officer"].email)
    step = response["Location"]
    assert step.startswith("/accounts/2fa/authenticate/")
    wrong = f"{(int(code_now()) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        response = client.post(step, {"code": wrong}, REMOTE_ADDR="10.1.1.1")
        assert INCORRECT_CODE_TH in response.content.decode()
    response = client.post(step, {"code": code_now()}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 200 and not logged_in(client)
    assert TOO_MANY_TH in response.content.decode()


def test_a_totp_code_cannot_be_used_twice(client_factory, actors, store):
    officer = actors["dla_officer"]
    code = code_now()
    first = client_factory()
    step = log_in(first, officer.email)["Location"]
    assert first.post(step, {"code": code}, REMOTE_ADDR="10.1.1.1").status_code == 302
    assert logged_in(first)
    second = client_factory()
    step = log_in(second, officer.email)["Location"]
    response = second.post(step, {"code": code}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 200 and not logged_in(second)
    assert "รหัสนี้ใช้แล้ว รอรหัสถัดไป" in response.content.decode()  # not "wrong code"


def test_with_redis_down_the_counters_are_kept_in_the_database(client_factory, actors, store):
    if store != "redis down":
        pytest.skip("only with Redis down")
    log_in(client_factory(), actors["lao_clerk"].email, "wrong")
    keys = list(LimitCacheEntry.objects.values_list("cache_key", flat=True))
    assert any(":login_failed:" in key for key in keys)
    assert not any(key.endswith(":lock") for key in keys)  # locks are given back


@pytest.fixture
def client_factory():
    """A fresh test client per attempt, as separate browsers would be."""
    from django.test import Client

    return Client


def test_a_client_reaching_gunicorn_directly_cannot_spoof_its_address_past_the_limit(
    client_factory, actors, settings, db
):
    """Issue 26: X-Forwarded-For was believed from any peer, so a client that reached gunicorn
    itself sent a new address with every try and was never limited (250 failed logins)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # as in production
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/ip"}
    keyspace.clear("default")
    for n in range(3):
        client_factory().post(
            "/accounts/login/",
            {"login": f"nobody{n}@test.example", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",  # not the proxy
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = client_factory().post(
        "/accounts/login/",
        {"login": actors["lao_clerk"].email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert TOO_MANY_TH in response.content.decode()
    # Through the proxy (a peer in TRUSTED_PROXIES), the address it writes is the one counted.
    proxied = client_factory()
    response = proxied.post(
        "/accounts/login/",
        {"login": actors["lao_clerk"].email, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.201",
    )
    assert response.status_code == 302 and logged_in(proxied)
    keyspace.clear("default")
