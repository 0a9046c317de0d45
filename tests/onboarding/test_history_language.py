"""A request's history keeps what happened (an event and its data), never prose: a Thai officer's
return reads "ส่งกลับให้แก้ไข: …" in Thai and "Returned for correction: …" in English, with the
officer's remarks as typed, and an edited translation changes every row at once."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.history import HistoryEvent, describe, sentence
from onboarding import services
from tests.actors import login
from tests.onboarding import test_verification_services as requests

window, submitted = requests.window, requests.submitted  # its fixtures: a request in the window

pytestmark = pytest.mark.django_db


def thai(msgid):
    with translation.override("th"):
        return translation.gettext(msgid)


def test_a_return_in_thai_is_kept_as_an_event_and_read_in_either_language(actors, submitted):
    with translation.override("th"):  # the officer works in Thai
        services.return_request(
            submitted.pk,
            actor=actors["province_officer"],
            expected_version=submitted.version,
            remarks="สำเนาบัตรไม่ชัด",
        )
    row = submitted.history.latest("history_id")
    assert (row.history_event, row.history_data) == ("returned", {"remarks": "สำเนาบัตรไม่ชัด"})
    assert not row.history_change_reason  # no prose in either language
    with translation.override("en"):
        assert describe(row) == "Returned for correction: สำเนาบัตรไม่ชัด"
    with translation.override("th"):
        assert describe(row) == f"{thai('Returned for correction')}: สำเนาบัตรไม่ชัด"


def test_every_event_reads_as_a_sentence_in_both_languages():
    data = {"remarks": "x", "theirs": "1234", "ours": "5678", "ial": "2.3", "days": 14, "by": "a@b"}
    for event in HistoryEvent:
        if event == HistoryEvent.LEGACY_NOTE:
            continue
        with translation.override("en"):
            english = sentence(event, data)
        with translation.override("th"):
            thai_text = sentence(event, data)
        assert english and thai_text and english != thai_text, event


def test_a_legacy_note_reads_as_written_and_a_row_without_event_shows_its_reason():
    with translation.override("en"):
        assert sentence(HistoryEvent.LEGACY_NOTE, {"text": "ยื่นผิดตำแหน่ง"}) == "ยื่นผิดตำแหน่ง"

    class Row:
        history_event, history_data, history_change_reason = "", {}, "generate_units"

    assert describe(Row()) == "generate_units"


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
