"""Uploads: the body is capped before it is read, evidence is kept 0600 in 0700 folders, served
in a sandbox, and names (of files and of people) lose their invisible direction controls."""

import json
import os
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onboarding.models import Evidence, VerificationRequest
from tests.actors import login

IN_THE_WINDOW = "2025-04-10T09:00:00+07:00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
RLO, ZWSP, LRI, PDI, BOM, ALM = "\u202e", "\u200b", "\u2066", "\u2069", "\ufeff", "\u061c"


@pytest.fixture
def window(actors, places, portal_clock, circulars):
    portal_clock(IN_THE_WINDOW)
    return places


def request_form(**changes):
    data = {
        "full_name": "สมศรี ใจดี",
        "national_id": "1101700230708",  # valid: worked out by hand in test_national_id.py
        "position": "permanent_secretary",
        "appointment_order_number": "123/2567",
        "appointment_date": "1/10/2567",
        "evidence": SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf"),
        "consent": "on",
        "submit": "1",
    }
    data.update(changes)
    return data


class NeverRead:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


# --- the request body is capped before it is read ----------------------------------------------


def test_the_cap_is_every_evidence_file_at_its_largest_plus_a_margin():
    assert settings.REQUEST_BODY_MAX_BYTES == (
        settings.EVIDENCE_MAX_BYTES * settings.EVIDENCE_MAX_FILES + 1024 * 1024
    )


