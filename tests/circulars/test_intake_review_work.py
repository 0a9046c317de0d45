"""Review that finishes real work (issue 21, items 4 and 5; issue 26, finding 9): rules added,
corrected and deleted; อ้างถึง lines edited; a draft discarded; the discrepancy box following the
corrections; dates shown as a Thai officer writes them; the public page showing only what was
reviewed; the OCR'd text published only once read against the scan; the scan kept for officers.

The letters are the reference pair (`/work/shared/reference/circulars-2568-04-elaas.th.txt`: the
Nakhon Phanom letter นพ ๐๐๒๓.๕/ว ๑๕๗๘ forwarding DLA's มท ๐๘๐๘.๔/ว ๑๕๔๑, as transcribed from
the scans officers received), pasted as an officer would.
"""

import datetime as dt

import pytest
from django.urls import reverse

from circulars.intake import drafts
from circulars.models import Circular, CircularDraft, CircularReference, IntakeStatus
from core.thai import BANGKOK
from maintenance.models import AccessRule
from maintenance.policy import Subject
from maintenance.snapshot import current_policy
from registry.models import Province
from tests.actors import login
from tests.html import without_keep_spans

from .test_intake_review import REFERENCE, clear, clear_every_flag, province_letter_cleared

PROVINCE_LETTER = 0  # นพ ๐๐๒๓.๕/ว ๑๕๗๘, the forwarding letter
RULE_CLAUSE_1 = 2  # its ข้อ ๑: unverified LAOs may verify, from 4 April (DLA's says 5 April)


def snapshot(draft):
    draft.refresh_from_db()
    return draft.parsed, draft.history.count()


def add_rule(client, draft, **fields):
    data = {
        "letter": PROVINCE_LETTER,
        "clause": "ข้อ ๓",
        "who": "lao_verified",
        "action": AccessRule.Action.VERIFY_IDENTITY,
        "effect": AccessRule.Effect.ALLOW,
        "first_day": "๒๒ เมษายน ๒๕๖๘",
        "last_day": "๓๐ เม.ย. ๒๕๖๘",
        **fields,
    }
    return client.post(reverse("circulars:intake_rule_add", args=[draft.pk]), data)


def page_of(client, response) -> str:
    return client.get(response.url).content.decode()


# --- rules: add, edit, delete ------------------------------------------------------------------


def test_an_officer_adds_a_rule_the_parser_missed_and_it_binds_from_its_first_midnight(
    client, draft, actors
):
    rules_before = len(draft.parsed["letters"][PROVINCE_LETTER]["rules"])
    response = add_rule(client, draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    rules = draft.parsed["letters"][PROVINCE_LETTER]["rules"]
    assert len(rules) == rules_before + 1
    added = rules[-1]
    assert added["clause"] == "ข้อ ๓" and added["flags"] == []
    assert (added["entity_type"], added["identity_verified"]) == ("lao", True)
    assert added["starts_at"] == "2025-04-22T00:00:00+07:00"
    assert added["ends_at"] == "2025-05-01T00:00:00+07:00"
    assert "22 April 2025 to 30 April 2025" in added["reason_en"]
    row = draft.history.first()
    assert row.history_user == actors["province_officer"]
    assert drafts.read_event(row.history_change_reason)["event"] == "rule_added"

    clear_every_flag(client, draft)
    client.post(f"/circulars/intake/{draft.pk}/publish")
    rule = AccessRule.objects.get(circular__number="นพ ๐๐๒๓.๕/ว ๑๕๗๘", clause="ข้อ ๓")
    assert rule.starts_at == dt.datetime(2025, 4, 22, tzinfo=BANGKOK)
    policy = current_policy()
    verified = Subject("lao", True, province_code="48")

    def deciding(at):
        decision = policy.decide(verified, "verify_identity", at)
        return decision.allowed, decision.rule.id if decision.rule else None

    first = dt.datetime(2025, 4, 22, 0, 0, tzinfo=BANGKOK)
    last_second = dt.datetime(2025, 4, 30, 23, 59, 59, tzinfo=BANGKOK)
    second = dt.timedelta(seconds=1)
    assert deciding(first) == deciding(last_second) == (True, rule.pk)
    assert deciding(first - second)[0] is False
    assert deciding(last_second + second)[0] is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_day": "๓๒ เมษายน ๒๕๖๘"}, "ไม่ใช่วันที่"),
        ({"first_day": "", "last_day": ""}, "วันแรก"),
        ({"first_day": "30/4/2568", "last_day": "22/4/2568"}, "ก่อนวันแรก"),
        ({"clause": "  "}, "ข้อ ๑"),
        ({"action": "fly"}, "การกระทำ"),
        ({"effect": "maybe"}, "อนุญาตหรือไม่อนุญาต"),
        ({"who": "everyone"}, "ผู้ที่กฎนี้ใช้บังคับ"),
        ({"letter": "9"}, "ไม่มีหนังสือนี้ในร่าง"),
        ({"letter": "x"}, "ไม่มีหนังสือนี้ในร่าง"),
    ],
)
def test_a_rule_that_cannot_be_added_changes_nothing_and_says_why_in_thai(
    client, draft, fields, message
):
    before = snapshot(draft)
    response = add_rule(client, draft, **fields)
    assert response.status_code == 302
    assert snapshot(draft) == before
    assert message in page_of(client, response)


