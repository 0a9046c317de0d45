"""The compliance pages' caches (compliance/caches.py): a change of what each depends on is seen
at once, or within the bound it declares (COMPLIANCE_CACHE_SECONDS)."""

import datetime as dt

import pytest
from django.test import Client

from compliance import caches, stats
from compliance.scope import Scope
from onboarding import services
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


def templates_of(response) -> set[str]:
    return {f"templates/{t.name}" for t in response.templates if t.name}


def test_cache_compliance_figures_see_an_approval_within_the_bound(
    waiting, actors, places, portal_clock
):
    scope = Scope("district", district=places.lao.district)
    start = portal_clock(BUCKET_START)
    assert stats.cached(scope)["laos"]["verified"] == 0
    bucket = stats.time_bucket()
    assert caches.FIGURES.get(scope=scope.key, bucket=bucket) is not None  # its declared key
    approve(waiting, actors)
    assert stats.cached(scope)["laos"]["verified"] == 0  # within the bucket: as kept
    bound = caches.FIGURES.bound_seconds
    portal_clock((start + dt.timedelta(seconds=bound)).isoformat())
    assert stats.cached(scope)["laos"]["verified"] == 1


def test_cache_compliance_html_sees_an_approval_within_the_bound(
    waiting, actors, places, portal_clock
):
    client = Client()
    login(client, actors["province_officer"])
    start = portal_clock(BUCKET_START)
    first = client.get(PAGE)
    assert first.status_code == 200
    parts = {"scope": "province:48", "lang": "th", "reviewer": 1, "bucket": stats.time_bucket()}
    body = caches.DASHBOARD_BODY.get(**parts)
    assert body is not None and body in first.content.decode()
    assert templates_of(first) >= {"templates/compliance/_dashboard_body.html"}
    approve(waiting, actors)
    assert body in client.get(PAGE).content.decode()  # within the bucket: as kept
    bound = caches.DASHBOARD_BODY.bound_seconds
    portal_clock((start + dt.timedelta(seconds=bound)).isoformat())
    assert body not in client.get(PAGE).content.decode()


def test_cache_compliance_page_sees_the_officers_name_at_once_and_the_rest_within_the_bound(
    actors, settings, time_machine
):
    settings.COMPLIANCE_CACHE_SECONDS = 30
    time_machine.move_to(dt.datetime(2025, 4, 10, 2, 0, 0, tzinfo=dt.UTC), tick=False)
    officer = actors["province_officer"]
    client = Client()
    login(client, officer)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
    first = client.get(PAGE)
    assert "templates/compliance/dashboard.html" in templates_of(first)
    assert not templates_of(client.get(PAGE))  # kept: nothing drawn
    officer.full_name = "สมศรี ชื่อใหม่"
    officer.save()
    renamed = client.get(PAGE)
    assert templates_of(renamed) and "สมศรี ชื่อใหม่" in renamed.content.decode()  # at once
    assert not templates_of(client.get(PAGE))
    time_machine.shift(caches.OFFICER_PAGE.bound_seconds)  # the figures' next bucket
    assert templates_of(client.get(PAGE))


def test_each_compliance_cache_declares_every_template_it_renders(waiting, actors, portal_clock):
    """The version is drawn from the declared sources: a template left out of them could change
    without the version changing."""
    client = Client()
    login(client, actors["province_officer"])
    portal_clock(BUCKET_START)
    drawn = templates_of(client.get(PAGE)) | templates_of(client.get("/compliance/late/"))
    declared = set(caches.OFFICER_PAGE.sources) | set(caches.DASHBOARD_BODY.sources)
    assert drawn - declared == set()
