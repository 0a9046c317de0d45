"""Circular intake, from upload to publication: an officer pastes or uploads a letter, clears
every flag against the source, and publishes; the policy follows at once. Who may do what."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from circulars.intake import drafts
from circulars.models import Circular, CircularDraft, IntakeStatus
from core.thai import BANGKOK
from maintenance.models import AccessRule, Discrepancy
from maintenance.policy import Authority, Subject
from maintenance.snapshot import current_policy
from tests.actors import ACTOR_NAMES, login

OPEN_FLAGS = "%(n)s flags are still open: check each one against the source first."
REFERENCE = Path("/work/shared/reference/circulars-2568-04-elaas.th.txt")
if not REFERENCE.exists():
    REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference/" / REFERENCE.name


def clear(client, draft, letter, field, value):
    return client.post(
        f"/circulars/intake/{draft.pk}/field", {"letter": letter, "field": field, "value": value}
    )


def test_pasted_text_is_read_at_once_into_a_draft_waiting_for_review(draft):
    assert draft.status == IntakeStatus.REVIEW
    assert draft.source_kind == "text"
    assert len(draft.parsed["letters"]) == 2
    assert len(drafts.open_flags(draft.parsed)) == 7


def test_the_review_page_shows_the_source_with_spans_and_every_field_editable(client, draft):
    page = client.get(draft.get_absolute_url()).content.decode()
    assert '<mark id="l0-date" class="flagged">๗๙ เมษาฯ ๒๕๖๘</mark>' in page
    assert '<mark id="l0-number">ที่ นพ ๐๐๒๓.๕/ว ๑๕๗๘</mark>' in page
    assert 'name="value" value="2025-04-09"' in page  # the first candidate, a button
    assert page.count('name="field" value="subject"') == 2
    assert "disabled" in page  # the publish button, while flags are open


def test_nothing_is_published_while_a_flag_is_open(client, draft):
    response = client.post(f"/circulars/intake/{draft.pk}/publish", follow=True)
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert Circular.objects.count() == 1 and AccessRule.objects.count() == 4
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.REVIEW
    with translation.override("th"):
        said = gettext(OPEN_FLAGS) % {"n": 7}
    assert said in response.content.decode()  # refused by the flag check, not a later one


def clear_every_flag(client, draft):
    clear(client, draft, 0, "date", "2025-04-09")
    clear(client, draft, 0, "issuer_address", "ถนนอภิบาลบัญชา นพ ๔๘๐๐๐")
    clear(client, draft, 1, "number", "มท ๐๘๐๘.๔/ว ๑๕๔๑")
    clear(client, draft, 1, "date", "๒ เม.ย. ๒๕๖๘")
    clear(client, draft, 1, "references.0.number", "")
    clear(client, draft, 1, "references.0.date", "")
    draft.refresh_from_db()


@pytest.mark.parametrize("where", ["field", "rule"])
def test_one_open_flag_on_an_otherwise_publishable_draft_stops_publishing_at_the_flag_check(
    client, draft, where
):
    """Every other check would let this draft through (its flags were cleared, its fields are
    filled): one flag put back, as the reader left it, must stop it at the flag check itself,
    with that check's message, and change nothing."""
    flag = drafts.open_flags(draft.parsed)[0]
    flag = {k: v for k, v in flag.items() if k not in ("letter", "field")}
    clear_every_flag(client, draft)
    parsed = draft.parsed
    letter = parsed["letters"][0]
    if where == "field":
        assert letter["fields"]["subject"]["value"]
        letter["fields"]["subject"]["flags"] = [flag]
    else:
        letter["rules"][0]["flags"] = [flag]
    draft.parsed = parsed
    draft.save(update_fields=["parsed"])
    before = (Circular.objects.count(), AccessRule.objects.count(), Discrepancy.objects.count())

    with pytest.raises(drafts.ReviewError) as refused:
        drafts.publish_draft(draft.pk, user=draft.created_by)

    with translation.override("th"):
        at_the_flag_check = gettext(OPEN_FLAGS) % {"n": 1}
    assert at_the_flag_check != OPEN_FLAGS  # translated: the check's own words, not an echo
    assert refused.value.message == at_the_flag_check
    after = (Circular.objects.count(), AccessRule.objects.count(), Discrepancy.objects.count())
    assert after == before
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.REVIEW and draft.published_at is None
    assert not draft.circulars.exists()


