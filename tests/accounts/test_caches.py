"""The accounts' cache (accounts/caches.py): whether ThaID answers, seen within 30 seconds."""

import datetime as dt

import pytest

from accounts import thaid
from accounts.caches import THAID_AVAILABLE


@pytest.fixture
def memory_cache(settings):
    """The default cache in memory for this test: its expiry follows the stopped clock (Redis's
    follows the real one, and the bound is 30 real seconds)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


def test_cache_thaid_available_sees_thaid_go_down_within_the_bound(
    thaid_op, memory_cache, time_machine
):
    time_machine.move_to(dt.datetime(2025, 4, 10, 2, 0, 0, tzinfo=dt.UTC), tick=False)
    assert thaid.is_available() is True
    thaid_op.stop()
    assert thaid.is_available() is True  # kept: ThaID is not asked on every login page
    time_machine.shift(THAID_AVAILABLE.bound_seconds)
    assert thaid.is_available() is False


def test_cache_thaid_available_another_server_is_asked_at_once(thaid_op, memory_cache, settings):
    assert thaid.is_available() is True
    settings.THAID_SERVER_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    assert thaid.is_available() is False
