"""A request's history reads in the reader's language: a Thai officer's "ส่งกลับให้แก้ไข" is
"Returned for correction" in the English UI, with the officer's remarks as typed."""

import pytest
from django.urls import reverse
from django.utils import translation

from onboarding import services
from onboarding.history import describe
from tests.actors import login
from tests.onboarding import test_verification_services as requests

window, submitted = requests.window, requests.submitted  # its fixtures: a request in the window

pytestmark = pytest.mark.django_db


def thai(msgid):
    with translation.override("th"):
        return translation.gettext(msgid)


def test_a_label_written_in_thai_reads_in_english_and_the_remarks_stay():
    written = f"{thai('Returned for correction')}: สำเนาบัตรไม่ชัด"
    assert written != "Returned for correction: สำเนาบัตรไม่ชัด"  # it is Thai in the database
    with translation.override("en"):
        assert describe(written) == "Returned for correction: สำเนาบัตรไม่ชัด"
    with translation.override("th"):
        assert describe(written) == written


def test_a_label_written_in_english_reads_in_thai():
    with translation.override("th"):
        assert describe("Submitted") == thai("Submitted")
        assert describe("Approved: checked") == f"{thai('Approved')}: checked"


def test_other_reasons_are_left_as_they_are():
    with translation.override("en"):
        assert describe("ยื่นผิดตำแหน่ง") == "ยื่นผิดตำแหน่ง"
        assert describe("Something: else") == "Something: else"
        assert describe(None) == ""


def test_the_request_page_shows_a_thai_history_in_english(client, actors, submitted):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    vr = submitted
    with translation.override("th"):  # the officer works in Thai
        services.return_request(
            vr.pk, actor=officer, expected_version=vr.version, remarks="สำเนาบัตรไม่ชัด"
        )
    login(client, clerk)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("onboarding:request", args=[vr.pk])).content.decode()
    assert "Returned for correction: สำเนาบัตรไม่ชัด" in page
    assert thai("Returned for correction") not in page
