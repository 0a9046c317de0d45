"""Mail that is real or loudly absent (issue 22, item 2): with EMAIL_URL=console, every page
that says a mail was sent also says it was written to the server log, not sent; with a mail
server it says nothing more."""

import pytest
from django.urls import reverse

from tests.accounts.test_signup_names import signup_form

CONSOLE = "written to the server log, not sent: EMAIL_URL=console"
CONSOLE_TH = "เขียนไว้ในบันทึกของเซิร์ฟเวอร์"  # Thai pages say it in Thai; the setting is named in English


@pytest.fixture
def open_for_signup(places, portal_clock, circulars, settings):
    portal_clock("2025-04-10T09:00:00+07:00")
    settings.LANGUAGE_CODE = "en"
    return places


@pytest.mark.parametrize(("destination", "said"), [("console", True), ("smtp", False)])
def test_the_sign_up_confirmation_page_says_where_the_mail_went(
    client, open_for_signup, mailoutbox, settings, destination, said
):
    settings.MAIL_DESTINATION = destination
    response = client.post(
        reverse("account_signup"),
        signup_form(open_for_signup.lao, "สมใจ ทดสอบ"),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200 and len(mailoutbox) == 1
    assert (CONSOLE_TH in page or CONSOLE in page) is said
    assert ("data-mail-notice" in page) is said


@pytest.mark.parametrize(("destination", "said"), [("console", True), ("smtp", False)])
def test_the_password_reset_page_says_where_the_mail_went(
    client, actors, mailoutbox, settings, destination, said
):
    settings.MAIL_DESTINATION = destination
    response = client.post(
        reverse("account_reset_password"), {"email": actors["lao_clerk"].email}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200 and len(mailoutbox) == 1
    assert ("data-mail-notice" in page) is said and (CONSOLE_TH in page or CONSOLE in page) is said


def test_the_console_notice_reads_in_english_and_thai(settings):
    from django.utils import translation

    from core.mail import where_mail_went

    settings.MAIL_DESTINATION = "console"
    with translation.override("en"):
        english = where_mail_went()
    with translation.override("th"):
        thai = where_mail_went()
    assert CONSOLE in english
    assert CONSOLE_TH in thai and "ไม่ได้ส่ง" in thai


def test_a_real_mail_server_adds_nothing(settings):
    from core.mail import where_mail_went

    settings.MAIL_DESTINATION = "smtp"
    assert where_mail_went() == ""
