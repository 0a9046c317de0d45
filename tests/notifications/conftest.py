"""Fixtures of the notification tests (none is autouse: the view tests next door are unaffected)."""

import pytest

from .support import calendar_of, celery_app, seed_ladder


@pytest.fixture
def ladder(db):
    """The reminder ladder as migration 0002 seeds it."""
    return seed_ladder()


@pytest.fixture
def calendar(circulars):
    """The reference circular's days: LAOs verify 5–21 April, units use the system from 4 April."""
    return calendar_of(circulars["dla"])


@pytest.fixture
def eager_celery():
    """Tasks run in this process, whatever REDIS_URL says (the nudge after commit included)."""
    with celery_app(eager=True) as app:
        yield app


@pytest.fixture
def sink(settings):
    """Mail kept in the SinkMessage table: one row per message actually handed to the backend."""
    settings.EMAIL_BACKEND = "notifications.backends.DatabaseSinkBackend"
