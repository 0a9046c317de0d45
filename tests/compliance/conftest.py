"""Fixtures shared by the compliance tests."""

import pytest

from .support import bangkok, one_of_two_approved


@pytest.fixture
def waiting(circulars, actors, places, portal_clock, settings):
    """An LAO of Nakhon Phanom with one of its two positions approved (9 April), the other
    waiting; the clock then at 10 April 09:00; pages kept (COMPLIANCE_CACHE_SECONDS)."""
    settings.COMPLIANCE_CACHE_SECONDS = 30
    portal_clock("2025-04-09T10:00:00+07:00")
    request = one_of_two_approved(
        places.lao,
        clerk=actors["lao_clerk"],
        officer=actors["province_officer"],
        at=bangkok("2025-04-09 10:00"),
    )
    portal_clock("2025-04-10T09:00:00+07:00")
    return request
