"""allauth's pages and mails in the portal's Thai (issue 24): "ท่าน" and "เข้าสู่ระบบ" as the
portal writes them, not allauth's own "คุณ" and "ลงชื่อเข้าใช้"; the confirmation mail names
the portal, not the host the request came in on.

The entries live in locale/th/LC_MESSAGES/django.po (scripts/allauth_th_portal_wording.py
prints them); our catalogue (LOCALE_PATHS) takes precedence over allauth's.
"""

import re
import subprocess
from pathlib import Path

import allauth
import pytest
from django.urls import reverse
from django.utils import translation

from tests.accounts.test_thai_account_pages import VISITOR_PAGES, recently_logged_in
from tests.actors import PASSWORD

pytestmark = pytest.mark.django_db

ALLAUTH_TH = Path(allauth.__file__).parent / "locale/th/LC_MESSAGES/django.po"
# "คุณ" as "you", not inside ขอบคุณ (thanks)
YOU = re.compile(r"(?<!ขอบ)คุณ")
NOT_THE_PORTAL_S = ("ลงชื่อเข้าใช้", "ลงชื่อออก")


def not_the_portal_s_wording(text: str) -> list[str]:
    found = [m.group(0) for m in YOU.finditer(text)]
    return found + [word for word in NOT_THE_PORTAL_S if word in text]


def allauth_msgids() -> list[str]:
    flat = subprocess.run(
        ["msgcat", "--no-wrap", str(ALLAUTH_TH)], capture_output=True, text=True, check=True
    ).stdout
    ids = re.findall(r'^msgid "(.+)"$', flat, re.M)
    return [i.encode().decode("unicode_escape").encode("latin-1").decode() for i in ids]


def test_every_allauth_string_reads_in_the_portal_s_thai():
    with translation.override("th"):
        wrong = {
            msgid: translation.gettext(msgid)
            for msgid in allauth_msgids()
            if not_the_portal_s_wording(translation.gettext(msgid))
        }
    assert wrong == {}


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_the_visitor_s_account_pages_say_tan_and_khao_su_rabop(client, path):
    page = client.get(path).content.decode()
    assert not_the_portal_s_wording(page) == []


def test_the_login_page_asks_to_sign_up_as_the_portal_writes_it(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "หากท่านยังไม่มีบัญชี โปรด" in page
    assert "ถ้าหากคุณยังไม่มีบัญชี, กรุณา" not in page


@pytest.mark.parametrize(
    "path", ["/accounts/2fa/", "/accounts/2fa/totp/activate/", "/accounts/email/"]
)
def test_the_officer_s_second_factor_pages_say_tan(client, actors, path):
    recently_logged_in(client, actors["dla_officer"], with_mfa=False)
    page = client.get(path).content.decode()
    assert not_the_portal_s_wording(page) == []


def test_the_confirmation_mail_names_the_portal_and_links_to_its_public_address(
    client, places, mailoutbox, settings
):
    settings.PORTAL_URL = "https://portal.example.go.th"
    client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@test.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "full_name": "ผู้สมัคร ใหม่",
            "organization": places.unit.pk,
        },
        HTTP_HOST="127.0.0.1:8100",
        SERVER_NAME="127.0.0.1",
    )
    [mail] = mailoutbox
    assert "127.0.0.1" not in mail.body and "127.0.0.1" not in mail.subject
    assert f"ข้อความจาก {settings.PORTAL_NAME}" in mail.body
    assert "https://portal.example.go.th/accounts/confirm-email/" in mail.body
    assert mail.subject.startswith(f"[{settings.PORTAL_NAME}] ")
    assert not_the_portal_s_wording(mail.body + mail.subject) == []


def test_the_reset_mail_links_to_the_portal_s_public_address(client, actors, mailoutbox, settings):
    settings.PORTAL_URL = "https://portal.example.go.th"
    client.post(
        reverse("account_reset_password"),
        {"email": actors["lao_clerk"].email},
        HTTP_HOST="127.0.0.1:8100",
    )
    [mail] = mailoutbox
    assert "https://portal.example.go.th/accounts/password/reset/key/" in mail.body
    assert "127.0.0.1" not in mail.body
    assert not_the_portal_s_wording(mail.body + mail.subject) == []
