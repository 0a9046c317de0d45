"""The public "my LAO" lookup on the status page: an anonymous LAO clerk types part of the LAO's
Thai name or its DLA code and sees, for that LAO, each action's answer, deadline and clause."""

import datetime as dt

import pytest

from maintenance.lookup import MATCHES_SHOWN
from registry.models import Organization


def _answer(page: str) -> str:
    return page.split('id="my-lao-answer"')[1].split("</section>")[0]


def _row(page: str, action: str) -> str:
    return _answer(page).split(f'class="lookup-{action}"')[1].split("</tr>")[0]


@pytest.mark.parametrize("typed", ["6480199", "๖๔๘๐๑๙๙"])
def test_a_clerk_finds_the_lao_by_its_dla_code_in_either_digits(
    client, circulars, sao_in_nakhon_phanom, typed
):
    page = client.get("/", {"lao": typed, "date": "10/4/2568"}).content.decode()
    row = _row(page, "verify_identity")
    assert "✔" in row and "อนุญาต" in row
    assert "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘" in row
    assert "มท ๐๘๐๘.๔/ว ๑๕๔๑" in row and "ข้อ ๑" in row


def test_before_the_window_the_answer_says_from_when_and_under_which_clause(
    client, circulars, sao_in_nakhon_phanom
):
    page = client.get("/", {"lao": "6480199", "date": "3/4/2568"}).content.decode()
    row = _row(page, "verify_identity")
    assert "ไม่อนุญาต" in row
    assert "ตั้งแต่วันที่ ๕ เมษายน ๒๕๖๘" in row
    assert "ข้อ ๑" in row


def test_a_part_of_the_thai_name_finds_the_lao(client, circulars, sao_in_nakhon_phanom):
    sao_in_nakhon_phanom.name_th = "หนองญาติ"
    sao_in_nakhon_phanom.save()
    page = client.get("/", {"lao": "ญาติ"}).content.decode()
    assert "อบต.หนองญาติ" in _answer(page)


def test_several_matches_give_a_short_list_with_province_and_district(
    client, circulars, sao_in_nakhon_phanom, sao_elsewhere
):
    page = client.get("/", {"lao": "ทดสอบ"}).content.decode()
    assert 'id="my-lao-answer"' not in page
    listing = page.split('id="lao-matches"')[1].split("</section>")[0]
    assert "เมืองนครพนม" in listing and "นครพนม" in listing and "เชียงใหม่" in listing
    assert f"?org={sao_in_nakhon_phanom.pk}" in listing
    chosen = client.get("/", {"org": sao_elsewhere.pk}).content.decode()
    assert "เชียงใหม่" in _answer(chosen)


def test_the_list_is_bounded_and_says_so(client, circulars, sao_in_nakhon_phanom):
    district = sao_in_nakhon_phanom.district
    Organization.objects.bulk_create(
        Organization(kind="SAO", dla_code=f"64801{n:02d}", name_th="บ้านทดลอง", district=district)
        for n in range(MATCHES_SHOWN + 5)
    )
    page = client.get("/", {"lao": "ทดลอง"}).content.decode()
    listing = page.split('id="lao-matches"')[1].split("</section>")[0]
    assert listing.count("<li>") == MATCHES_SHOWN
    assert "20" in listing  # "only the first 20 are shown"


def test_an_unknown_lao_gets_a_thai_message_and_today_s_answers_stay(client, circulars):
    response = client.get("/", {"lao": "ไม่มีชื่อนี้"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "ไม่พบ อปท." in page
    assert "<table" in page


def test_a_verified_lao_reads_done_for_identity_verification_not_a_refusal(
    client, circulars, sao_in_nakhon_phanom
):
    sao_in_nakhon_phanom.identity_verified_at = dt.datetime(2025, 4, 8, 3, tzinfo=dt.UTC)
    sao_in_nakhon_phanom.save()
    page = client.get("/", {"lao": "6480199", "date": "10/4/2568"}).content.decode()
    row = _row(page, "verify_identity")
    assert "ยืนยันตัวตนแล้ว" in row
    assert "ไม่อนุญาต" not in row


def test_the_lookup_shows_no_personal_data(client, circulars, actors):
    page = client.get("/", {"lao": "6480199"}).content.decode()
    assert 'id="my-lao-answer"' in page
    assert "สมศรี" not in page
    assert "lao-clerk@test.example" not in page


def test_the_registry_page_of_a_verified_lao_says_done_and_links_to_its_answers(
    client, circulars, sao_in_nakhon_phanom
):
    sao_in_nakhon_phanom.identity_verified_at = dt.datetime(2025, 4, 8, 3, tzinfo=dt.UTC)
    sao_in_nakhon_phanom.save()
    page = client.get(sao_in_nakhon_phanom.get_absolute_url()).content.decode()
    assert "ยืนยันตัวตนแล้ว" in page
    assert "ไม่อนุญาต" not in page
    assert f"/?org={sao_in_nakhon_phanom.pk}" in page
