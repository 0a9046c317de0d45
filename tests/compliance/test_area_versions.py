"""The data version per province (compliance/version.py, compliance/migrations/0002): a write in
one province changes the pages of that province (its dashboard, its districts', its late list, its
LAOs' pages), seen by the next request, and leaves another province's pages as they were (304 to
their old tag, their kept figures kept); a write that concerns everyone (a circular, a rule, a
TRUNCATE) changes every area; a bulk write spanning two provinces changes both; the country's
pages change with any write."""

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from circulars.models import Circular
from compliance import caches, stats, version
from compliance.scope import Scope, ScopeLevel
from core import clock
from onboarding import services
from registry.models import Organization
from tests.actors import login

HERE, ELSEWHERE = "48", "50"  # Nakhon Phanom (the waiting request), Chiang Mai


def pages(places) -> dict[str, tuple[str, str]]:
    """(who, url) of each page, by province (or the country)."""
    return {
        "dashboard here": ("province_officer", f"/compliance/province/{HERE}/"),
        "district here": ("district_officer", f"/compliance/district/{places.lao.district.code}/"),
        "late here": ("province_officer", f"/compliance/late/?province={HERE}&order=name"),
        "lao here": ("province_officer", f"/compliance/lao/{places.lao.dla_code}/"),
        "dashboard elsewhere": ("other_province_officer", f"/compliance/province/{ELSEWHERE}/"),
        "late elsewhere": (
            "other_province_officer",
            f"/compliance/late/?province={ELSEWHERE}&order=name",
        ),
        "lao elsewhere": (
            "other_province_officer",
            f"/compliance/lao/{places.lao_elsewhere.dla_code}/",
        ),
        "country": ("dla_officer", "/compliance/country/"),
        "late country": ("dla_officer", "/compliance/late/?order=name"),
    }


class Browsers:
    """Each page opened once by its officer; `changed()` revalidates every one with the tag it
    got: the pages drawn again (200 with another tag) rather than answered 304."""

    def __init__(self, actors, places):
        self.clients: dict[str, Client] = {}
        self.tags: dict[str, str] = {}
        self.urls = pages(places)
        for page, (who, url) in self.urls.items():
            client = self.clients.setdefault(who, Client())
            login(client, actors[who])
            first = client.get(url)
            assert first.status_code == 200, page
            self.tags[page] = first["ETag"]
            assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304, page

    def changed(self) -> set[str]:
        out = set()
        for page, (who, url) in self.urls.items():
            response = self.clients[who].get(url, HTTP_IF_NONE_MATCH=self.tags[page])
            assert response.status_code in (200, 304), page
            if response.status_code == 200:
                assert response["ETag"] != self.tags[page], page
                self.tags[page] = response["ETag"]
                out.add(page)
        return out


def everything(places) -> set[str]:
    return set(pages(places))


def dashboards(places) -> set[str]:
    return {p for p in pages(places) if p.startswith(("dashboard", "district", "country"))}


def countrys() -> set[str]:
    return {"country", "late country"}


def here(places) -> set[str]:
    return {p for p in pages(places) if p.endswith(" here")}


def elsewhere(places) -> set[str]:
    return {p for p in pages(places) if p.endswith(" elsewhere")}


def test_a_decision_in_one_province_changes_its_pages_and_the_countrys_only(
    waiting, actors, places
):
    browsers = Browsers(actors, places)
    services.approve_request(
        waiting.pk, actor=actors["province_officer"], expected_version=waiting.version
    )
    assert browsers.changed() == here(places) | countrys()
    assert browsers.changed() == set()  # the next revalidations: 304


def test_a_write_elsewhere_leaves_this_provinces_pages_304(waiting, actors, places):
    browsers = Browsers(actors, places)
    Organization.objects.filter(pk=places.lao_elsewhere.pk).update(identity_verified_at=clock.now())
    assert browsers.changed() == elsewhere(places) | countrys()


def test_the_figures_kept_for_another_province_stay_kept(waiting, actors, places):
    """The figures (and the dashboard's body) are keyed by the province's version: a decision in
    Nakhon Phanom draws Nakhon Phanom's figures again and keeps Chiang Mai's."""
    mine = Scope(ScopeLevel.PROVINCE, province=places.lao.district.province)
    other = Scope(ScopeLevel.PROVINCE, province=places.lao_elsewhere.district.province)
    at = clock.now()
    before = {s.key: stats.cached(s) for s in (mine, other)}
    keys = {
        s.key: stats.scope_version(s, stats.data_version(province=s.province_code), at)
        for s in (mine, other)
    }
    national = stats.data_version()
    services.approve_request(
        waiting.pk, actor=actors["province_officer"], expected_version=waiting.version
    )
    assert stats.data_version() != national
    assert stats.scope_version(mine, stats.data_version(province=HERE), at) != keys[mine.key]
    assert stats.scope_version(other, stats.data_version(province=ELSEWHERE), at) == keys[other.key]
    assert caches.FIGURES.get(scope=other.key, data=keys[other.key]) == before[other.key]
    assert stats.cached(other) == before[other.key]  # kept, not drawn again
    after = stats.cached(mine)
    assert after["laos"]["verified"] == before[mine.key]["laos"]["verified"] + 1


