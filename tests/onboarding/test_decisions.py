"""Decisions delivered and next steps named (issue 12, items 2 and 3).

Approve, return and reject each write one message for the requester into the outbox, in the
decision's transaction: the inbox shows it and the workers e-mail it, once, with the reason and
a link. A returned request joins the reminder ladder until it is resubmitted or the window
closes. After each decision the LAO's page says what is left and who must do it; a resubmitted
request shows its own state, its earlier decisions in its history.
"""

import datetime as dt

import pytest

from notifications.delivery import deliver_due
from notifications.models import Kind, Notification
from notifications.reminders import run_pass
from onboarding import notices, services
from onboarding.models import RequestState
from onboarding.services import StaleRequest
from tests.actors import login

from .test_verification_services import file_as

INSIDE = "2025-04-10T09:00:00+07:00"


@pytest.fixture
def window(circulars, portal_clock, settings):
    settings.PORTAL_URL = "https://portal.example.go.th"
    portal_clock(INSIDE)
    return circulars


def file(user, position, places, stem="110170020345"):
    return file_as(user, position, places, stem)


def decide(action, vr, officer, reason=""):
    if action == "approve":
        return services.approve_request(
            vr.pk, actor=officer, expected_version=vr.version, reason=reason
        )
    if action == "return":
        return services.return_request(
            vr.pk, actor=officer, expected_version=vr.version, remarks=reason
        )
    return services.reject_request(vr.pk, actor=officer, expected_version=vr.version, reason=reason)


def messages_to(user, kind=Kind.REQUEST_DECISION):
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("id"))


@pytest.mark.parametrize(
    ("action", "reason", "outcome_th"),
    [
        ("approve", "", "อนุมัติ"),
        ("return", "แนบคำสั่งแต่งตั้งฉบับลงนาม", "ส่งกลับให้แก้ไข"),
        ("reject", "คำสั่งแต่งตั้งไม่ใช่ของ อปท. นี้", "ไม่อนุมัติ"),
    ],
)
def test_each_decision_sends_the_requester_one_message_and_one_email_with_reason_and_link(
    client, window, actors, places, mailoutbox, action, reason, outcome_th
):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    vr = file(clerk, "permanent_secretary", places)
    vr = decide(action, vr, officer, reason)

    [note] = messages_to(clerk)
    link = f"https://portal.example.go.th/verification/{vr.pk}/"
    assert link in note.body_text and f'href="{link}"' in note.body_html
    assert outcome_th in note.title_th and officer.full_name in note.body_text
    if reason:
        assert reason in note.body_text and reason in note.body_html

    login(client, clerk)
    inbox = client.get("/inbox/").content.decode()
    assert note.title_th in inbox and "ยังไม่มีข้อความ" not in inbox

    assert deliver_due()["sent"] == 1
    assert deliver_due()["sent"] == 0  # sent once
    [mail] = mailoutbox
    assert mail.to == [clerk.email] and note.title_th in mail.subject
    assert vr.get_absolute_url() in mail.body


def test_a_double_submit_or_a_retry_sends_nothing_twice(window, actors, places):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    vr = file(clerk, "permanent_secretary", places)
    seen = vr.version
    services.return_request(vr.pk, actor=officer, expected_version=seen, remarks="แก้ชื่อ")
    with pytest.raises(StaleRequest):  # the same form posted again
        services.return_request(vr.pk, actor=officer, expected_version=seen, remarks="แก้ชื่อ")
    vr.refresh_from_db()
    assert notices.tell_requester(vr, at=vr.decided_at) == 0  # a retried side effect
    assert len(messages_to(clerk)) == 1


def test_a_second_decision_on_a_resubmitted_request_is_a_second_message(window, actors, places):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    vr = file(clerk, "permanent_secretary", places)
    vr = decide("return", vr, officer, "แนบคำสั่ง")
    vr = services.submit_request(vr.pk, actor=clerk, expected_version=vr.version)
    decide("approve", vr, officer)
    titles = [n.title_th for n in messages_to(clerk)]
    assert len(titles) == 2 and "ส่งกลับให้แก้ไข" in titles[0] and "อนุมัติ" in titles[1]


def test_the_approval_message_names_the_position_still_missing_and_who_holds_it(
    window, actors, places, finance_director
):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    decide("approve", file(clerk, "permanent_secretary", places), officer)
    [note] = messages_to(clerk)
    assert "ผู้อำนวยการกองคลัง" in note.body_text and finance_director.full_name in note.body_text
    assert "ยื่นคำขอยืนยันตัวตน" in note.body_text


