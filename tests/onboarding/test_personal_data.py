"""Personal data stays out of error reports, logs and caches.

- Every view where a national ID or a password is posted marks it sensitive, so Django's error
  reports (the DEBUG page, mail to admins) show stars instead.
- Every page that shows personal data says `Cache-Control: no-store, private`, but for the
  officers' compliance pages (the late list, an LAO's page), which only the officer's browser
  may keep, to ask again with their ETag: `private, no-cache` (compliance/etags.py).
- Filing a request, and failing to, logs nothing of the national ID, even at DEBUG with every
  SQL statement and its parameters logged.
"""

import logging

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.views.debug import ExceptionReporter

from core.thai import to_thai_digits
from onboarding.models import Evidence, VerificationRequest
from tests.actors import PASSWORD, login

IN_THE_WINDOW = "2025-04-10T09:00:00+07:00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
NUMBER = "1101700230708"  # valid: worked out by hand in test_national_id.py
TYPED = "1-1017-00230-70-8"


def forms_of_the_number() -> list[str]:
    """Every way the number could show up in a text: as typed, bare, in Thai digits, in part."""
    return [TYPED, NUMBER, to_thai_digits(NUMBER), to_thai_digits(TYPED), NUMBER[:9], "1-1017-0023"]


@pytest.fixture
def window(actors, places, portal_clock, circulars):
    portal_clock(IN_THE_WINDOW)
    return places


