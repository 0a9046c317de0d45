"""Officers' tools in Thai (issue 24): the review queue found by an LAO's name or DLA code,
resubmitted requests marked and kept in their place, and a district officer's review link."""

import re

import pytest
from django.urls import reverse

from onboarding import services
from tests.actors import login
from tests.compliance.support import add_request, bangkok, file_request
from tests.test_thai_pages import english_sentences


@pytest.fixture
def clock(portal_clock, circulars):
    """LAOs of Nakhon Phanom may file (5-21 April 2568)."""
    portal_clock("2025-04-10T09:00:00+07:00")
    return portal_clock


def queue_rows(html: str) -> list[str]:
    """Each row of the queue's table as its text."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]
    ]


@pytest.mark.parametrize("text", ["6480299", "๖๔๘๐๒๙๙", "๖๔๘๐๒", "ทดสอบสอง"])
def test_the_review_queue_finds_requests_by_lao_name_or_dla_code_in_either_digits(
    client, actors, places, clock, text
):
    at = bangkok("2025-04-10 08:00")
    add_request(places.lao, "submitted", at=at)
    add_request(places.other_lao, "submitted", at=at)
    login(client, actors["province_officer"])
    everything = queue_rows(client.get(reverse("onboarding:review_queue")).content.decode())
    assert len(everything) == 2
    response = client.get(reverse("onboarding:review_queue"), {"q": text})
    assert response.status_code == 200
    rows = queue_rows(response.content.decode())
    assert len(rows) == 1, rows
    assert "6480299" in rows[0] and "ทดสอบสอง" in rows[0]


def test_a_search_that_finds_nothing_says_so_in_thai(client, actors, places, clock):
    add_request(places.lao, "submitted", at=bangkok("2025-04-10 08:00"))
    login(client, actors["province_officer"])
    response = client.get(reverse("onboarding:review_queue"), {"q": "ไม่มีชื่อนี้"})
    assert response.status_code == 200
    assert queue_rows(response.content.decode()) == ["ไม่พบคำขอที่ตรงกับเงื่อนไข"]


def test_a_resubmitted_request_is_marked_and_keeps_the_place_of_its_first_submission(
    client, actors, places, clock
):
    """Filed on 6 April, returned, corrected on 10 April after 60 others were filed: it is the
    first of page 1, marked ยื่นใหม่, not the last of page 2."""
    clock("2025-04-06T09:00:00+07:00")
    vr = file_request(actors["lao_clerk"], places.lao)
    officer = actors["province_officer"]
    vr = services.return_request(
        vr.pk, actor=officer, expected_version=vr.version, remarks="แนบคำสั่งแต่งตั้งให้ชัด"
    )
    for minute in range(60):
        add_request(places.other_lao, "submitted", at=bangkok(f"2025-04-07 09:{minute:02d}"))
    clock("2025-04-10T09:00:00+07:00")
    vr = services.submit_request(vr.pk, actor=actors["lao_clerk"], expected_version=vr.version)
    login(client, officer)
    html = client.get(reverse("onboarding:review_queue")).content.decode()
    rows = queue_rows(html)
    assert len(rows) == 50
    assert "6480199" in rows[0], rows[0]
    assert "ยื่นใหม่" in rows[0]
    assert "ยื่นครั้งแรก ๖ เม.ย. ๒๕๖๘" in rows[0] or "ยื่นครั้งแรก 6 เม.ย. 2568" in rows[0]
    assert not any("ยื่นใหม่" in row for row in rows[1:])  # the others were filed once


def test_a_district_officer_following_a_review_link_is_told_once_in_thai(
    client, actors, places, clock
):
    vr = add_request(places.lao, "submitted", at=bangkok("2025-04-10 08:00"))
    login(client, actors["district_officer"])
    response = client.get(reverse("onboarding:review", args=[vr.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    why = "ท่านติดตามคำขอนี้ได้ แต่ไม่มีอำนาจพิจารณา"
    assert html.count(why) == 1
    assert english_sentences(html) == []
    # and the request's own page, which they may follow, opens
    assert client.get(vr.get_absolute_url()).status_code == 200


def test_a_filter_that_cannot_be_read_is_left_out_with_a_thai_message_and_the_search_holds(
    client, actors, places, clock
):
    at = bangkok("2025-04-10 08:00")
    add_request(places.lao, "submitted", at=at)
    add_request(places.other_lao, "submitted", at=at)
    login(client, actors["province_officer"])
    response = client.get(
        reverse("onboarding:review_queue"), {"q": "๖๔๘๐๒๙๙", "state": "nonsense", "age": "x"}
    )
    assert response.status_code == 200
    rows = queue_rows(response.content.decode())
    assert len(rows) == 1 and "6480299" in rows[0]
    assert "errorlist" in response.content.decode()
    assert english_sentences(response.content.decode()) == []
