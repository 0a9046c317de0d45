"""The account pages (allauth's sign-up, login, reset, e-mail and second-factor pages) read in
Thai, with one term for two-factor, and the code field a phone user needs: a numeric keyboard,
the one-time-code autofill, a "6 หลัก" hint, and a message of its own for a code used twice."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator

from tests.accounts.test_login_limits import code_now, log_in, logged_in
from tests.actors import login

pytestmark = pytest.mark.django_db

TWO_FACTOR_TH = "ยืนยันตัวตนสองขั้นตอน"
OTHER_TERMS = ("สองปัจจัย", "2 ขั้นตอน", "ตรวจสอบสิทธิ์สองขั้นตอน", "หลายปัจจัย")
REUSED_TH = "รหัสนี้ใช้แล้ว รอรหัสถัดไป"
INCORRECT_TH = "รหัสไม่ถูกต้อง"
# Latin words a Thai page may hold: the system's name, the language switch, the time zone, the
# authenticator app's name as the phone shows it.
LATIN_ALLOWED = {"New e-LAAS", "English", "UTC", "Authenticator"}
_HIDDEN = re.compile(r"<(script|style|title)\b.*?</\1>|<[^>]+>", re.S)
_LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]+(?: [A-Za-z][A-Za-z'’-]+)*")


def english_on(response, *own_words) -> set[str]:
    """Latin-letter words in the page's visible text (placeholders included), beyond the few
    expected and the visitor's own address."""
    html = re.sub(r'placeholder="([^"]*)"', r"> \1 <", response.content.decode())
    text = _HIDDEN.sub(" ", html)
    for word in own_words:
        text = text.replace(word, " ")
    return set(_LATIN.findall(text)) - LATIN_ALLOWED


def recently_logged_in(client, user, *, with_mfa):
    """A session as allauth leaves it right after logging in (a password step, and a code)."""
    client.force_login(user, backend="elaas_portal.backends.ModelBackend")
    session = client.session
    methods = [
        {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}
    ]
    if with_mfa:
        methods.append({"method": "mfa", "at": time.time(), "type": "totp"})
    session["account_authentication_methods"] = methods
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


VISITOR_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_the_account_pages_of_a_visitor_are_thai(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert english_on(response) == set()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/reauthenticate/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
    ],
)
def test_the_account_pages_of_an_officer_are_thai(client, actors, path):
    officer = actors["dla_officer"]
    login(client, officer)
    response = client.get(path)
    assert response.status_code == 200
    assert english_on(response, officer.email, officer.full_name) == set()


def test_sign_up_tells_the_password_rules_and_its_errors_in_thai(client):
    page = client.get("/accounts/signup/")
    assert "รหัสผ่านต้องมีอย่างน้อย 8 ตัวอักษร" in page.content.decode()
    assert "Your password" not in page.content.decode()
    response = client.post(
        "/accounts/signup/",
        {"email": "new@test.example", "password1": "12345", "password2": "12345"},
    )
    html = response.content.decode()
    assert "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย 8 ตัวอักษร" in html
    assert "รหัสผ่านนี้เป็นตัวเลขทั้งหมด" in html
    assert english_on(response) == set()


def test_the_code_field_asks_for_6_digits_on_a_numeric_keyboard(client, actors):
    step = log_in(client, actors["dla_officer"].email)["Location"]
    assert step.startswith("/accounts/2fa/authenticate/")
    html = client.get(step).content.decode()
    field = re.search(r'<input[^>]*name="code"[^>]*>', html).group(0)
    assert 'inputmode="numeric"' in field
    assert 'autocomplete="one-time-code"' in field
    assert 'aria-describedby="id_code_helptext"' in field
    assert "6 หลัก" in html
    assert TWO_FACTOR_TH in html and not any(term in html for term in OTHER_TERMS)


def test_setting_up_the_app_asks_for_6_digits_too(client, actors):
    officer = actors["province_officer"]
    Authenticator.objects.filter(user=officer).delete()
    recently_logged_in(client, officer, with_mfa=False)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    html = response.content.decode()
    field = re.search(r'<input[^>]*name="code"[^>]*>', html).group(0)
    assert 'inputmode="numeric"' in field and 'autocomplete="one-time-code"' in field
    assert "6 หลัก" in html and TWO_FACTOR_TH in html
    assert not any(term in html for term in OTHER_TERMS)
    assert english_on(response, officer.email, officer.full_name) == set()


def test_one_term_for_two_factor_on_the_officer_pages(client, actors):
    login(client, actors["dla_officer"])
    for path in ("/accounts/2fa/", "/accounts/2fa/reauthenticate/"):
        html = client.get(path).content.decode()
        assert not any(term in html for term in OTHER_TERMS), path
    assert TWO_FACTOR_TH in client.get("/accounts/2fa/").content.decode()


def test_a_right_code_used_again_in_its_window_says_so(client_factory, actors):
    officer = actors["dla_officer"]
    code = code_now()
    first = client_factory()
    step = log_in(first, officer.email)["Location"]
    assert first.post(step, {"code": code}).status_code == 302 and logged_in(first)
    second = client_factory()
    step = log_in(second, officer.email)["Location"]
    response = second.post(step, {"code": code})
    assert response.status_code == 200 and not logged_in(second)
    html = response.content.decode()
    assert REUSED_TH in html and INCORRECT_TH not in html


def test_a_wrong_code_is_still_wrong(client, actors):
    step = log_in(client, actors["dla_officer"].email)["Location"]
    wrong = f"{(int(code_now()) + 1) % 1_000_000:06d}"
    html = client.post(step, {"code": wrong}).content.decode()
    assert INCORRECT_TH in html and REUSED_TH not in html


def test_a_code_typed_in_thai_digits_is_read(client, actors):
    from core.thai import to_thai_digits

    step = log_in(client, actors["dla_officer"].email)["Location"]
    code = code_now()
    response = client.post(step, {"code": to_thai_digits(code[:3]) + " " + code[3:]})
    assert response.status_code == 302 and logged_in(client)


def test_the_english_pages_keep_english(client):
    client.cookies["django_language"] = "en"
    html = client.get("/accounts/signup/").content.decode()
    assert "Your password must contain at least 8 characters." in html


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client