def test_a_body_over_the_cap_gets_413_in_thai_and_is_never_read(client, window, actors, settings):
    settings.REQUEST_BODY_MAX_BYTES = 10_000
    login(client, actors["lao_clerk"])
    stored_before = (VerificationRequest.objects.count(), Evidence.objects.count())

    response = client.generic(
        "POST",
        reverse("onboarding:request_new", args=[window.lao.pk]),
        b"x",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH="10001",
        **{"wsgi.input": NeverRead()},
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert '<html lang="th">' in page
    assert "ข้อมูลที่ส่งมีขนาดใหญ่เกินไป" in page and "9.8 KB" in page.replace("\xa0", " ")
    assert "What you sent is too large" in page  # and in English below it
    assert (VerificationRequest.objects.count(), Evidence.objects.count()) == stored_before


def test_a_body_over_the_cap_on_the_api_gets_413_as_json(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 10_000
    response = client.generic(
        "POST",
        "/api/compliance",
        b"x",
        content_type="application/json",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": NeverRead()},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert "ข้อมูลที่ส่งมีขนาดใหญ่เกินไป" in body["error"]
    assert body["error_en"].startswith("What you sent is too large")
    assert body["max_bytes"] == 10_000


def test_a_body_at_the_cap_goes_on_to_the_view_and_one_byte_more_does_not(
    client, window, actors, settings
):
    login(client, actors["lao_clerk"])
    url = reverse("onboarding:request_new", args=[window.lao.pk])
    first = client.post(url, request_form())
    assert first.status_code == 302
    size = int(first.wsgi_request.META["CONTENT_LENGTH"])

    settings.REQUEST_BODY_MAX_BYTES = size
    again = client.post(url, request_form())  # the same bytes: the view says it is already open
    assert again.status_code == 302 and again["Location"] == first["Location"]
    settings.REQUEST_BODY_MAX_BYTES = size - 1
    assert client.post(url, request_form()).status_code == 413


def test_a_malformed_content_length_is_left_to_django(client):
    response = client.generic("POST", reverse("healthz"), b"", CONTENT_LENGTH="lots")
    assert response.status_code == 405


# --- evidence on disk -----------------------------------------------------------------------------


def test_evidence_is_written_0600_in_folders_0700(client, window, actors):
    old_umask = os.umask(0o022)  # the usual umask: files 0644, folders 0755 without the storage
    try:
        login(client, actors["lao_clerk"])
        client.post(reverse("onboarding:request_new", args=[window.lao.pk]), request_form())
    finally:
        os.umask(old_umask)

    root = Path(settings.PRIVATE_MEDIA_ROOT)
    path = Path(Evidence.objects.get().file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    folder = path.parent
    while True:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        if folder == root:
            break
        folder = folder.parent


# --- evidence in the browser ----------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["lao_clerk", "province_officer"])
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("order.pdf", PDF, "application/pdf"), ("card.png", PNG, "image/png")],
)
def test_evidence_is_served_in_a_sandbox(
    client, window, actors, viewer, name, content, content_type
):
    login(client, actors["lao_clerk"])
    client.post(
        reverse("onboarding:request_new", args=[window.lao.pk]),
        request_form(evidence=SimpleUploadedFile(name, content, content_type=content_type)),
    )
    evidence = Evidence.objects.get()
    login(client, actors[viewer])

    for query in ("", "?download=1"):
        response = client.get(evidence.get_absolute_url() + query)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Security-Policy"] == "sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]


# --- invisible direction and width controls ----------------------------------------------------


SNEAKY = f"order{RLO}fdp.exe{ZWSP}{LRI}x{PDI}{BOM}{ALM}.pdf"  # on screen: "orderfdp.x.exe"...


def test_direction_controls_are_stripped_from_an_uploaded_file_name(window, actors):
    """Django's multipart parser drops them from a browser's upload; the service drops them from
    any file it is given, whatever door it came through."""
    import datetime as dt

    from onboarding import services

    vr = services.create_request(
        requester=actors["lao_clerk"],
        organization=window.lao,
        data=services.RequestData(
            full_name="สมศรี ใจดี",
            national_id="1101700230708",
            position="permanent_secretary",
            appointment_order_number="123/2567",
            appointment_date=dt.date(2024, 10, 1),
            consent=True,
        ),
        files=[SimpleUploadedFile(SNEAKY, PDF, content_type="application/pdf")],
        submit=True,
    )
    assert vr.evidence.get().original_name == "orderfdp.exex.pdf"


def test_a_file_refused_for_its_content_is_named_without_direction_controls():
    from onboarding.evidence import EvidenceError, inspect

    with pytest.raises(EvidenceError) as refused:
        inspect(SimpleUploadedFile(f"x{RLO}fdp.exe", b"MZ\x90\x00", "application/pdf"))
    assert RLO not in str(refused.value.message)
    assert "xfdp.exe" in str(refused.value.message)


def test_an_uploaded_file_name_reaches_the_download_without_direction_controls(
    client, window, actors
):
    login(client, actors["lao_clerk"])
    client.post(
        reverse("onboarding:request_new", args=[window.lao.pk]),
        request_form(evidence=SimpleUploadedFile(SNEAKY, PDF, content_type="application/pdf")),
    )
    evidence = Evidence.objects.get()
    assert evidence.original_name == "orderfdp.exex.pdf"
    response = client.get(evidence.get_absolute_url() + "?download=1")
    assert "orderfdp.exex.pdf" in response["Content-Disposition"]


def test_an_old_file_name_with_direction_controls_is_served_without_them(client, window, actors):
    login(client, actors["lao_clerk"])
    client.post(reverse("onboarding:request_new", args=[window.lao.pk]), request_form())
    Evidence.objects.update(original_name=f"order{RLO}fdp.exe")  # kept before the fix

    response = client.get(Evidence.objects.get().get_absolute_url() + "?download=1")
    assert "orderfdp.exe" in response["Content-Disposition"]
    assert "%E2%80%AE" not in response["Content-Disposition"].upper()


def test_direction_controls_are_stripped_from_the_full_name_on_a_request(client, window, actors):
    login(client, actors["lao_clerk"])
    client.post(
        reverse("onboarding:request_new", args=[window.lao.pk]),
        request_form(full_name=f"{ZWSP}สมศรี{RLO} ใจดี{BOM}{ALM}"),
    )
    assert VerificationRequest.objects.get().full_name == "สมศรี ใจดี"


def test_a_full_name_of_nothing_but_invisible_controls_is_refused(client, window, actors):
    login(client, actors["lao_clerk"])
    response = client.post(
        reverse("onboarding:request_new", args=[window.lao.pk]),
        request_form(full_name=f"{ZWSP}{RLO}{BOM}"),
    )
    assert response.status_code == 400
    assert "กรุณากรอกชื่อ-นามสกุลตามบัตรประจำตัวประชาชน" in response.content.decode()
    assert not VerificationRequest.objects.exists()