def test_an_officer_deletes_a_rule_the_letter_does_not_make(client, draft):
    rules = draft.parsed["letters"][PROVINCE_LETTER]["rules"]
    clauses = [r["clause"] for r in rules]
    response = client.post(
        reverse("circulars:intake_rule_delete", args=[draft.pk]),
        {"letter": PROVINCE_LETTER, "rule": 0},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [r["clause"] for r in draft.parsed["letters"][PROVINCE_LETTER]["rules"]] == clauses[1:]
    event = drafts.read_event(draft.history.first().history_change_reason)
    assert event["event"] == "rule_deleted" and event["clause"] == clauses[0]
    assert event["rule_data"]["starts_at"] == rules[0]["starts_at"]


@pytest.mark.parametrize("rule", ["99", "-1", "", "๙"])
def test_deleting_a_rule_that_is_not_there_changes_nothing(client, draft, rule):
    before = snapshot(draft)
    response = client.post(
        reverse("circulars:intake_rule_delete", args=[draft.pk]),
        {"letter": PROVINCE_LETTER, "rule": rule},
    )
    assert snapshot(draft) == before
    assert "ไม่มีกฎนี้ในร่าง" in page_of(client, response)


def test_a_correction_with_one_bad_part_leaves_the_whole_rule_as_it_was(client, draft):
    before = snapshot(draft)
    client.post(
        f"/circulars/intake/{draft.pk}/rule",
        {
            "letter": PROVINCE_LETTER,
            "rule": RULE_CLAUSE_1,
            "clause": "ข้อ ๙",
            "effect": AccessRule.Effect.DENY,
            "first_day": "๕ เม.ย. ๒๕๖๘",
            "last_day": "๔ เม.ย. ๒๕๖๘",
        },
    )
    assert snapshot(draft) == before


# --- the discrepancy box follows the corrections ------------------------------------------------


def test_the_discrepancy_box_is_recomputed_from_the_corrected_rule(client, draft):
    def days(parsed):
        return {
            (d["forwarding_clause"], d["forwarding_value"][:10], d["source_value"][:10])
            for d in parsed["discrepancies"]
        }

    assert ("ข้อ ๑", "2025-04-04", "2025-04-05") in days(draft.parsed)
    page = client.get(draft.get_absolute_url()).content.decode()
    box = "<li>ข้อ ๑: 4 เม.ย. 2568 00:00 น. ≠ ข้อ ๑: 5 เม.ย. 2568 00:00 น.</li>"
    assert box in page
    client.post(
        f"/circulars/intake/{draft.pk}/rule",
        {
            "letter": PROVINCE_LETTER,
            "rule": RULE_CLAUSE_1,
            "first_day": "๕ เมษายน ๒๕๖๘",
            "last_day": "๒๑ เมษายน ๒๕๖๘",
        },
    )
    draft.refresh_from_db()
    assert not any(clause == "ข้อ ๑" for clause, *_ in days(draft.parsed))
    assert days(draft.parsed)  # the other one (1 vs 15 March) is still there
    page = client.get(draft.get_absolute_url()).content.decode()
    assert box not in page and "<li>ความเป็นมา" in page


def test_the_discrepancy_box_follows_a_deleted_rule_too(client, draft):
    assert any(d["forwarding_clause"] == "ข้อ ๑" for d in draft.parsed["discrepancies"])
    client.post(
        reverse("circulars:intake_rule_delete", args=[draft.pk]),
        {"letter": PROVINCE_LETTER, "rule": RULE_CLAUSE_1},
    )
    draft.refresh_from_db()
    assert not any(d["forwarding_clause"] == "ข้อ ๑" for d in draft.parsed["discrepancies"])


# --- dates as a Thai officer writes them ----------------------------------------------------------


def test_a_date_candidate_reads_as_a_thai_officer_writes_it_and_sends_iso(client, draft):
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'name="value" value="2025-04-09" class="secondary">๙ เมษายน ๒๕๖๘</button>' in page
    assert "T00:00:00+07:00" not in page.split('id="history"')[0].split("</pre>")[1]


def test_a_date_value_is_typed_and_shown_in_thai_and_kept_as_iso(client, draft):
    clear(client, draft, PROVINCE_LETTER, "date", "๙ เมษายน ๒๕๖๘")
    draft.refresh_from_db()
    assert draft.parsed["letters"][PROVINCE_LETTER]["fields"]["date"]["value"] == "2025-04-09"
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'id="f-0-date" name="value" value="๙ เมษายน ๒๕๖๘"' in page


def test_the_english_pages_show_the_thai_date_first_and_the_english_second(client, draft):
    client.cookies["django_language"] = "en"
    page = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">๙ เมษายน ๒๕๖๘ (9 Apr 2025)</button>" in page


# --- อ้างถึง lines -------------------------------------------------------------------------------


def test_a_reference_line_s_text_number_and_date_are_corrected_and_published(
    client, draft, dla_letter_only
):
    clear_every_flag(client, draft)
    clear(client, draft, 1, "references.0.text", "หนังสือกรมส่งเสริมการปกครองท้องถิ่น ที่ มท ๐๘๐๘.๔/ว ๑๐๐")
    clear(client, draft, 1, "references.0.number", "มท ๐๘๐๘.๔/ว ๑๐๐")
    clear(client, draft, 1, "references.0.date", "๑ มีนาคม ๒๕๖๘")
    draft.refresh_from_db()
    cited = draft.parsed["letters"][1]["references"][0]
    assert cited["number"]["value"] == "มท ๐๘๐๘.๔/ว ๑๐๐"
    assert cited["date"]["value"] == "2025-03-01"
    client.post(f"/circulars/intake/{draft.pk}/publish")
    # DLA's letter was in the portal already: linked, not copied; the province's own reference
    province = Circular.objects.get(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘")
    assert province.references.filter(kind=CircularReference.Kind.REFERENCE).exists()


def test_an_officer_adds_and_deletes_a_reference_line(client, draft):
    url = reverse("circulars:intake_reference_add", args=[draft.pk])
    response = client.post(
        url,
        {
            "letter": PROVINCE_LETTER,
            "kind": "references",
            "text": "หนังสือจังหวัดนครพนม ที่ นพ ๐๐๒๓.๕/ว ๙๙๙ ลงวันที่ ๒๘ กุมภาพันธ์ ๒๕๖๘",
            "number": "นพ ๐๐๒๓.๕/ว ๙๙๙",
            "date": "๒๘ ก.พ. ๒๕๖๘",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    lines = draft.parsed["letters"][PROVINCE_LETTER]["references"]
    added = lines[-1]
    assert added["date"]["value"] == "2025-02-28" and added["number"]["flags"] == []
    client.post(
        reverse("circulars:intake_reference_delete", args=[draft.pk]),
        {"letter": PROVINCE_LETTER, "kind": "references", "line": len(lines) - 1},
    )
    draft.refresh_from_db()
    assert len(draft.parsed["letters"][PROVINCE_LETTER]["references"]) == len(lines) - 1
    events = [drafts.read_event(r.history_change_reason)["event"] for r in draft.history.all()[:2]]
    assert events == ["reference_deleted", "reference_added"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "พิมพ์บรรทัดนี้"),
        ({"date": "๓๑ กุมภาพันธ์ ๒๕๖๘"}, "ไม่ใช่วันที่"),
        ({"number": "ไม่ใช่เลขที่"}, "ไม่ใช่เลขที่หนังสือ"),
        ({"kind": "attachments"}, "อ้างถึงหรือสิ่งที่ส่งมาด้วย"),
    ],
)
def test_a_reference_line_that_cannot_be_added_changes_nothing_and_says_why(
    client, draft, fields, message
):
    before = snapshot(draft)
    data = {
        "letter": PROVINCE_LETTER,
        "kind": "references",
        "text": "หนังสือจังหวัดนครพนม",
        "number": "",
        "date": "",
        **fields,
    }
    response = client.post(reverse("circulars:intake_reference_add", args=[draft.pk]), data)
    assert snapshot(draft) == before
    assert message in page_of(client, response)


def test_the_line_linking_the_forwarded_letter_is_not_offered_for_deletion(client, draft):
    enclosure = draft.parsed["letters"][PROVINCE_LETTER]["enclosures"][0]
    assert enclosure["target"] == 1
    page = client.get(draft.get_absolute_url()).content.decode()
    fieldset = page.split('id="l0-enclosures-0-line"')[1].split("</fieldset>")[0]
    assert "intake_reference_delete" not in fieldset and "reference/delete" not in fieldset


# --- discard ------------------------------------------------------------------------------------


def test_a_discarded_draft_leaves_the_working_list_and_keeps_its_history(client, draft, actors):
    response = client.post(
        reverse("circulars:intake_discard", args=[draft.pk]), {"reason": "ซ้ำกับฉบับที่นำเข้าแล้ว"}
    )
    assert response.status_code == 302 and response.url == reverse("circulars:intake")
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.DISCARDED
    row = draft.history.first()
    assert row.history_user == actors["province_officer"]
    assert drafts.read_event(row.history_change_reason) == {
        "event": "discarded",
        "reason": "ซ้ำกับฉบับที่นำเข้าแล้ว",
    }
    home = client.get(reverse("circulars:intake")).content.decode()
    assert draft.get_absolute_url() not in home
    assert "?show=discarded" in home
    listed = client.get(reverse("circulars:intake") + "?show=discarded").content.decode()
    assert draft.get_absolute_url() in listed
    review = client.get(draft.get_absolute_url()).content.decode()
    assert "ซ้ำกับฉบับที่นำเข้าแล้ว" in review


def test_a_discarded_draft_is_neither_corrected_nor_published(client, draft):
    drafts.discard_draft(draft.pk, user=draft.created_by)
    before = snapshot(draft)
    clear(client, draft, 0, "subject", "เรื่องใหม่")
    client.post(f"/circulars/intake/{draft.pk}/publish")
    assert snapshot(draft) == before
    assert not Circular.objects.filter(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘").exists()


def test_a_published_draft_cannot_be_discarded(client, draft, dla_letter_only):
    clear_every_flag(client, draft)
    client.post(f"/circulars/intake/{draft.pk}/publish")
    response = client.post(reverse("circulars:intake_discard", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.PUBLISHED
    assert "ไม่ได้รอการตรวจ" in page_of(client, response)


def test_a_draft_being_read_can_be_discarded_and_its_reading_then_stores_nothing(
    client, actors, nakhon_phanom
):
    login(client, actors["province_officer"])
    draft = drafts.create_draft(
        data=REFERENCE.read_bytes(), name="letter.txt", user=actors["province_officer"]
    )
    assert draft.status == IntakeStatus.READING  # the reading starts after commit
    drafts.discard_draft(draft.pk, user=actors["province_officer"])
    assert drafts.read_draft(draft.pk) is False
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.DISCARDED and draft.parsed == {}


# --- the public page shows only what was reviewed ------------------------------------------------


def test_the_public_page_shows_no_review_metadata(client, draft, dla_letter_only):
    clear_every_flag(client, draft)
    client.post(f"/circulars/intake/{draft.pk}/publish")
    province = Circular.objects.get(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘")
    assert province.date_note == ""
    client.logout()
    page = client.get(province.get_absolute_url()).content.decode()
    assert "flags cleared" not in page and "@test.example" not in page
    assert "ocr_digits" not in page and "day_out_of_range" not in page
    # …and the officers of the draft's area read who cleared what in the draft's history
    login(client, draft.created_by)
    review = client.get(draft.get_absolute_url()).content.decode()
    history = review.split('id="history"')[1]
    assert "province-officer@test.example" in history or "province-officer" in history
    assert "ล้างธง" in history


def ocr_draft(client, draft):
    """The draft as if its text had come from OCR: what the reading of a scan records."""
    draft.source_kind = drafts.SourceKind.OCR
    draft.save()
    clear_every_flag(client, draft)
    return draft


def test_an_ocr_d_text_is_not_published_until_an_officer_has_read_it_against_the_scan(
    client, draft, dla_letter_only, actors
):
    ocr_draft(client, draft)
    response = client.post(f"/circulars/intake/{draft.pk}/publish")
    assert Circular.objects.filter(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘").count() == 0
    assert "อ่านข้อความเทียบกับภาพสแกน" in page_of(client, response)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "disabled" in page.split("intake_publish")[-1] or 'type="submit" disabled' in page

    client.post(
        reverse("circulars:intake_body_read", args=[draft.pk]),
        {"letter": PROVINCE_LETTER, "read": "1"},
    )
    draft.refresh_from_db()
    row = draft.history.first()
    assert drafts.read_event(row.history_change_reason) == {"event": "body_read", "letter": 0}
    assert row.history_user == actors["province_officer"]
    client.post(f"/circulars/intake/{draft.pk}/publish")
    province = Circular.objects.get(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘")
    public = client.get(province.get_absolute_url()).content.decode()
    public_text = without_keep_spans(public)  # terms kept on one line: <span class="keep">
    assert province.body and province.body in public_text
    # the date as OCR read it ("๗๙ เมษาฯ") was replaced by the officer's: not published
    assert province.date_as_written == "" and "๗๙" not in public


def test_taking_back_the_read_mark_stops_the_publication_again(client, draft, dla_letter_only):
    ocr_draft(client, draft)
    url = reverse("circulars:intake_body_read", args=[draft.pk])
    client.post(url, {"letter": PROVINCE_LETTER, "read": "1"})
    client.post(url, {"letter": PROVINCE_LETTER, "read": "0"})
    client.post(f"/circulars/intake/{draft.pk}/publish")
    assert not Circular.objects.filter(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘").exists()


def test_an_ocr_d_letter_whose_text_the_officer_empties_is_published_without_a_body(
    client, draft, dla_letter_only
):
    ocr_draft(client, draft)
    clear(client, draft, PROVINCE_LETTER, "body", "")
    client.post(f"/circulars/intake/{draft.pk}/publish")
    province = Circular.objects.get(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘")
    assert province.body == ""
    client.logout()
    assert "ข้อความของหนังสือ" not in client.get(province.get_absolute_url()).content.decode()


def test_typed_text_needs_no_read_mark_and_keeps_its_date_as_written(
    client, draft, dla_letter_only
):
    clear_every_flag(client, draft)
    client.post(f"/circulars/intake/{draft.pk}/publish")
    province = Circular.objects.get(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘")
    assert province.body and province.date_as_written == "๗๙ เมษาฯ ๒๕๖๘"


# --- the scan beside the published letter: officers of the area only -----------------------------


@pytest.fixture
def published(client, draft, dla_letter_only):
    clear_every_flag(client, draft)
    client.post(f"/circulars/intake/{draft.pk}/publish")
    client.logout()
    return Circular.objects.get(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘")


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", 302),
        ("lao_clerk", 403),
        ("unit_clerk", 403),
        ("district_officer", 404),
        ("other_province_officer", 404),
        ("province_officer", 200),
        ("dla_officer", 200),
    ],
)
def test_the_scan_of_a_published_letter_is_served_only_to_the_officers_of_its_area(
    client, published, actors, actor, expected
):
    if actor != "anonymous":
        login(client, actors[actor])
    url = reverse("circulars:scan", args=[published.pk])
    response = client.get(url)
    assert response.status_code == expected
    page = client.get(published.get_absolute_url()).content.decode()
    assert (url in page) == (expected == 200)
    if expected == 200:
        draft = CircularDraft.objects.get()
        assert response.content == bytes(draft.data)
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    if expected == 302:
        assert "/login" in response.url


def test_the_scan_takes_get_only(client, published, actors):
    login(client, actors["province_officer"])
    assert client.post(reverse("circulars:scan", args=[published.pk])).status_code == 405


def test_a_letter_not_taken_in_has_no_scan(client, published, actors, dla_letter_only):
    """DLA's letter was linked by the draft (it forwards it), so its scan is the draft's file;
    a letter loaded from data has none."""
    login(client, actors["dla_officer"])
    other = Circular.objects.create(
        number="มท ๐๘๐๘.๔/ว ๑",
        authority=dla_letter_only.authority,
        issuer_name="กรมส่งเสริมการปกครองท้องถิ่น",
        issued_on=dt.date(2025, 1, 2),
        subject="ทดสอบ",
        recipients="ผู้ว่าราชการจังหวัด ทุกจังหวัด",
    )
    assert client.get(reverse("circulars:scan", args=[other.pk])).status_code == 404


# --- issue 26.9: a district's letter is filed under the district's province ----------------------


def district_letter(client, paste, user, province_name):
    draft = province_letter_cleared(client, paste, user, "authority", "district")
    clear(client, draft, 0, "province_name", province_name)
    return draft


def test_a_district_s_letter_naming_another_province_is_refused_and_nothing_is_stored(
    client, actors, nakhon_phanom, paste
):
    Province.objects.get_or_create(code="50", defaults={"name_th": "เชียงใหม่"})
    draft = district_letter(client, paste, actors["district_officer"], "เชียงใหม่")
    response = client.post(f"/circulars/intake/{draft.pk}/publish")
    assert Circular.objects.count() == 0 and AccessRule.objects.count() == 0
    page = page_of(client, response)
    assert "เชียงใหม่" in page and "จังหวัดของผู้ออกหนังสือ" in page
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.REVIEW


@pytest.mark.parametrize("name", ["", "นครพนม"])
def test_a_district_s_letter_is_filed_under_the_district_s_province(
    client, actors, nakhon_phanom, paste, name
):
    draft = district_letter(client, paste, actors["district_officer"], name)
    client.post(f"/circulars/intake/{draft.pk}/publish")
    letter = Circular.objects.get()
    assert letter.district == actors["district_officer"].roles.get().district
    assert letter.province == letter.district.province == nakhon_phanom
    # its rules bind the district's LAOs: the policy finds them for a subject of that district
    subject = Subject("lao", False, province_code="48", district_code=letter.district.code)
    at = dt.datetime(2025, 4, 4, 0, 0, tzinfo=BANGKOK)
    assert current_policy().decide(subject, "verify_identity", at).circular.id == letter.pk


@pytest.mark.parametrize(
    ("language", "window", "shown"),
    [
        (
            "th",
            "2025-04-05T00:00:00+07:00 / 2025-04-22T00:00:00+07:00",
            "๕ เมษายน ๒๕๖๘ – ๒๑ เมษายน ๒๕๖๘",  # the end 22 April 00:00 is not in it
        ),
        (
            "th",
            "2025-04-04T00:00:00+07:00 / ",
            "๔ เมษายน ๒๕๖๘ – …",  # open-ended ("เป็นต้นไป")
        ),
        (
            "en",
            "2025-03-26T17:00:00+00:00 / 2025-04-21T17:00:00+00:00",
            "๒๗ มีนาคม ๒๕๖๘ (27 Mar 2025) – ๒๑ เมษายน ๒๕๖๘ (21 Apr 2025)",  # UTC, read in Bangkok
        ),
    ],
)
def test_a_rule_s_candidate_window_reads_as_the_days_a_letter_writes(language, window, shown):
    from django.utils import translation

    from circulars.intake_views import _shown

    with translation.override(language):
        assert _shown("rule", window) == shown
