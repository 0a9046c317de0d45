"""A dashboard page kept whole per officer within the figures' time bucket in Django's cache
(compliance/pages.py): kept and served only when nothing on it could differ, never past an access
decision, which is taken from fresh reads on every request."""

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
    """Whether the page was drawn for this request (a kept page renders no template)."""
    return any(t.name == "compliance/dashboard.html" for t in response.templates)


def test_the_second_visit_in_the_bucket_is_the_kept_page(officer_client):
    first = officer_client.get(PAGE)
    second = officer_client.get(PAGE)
    assert first.status_code == second.status_code == 200
    assert rendered(first) and not rendered(second)
    assert second.content == first.content
    assert rendered(officer_client.get(PAGE + "?x=1"))  # another path, another page


def test_a_new_message_redraws_the_page_with_its_badge(officer_client, actors):
    from django.db import transaction

    officer_client.get(PAGE)
    with transaction.atomic():
        queue(outgoing_for([actors["province_officer"]]), nudge_workers=False)
    response = officer_client.get(PAGE)
    assert rendered(response)
    assert re.search(r'<span class="badge">1</span>', response.content.decode())


def test_nothing_is_kept_without_a_csrf_cookie_or_with_messages_to_show(officer_client, settings):
    officer_client.get(PAGE)
    officer_client.cookies["messages"] = "pending"
    assert rendered(officer_client.get(PAGE))
    del officer_client.cookies["messages"]
    del officer_client.cookies[settings.CSRF_COOKIE_NAME]
    assert rendered(officer_client.get(PAGE))


def test_a_revoked_role_is_refused_although_its_page_is_kept(officer_client, actors):
    assert officer_client.get(PAGE).status_code == 200
    Role.objects.filter(user=actors["province_officer"]).delete()
    assert officer_client.get(PAGE).status_code == 403


def test_the_logout_form_of_a_kept_page_still_logs_out(officer_client):
    officer_client.get(PAGE)
    kept = officer_client.get(PAGE)
    assert not rendered(kept)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', kept.content.decode()).group(1)
    response = officer_client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert officer_client.get(PAGE).status_code == 302  # to the login page


def test_a_role_moved_by_a_queryset_update_is_refused_although_its_page_is_kept(
    officer_client, actors, places
):
    assert officer_client.get(PAGE).status_code == 200
    other = places.lao_elsewhere.district.province
    Role.objects.filter(user=actors["province_officer"]).update(province=other)
    assert officer_client.get(PAGE).status_code == 404


def test_another_officers_visit_never_gets_this_officers_page(officer_client, actors, settings):
    from accounts.models import RoleKind
    from tests.actors import make_user

    officer_client.get(PAGE)
    colleague = make_user(
        "colleague@test.example",
        kind=RoleKind.PROVINCE_OFFICER,
        province=actors["province_officer"].roles.get().province,
    )
    other = Client()
    login(other, colleague)
    other.cookies[settings.CSRF_COOKIE_NAME] = CSRF  # the same cookie, even
    response = other.get(PAGE)
    assert rendered(response)
    assert actors["province_officer"].email not in response.content.decode()


def test_a_kept_page_of_the_officers_own_area_reads_the_user_once_and_no_area(officer_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer_client.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        response = officer_client.get(PAGE)
    assert response.status_code == 200 and not rendered(response)
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "accounts_user"' in q for q in sql) == 1  # with roles and their areas' codes
    assert sum('FROM "accounts_role"' in q for q in sql) == 1  # inside that same query
    assert not [q for q in sql if 'FROM "onboarding_province"' in q]  # joined there, not read
    assert not [q for q in sql if 'FROM "onboarding_district"' in q]


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
