"""The compliance pages' caches (compliance/caches.py): a change of what each depends on is seen
at once, or within the bound it declares (COMPLIANCE_CACHE_SECONDS)."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.test import Client

from compliance import breakdown, caches, pages, stats
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


def page(response) -> str:
    return response.content.decode()


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
    table = breakdown.read(QueryDict()).digest
    parts = {
        "scope": "province:48",
        "lang": "th",
        "reviewer": 1,
        "table": table,
        "bucket": stats.time_bucket(),
    }
    body = caches.DASHBOARD_BODY.get(**parts)
    assert body is not None and pages.without_indentation(body.encode()).decode() in page(first)
    assert templates_of(first) >= {"templates/compliance/_dashboard_body.html"}
    approve(waiting, actors)
    sent = pages.without_indentation(body.encode()).decode()
    assert sent in page(client.get(PAGE))  # within the bucket: as kept
    bound = caches.DASHBOARD_BODY.bound_seconds
    portal_clock((start + dt.timedelta(seconds=bound)).isoformat())
    assert sent not in page(client.get(PAGE))


def test_cache_compliance_national_sees_an_approval_within_the_bound(
    waiting, actors, places, portal_clock
):
    """Every scope's figures are read from the bucket's national table: a scope first asked
    after an approval, in the same bucket, shows the table's instant; the next bucket's table
    shows the approval."""
    district = Scope("district", district=places.lao.district)
    country = Scope("country")
    start = portal_clock(BUCKET_START)
    assert stats.cached(district)["laos"]["verified"] == 0  # builds the table
    bucket = stats.time_bucket()
    assert caches.NATIONAL.get(bucket=bucket, part="all") is not None  # its declared key
    approve(waiting, actors)
    assert stats.cached(country)["laos"]["verified"] == 0  # read from the bucket's table
    portal_clock((start + dt.timedelta(seconds=caches.NATIONAL.bound_seconds)).isoformat())
    assert stats.cached(country)["laos"]["verified"] == 1


def test_each_compliance_cache_declares_every_template_it_renders(waiting, actors, portal_clock):
    """The version is drawn from the declared sources: a template left out of them could change
    without the version changing."""
    client = Client()
    login(client, actors["province_officer"])
    portal_clock(BUCKET_START)
    drawn = templates_of(client.get(PAGE)) | templates_of(client.get("/compliance/late/"))
    # Around the kept body, the page is drawn for each request (no page is kept: README,
    # "Compliance dashboards"): those templates need no declaration.
    per_request = {
        "templates/compliance/dashboard.html",
        "templates/compliance/late.html",
        "templates/compliance/_crumbs.html",
        "templates/compliance/_positions.html",
        "templates/registry/_district_link.html",
        "templates/base.html",
        "templates/_nav_links.html",
    }
    assert drawn - set(caches.DASHBOARD_BODY.sources) - per_request == set()
