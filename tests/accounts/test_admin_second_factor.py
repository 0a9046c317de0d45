"""The admin is behind the officers' door: allauth's login with its rate limits, then the TOTP.

Before, /admin/login/ took a password alone, never throttled (40 wrong passwords in a row were
all answered with the form again), and the administrator then read every officer's TOTP secret
and recovery seed, in clear, at /admin/mfa/authenticator/<id>/change/.
"""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from demo.demo_accounts import DEMO_TOTP_SECRET
from tests.actors import PASSWORD, login, make_user

pytestmark = pytest.mark.usefixtures("wall_clock_stopped")  # codes and logins in one TOTP step


def totp_code(secret: str = DEMO_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def make_admin(*, totp: bool = True):
    user = make_user("site-admin@test.example", kind="site_admin")
    user.is_staff = user.is_superuser = True
    user.save()
    if totp:
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


@pytest.fixture
def site_admin(db):
    return make_admin()


def test_the_admin_login_page_sends_a_visitor_to_the_portal_login(client, db):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/accounts/user/"


def test_the_admin_login_page_keeps_next_on_this_site(client, db):
    response = client.get("/admin/login/?next=https://elsewhere.example/")
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_a_password_posted_to_the_admin_login_opens_no_session(client, site_admin):
    for _attempt in range(40):
        response = client.post(
            "/admin/login/", {"username": site_admin.email, "password": "wrong-password"}
        )
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post("/admin/login/", {"username": site_admin.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_wrong_passwords_for_the_administrator_are_throttled_at_the_portal_login(
    client, site_admin
):
    for _attempt in range(5):
        response = client.post(
            "/accounts/login/?next=/admin/",
            {"login": site_admin.email, "password": "wrong-password"},
        )
        assert response.status_code == 200
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": site_admin.email, "password": PASSWORD}
    )
    assert response.status_code == 200  # refused: too many failed attempts on this account
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_the_administrator_logs_in_with_password_and_totp_and_lands_on_the_admin(
    client, site_admin
):
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": site_admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session  # a password alone logs nobody in
    response = client.post(response["Location"], {"code": totp_code()})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_administrator_whose_session_did_not_use_the_totp_is_sent_to_confirm_it(
    client, site_admin
):
    client.force_login(site_admin, backend="elaas_portal.backends.ModelBackend")  # password only
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/accounts/user/"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert (
        response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    )
    response = client.post(response["Location"], {"code": totp_code()})
    assert response.status_code == 302 and response["Location"] == "/admin/accounts/user/"
    assert client.get("/admin/accounts/user/").status_code == 200


def test_an_administrator_without_an_authenticator_is_sent_to_set_one_up(client, db):
    admin = make_admin(totp=False)
    client.force_login(admin, backend="elaas_portal.backends.ModelBackend")
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/?next=")
    assert client.get("/admin/").status_code == 302


def test_an_officer_who_is_not_staff_is_refused_the_admin(client, actors):
    login(client, actors["dla_officer"])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403


def test_the_admin_never_shows_a_totp_secret_or_the_recovery_seed(client, site_admin, actors):
    officer = actors["province_officer"]
    RecoveryCodes.activate(officer)
    login(client, site_admin)
    secrets = [DEMO_TOTP_SECRET]
    for authenticator in Authenticator.objects.filter(user=officer):
        secrets += [str(v) for v in authenticator.data.values() if isinstance(v, str)]
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            secrets += authenticator.wrap().generate_codes()
        page = client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
        assert page.status_code == 200
        assert str(officer) in page.content.decode()
        for secret in secrets:
            assert secret not in page.content.decode()
    listing = client.get("/admin/mfa/authenticator/").content.decode()
    assert str(officer) in listing
    for secret in secrets:
        assert secret not in listing


def test_the_admin_cannot_add_or_edit_an_authenticator_but_may_delete_one(
    client, site_admin, actors
):
    totp = Authenticator.objects.get(user=actors["dla_officer"], type=Authenticator.Type.TOTP)
    login(client, site_admin)
    assert client.get("/admin/mfa/authenticator/add/").status_code == 403
    client.post(f"/admin/mfa/authenticator/{totp.pk}/change/", {"data": "{}"})
    totp.refresh_from_db()
    assert totp.data.get("secret")  # unchanged
    response = client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()
