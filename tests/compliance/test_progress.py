"""Progress per position (issue 12, item 1): an LAO with one of its two required positions
approved is "in progress" (1 of 2) on every dashboard, the late list, both files and the API,
which say where each position stands; web and files take their labels from one place.
"""

import re

import pytest
from django.utils import translation

from compliance import stats
from compliance.figures import figure
from compliance.scope import Scope
from compliance.states import LaoState
from onboarding import services
from onboarding.positions import PositionState
from registry.models import Organization
from tests.actors import login

from .support import add_request, bangkok, one_of_two_approved, read_csv, read_xlsx

NOW = "2025-04-10T12:00:00+07:00"


@pytest.fixture
def half(circulars, actors, places, portal_clock, settings):
    """SAO 6480199: its permanent secretary approved, its finance director returned."""
    settings.COMPLIANCE_CACHE_SECONDS = 0
    portal_clock(NOW)
    officer = actors["province_officer"]
    second = one_of_two_approved(
        places.lao, clerk=actors["lao_clerk"], officer=officer, at=bangkok("2025-04-09 10:00")
    )
    services.return_request(
        second.pk, actor=officer, expected_version=second.version, remarks="แนบคำสั่ง"
    )
    return places.lao


def test_one_of_two_positions_approved_is_in_progress_not_not_started(half):
    at = bangkok("2025-04-10 12:00")
    state = stats.with_state(Organization.objects.filter(pk=half.pk), at).values_list(
        "state", flat=True
    )
    assert list(state) == [LaoState.IN_PROGRESS]
    data = stats.compute(Scope("district", district=half.district), at)
    assert data["laos"][LaoState.IN_PROGRESS] == 1 and data["laos"][LaoState.NOT_STARTED] == 0
    [row] = [c for c in data["children"] if c["code"] == half.dla_code]
    assert row["state"] == LaoState.IN_PROGRESS
    assert (row["positions_verified"], row["positions_required"]) == (1, 2)
    assert [p["state"] for p in row["positions"]] == [
        PositionState.VERIFIED,
        PositionState.RETURNED,
    ]


def test_an_approval_for_a_position_that_is_not_required_does_not_make_progress(
    circulars, places, portal_clock
):
    portal_clock(NOW)
    add_request(places.lao, "approved", at=bangkok("2025-04-09 10:00"), position="finance_officer")
    at = bangkok("2025-04-10 12:00")
    state = stats.with_state(Organization.objects.filter(pk=places.lao.pk), at)
    assert state.values_list("state", flat=True).get() == LaoState.NOT_STARTED


@pytest.mark.parametrize(
    ("actor", "url"),
    [
        ("province_officer", "/compliance/province/48/"),
        ("district_officer", "/compliance/district/4801/"),
        ("dla_officer", "/compliance/country/"),
    ],
)
def test_every_dashboard_carries_the_in_progress_count(client, half, actors, actor, url):
    login(client, actors[actor])
    html = client.get(url).content.decode()
    assert '<span class="n" id="lao-in-progress">1</span><span>กำลังดำเนินการ' in html
    assert "ยังไม่เริ่ม" not in html


def test_the_district_table_shows_each_laos_state_and_positions_not_a_column_of_ones(
    client, half, actors
):
    login(client, actors["district_officer"])
    html = client.get("/compliance/district/4801/").content.decode()
    table = html.split('id="breakdown"')[1].split("</table>")[0]
    headings = re.findall(r"<th>\s*(.*?)\s*</th>", table, re.S)
    assert headings == ["อปท.", "สถานะ", "ตำแหน่งที่ต้องยืนยันตัวตน", "หน่วยงานที่เข้าสู่ระบบแล้ว"]
    row = table.split(f'<span class="small">{half.dla_code}</span>')[1].split("</tr>")[0]
    assert "ยืนยันแล้ว 1 จาก 2 ตำแหน่ง" in row
    assert 'ผู้อำนวยการกองคลัง: <span class="state state-returned">ส่งกลับให้แก้ไข' in row


def test_the_late_list_names_the_missing_position_and_its_state(client, half, actors):
    login(client, actors["province_officer"])
    html = client.get("/compliance/late/?province=48&state=in_progress").content.decode()
    rows = html.split('id="late"')[1].split("</table>")[0]
    assert half.dla_code in rows and "ยืนยันแล้ว 1 จาก 2 ตำแหน่ง" in rows
    assert 'state-in_progress">กำลังดำเนินการ' in rows
    assert 'state-returned">ส่งกลับให้แก้ไข' in rows


@pytest.mark.parametrize(("fmt", "read"), [("csv", read_csv), ("xlsx", read_xlsx)])
def test_the_files_carry_the_state_and_each_position_with_the_pages_labels(
    client, half, actors, fmt, read
):
    login(client, actors["province_officer"])
    rows = read(client.get(f"/compliance/export/late.{fmt}?province=48"))
    [mine] = [r for r in rows[1:] if str(r[0]) == half.dla_code]
    assert mine[5:9] == ["กำลังดำเนินการ", "1 จาก 2", "ยืนยันตัวตนแล้ว", "ส่งกลับให้แก้ไข"]
    summary = read(client.get(f"/compliance/export/summary.{fmt}?province=48"))
    with translation.override("th"):
        labels = [str(s.label) for s in LaoState]
    assert summary[0][3 : 3 + len(labels)] == labels  # the pages' labels, in Thai
    [district_row] = [r for r in summary[1:] if str(r[0]) == "4801"]
    assert str(district_row[4]) == "1"  # in progress


def test_the_api_carries_the_in_progress_count_and_the_laos_positions(client, half, actors):
    login(client, actors["district_officer"])
    body = client.get("/api/compliance?province=48&district=4801").json()
    assert body["laos"]["in_progress"] == 1
    [row] = [r for r in body["laos_list"] if r["code"] == half.dla_code]
    assert row["state"] == "in_progress"
    assert row["positions"] == [
        {"positions": ["chief_executive", "permanent_secretary"], "state": "verified"},
        {"positions": ["finance_director"], "state": "returned"},
    ]


def test_the_lao_page_lists_each_position_with_its_state(client, half, actors):
    login(client, actors["district_officer"])
    html = client.get(f"/compliance/lao/{half.dla_code}/").content.decode()
    positions = html.split('id="positions"')[1].split("</ul>")[0]
    assert 'state-verified">ยืนยันตัวตนแล้ว' in positions
    assert 'state-returned">ส่งกลับให้แก้ไข' in positions
    assert "ยืนยันแล้ว 1 จาก 2 ตำแหน่ง" in html


def test_counts_are_written_with_the_thousands_separator_as_everywhere():
    assert [figure(n) for n in (0, 7, 999, 1000, 7849, 1234567)] == [
        "0",
        "7",
        "999",
        "1,000",
        "7,849",
        "1,234,567",
    ]
    assert figure(12.5) == "12.5" and figure(None) == ""


def test_the_english_dashboard_says_in_progress_with_the_same_count(client, half, actors, settings):
    login(client, actors["district_officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/compliance/district/4801/").content.decode()
    assert '<span class="n" id="lao-in-progress">1</span><span>In progress' in html
    assert "1 of 2 verified" in html and "Finance director" in html
