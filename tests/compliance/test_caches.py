"""The compliance pages' caches (compliance/caches.py): keyed by the data version
(compliance/version.py), so a change of what each depends on is seen at once."""

import pytest
from django.http import QueryDict
from django.test import Client

from compliance import breakdown, caches, pages, stats, version
from compliance.scope import Scope
from core import clock
from onboarding import services
from registry.models import Organization
from tests.actors import login

from .support import bangkok, one_of_two_approved

BUCKET_START = "2025-04-10T09:00:00+07:00"  # a whole minute: the start of a bucket
PAGE = "/compliance/province/48/"
CSRF = "e9c0c4169b785b6fbb880f4adda27f33"


@pytest.fixture
def waiting(circulars, actors, places, portal_clock, settings):
    """An LAO of Nakhon Phanom with one of its two positions approved, the other waiting."""
    settings.COMPLIANCE_CACHE_SECONDS = 30
    portal_clock("2025-04-09T10:00:00+07:00")
    return one_of_two_approved(
        places.lao,
        clerk=actors["lao_clerk"],
        officer=actors["province_officer"],
        at=bangkok("2025-04-09 10:00"),
    )


def approve(request, actors):
    services.approve_request(
        request.pk, actor=actors["province_officer"], expected_version=request.version
    )


def page(response) -> str:
    return response.content.decode()


def templates_of(response) -> set[str]:
    return {f"templates/{t.name}" for t in response.templates if t.name}


def test_cache_compliance_figures_see_an_approval_at_once(waiting, actors, places, portal_clock):
    scope = Scope("district", district=places.lao.district)
    portal_clock(BUCKET_START)
    first = stats.cached(scope)
    assert first["laos"]["verified"] == 0
    # keyed by the version of the scope's province (compliance.version)
    data = stats.data_version(province=scope.province_code)
    assert data != stats.data_version()
    data = stats.scope_version(scope, data, clock.now())
    assert caches.FIGURES.get(scope=scope.key, data=data) is not None  # its declared key
    assert stats.cached(scope)["as_of"] == first["as_of"]  # nothing changed: as kept
    approve(waiting, actors)
    assert stats.cached(scope)["laos"]["verified"] == 1  # the next request, same instant


def test_cache_compliance_figures_see_a_queryset_update_at_once(waiting, places, portal_clock):
    """Counted by the database's trigger, not by a signal: an `update()` (no save, no signal)
    is seen too."""
    scope = Scope("district", district=places.lao.district)
    portal_clock(BUCKET_START)
    assert stats.cached(scope)["laos"]["verified"] == 0
    Organization.objects.filter(pk=places.lao.pk).update(identity_verified_at=clock.now())
    assert stats.cached(scope)["laos"]["verified"] == 1


def test_cache_compliance_html_sees_an_approval_at_once(waiting, actors, places, portal_clock):
    client = Client()
    login(client, actors["province_officer"])
    portal_clock(BUCKET_START)
    first = client.get(PAGE)
    assert first.status_code == 200
    table = breakdown.read(QueryDict()).digest
    scope = Scope("province", province=places.lao.district.province)
    parts = {
        "scope": "province:48",
        "lang": "th",
        "reviewer": 1,
        "table": table,
        "data": stats.scope_version(scope, stats.data_version(province="48"), clock.now()),
    }
    body = caches.DASHBOARD_BODY.get(**parts)
    assert body is not None and pages.without_indentation(body.encode()).decode() in page(first)
    assert templates_of(first) >= {"templates/compliance/_dashboard_body.html"}
    sent = pages.without_indentation(body.encode()).decode()
    assert sent in page(client.get(PAGE))  # nothing changed: as kept
    approve(waiting, actors)
    assert sent not in page(client.get(PAGE))


def test_cache_compliance_national_sees_an_approval_at_once(waiting, actors, places, portal_clock):
    """Every scope's figures are read from the data version's national table: after an
    approval the version is another, so is its table."""
    district = Scope("district", district=places.lao.district)
    country = Scope("country")
    portal_clock(BUCKET_START)
    assert stats.cached(district)["laos"]["verified"] == 0  # builds the table
    data = stats.data_version()
    assert caches.NATIONAL.get(data=data, part="all") is not None  # its declared key
    approve(waiting, actors)
    assert stats.data_version() != data
    assert stats.cached(country)["laos"]["verified"] == 1


def test_cache_compliance_figures_see_a_rule_boundary_pass(
    waiting, places, portal_clock, wall_clock_stopped, time_machine
):
    """The window's end (DLA's letter: requests until 21 April 2568) passing with no write at
    all (the demo clock runs on): the figures say the window is closed from that instant."""
    scope = Scope("district", district=places.lao.district)
    portal_clock("2025-04-21T23:59:59+07:00")
    counters = version.read()
    assert stats.cached(scope)["window"]["open"] is True
    time_machine.shift(1)  # the wall clock, and the portal's with it, one second on
    assert clock.now() == bangkok("2025-04-22 00:00")
    assert version.read() == counters  # nothing written
    assert stats.cached(scope)["window"]["open"] is False