def request_form(**changes):
    data = {
        "full_name": "สมศรี ใจดี",
        "national_id": TYPED,
        "position": "permanent_secretary",
        "appointment_order_number": "123/2567",
        "appointment_date": "1/10/2567",
        "evidence": SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf"),
        "consent": "on",
        "submit": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def leaks(text: str) -> list[str]:
    return [form for form in forms_of_the_number() if form in text]


def everything_logged(caplog) -> str:
    """Each record's message, arguments and traceback, as any handler could write them."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def at_debug(caplog):
    """Every logger at DEBUG: the root and Django's own ("django" is at INFO by default)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")


@pytest.fixture
def sql_logged():
    """Every SQL statement logged at DEBUG with its parameters, as with DEBUG=True."""
    connection.force_debug_cursor = True
    yield
    connection.force_debug_cursor = False


@pytest.fixture
def disk_full(monkeypatch):
    def fail(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", fail)


# --- posted secrets are hidden from error reports ----------------------------------------------


def test_the_new_request_form_marks_the_national_id_sensitive(client, window, actors):
    login(client, actors["lao_clerk"])
    response = client.post(reverse("onboarding:request_new", args=[window.lao.pk]), request_form())
    assert response.status_code == 302
    assert "national_id" in response.wsgi_request.sensitive_post_parameters


def test_the_correction_form_marks_the_national_id_sensitive(client, window, actors):
    login(client, actors["lao_clerk"])
    client.post(
        reverse("onboarding:request_new", args=[window.lao.pk]), request_form(submit=None, save="1")
    )
    vr = VerificationRequest.objects.get()
    response = client.post(
        reverse("onboarding:request_edit", args=[vr.pk]),
        request_form(version=vr.version, submit=None, save="1"),
    )
    assert response.status_code == 302
    assert "national_id" in response.wsgi_request.sensitive_post_parameters


PASSWORD_POSTS = [
    ("account_login", {}, {"login", "password"}, {"password"}),
    ("account_signup", {}, {"password1", "password2"}, {"password1", "password2"}),
    ("account_change_password", {}, {"oldpassword", "password1"}, {"oldpassword", "password1"}),
    ("account_reauthenticate", {}, {"password"}, {"password"}),
    (
        "account_reset_password_from_key",
        {"uidb36": "1", "key": "set-password"},
        {"password1", "password2"},
        {"password1", "password2"},
    ),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "fields", "hidden"), PASSWORD_POSTS, ids=[p[0] for p in PASSWORD_POSTS]
)
def test_every_view_that_takes_a_password_hides_it_from_error_reports(
    client, actors, name, kwargs, fields, hidden
):
    if name in ("account_change_password", "account_reauthenticate"):
        login(client, actors["lao_clerk"])
    response = client.post(
        reverse(name, kwargs=kwargs), dict.fromkeys(fields, PASSWORD) | {"login": "x@example.org"}
    )
    marked = response.wsgi_request.sensitive_post_parameters
    assert marked == "__ALL__" or hidden <= set(marked)


# --- pages with personal data are never kept by a cache ----------------------------------------


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def filed(client, window, actors):
    login(client, actors["lao_clerk"])
    client.post(reverse("onboarding:request_new", args=[window.lao.pk]), request_form())
    client.logout()
    return VerificationRequest.objects.get()


def personal_pages(vr):
    evidence = Evidence.objects.get(request=vr)
    return {
        "lao_clerk": [
            reverse("onboarding:my"),
            reverse("onboarding:request", args=[vr.pk]),
            evidence.get_absolute_url(),
        ],
        "province_officer": [
            reverse("onboarding:review_queue"),
            reverse("onboarding:review", args=[vr.pk]),
            reverse("onboarding:request", args=[vr.pk]),
            evidence.get_absolute_url(),
            reverse("compliance:late"),
            reverse("compliance:lao", args=[vr.organization.dla_code]),
            reverse("notifications:log"),
        ],
    }


@pytest.mark.parametrize("viewer", ["lao_clerk", "province_officer"])
def test_every_page_with_personal_data_says_no_store_private(client, filed, actors, viewer):
    login(client, actors[viewer])
    for url in personal_pages(filed)[viewer]:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.startswith("/compliance/"):  # kept by the officer's browser alone, revalidated
            assert cache_control(response) == {"private", "no-cache"}, url
            assert response.has_header("ETag"), url
        else:
            assert {"no-store", "private"} <= cache_control(response), url


def test_the_request_forms_say_no_store_private(client, window, actors):
    login(client, actors["lao_clerk"])
    new = client.get(reverse("onboarding:request_new", args=[window.lao.pk]))
    assert {"no-store", "private"} <= cache_control(new)
    client.post(
        reverse("onboarding:request_new", args=[window.lao.pk]), request_form(submit=None, save="1")
    )
    vr = VerificationRequest.objects.get()
    edit = client.get(reverse("onboarding:request_edit", args=[vr.pk]))
    assert edit.status_code == 200
    assert {"no-store", "private"} <= cache_control(edit)
    refused = client.post(
        reverse("onboarding:request_edit", args=[vr.pk]),
        request_form(version=vr.version, national_id="123"),
    )
    assert refused.status_code == 400
    assert {"no-store", "private"} <= cache_control(refused)


# --- logs ---------------------------------------------------------------------------------------


def test_filing_a_request_logs_nothing_of_the_national_id(
    client, window, actors, caplog, sql_logged
):
    at_debug(caplog)
    login(client, actors["lao_clerk"])

    response = client.post(reverse("onboarding:request_new", args=[window.lao.pk]), request_form())

    assert response.status_code == 302
    logged = everything_logged(caplog)
    assert "INSERT INTO" in logged  # the SQL and its parameters really are in the log
    assert leaks(logged) == []


def test_a_request_that_fails_with_a_500_logs_nothing_of_the_national_id(
    client, window, actors, caplog, sql_logged, disk_full
):
    at_debug(caplog)
    client.raise_request_exception = False
    login(client, actors["lao_clerk"])

    response = client.post(reverse("onboarding:request_new", args=[window.lao.pk]), request_form())

    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelno >= 40]
    assert errors and "No space left on device" in everything_logged(caplog)
    assert leaks(everything_logged(caplog)) == []
    # and the report a mail_admins handler would send from that record
    record = errors[-1]
    report = ExceptionReporter(record.request, *record.exc_info, is_email=True)
    for text in (report.get_traceback_text(), report.get_traceback_html()):
        assert "national_id" in text and "********************" in text
        assert "No space left on device" in text
        assert leaks(text) == []
    assert not VerificationRequest.objects.exists()


def test_a_refused_national_id_logs_nothing_of_it(client, window, actors, caplog, sql_logged):
    at_debug(caplog)
    login(client, actors["lao_clerk"])
    wrong = NUMBER[:12] + "9"

    response = client.post(
        reverse("onboarding:request_new", args=[window.lao.pk]),
        request_form(national_id=wrong),
    )

    assert response.status_code == 400
    logged = everything_logged(caplog)
    assert wrong not in logged and NUMBER[:9] not in logged