def test_a_cleared_flag_keeps_who_cleared_it_in_the_draft_s_history(client, draft, actors):
    codes = [f["code"] for f in draft.parsed["letters"][0]["fields"]["date"]["flags"]]
    assert codes
    clear(client, draft, 0, "date", "9/4/2568")
    draft.refresh_from_db()
    date = draft.parsed["letters"][0]["fields"]["date"]
    assert date["value"] == "2025-04-09" and date["flags"] == []
    assert not any("province-officer" in note for note in date["notes"])
    row = draft.history.first()
    assert row.history_user == actors["province_officer"]
    assert drafts.read_event(row.history_change_reason) == {
        "event": "field",
        "letter": 0,
        "field": "date",
        "value": "2025-04-09",
        "cleared": codes,
    }


def test_a_bad_correction_changes_nothing_and_says_why(client, draft):
    response = clear(client, draft, 0, "date", "๗๙ เมษาฯ ๒๕๖๘")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.parsed["letters"][0]["fields"]["date"]["flags"]
    page = client.get(response.url).content.decode()
    assert "๗๙ เมษาฯ ๒๕๖๘" in page


def test_publishing_creates_the_letter_linked_to_its_source_with_rules_and_discrepancies(
    client, draft, dla_letter_only
):
    clear_every_flag(client, draft)
    assert drafts.open_flags(draft.parsed) == []
    response = client.post(f"/circulars/intake/{draft.pk}/publish")
    province = Circular.objects.exclude(pk=dla_letter_only.pk).get()
    assert response.status_code == 302 and response.url == province.get_absolute_url()
    assert province.number == "นพ ๐๐๒๓.๕/ว ๑๕๗๘"
    assert province.issued_on == dt.date(2025, 4, 9)
    assert province.province.code == "48"
    assert province.forwards == dla_letter_only
    enclosure = province.references.get(kind="enclosure")
    assert enclosure.target == dla_letter_only
    assert province.history.count() == 2  # created, then linked
    rules = province.access_rules.order_by("id")
    assert [r.clause for r in rules] == [
        "ความเป็นมา: เปิดใช้งาน ๑ มี.ค. ๒๕๖๘",
        "ความเป็นมา: ปิดปรับปรุงระบบ ๒๗ มี.ค. ๒๕๖๘",
        "ข้อ ๑",
        "ข้อ ๒",
    ]
    found = {
        (d.forwarding_value.astimezone(BANGKOK).date(), d.source_value.astimezone(BANGKOK).date())
        for d in Discrepancy.objects.filter(forwarding_circular=province)
    }
    assert found == {
        (dt.date(2025, 4, 4), dt.date(2025, 4, 5)),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 15)),
    }
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.PUBLISHED
    assert set(draft.circulars.all()) == {province, dla_letter_only}


def test_the_policy_follows_a_published_letter_at_once(client, actors, nakhon_phanom, paste):
    """DLA's letter taken in by a DLA officer: from 5 April an unverified LAO may verify."""
    login(client, actors["dla_officer"])
    text = REFERENCE.read_text(encoding="utf-8")
    dla_text = text[text.index("ที่ มท ๐๘๐๘.๔/ว ปรับ") :]
    paste(client, dla_text)
    draft = CircularDraft.objects.get()
    at = dt.datetime(2025, 4, 5, 0, 0, tzinfo=BANGKOK)
    assert not current_policy().decide(Subject("lao", False), "verify_identity", at).allowed
    clear(client, draft, 0, "number", "มท ๐๘๐๘.๔/ว ๑๕๔๑")
    clear(client, draft, 0, "date", "2 เมษายน 2568")
    clear(client, draft, 0, "references.0.number", "")
    clear(client, draft, 0, "references.0.date", "")
    client.post(f"/circulars/intake/{draft.pk}/publish")
    decision = current_policy().decide(Subject("lao", False), "verify_identity", at)
    assert decision.allowed and decision.rule.clause == "ข้อ ๑"
    before = current_policy().decide(
        Subject("lao", False), "verify_identity", at - dt.timedelta(seconds=1)
    )
    assert not before.allowed


