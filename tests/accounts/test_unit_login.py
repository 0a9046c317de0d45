"""Units' staff may log in only once the policy lets them use the system: 4 April 2568, 00:00.

Every login here goes through allauth's own login view, with the e-mail address and password.
"""

import datetime as dt

import pytest

from accounts.models import Role
from core.thai import BANGKOK, format_since
from registry.models import Organization
from tests.actors import PASSWORD, make_user

JUST_BEFORE = "2025-04-03T23:59:59+07:00"
OPENING = "2025-04-04T00:00:00+07:00"
UNITS_OPEN_AT = dt.datetime(2025, 4, 4, 0, 0, tzinfo=BANGKOK)

# The portal's clock set at 23:59:59 must not run past midnight while a login is served.
pytestmark = pytest.mark.usefixtures("wall_clock_stopped")


def log_in(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def is_logged_in(client) -> bool:
    response = client.get("/my/")
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
        return False
    assert response.status_code == 200
    return True


def test_a_unit_clerk_is_stopped_one_second_before_4_april_and_told_when_and_why(
    client, circulars, actors, places, portal_clock
):
    portal_clock(JUST_BEFORE)
    response = log_in(client, actors["unit_clerk"])
    assert response.status_code == 403
    page = response.content.decode()
    assert format_since(UNITS_OPEN_AT, "th") in page  # ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘
    assert "๒๕๖๘" in format_since(UNITS_OPEN_AT, "th")
    assert circulars["dla"].number in page
    assert response.context["decision"].circular.number == circulars["dla"].number
    assert f"/circulars/{circulars['dla'].pk}/" in page
    assert not is_logged_in(client)
    assert "_auth_user_id" not in client.session
    places.unit.refresh_from_db()
    assert places.unit.first_login_at is None


def test_the_english_page_gives_the_same_instant_in_the_common_era(
    client, circulars, actors, portal_clock
):
    portal_clock(JUST_BEFORE)
    client.cookies["django_language"] = "en"
    response = log_in(client, actors["unit_clerk"])
    assert response.status_code == 403
    assert format_since(UNITS_OPEN_AT, "en") in response.content.decode()  # from 4 April 2025


def test_a_unit_clerk_is_let_in_at_midnight_on_4_april_and_the_first_login_is_recorded(
    client, circulars, actors, places, portal_clock
):
    at = portal_clock(OPENING)
    response = log_in(client, actors["unit_clerk"])
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert is_logged_in(client)
    places.unit.refresh_from_db()
    assert places.unit.first_login_at is not None
    assert (
        at <= places.unit.first_login_at < at + dt.timedelta(seconds=30)
    )  # the portal's clock, not the machine's


def test_a_second_login_does_not_change_the_first_login(
    client, circulars, actors, places, portal_clock
):
    portal_clock(OPENING)
    assert log_in(client, actors["unit_clerk"]).status_code == 302
    places.unit.refresh_from_db()
    first = places.unit.first_login_at
    client.post("/accounts/logout/")
    assert not is_logged_in(client)

    portal_clock("2025-04-10T08:30:00+07:00")
    assert log_in(client, actors["unit_clerk"]).status_code == 302
    places.unit.refresh_from_db()
    assert places.unit.first_login_at == first


def test_another_member_of_the_unit_logging_in_later_does_not_change_the_first_login(
    client, circulars, actors, places, portal_clock
):
    portal_clock(OPENING)
    assert log_in(client, actors["unit_clerk"]).status_code == 302
    places.unit.refresh_from_db()
    first = places.unit.first_login_at
    colleague = make_user(
        "unit-colleague@test.example", kind="unit_staff", organization=places.unit
    )
    portal_clock("2025-04-11T10:00:00+07:00")
    client.post("/accounts/logout/")
    assert log_in(client, colleague).status_code == 302
    places.unit.refresh_from_db()
    assert places.unit.first_login_at == first


def test_an_lao_clerk_is_not_gated_on_3_april(client, circulars, actors, places, portal_clock):
    portal_clock("2025-04-03T09:00:00+07:00")
    response = log_in(client, actors["lao_clerk"])
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert is_logged_in(client)
    places.lao.refresh_from_db()
    assert places.lao.first_login_at is None  # only units' first logins are recorded


def test_a_user_with_a_unit_role_and_an_lao_role_is_not_gated(
    client, circulars, actors, places, portal_clock
):
    portal_clock("2025-04-03T09:00:00+07:00")
    both = make_user("both@test.example", kind="unit_staff", organization=places.unit)
    Role.objects.create(
        user=both, kind="lao_staff", organization=places.lao, position="finance_director"
    )
    response = log_in(client, both)
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert is_logged_in(client)


@pytest.mark.parametrize("officer", ["district_officer", "province_officer"])
def test_officers_are_not_gated_on_3_april(client, circulars, actors, portal_clock, officer):
    portal_clock("2025-04-03T09:00:00+07:00")
    response = log_in(client, actors[officer])
    assert response.status_code == 302
    assert (
        "/accounts/2fa/authenticate/" in response["Location"]
    )  # on to the second factor, not stopped


def test_a_wrong_password_is_not_told_about_the_units_window(
    client, circulars, actors, portal_clock
):
    portal_clock(JUST_BEFORE)
    response = client.post(
        "/accounts/login/", {"login": actors["unit_clerk"].email, "password": "wrong-password-2568"}
    )
    assert response.status_code == 200  # the login form again, with its error
    assert format_since(UNITS_OPEN_AT, "th") not in response.content.decode()
    assert not is_logged_in(client)


def test_a_unit_of_another_province_opens_at_the_same_instant_under_dlas_letter(
    client, circulars, actors, places, portal_clock
):
    unit = Organization.objects.create(
        kind="SCHOOL",
        name_th="โรงเรียนทดสอบ",
        district=places.lao_elsewhere.district,
        parent=places.lao_elsewhere,
    )
    teacher = make_user("teacher@test.example", kind="unit_staff", organization=unit)
    portal_clock(JUST_BEFORE)
    assert log_in(client, teacher).status_code == 403
    portal_clock(OPENING)
    assert log_in(client, teacher).status_code == 302


@pytest.mark.parametrize("page", ["/inbox/", "/circulars/inbox/", "/my/"])
def test_a_unit_session_is_closed_on_its_next_request_once_the_clock_leaves_the_window(
    client, circulars, actors, portal_clock, page
):
    """The gate is asked on every request of a gated user, not only at login: a session opened
    on 4 April is stopped on any page as soon as the portal's clock reads 3 April again."""
    portal_clock(OPENING)
    assert log_in(client, actors["unit_clerk"]).status_code == 302
    assert client.get(page).status_code == 200
    portal_clock(JUST_BEFORE)
    response = client.get(page)
    assert response.status_code == 403
    assert format_since(UNITS_OPEN_AT, "th") in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_rule_withdrawn_closes_a_unit_session_on_its_next_request(
    client, circulars, actors, portal_clock
):
    from maintenance.models import AccessRule
    from maintenance.services import record_discrepancies

    portal_clock("2025-04-10T09:00:00+07:00")
    assert log_in(client, actors["unit_clerk"]).status_code == 302
    assert client.get("/inbox/").status_code == 200
    AccessRule.objects.filter(entity_type="unit", effect="allow").delete()
    record_discrepancies()  # how the services that change rules drop the policy snapshot
    assert client.get("/inbox/").status_code == 403
    assert not is_logged_in(client)


def test_a_unit_clerk_stopped_before_4_april_is_not_told_the_login_succeeded(
    client, circulars, actors, portal_clock
):
    portal_clock(JUST_BEFORE)
    response = log_in(client, actors["unit_clerk"])
    assert response.status_code == 403
    page = response.content.decode()
    assert "ท่านยังเข้าสู่ระบบไม่ได้" in page
    success = ("ลงชื่อเข้าใช้สำเร็จ", "เข้าสู่ระบบสำเร็จ")  # allauth's wording, and the portal's
    assert not any(s in page for s in success) and 'class="messages"' not in page
    # nor on the next page: the message was dropped, not kept for later
    later = client.get("/accounts/login/").content.decode()
    assert not any(s in later for s in success)