def test_an_area_redrawn_after_its_own_write_does_not_build_the_countrys_table(
    waiting, actors, places, wall_clock_stopped
):
    """A table built this hour: after a write in Nakhon Phanom, its dashboard computes its own
    figures (the same as from a table) and leaves the national table to the country's page."""
    country = Scope(ScopeLevel.COUNTRY)
    mine = Scope(ScopeLevel.PROVINCE, province=places.lao.district.province)
    stats.cached(country)  # builds the table of this version
    assert stats.built_this_hour(clock.now())
    services.approve_request(
        waiting.pk, actor=actors["province_officer"], expected_version=waiting.version
    )
    data = stats.data_version()
    figures = stats.cached(mine)
    assert caches.NATIONAL.get(data=data, part="all") is None  # not built for one province
    assert figures == stats.compute(mine, clock.now())
    assert figures["laos"]["verified"] == 1
    stats.cached(country)
    assert caches.NATIONAL.get(data=data, part="all") is not None  # the country's page builds it


def test_a_circular_or_a_rule_changes_every_area(waiting, actors, places, circulars):
    """Every area's dashboard (the late lists and LAOs' pages show neither)."""
    browsers = Browsers(actors, places)
    Circular.objects.filter(pk=circulars["dla"].pk).update(subject="หนังสือเวียน (แก้ไข)")
    assert browsers.changed() == dashboards(places)
    from maintenance.models import AccessRule

    assert AccessRule.objects.exists()
    AccessRule.objects.filter(pk=AccessRule.objects.first().pk).update(clause_text="แก้ไข")
    assert browsers.changed() == dashboards(places)


def test_a_bulk_update_spanning_two_provinces_changes_both(waiting, actors, places):
    browsers = Browsers(actors, places)
    laos = Organization.objects.filter(pk__in=[places.lao.pk, places.lao_elsewhere.pk])
    assert laos.update(office_district_th="แก้ไข") == 2  # one statement, two provinces
    assert browsers.changed() == everything(places)


def test_an_organisation_moved_to_another_province_changes_both(waiting, actors, places):
    """An UPDATE counts the provinces of its rows before and after."""
    browsers = Browsers(actors, places)
    unit = places.unit  # a unit of the Nakhon Phanom LAO
    Organization.objects.filter(pk=unit.pk).update(district=places.lao_elsewhere.district)
    assert browsers.changed() == everything(places)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncate_changes_every_area(waiting, actors, places):
    browsers = Browsers(actors, places)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check left pending on the table
        cursor.execute("TRUNCATE notifications_notification, account_emailaddress CASCADE")
    assert browsers.changed() == everything(places)


def test_the_country_changes_with_any_write(waiting, actors, places):
    browsers = Browsers(actors, places)
    staff = User.objects.get(pk=actors["other_lao_clerk"].pk)
    staff.full_name = "ชื่อใหม่"
    staff.save(update_fields=["full_name"])
    # (their LAO's pages and lists, and the country's list; no dashboard shows names)
    assert browsers.changed() == {"lao here", "late here", "late country"}


def test_the_counters_per_province(waiting, actors, places):
    """What the triggers count: a province's rows under its code; what concerns everyone under
    "*", read with every province; a write that changes nothing shown counts nothing."""
    table = "onboarding_organization"
    mine, other = version.area_key(table, HERE), version.area_key(table, ELSEWHERE)
    read = lambda: {**version.read(HERE), **version.read(ELSEWHERE)}  # noqa: E731
    before = read()
    Organization.objects.filter(pk=places.lao.pk).update(office_district_th="ใหม่")
    after = read()
    assert after[table] == before[table] + 1
    assert after[mine] == before[mine] + 1 and after.get(other) == before.get(other)

    # a login (last_login: not shown) and a statement that writes no row count nothing
    before = read()
    User.objects.filter(pk=actors["lao_clerk"].pk).update(last_login=clock.now())
    Organization.objects.filter(pk=-1).update(office_district_th="ไม่มี")
    assert read() == before

    # a circular: every province (PostgreSQL counts a statement, SQLite each row)
    circular = "circulars_circular"
    Circular.objects.update(subject="แก้ไข")
    after = read()
    assert after[circular] > before.get(circular, 0)
    for code in (HERE, ELSEWHERE):
        key = version.area_key(circular, code)
        assert after[key] > before.get(key, 0)

    # counters read without the province cannot make a province's version
    with pytest.raises(ValueError):
        version.of(version.read(), version.LISTS, province=HERE)