def test_a_provincial_officer_cannot_publish_dlas_letter(client, actors, nakhon_phanom, paste):
    login(client, actors["province_officer"])
    text = REFERENCE.read_text(encoding="utf-8")
    paste(client, text[text.index("ที่ มท ๐๘๐๘.๔/ว ปรับ") :])
    draft = CircularDraft.objects.get()
    clear(client, draft, 0, "number", "มท ๐๘๐๘.๔/ว ๑๕๔๑")
    clear(client, draft, 0, "date", "2 เมษายน 2568")
    clear(client, draft, 0, "references.0.number", "")
    clear(client, draft, 0, "references.0.date", "")
    response = client.post(f"/circulars/intake/{draft.pk}/publish")
    assert response.status_code == 403
    assert Circular.objects.count() == 0 and AccessRule.objects.count() == 0


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("other_province_officer", 404),
        ("dla_officer", 200),
        ("lao_clerk", 403),
        ("unit_clerk", 403),
    ],
)
def test_the_review_page_is_for_the_officers_of_the_draft_s_area(
    client, draft, actors, actor, status
):
    client.logout()
    login(client, actors[actor])
    assert client.get(draft.get_absolute_url()).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, draft):
    client.logout()
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 302 and "/login" in response.url


def test_publishing_and_correcting_take_post_only(client, draft):
    assert client.get(f"/circulars/intake/{draft.pk}/publish").status_code == 405
    assert client.get(f"/circulars/intake/{draft.pk}/field").status_code == 405


