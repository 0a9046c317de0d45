"""Every dashboard and late list is drawn for its request (the per-officer page cache went after
the morning benchmark, bench/morning.py): what the page shows is the request's own, and access is
decided from fresh reads on every request."""

import re

import pytest
from django.test import Client

from accounts.models import Role
from notifications.services import queue
from tests.actors import login
from tests.notifications.support import outgoing_for

PAGE = "/compliance/province/48/"
CSRF = "e9c0c4169b785b6fbb880f4adda27f33"  # a CSRF cookie as the login page sets one

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(actors, settings):
    settings.COMPLIANCE_CACHE_SECONDS = 30
    client = Client(enforce_csrf_checks=True)
    login(client, actors["province_officer"])
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
    return client


def rendered(response) -> bool:
    return any(t.name == "compliance/dashboard.html" for t in response.templates)


def test_every_visit_draws_the_page(officer_client):
    first = officer_client.get(PAGE)
    second = officer_client.get(PAGE)
    assert first.status_code == second.status_code == 200
    assert rendered(first) and rendered(second)


def test_a_late_list_is_drawn_without_the_templates_indentation(officer_client):
    response = officer_client.get("/compliance/late/?province=48")
    assert response.status_code == 200
    assert 'id="late"' in response.content.decode()
    assert not re.search(rb"\n[ \t]+", response.content)


def test_a_new_message_shows_at_once_with_its_badge(officer_client, actors):
    from django.db import transaction

    officer_client.get(PAGE)
    with transaction.atomic():
        queue(outgoing_for([actors["province_officer"]]), nudge_workers=False)
    response = officer_client.get(PAGE)
    assert re.search(r'<span class="badge">1</span>', response.content.decode())


def test_a_revoked_role_is_refused_at_once(officer_client, actors):
    assert officer_client.get(PAGE).status_code == 200
    Role.objects.filter(user=actors["province_officer"]).delete()
    assert officer_client.get(PAGE).status_code == 403


def test_the_logout_form_of_a_second_visit_logs_out(officer_client):
    officer_client.get(PAGE)
    again = officer_client.get(PAGE)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again.content.decode()).group(
        1
    )
    response = officer_client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert officer_client.get(PAGE).status_code == 302  # to the login page


def test_a_role_moved_by_a_queryset_update_is_refused_at_once(officer_client, actors, places):
    assert officer_client.get(PAGE).status_code == 200
    other = places.lao_elsewhere.district.province
    Role.objects.filter(user=actors["province_officer"]).update(province=other)
    assert officer_client.get(PAGE).status_code == 404


def test_another_officers_visit_shows_their_own_name(officer_client, actors, settings):
    from accounts.models import RoleKind
    from tests.actors import make_user

    mine = officer_client.get(PAGE).content.decode()
    me = actors["province_officer"]
    assert f'<span class="who">{me.full_name or me.email}</span>' in mine
    colleague = make_user(
        "colleague@test.example",
        kind=RoleKind.PROVINCE_OFFICER,
        province=actors["province_officer"].roles.get().province,
    )
    other = Client()
    login(other, colleague)
    other.cookies[settings.CSRF_COOKIE_NAME] = CSRF  # the same cookie, even
    response = other.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<span class="who">colleague</span>' in page
    assert f'<span class="who">{me.full_name or me.email}</span>' not in page


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("province_officer", "district of the province", 200),  # read: is it in the province?
        ("district_officer", "district of the province", 200),  # their own, by code
        ("other_district_officer", "district of the province", 404),
        ("dla_officer", "/compliance/province/99/", 404),  # no such province, read when drawn
        ("dla_officer", "/compliance/district/9999/", 404),
        ("province_officer", "/compliance/province/99/", 404),
    ],
)
def test_areas_named_by_code_are_checked_against_the_roles_codes(
    actors, places, settings, who, path, status
):
    settings.COMPLIANCE_CACHE_SECONDS = 30
    if path == "district of the province":
        path = f"/compliance/district/{places.lao.district.code}/"
    client = Client()
    login(client, actors[who])
    assert client.get(path).status_code == status
