"""core.postgresql: the health check's `SELECT 1` is skipped for a connection that finished a
request without error a moment ago, and sent as before otherwise."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)  # requests close and reopen connections


@pytest.fixture
def pings(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's health check")
    from django.db import connections

    wrapper = connections["default"]
    assert wrapper.health_check_enabled or wrapper.connection is None
    sent = []
    original = type(wrapper).is_usable

    def counted(self):
        sent.append(1)
        return original(self)

    monkeypatch.setattr(type(wrapper), "is_usable", counted)
    return sent


def request(sql="SELECT 2"):
    """What a request does to the connection: the signals around it, and one query."""
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute(sql)
    request_finished.send(sender=None)


def test_a_connection_that_just_answered_is_not_pinged_again(pings, settings):
    settings.DATABASE_HEALTH_CHECK_GRACE_SECONDS = 60
    request()  # a new connection, or one checked once
    before = len(pings)
    for _ in range(5):
        request()
    assert len(pings) == before  # answered a moment ago: no SELECT 1


def test_without_the_grace_every_request_pings_as_django_does(pings, settings):
    settings.DATABASE_HEALTH_CHECK_GRACE_SECONDS = 0
    request()
    before = len(pings)
    for _ in range(3):
        request()
    assert len(pings) == before + 3


def test_a_connection_that_had_an_error_is_checked_and_a_dead_one_replaced(pings, settings):
    from django.db import connections

    settings.DATABASE_HEALTH_CHECK_GRACE_SECONDS = 60
    request()
    wrapper = connections["default"]
    wrapper.errors_occurred = True  # as after an OperationalError in the request
    raw = wrapper.connection
    request_finished.send(sender=None)  # Django checks a connection after an error
    assert pings  # checked, not trusted
    raw.close()  # the server side is gone (a restart)
    settings.DATABASE_HEALTH_CHECK_GRACE_SECONDS = 0  # idle for longer than the grace
    request()  # found by the check, replaced before the request's query
    assert wrapper.connection is not raw and not wrapper.connection.closed