# --- the reminder ladder for a returned request -----------------------------------------------


def reminders_on(day):
    run_pass(day, nudge_workers=False)
    return list(Notification.objects.filter(kind=Kind.RETURNED_REMINDER, period=day.isoformat()))


def test_a_returned_request_joins_the_ladder_until_it_is_resubmitted(
    window, actors, places, portal_clock
):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    vr = decide("return", file(clerk, "permanent_secretary", places), officer, "แนบคำสั่ง")
    [reminder] = reminders_on(dt.date(2025, 4, 14))  # 7 days before the last day
    assert reminder.recipient == clerk and "แนบคำสั่ง" in reminder.body_text
    assert "21 เม.ย. 2568 23:59:59 น." in reminder.body_text
    assert vr.get_absolute_url() in reminder.body_text
    assert reminders_on(dt.date(2025, 4, 15)) == []  # not a rung of the ladder
    assert len(reminders_on(dt.date(2025, 4, 14))) == 1  # a second pass writes nothing new

    portal_clock("2025-04-16T10:00:00+07:00")
    services.submit_request(vr.pk, actor=clerk, expected_version=vr.version)
    assert reminders_on(dt.date(2025, 4, 18)) == []


def test_a_returned_request_is_not_reminded_once_the_window_has_closed(window, actors, places):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    decide("return", file(clerk, "permanent_secretary", places), officer, "แนบคำสั่ง")
    assert len(reminders_on(dt.date(2025, 4, 20))) == 1  # the last rung: 1 day before
    assert reminders_on(dt.date(2025, 4, 22)) == []


# --- the next step on the LAO's page ------------------------------------------------------------


def next_step(client, user, places) -> str:
    login(client, user)
    html = client.get("/my/").content.decode()
    return html.split(f'id="next-step-{places.lao.pk}"')[1].split("<table")[0]


def test_after_the_approval_the_clerk_is_told_the_finance_director_must_now_file(
    client, window, actors, places, finance_director
):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    decide("approve", file(clerk, "permanent_secretary", places), officer)

    mine = next_step(client, clerk, places)
    assert "ท่านยืนยันตัวตนกับ อปท. นี้แล้ว" in mine
    assert "ยื่นคำขอยืนยันตัวตน</a>" not in mine  # no primary button to file again
    assert "ผู้อำนวยการกองคลัง" in mine and finance_director.full_name in mine

    theirs = next_step(client, finance_director, places)
    assert 'class="button"' in theirs and "ยื่นคำขอยืนยันตัวตน</a>" in theirs
    assert f"{finance_director.full_name} (ท่าน)" in theirs


def test_after_a_return_the_primary_action_is_to_correct_it(client, window, actors, places):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    vr = decide("return", file(clerk, "permanent_secretary", places), officer, "แนบคำสั่งฉบับจริง")
    mine = next_step(client, clerk, places)
    primary = mine.split('class="button"')[1].split("</a>")[0]
    assert f'href="/verification/{vr.pk}/edit/"' in primary
    assert "แนบคำสั่งฉบับจริง" in mine


def test_after_a_rejection_the_position_shows_a_new_request_is_needed(
    client, window, actors, places
):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    decide("reject", file(clerk, "permanent_secretary", places), officer, "ไม่ใช่ปลัด")
    mine = next_step(client, clerk, places)
    assert "ยื่นคำขอใหม่ (คำขอล่าสุดไม่ได้รับอนุมัติ)" in mine
    assert "ยื่นคำขอยืนยันตัวตน</a>" in mine  # they may file again while the window is open


def test_a_resubmitted_request_shows_its_own_state_and_keeps_the_return_in_its_history(
    client, window, actors, places
):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    vr = decide("return", file(clerk, "permanent_secretary", places), officer, "แนบคำสั่งฉบับจริง")
    vr = services.submit_request(vr.pk, actor=clerk, expected_version=vr.version)
    assert vr.state == RequestState.SUBMITTED
    assert (vr.decided_at, vr.decided_by, vr.remarks) == (None, None, "")
    login(client, clerk)
    html = client.get(vr.get_absolute_url()).content.decode()
    fields = html.split('<dl class="letter">')[1].split("</dl>")[0]
    assert "รอตรวจสอบ" in fields
    assert "แนบคำสั่งฉบับจริง" not in fields and "หมายเหตุ" not in fields
    history = html.split('class="timeline"')[1]
    assert "แนบคำสั่งฉบับจริง" in history
