"""Every bad input gets a clear 400 in the user's language, never a 500.

Each case was a 500 before: a NUL character that PostgreSQL refuses in a query (on SQLite the
search ran and answered 200), a year 1 date overflowing at Bangkok midnight, a million days
overflowing the 'who is late' cutoff. Thai is the default language, English when chosen.
"""

import json

import pytest
from django.conf import settings

from tests.actors import login

SEARCH_NUL = "The text to search for contains a control character"
SEARCH_NUL_TH = "ข้อความที่ค้นหามีอักขระควบคุม"
CODE_EN = "must be a code written in digits"
CODE_TH = "ต้องเป็นรหัสที่เขียนด้วยตัวเลข"
AGE_EN = "“No activity for (days)” must be a whole number from 0 to 3650."
AGE_TH = "“ไม่มีการดำเนินการมาแล้ว (วัน)” ต้องเป็นจำนวนเต็มตั้งแต่ 0 ถึง 3650"
DATE_EN = "is not a date we can read"
DATE_TH = "ไม่ใช่วันที่ที่อ่านได้"

# (actor, url, Thai message, English message)
PAGES = [
    ("anonymous", "/circulars/?q=%E0%B8%81%00", SEARCH_NUL_TH, SEARCH_NUL),
    ("anonymous", "/registry/?q=a%00b", SEARCH_NUL_TH, SEARCH_NUL),
    ("anonymous", "/registry/?province=%00", CODE_TH, CODE_EN),
    ("anonymous", "/accounts/signup/?q=%00", SEARCH_NUL_TH, SEARCH_NUL),
    ("anonymous", "/?date=1/1/0001", DATE_TH, DATE_EN),
    ("anonymous", "/?date=31/12/9999", DATE_TH, DATE_EN),
    ("dla_officer", "/compliance/late/?age=1000000", AGE_TH, AGE_EN),
    ("province_officer", "/compliance/late/?age=-1", AGE_TH, AGE_EN),
    ("dla_officer", "/compliance/late/?age=many", AGE_TH, AGE_EN),
    ("dla_officer", "/compliance/late/?in_district=%00", CODE_TH, CODE_EN),
    ("dla_officer", "/compliance/export/late.csv?age=1000000", AGE_TH, AGE_EN),
    ("dla_officer", "/compliance/export/late.xlsx?age=1000000", AGE_TH, AGE_EN),
    ("province_officer", "/compliance/export/late.csv?province=%00", CODE_TH, CODE_EN),
    ("dla_officer", "/compliance/district/%00/", CODE_TH, CODE_EN),
    ("dla_officer", "/compliance/province/%00/", CODE_TH, CODE_EN),
    ("dla_officer", "/compliance/lao/%00/", CODE_TH, CODE_EN),
    ("district_officer", "/compliance/district/48%0001/", CODE_TH, CODE_EN),
]


def _as(client, actors, actor, lang=None):
    if actor != "anonymous":
        login(client, actors[actor])
    if lang:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


@pytest.mark.parametrize(("actor", "url", "thai", "english"), PAGES)
def test_a_bad_parameter_is_answered_400_with_a_thai_message(
    client, actors, circulars, actor, url, thai, english
):
    response = _as(client, actors, actor).get(url)
    assert response.status_code == 400
    assert thai in response.content.decode()


@pytest.mark.parametrize(("actor", "url", "thai", "english"), PAGES)
def test_a_bad_parameter_is_explained_in_english_when_the_page_is_english(
    client, actors, circulars, actor, url, thai, english
):
    response = _as(client, actors, actor, lang="en").get(url)
    assert response.status_code == 400
    assert english in response.content.decode()


def test_the_compliance_api_answers_a_nul_district_with_a_json_400(client, actors):
    response = login(client, actors["dla_officer"]).get("/api/compliance?district=%00")
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["param"] == "district" and CODE_TH in body["error"]


def test_the_compliance_api_answers_a_nul_province_with_a_json_400_in_english(client, actors):
    client = _as(client, actors, "province_officer", lang="en")
    response = client.get("/api/compliance?province=%00")
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["param"] == "province" and CODE_EN in body["error"]


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-12:00", "1899-12-31T23:59:59"]
)
def test_the_decision_api_answers_a_year_it_cannot_represent_with_400(client, circulars, at):
    response = client.get(
        "/api/policy/decision?entity_type=lao&action=verify_identity&identity_verified=false"
        f"&at={at}"
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["param"] == "at" and "outside the years 1900 to 2200" in body["error"]


def test_the_search_still_finds_a_circular_by_its_number_in_thai_digits(client, circulars):
    response = client.get("/circulars/?q=%E0%B9%91%E0%B9%95%E0%B9%94%E0%B9%91")  # ๑๕๔๑
    assert response.status_code == 200
    assert len(response.context["page"].object_list) >= 1


def test_the_late_list_still_takes_an_age_in_thai_digits(client, actors):
    response = login(client, actors["dla_officer"]).get("/compliance/late/?age=%E0%B9%93")  # ๓
    assert response.status_code == 200
    assert response.context["filters"]["min_days"] == 3


def test_the_status_page_still_reads_a_buddhist_era_date(client, circulars):
    assert client.get("/?date=5/4/2568").status_code == 200


# --- found by the fuzz tests (tests/fuzz/): digits that str.isdigit() takes and int() does not --

INVITE_CODE_TH = "ไม่พบหน่วยงานที่ใช้รหัสนี้ในพื้นที่รับผิดชอบของท่าน"
INVITE_CODE_EN = "No organisation in your area has this code."


@pytest.mark.parametrize(("lang", "message"), [(None, INVITE_CODE_TH), ("en", INVITE_CODE_EN)])
@pytest.mark.parametrize("code", ["²", "¹²³", "①"])
def test_an_invitation_to_an_organisation_code_in_other_digits_is_refused_with_400(
    client, actors, lang, message, code
):
    client = _as(client, actors, "province_officer", lang=lang)
    response = client.post(
        "/accounts/invite/",
        {"email": "new@test.example", "organization_code": code, "position": "finance_director"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("org", ["²", "①", "١٢"])
def test_signup_with_an_organisation_id_in_other_digits_shows_the_page(client, places, org):
    assert client.get("/accounts/signup/", {"org": org}).status_code == 200
    response = client.post(
        "/accounts/signup/",
        {
            "full_name": "สมศรี ใจดี",
            "email": "new@test.example",
            "password1": "a-long-test-password-2568",
            "password2": "a-long-test-password-2568",
            "organization": org,
            "position": "finance_director",
        },
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