def test_the_progress_of_a_draft_is_json(client, draft):
    progress = client.get(f"/circulars/intake/{draft.pk}/progress").json()
    assert progress == {"status": "review", "pages_done": 1, "pages_total": 1, "error": ""}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "ไฟล์"),
        ("letter.pdf", b"MZ\x90\x00 not a pdf", "ไม่ใช่ PDF"),
    ],
)
def test_a_bad_upload_gets_a_clear_message_and_saves_nothing(
    client, actors, nakhon_phanom, upload, name, content, message
):
    login(client, actors["province_officer"])
    response = upload({"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert CircularDraft.objects.count() == 0


def test_text_without_a_letter_fails_with_its_reason(client, actors, nakhon_phanom, paste):
    login(client, actors["province_officer"])
    paste(client, "ข้อความภาษาไทยที่ไม่ใช่หนังสือราชการ ไม่มีเลขที่ ไม่มีเรื่อง " * 3)
    draft = CircularDraft.objects.get()
    assert draft.status == IntakeStatus.FAILED
    assert "ไม่พบหนังสือราชการ" in draft.error
    # It names what the parser looks for now: a title of any kind, the head lines, a letter's end.
    assert "ประกาศ… คำสั่ง…" in draft.error and "ถึง" in draft.error
    assert "no letter named with its number or date" in draft.error
    assert "ไม่พบหนังสือราชการ" in client.get(draft.get_absolute_url()).content.decode()


# --- every page, every actor ----------------------------------------------------------------------

# Columns: anonymous, lao_clerk, other_lao_clerk, unit_clerk, district_officer (4801),
# other_district_officer (4802), province_officer (Nakhon Phanom: took the draft in),
# other_province_officer (Chiang Mai), dla_officer (every draft).
# fmt: off
INTAKE_MATRIX = {
    #                  method  anon  lao  lao2  unit  dist  dist2  prov  prov2  dla
    "intake":          ("GET",  302,  403, 403,  403,  200,  200,   200,  200,   200),
    "intake_review":   ("GET",  302,  403, 403,  403,  404,  404,   200,  404,   200),
    "intake_progress": ("GET",  302,  403, 403,  403,  404,  404,   200,  404,   200),
    "intake_page":     ("GET",  302,  403, 403,  403,  404,  404,   200,  404,   200),
    "intake_field":    ("POST", 302,  403, 403,  403,  404,  404,   302,  404,   302),
    "intake_rule":     ("POST", 302,  403, 403,  403,  404,  404,   302,  404,   302),
    "intake_publish":  ("POST", 302,  403, 403,  403,  404,  404,   302,  404,   302),
    "intake_rule_add": ("POST", 302,  403, 403,  403,  404,  404,   302,  404,   302),
    "intake_rule_delete": ("POST", 302, 403, 403, 403,  404,  404,   302,  404,   302),
    "intake_reference_add": ("POST", 302, 403, 403, 403, 404,  404,   302,  404,   302),
    "intake_reference_delete": ("POST", 302, 403, 403, 403, 404, 404, 302,  404,   302),
    "intake_body_read": ("POST", 302, 403, 403,  403,  404,  404,   302,  404,   302),
    "intake_discard":  ("POST", 302,  403, 403,  403,  404,  404,   302,  404,   302),
}
# fmt: on
INTAKE_ACTORS = ("anonymous", *ACTOR_NAMES)


def test_the_intake_matrix_names_every_intake_url():
    from circulars.urls import urlpatterns

    assert {p.name for p in urlpatterns if p.name.startswith("intake")} == set(INTAKE_MATRIX)


@pytest.mark.parametrize(
    ("name", "actor", "method", "expected"),
    [
        pytest.param(name, actor, row[0], status, id=f"{name}-{actor}-{status}")
        for name, row in INTAKE_MATRIX.items()
        for actor, status in zip(INTAKE_ACTORS, row[1:], strict=True)
    ],
)
def test_each_actor_gets_the_status_the_area_gives(
    client, draft, actors, name, actor, method, expected
):
    from circulars.models import DraftPage

    DraftPage.objects.create(draft=draft, number=1, image=b"\x89PNG\r\n\x1a\n", text="")
    client.logout()
    if actor != "anonymous":
        login(client, actors[actor])
    args = {
        "intake": [],
        "intake_page": [draft.pk, 1],
    }.get(name, [draft.pk])
    from django.urls import reverse

    url = reverse(f"circulars:{name}", args=args)
    data = {"letter": 0, "field": "subject", "value": "เรื่องทดสอบ", "rule": 0}
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == expected, f"{actor} {method} {name}"
    draft.refresh_from_db()
    subject = draft.parsed["letters"][0]["fields"]["subject"]["value"]
    assert (subject == "เรื่องทดสอบ") == (
        name == "intake_field" and expected == 302 and actor != "anonymous"
    )
    allowed = expected == 302 and actor != "anonymous"
    # flags are open: nobody publishes; only the discard of an allowed officer changes the status
    discarded = name == "intake_discard" and allowed
    assert draft.status == (IntakeStatus.DISCARDED if discarded else IntakeStatus.REVIEW)


def test_confirming_a_rule_keeps_its_window_half_open_in_bangkok_time(client, draft):
    response = client.post(
        f"/circulars/intake/{draft.pk}/rule",
        {"letter": 0, "rule": 2, "first_day": "๕ เม.ย. ๒๕๖๘", "last_day": "21/4/2568"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    rule = draft.parsed["letters"][0]["rules"][2]
    assert rule["starts_at"] == "2025-04-05T00:00:00+07:00"
    assert rule["ends_at"] == "2025-04-22T00:00:00+07:00"


def test_a_rule_cannot_lose_its_first_day(client, draft):
    client.post(
        f"/circulars/intake/{draft.pk}/rule",
        {"letter": 0, "rule": 2, "first_day": "", "last_day": ""},
    )
    draft.refresh_from_db()
    assert draft.parsed["letters"][0]["rules"][2]["starts_at"] == "2025-04-04T00:00:00+07:00"


def test_a_corrected_rule_is_published_with_reasons_telling_its_corrected_window(client, draft):
    clear_every_flag(client, draft)
    client.post(
        f"/circulars/intake/{draft.pk}/rule",
        {"letter": 0, "rule": 2, "first_day": "๕ เม.ย. ๒๕๖๘", "last_day": "21/4/2568"},
    )
    draft.refresh_from_db()
    assert "5 April 2025 to 21 April 2025" in draft.parsed["letters"][0]["rules"][2]["reason_en"]
    client.post(f"/circulars/intake/{draft.pk}/publish")
    rule = AccessRule.objects.get(circular__number="นพ ๐๐๒๓.๕/ว ๑๕๗๘", clause="ข้อ ๑")
    assert rule.reason_en.startswith("LAOs that have not verified may verify their identity")
    assert "from 5 April 2025 to 21 April 2025" in rule.reason_en
    assert "4 April" not in rule.reason_en
    assert "๕ เมษายน ๒๕๖๘ ถึงวันที่ ๒๑ เมษายน ๒๕๖๘" in rule.reason_th


def test_a_letter_is_matched_in_the_portal_by_its_number_and_its_date(
    client, draft, dla_letter_only
):
    """Thai numbers start again each year: next year's letter of the same number is another."""
    next_year = Circular.objects.get(pk=dla_letter_only.pk)
    next_year.pk = None
    next_year.issued_on = dt.date(2026, 4, 2)
    next_year.save()
    clear_every_flag(client, draft)
    client.post(f"/circulars/intake/{draft.pk}/publish")
    province = Circular.objects.get(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘")
    assert province.forwards == dla_letter_only
    draft.refresh_from_db()
    assert set(draft.circulars.all()) == {province, dla_letter_only}
    assert drafts._existing("มท ๐๘๐๘.๔/ว ๑๕๔๑", "2026-04-02") == next_year
    assert drafts._existing("มท ๐๘๐๘.๔/ว ๑๕๔๑", "2024-04-02") is None
    assert drafts._existing("มท ๐๘๐๘.๔/ว ๑๕๔๑", None) == next_year  # no date: number alone


def test_a_value_too_long_for_its_field_is_refused_with_its_reason(client, draft):
    response = clear(client, draft, 0, "issuer_name", "ก" * 256)
    draft.refresh_from_db()
    assert draft.parsed["letters"][0]["fields"]["issuer_name"]["value"] != "ก" * 256
    page = client.get(response.url).content.decode()
    assert "ยาวเกินไป (256 ตัวอักษร; ไม่เกิน 255)" in page


def test_a_parser_made_value_too_long_stops_publication_with_its_reason(client, draft):
    clear_every_flag(client, draft)
    draft.parsed["letters"][0]["fields"]["issuer_address"]["value"] = "ถนน" * 100
    draft.save()
    response = client.post(f"/circulars/intake/{draft.pk}/publish")
    assert response.status_code == 302
    assert "ยาวเกินไป (300 ตัวอักษร; ไม่เกิน 255)" in client.get(response.url).content.decode()
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.REVIEW
    assert not Circular.objects.filter(number="นพ ๐๐๒๓.๕/ว ๑๕๗๘").exists()


def test_a_tool_that_takes_too_long_is_an_intake_error(settings):
    from circulars.intake import extract

    settings.INTAKE_TOOL_SECONDS = 0.1
    with pytest.raises(extract.IntakeError) as caught:
        extract.run_tool(["sleep", "5"])
    assert caught.value.code == "timeout"


def test_a_reading_that_breaks_unexpectedly_leaves_the_draft_failed_and_logged(
    client, actors, nakhon_phanom, paste, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("the parser broke")

    monkeypatch.setattr(drafts, "propose", broken)
    login(client, actors["province_officer"])
    paste(client, REFERENCE.read_text(encoding="utf-8"))
    draft = CircularDraft.objects.get()
    assert draft.status == IntakeStatus.FAILED
    assert draft.error == drafts.READING_BROKE
    assert "the parser broke" in caplog.text


def province_letter_cleared(client, paste, user, field, value):
    """The province's letter alone, taken in by `user`, `field` set to `value`, flags cleared."""
    login(client, user)
    text = REFERENCE.read_text(encoding="utf-8")
    paste(client, text[: text.index("ที่ มท ๐๘๐๘.๔/ว ปรับ")])
    draft = CircularDraft.objects.get()
    clear(client, draft, 0, field, value)
    clear(client, draft, 0, "date", "2025-04-09")
    clear(client, draft, 0, "issuer_address", "ถนนอภิบาลบัญชา นพ ๔๘๐๐๐")
    return draft


def test_a_district_officer_publishes_their_district_s_own_letter(
    client, actors, nakhon_phanom, paste
):
    draft = province_letter_cleared(
        client, paste, actors["district_officer"], "authority", "district"
    )
    response = client.post(f"/circulars/intake/{draft.pk}/publish")
    letter = Circular.objects.get()
    assert response.status_code == 302 and response.url == letter.get_absolute_url()
    assert letter.authority == Authority.DISTRICT and letter.district == draft.district


def test_a_province_s_letter_naming_no_known_province_says_which_field_to_check(
    client, actors, nakhon_phanom, paste
):
    draft = province_letter_cleared(
        client, paste, actors["dla_officer"], "province_name", "ไม่มีจังหวัดนี้"
    )
    response = client.post(f"/circulars/intake/{draft.pk}/publish")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "ไม่พบจังหวัดชื่อ “ไม่มีจังหวัดนี้”" in page and "จังหวัดของผู้ออกหนังสือ" in page
    assert Circular.objects.count() == 0


@pytest.mark.parametrize("name", [n for n, row in INTAKE_MATRIX.items() if row[0] == "POST"])
def test_every_change_of_a_draft_takes_post_only_and_a_get_changes_nothing(client, draft, name):
    from django.urls import reverse

    before = (draft.parsed, draft.status, draft.history.count())
    url = reverse(f"circulars:{name}", args=[draft.pk])
    assert client.get(url, {"letter": 0, "rule": 0, "read": "1"}).status_code == 405
    assert client.put(url).status_code == 405
    draft.refresh_from_db()
    assert (draft.parsed, draft.status, draft.history.count()) == before
