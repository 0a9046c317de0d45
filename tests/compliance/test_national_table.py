"""The dashboards' figures read from the national table (`stats.build_national`, kept once per
time bucket) are the figures each area's own queries give (`stats.compute` without a table): for
the country, every province and several districts, on a slice of the real registry loaded with
the real loader and the generated data set, a second before and at Bangkok midnight.
"""

import pytest
from django.core.cache import cache

from circulars.models import Circular, Delivery, DeliveryLevel
from compliance import caches, stats
from compliance.scope import Scope, ScopeLevel
from compliance.states import LaoState
from demo.dataset import generate_dataset
from registry.models import District, Organization, Province
from tests.registry.test_districts import real_slice  # noqa: F401 - the fixture

from .support import bangkok

# Inside the window (5–21 April 2568), where verifications are counted day by day, and the day
# the window closes
INSTANTS = [
    bangkok("2025-04-12 23:59:59"),
    bangkok("2025-04-13 00:00"),
    bangkok("2025-04-21 23:59:59"),
    bangkok("2025-04-22 00:00"),
]


@pytest.fixture
def seeded(db, circulars, real_slice):  # noqa: F811 - the fixture imported above
    """Nakhon Phanom and Nong Khai with every LAO's generated requests, units, accounts and
    reminders, and circulars delivered at each level, some acknowledged."""
    generate_dataset()
    letter = Circular.objects.first()
    at = bangkok("2025-04-10 09:00")
    places = [
        *(dict(level=DeliveryLevel.PROVINCE, province=p) for p in Province.objects.all()),
        *(dict(level=DeliveryLevel.DISTRICT, district=d) for d in District.objects.all()[::7]),
        *(
            dict(level=DeliveryLevel.ORGANIZATION, organization=o)
            for o in Organization.objects.laos()[::5]
        ),
    ]
    for i, place in enumerate(places):
        Delivery.objects.create(
            circular=letter, delivered_at=at, acknowledged_at=at if i % 3 else None, **place
        )


def scopes():
    districts = list(District.objects.filter(organizations__isnull=False).distinct())
    step = max(1, len(districts) // 6)
    return [
        Scope(ScopeLevel.COUNTRY),
        *(Scope(ScopeLevel.PROVINCE, province=p) for p in Province.objects.all()),
        *(Scope(ScopeLevel.DISTRICT, district=d) for d in districts[::step]),
        # a district of the registry with no LAO at all
        Scope(ScopeLevel.DISTRICT, district=District.objects.filter(organizations=None).first()),
    ]


@pytest.mark.parametrize("at", INSTANTS, ids=[at.isoformat() for at in INSTANTS])
def test_every_areas_figures_from_the_national_table_are_its_own_figures(seeded, at):
    table = stats.build_national(at)
    areas = scopes()
    assert len(areas) >= 2 + 1 + 6

    for scope in areas:
        assert stats.compute(scope, at, table) == stats.compute(scope, at), scope.key

    country = stats.compute(Scope(ScopeLevel.COUNTRY), at, table)
    # the comparison is not of empty figures
    assert country["laos"]["total"] == Organization.objects.laos().count() > 100
    assert country["laos"][LaoState.VERIFIED] and country["laos"][LaoState.SUBMITTED]
    assert sum(day["verified"] for day in country["per_day"])
    assert country["reminders"]["sent"] and country["oldest_waiting"] is not None
    assert all(row["total"] and row["acknowledged"] for row in country["circulars"])


def test_a_version_builds_its_table_once_and_a_worker_finding_it_building_computes_its_own(
    seeded, settings, wall_clock_stopped, portal_clock
):
    settings.COMPLIANCE_CACHE_SECONDS = 30
    cache.clear()
    at = portal_clock("2025-04-12T23:59:50+07:00")
    data = stats.data_version()
    national = caches.NATIONAL
    lock = national.key(data=data, part="building")

    # another worker is building the table: this one computes its area alone, keeps no table
    cache.add(lock, 1, 30, version=national.version)
    province = Scope(ScopeLevel.PROVINCE, province=Province.objects.get(code="48"))
    assert stats.national_table(data, province) is None
    assert stats.cached(province) == stats.compute(province, at)

    # the lock gone, the next area builds it once; later areas read it
    cache.delete(lock, version=national.version)
    country = Scope(ScopeLevel.COUNTRY)
    assert stats.cached(country) == stats.compute(country, at)
    assert cache.get(lock, version=national.version) is None
    district = Scope(ScopeLevel.DISTRICT, district=District.objects.get(code="4801"))
    assert stats.data_version() == data  # nothing written since
    table = stats.national_table(data, district)
    assert table.at == at  # read, not built again: the figures as of the table's instant
    assert stats.cached(district) == stats.compute(district, at)
    assert stats.cached(district)["as_of"] == at
    # every level read back from the parts kept in the cache, not from the builder's memory
    for scope in (country, province):
        own = stats.data_version(province=scope.province_code)  # the scope's (its province's)
        cache.delete(
            caches.FIGURES.key(scope=scope.key, data=stats.scope_version(scope, own, at)),
            version=caches.FIGURES.version,
        )
        assert stats.cached(scope) == stats.compute(scope, at)
