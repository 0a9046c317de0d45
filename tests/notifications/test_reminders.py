"""The daily reminder pass and its command: who is told what on which day of the window.

Expectations come from the ladder (ReminderStep rows) and the circular's own dates, worked out in
`support.kinds_due`, never from counts written down by hand. Tasks run eagerly (in this process).
"""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from notifications.models import Anchor, Kind, Notification, PassRun, ReminderStep, Status
from notifications.reminders import run_pass
from registry.models import Organization

from .support import WINDOW_KINDS, bangkok, kinds_due

APRIL = [dt.date(2025, 4, d) for d in range(1, 31)]
KEY_DAYS = [
    "2025-04-04",
    "2025-04-05",
    "2025-04-07",
    "2025-04-13",
    "2025-04-14",
    "2025-04-18",
    "2025-04-19",
    "2025-04-20",
    "2025-04-21",
    "2025-04-22",
]

# Who each kind of message is for, among the named actors, while every LAO is unverified:
# the SAOs 6480199 (district 4801) and 6480299 (4802) in Nakhon Phanom, 6500199 in Chiang Mai.
AUDIENCE = {
    Kind.LAO_REMINDER: {"lao_clerk", "other_lao_clerk"},
    Kind.DISTRICT_DIGEST: {"district_officer", "other_district_officer"},
    Kind.PROVINCE_SUMMARY: {"province_officer", "other_province_officer"},
    Kind.DLA_SUMMARY: {"dla_officer"},
    Kind.UNIT_REMINDER: {"unit_clerk"},
    Kind.RETURNED_REMINDER: set(),  # none returned here: tests/onboarding/test_decisions.py
}
DEADLINE_TH = "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘"  # core.thai.format_deadline
DEADLINE_EN = "by 21 April 2025"


@pytest.fixture(autouse=True)
def _reference_circulars(circulars):
    """Every test here runs under the two reference letters (DLA's 5–21 April governs)."""


def steps():
    return list(ReminderStep.objects.all())


def written(actors, day) -> dict[str, set[str]]:
    """{kind: {actor name}} of the rows for `day`."""
    names = {u.pk: name for name, u in actors.items()}
    out: dict[str, set[str]] = {}
    for kind, recipient in Notification.objects.filter(period=day.isoformat()).values_list(
        "kind", "recipient_id"
    ):
        out.setdefault(kind, set()).add(names[recipient])
    return out


def days_written(kind) -> list[int]:
    """The days of April on which rows of `kind` were written."""
    periods = Notification.objects.filter(kind=kind).values_list("period", flat=True)
    return sorted({dt.date.fromisoformat(p).day for p in periods})


def expected(day, calendar, audience=AUDIENCE) -> dict[str, set[str]]:
    return {
        kind: set(audience[kind]) for kind in kinds_due(day, steps(), calendar) if audience[kind]
    }


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command("reminders", *args, stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, out.getvalue()
    return json.loads(lines[0]), err.getvalue()


# --- The ladder's days -------------------------------------------------------------------


def test_the_default_ladder_gives_the_days_the_issue_names(ladder, calendar):
    """5 April and 7, 3, 1 days before the 21st for LAO staff; the officers every day from 18
    to 21 April; units 3 days after 4 April. (The expectation model agrees with the issue.)"""
    days_of = {
        kind: [d.day for d in APRIL if kind in kinds_due(d, ladder, calendar)]
        for kind in Kind.values
    }
    assert (calendar.opens, calendar.last_day, calendar.units_open) == (
        dt.date(2025, 4, 5),
        dt.date(2025, 4, 21),
        dt.date(2025, 4, 4),
    )
    assert days_of[Kind.LAO_REMINDER] == [5, 14, 18, 20]
    for officers in (Kind.DISTRICT_DIGEST, Kind.PROVINCE_SUMMARY, Kind.DLA_SUMMARY):
        assert days_of[officers] == [18, 19, 20, 21]
    assert days_of[Kind.UNIT_REMINDER] == [7]


@pytest.mark.parametrize("day", KEY_DAYS)
def test_the_pass_for_a_key_day_writes_exactly_what_the_ladder_asks_for(
    actors, ladder, calendar, circulars, day
):
    day = dt.date.fromisoformat(day)
    result = run_pass(day, nudge_workers=False)

    want = expected(day, calendar)
    assert written(actors, day) == want
    assert (
        result.created == sum(len(names) for names in want.values()) == Notification.objects.count()
    )
    assert result.already_existed == 0
    rows = Notification.objects.all()
    assert all(n.status == Status.PENDING and n.attempts == 0 for n in rows)
    assert {n.circular_id for n in rows} <= {circulars["dla"].pk}  # the source letter governs
    assert PassRun.objects.get(day=day, trigger="daily").created == result.created


def test_a_whole_month_of_passes_adds_up_to_the_ladder(actors, ladder, calendar):
    for day in APRIL:
        run_pass(day, nudge_workers=False)
    want = sum(len(names) for day in APRIL for names in expected(day, calendar).values())
    assert Notification.objects.count() == want
    assert set(Notification.objects.values_list("period", flat=True)) == {
        d.isoformat() for d in APRIL if expected(d, calendar)
    }


def test_a_second_pass_for_the_same_day_creates_nothing(actors, ladder):
    day = dt.date(2025, 4, 18)
    first = run_pass(day, nudge_workers=False)
    second = run_pass(day, nudge_workers=False)
    assert first.created > 0
    assert (second.created, second.already_existed) == (0, first.created)
    assert Notification.objects.count() == first.created
    run = PassRun.objects.get(day=day, trigger="daily")
    assert (run.created, run.already_existed) == (0, first.created)


def test_a_verified_laos_staff_get_nothing_more_and_its_district_no_digest(
    actors, places, ladder, calendar
):
    Organization.objects.filter(pk=places.lao.pk).update(
        identity_verified_at=bangkok("2025-04-10 09:00")
    )
    for day in APRIL:
        run_pass(day, nudge_workers=False)

    # Reminded on the opening day, while it was not yet verified; never after.
    assert list(
        Notification.objects.filter(recipient=actors["lao_clerk"]).values_list("period", flat=True)
    ) == ["2025-04-05"]
    assert not Notification.objects.filter(recipient=actors["district_officer"]).exists()
    # The other LAOs of the province and the country are still waiting: the rest goes on.
    audience = {
        **AUDIENCE,
        Kind.LAO_REMINDER: {"other_lao_clerk"},
        Kind.DISTRICT_DIGEST: {"other_district_officer"},
    }
    for day in (dt.date(2025, 4, 14), dt.date(2025, 4, 18)):
        assert written(actors, day) == expected(day, calendar, audience)


def test_an_lao_verified_after_the_day_is_still_reminded_for_that_day(actors, places, ladder):
    Organization.objects.filter(pk=places.lao.pk).update(
        identity_verified_at=bangkok("2025-04-15 09:00")
    )
    run_pass(dt.date(2025, 4, 14), nudge_workers=False)
    run_pass(dt.date(2025, 4, 18), nudge_workers=False)
    assert list(
        Notification.objects.filter(recipient=actors["lao_clerk"]).values_list("period", flat=True)
    ) == ["2025-04-14"]


def test_once_every_lao_is_verified_nobody_is_reminded_to_verify(actors, places, ladder):
    Organization.objects.laos().update(identity_verified_at=bangkok("2025-04-04 09:00"))
    for day in APRIL:
        run_pass(day, nudge_workers=False)
    # Only the unit's reminder is left: it is about logging in, not about verification.
    assert set(Notification.objects.values_list("kind", flat=True)) == {Kind.UNIT_REMINDER}


def test_the_summaries_count_every_lao_of_the_area_verified_or_not(actors, places, ladder):
    """'1 of 2 LAOs not yet verified': the LAOs of a fully verified district count in the total."""
    Organization.objects.filter(pk=places.lao.pk).update(
        identity_verified_at=bangkok("2025-04-10 09:00")
    )
    run_pass(dt.date(2025, 4, 18), nudge_workers=False)
    laos = Organization.objects.laos()
    province = places.lao.district.province
    in_province = laos.filter(district__province=province)
    waiting = laos.filter(identity_verified_at__isnull=True)

    summary = Notification.objects.get(
        kind=Kind.PROVINCE_SUMMARY, recipient=actors["province_officer"]
    )
    n, total = waiting.filter(district__province=province).count(), in_province.count()
    assert (n, total) == (1, 2)
    assert f"ยังไม่ได้ยืนยันตัวตน {n} จาก {total} แห่ง" in summary.title_th
    assert f"{n} of {total} LAOs not yet verified" in summary.title_en
    national = Notification.objects.get(kind=Kind.DLA_SUMMARY)
    assert (
        f"Nationwide: {waiting.count()} of {laos.count()} LAOs not yet verified"
        in national.title_en
    )


def test_a_unit_that_has_logged_in_gets_no_reminder(actors, places, ladder):
    Organization.objects.filter(pk=places.unit.pk).update(
        first_login_at=bangkok("2025-04-05 10:00")
    )
    run_pass(dt.date(2025, 4, 7), nudge_workers=False)
    assert not Notification.objects.filter(kind=Kind.UNIT_REMINDER).exists()


def test_a_deactivated_account_is_not_reminded(actors, ladder, calendar):
    actors["lao_clerk"].is_active = False
    actors["lao_clerk"].save()
    actors["district_officer"].is_active = False
    actors["district_officer"].save()
    day = dt.date(2025, 4, 18)
    run_pass(day, nudge_workers=False)
    assert not Notification.objects.filter(
        recipient__in=[actors["lao_clerk"], actors["district_officer"]]
    ).exists()
    assert Notification.objects.filter(
        recipient=actors["other_lao_clerk"], kind=Kind.LAO_REMINDER
    ).exists()


# --- The boundary of the window ------------------------------------------------------------


def test_the_last_day_gets_the_digests_and_the_day_after_gets_nothing(actors, ladder, calendar):
    last, after = calendar.last_day, calendar.last_day + dt.timedelta(days=1)
    assert (last, after) == (dt.date(2025, 4, 21), dt.date(2025, 4, 22))

    on_last = run_pass(last, nudge_workers=False)
    assert set(written(actors, last)) == {
        Kind.DISTRICT_DIGEST,
        Kind.PROVINCE_SUMMARY,
        Kind.DLA_SUMMARY,
    }
    digest = Notification.objects.get(
        kind=Kind.DISTRICT_DIGEST, recipient=actors["district_officer"]
    )
    assert DEADLINE_TH in digest.body_text and "เหลืออีก 0 วัน" in digest.body_text

    after_last = run_pass(after, nudge_workers=False)
    assert on_last.created > 0 and after_last.created == 0
    assert not Notification.objects.filter(period=after.isoformat()).exists()
    assert PassRun.objects.filter(day=after, trigger="daily", created=0).exists()


def test_the_day_before_the_window_opens_nobody_is_reminded_to_verify(actors, ladder):
    run_pass(dt.date(2025, 4, 4), nudge_workers=False)
    assert not Notification.objects.filter(kind__in=WINDOW_KINDS).exists()


# --- The ladder is data --------------------------------------------------------------------


def test_moving_a_rung_moves_the_reminder(actors, ladder, calendar):
    ReminderStep.objects.filter(
        kind=Kind.LAO_REMINDER, anchor=Anchor.WINDOW_LAST_DAY, days=3
    ).update(days=2)
    for day in APRIL:
        run_pass(day, nudge_workers=False)
    ladder_days = [d.day for d in APRIL if Kind.LAO_REMINDER in kinds_due(d, steps(), calendar)]
    assert days_written(Kind.LAO_REMINDER) == ladder_days == [5, 14, 19, 20]


def test_an_inactive_rung_fires_nothing(actors, ladder, calendar):
    ReminderStep.objects.filter(kind=Kind.DISTRICT_DIGEST).update(active=False)
    for day in APRIL:
        run_pass(day, nudge_workers=False)
    assert not Notification.objects.filter(kind=Kind.DISTRICT_DIGEST).exists()
    assert Notification.objects.filter(kind=Kind.PROVINCE_SUMMARY).count() == sum(
        len(expected(d, calendar).get(Kind.PROVINCE_SUMMARY, ())) for d in APRIL
    )


def test_a_rung_on_the_last_day_tells_staff_that_today_is_the_last_day(actors, ladder, calendar):
    ReminderStep.objects.create(kind=Kind.LAO_REMINDER, anchor=Anchor.WINDOW_LAST_DAY, days=0)
    run_pass(calendar.last_day, nudge_workers=False)
    assert written(actors, calendar.last_day) == expected(calendar.last_day, calendar)
    reminder = Notification.objects.get(kind=Kind.LAO_REMINDER, recipient=actors["lao_clerk"])
    assert "วันนี้เป็นวันสุดท้าย" in reminder.body_text and "today is the last day" in reminder.body_text


def test_a_daily_rung_for_units_fires_every_day_from_its_day(actors, ladder, calendar):
    ReminderStep.objects.filter(kind=Kind.UNIT_REMINDER).update(repeat=True)
    for day in APRIL:
        run_pass(day, nudge_workers=False)
    assert days_written(Kind.UNIT_REMINDER) == list(range(7, 31))


# --- What a message says -------------------------------------------------------------------


def test_every_message_of_the_18th_says_what_by_when_why_and_cites_the_circular(
    actors, circulars, ladder, mailoutbox
):
    dla = circulars["dla"]
    clause_1 = dla.access_rules.get(action="verify_identity", entity_type="lao")
    summary, _ = run_command("--day", "2025-04-18")
    assert summary["sent"] == len(mailoutbox) == Notification.objects.count() > 0
    assert {n.kind for n in Notification.objects.all()} == set(WINDOW_KINDS)

    rows = {n.recipient.email: n for n in Notification.objects.select_related("recipient")}
    for mail in mailoutbox:
        n = rows[mail.to[0]]
        assert mail.subject == f"{n.title_th} / {n.title_en}"
        assert re.search("[\u0e01-\u0e4f]", n.title_th) and re.search(
            "[A-Za-z]{3,} [A-Za-z]{3,}", n.title_en
        )
        assert DEADLINE_TH in n.title_th and DEADLINE_EN in n.title_en or n.kind == Kind.DLA_SUMMARY
        [(html, mime)] = mail.alternatives
        assert mime == "text/html" and html.startswith("<p") and html == n.body_html
        for part in (mail.body, html):
            assert (
                DEADLINE_TH in part and DEADLINE_EN in part
            )  # by when: Buddhist era, Bangkok time
            assert "เวลากรุงเทพฯ" in part and "Bangkok time" in part
            assert "สิ่งที่ต้องทำ" in part  # what to do
            assert clause_1.reason_th in part and clause_1.reason_en in part  # why
            assert f"{dla.number} {clause_1.clause}" in part  # under which letter and clause
        assert mail.extra_headers["Message-ID"] == f"<notification-{n.pk}@elaas-onboarding.local>"
        assert mail.body == n.body_text and n.circular_id == dla.pk


def test_an_lao_reminder_greets_the_clerk_by_name_and_names_the_lao(
    actors, places, ladder, mailoutbox
):
    run_command("--day", "2025-04-14")
    mail = next(m for m in mailoutbox if m.to == [actors["lao_clerk"].email])
    assert "เรียน สมศรี ใจดี / Dear สมศรี ใจดี" in mail.body
    assert (
        places.lao.dla_code in mail.body
        and "เหลืออีก 7 วัน" in mail.body
        and "7 days left" in mail.body
    )
    assert mail.subject.startswith("ยืนยันตัวตนเข้าใช้งาน New e-LAAS " + DEADLINE_TH)
    assert "Verify your identity for New e-LAAS " + DEADLINE_EN in mail.subject


def test_a_unit_reminder_says_since_when_why_and_cites_clause_2(
    actors, circulars, ladder, mailoutbox
):
    run_command("--day", "2025-04-07")
    [mail] = mailoutbox
    assert mail.to == [actors["unit_clerk"].email]
    html = mail.alternatives[0][0]
    for part in (mail.body, html):
        assert "4 เมษายน 2568" in part and "4 Apr 2025" in part
        assert "สิ่งที่ต้องทำ" in part and "What to do" in part
        assert "ตั้งแต่วันที่ 4 เมษายน 2568" in part  # why: clause 2's reason
        assert circulars["dla"].number in part and "ข้อ ๒" in part
    assert mail.alternatives[0][1] == "text/html"


# --- The command ---------------------------------------------------------------------------


def test_the_command_prints_one_json_line_and_a_second_run_creates_nothing(
    actors, ladder, calendar, mailoutbox
):
    day = dt.date(2025, 4, 18)
    n = sum(len(names) for names in expected(day, calendar).values())

    first, _ = run_command("--day", "2025-04-18")
    assert list(first) == ["created", "sent", "failed", "already_existed"]
    assert first == {"created": n, "sent": n, "failed": 0, "already_existed": 0}
    assert len(mailoutbox) == n
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}

    second, _ = run_command("--day", "2025-04-18")
    assert second == {"created": 0, "sent": 0, "failed": 0, "already_existed": n}
    assert len(mailoutbox) == n and Notification.objects.count() == n
    assert PassRun.objects.filter(day=day, trigger="command").count() == 1


@pytest.mark.parametrize("text", ["2568-04-18", "๒๕๖๘-๐๔-๑๘", "18/4/2568", "18 เม.ย. 2568"])
def test_the_command_reads_a_buddhist_era_day(actors, ladder, calendar, mailoutbox, text):
    summary, _ = run_command("--day", text)
    day = dt.date(2025, 4, 18)
    assert summary["created"] == sum(len(v) for v in expected(day, calendar).values())
    assert set(Notification.objects.values_list("period", flat=True)) == {"2025-04-18"}


@pytest.mark.parametrize(
    "text", ["2025-02-30", "2568-13-01", "tomorrow", "18 April", "2025/04/18/1"]
)
def test_a_bad_day_is_a_command_error_and_nothing_is_written(actors, ladder, mailoutbox, text):
    with pytest.raises(CommandError, match="is not a date"):
        call_command("reminders", "--day", text, stdout=StringIO(), stderr=StringIO())
    assert not Notification.objects.exists() and not PassRun.objects.exists() and not mailoutbox


def test_with_the_console_backend_mail_goes_to_stderr_and_stdout_keeps_one_line(
    actors, ladder, calendar, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    n = sum(len(v) for v in expected(dt.date(2025, 4, 14), calendar).values())
    summary, err = run_command("--day", "2025-04-14")
    assert summary["created"] == summary["sent"] == n > 0
    assert err.count("Message-ID: <notification-") == n


def test_a_pass_in_small_chunks_writes_the_same_rows_and_nudges_after_each_commit(
    actors, ladder, calendar, settings, django_capture_on_commit_callbacks
):
    day = dt.date(2025, 4, 18)
    want = expected(day, calendar)
    n = sum(len(names) for names in want.values())
    settings.NOTIFICATION_PASS_CHUNK = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = run_pass(day)  # the nudges are registered for after each commit, not sent here
    assert (result.created, result.already_existed) == (n, 0)
    assert written(actors, day) == want
    assert len(callbacks) == -(-n // 2)  # one nudge per chunk: ceil(n / 2)


def test_a_pass_interrupted_between_chunks_is_completed_by_the_next_one_and_nothing_twice(
    actors, ladder, calendar, settings, monkeypatch
):
    from notifications import reminders

    day = dt.date(2025, 4, 18)
    n = sum(len(names) for names in expected(day, calendar).values())
    assert n > 2
    settings.NOTIFICATION_PASS_CHUNK = 2
    real_queue, calls = reminders.queue, []

    def dies_on_the_second_chunk(items, **kwargs):
        calls.append(len(items))
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real_queue(items, **kwargs)

    monkeypatch.setattr(reminders, "queue", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        run_pass(day, nudge_workers=False)
    assert Notification.objects.count() == 2  # the first chunk stands, the second rolled back
    assert not PassRun.objects.filter(day=day).exists()

    monkeypatch.setattr(reminders, "queue", real_queue)
    again = run_pass(day, nudge_workers=False)
    assert (again.created, again.already_existed) == (n - 2, 2)
    assert written(actors, day) == expected(day, calendar)
    assert Notification.objects.count() == n


def test_no_send_only_writes_the_rows(actors, ladder, calendar, mailoutbox):
    n = sum(len(v) for v in expected(dt.date(2025, 4, 14), calendar).values())
    summary, _ = run_command("--day", "2025-04-14", "--no-send")
    assert summary == {"created": n, "sent": 0, "failed": 0, "already_existed": 0}
    assert not mailoutbox and set(Notification.objects.values_list("status", flat=True)) == {
        Status.PENDING
    }


# --- The Celery tasks, eagerly -------------------------------------------------------------


def test_the_daily_task_writes_the_rows_and_the_nudge_after_commit_sends_them(
    actors, ladder, calendar, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    from notifications.tasks import daily_reminder_pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = daily_reminder_pass.delay("2025-04-18").get()
    n = sum(len(v) for v in expected(dt.date(2025, 4, 18), calendar).values())
    assert result == {"created": n, "already_existed": 0}
    assert len(callbacks) == 1  # one nudge for the whole pass
    assert len(mailoutbox) == n
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_the_window_opening_check_runs_one_pass_on_the_opening_day(
    actors, ladder, portal_clock, eager_celery
):
    from notifications.tasks import window_opening_check

    portal_clock("2025-04-05T08:00:00+07:00")
    assert window_opening_check.delay().get() == ["opening:2025-04-05/2025-04-21"]
    assert window_opening_check.delay().get() == []
    assert set(Notification.objects.values_list("kind", "period")) == {
        (Kind.LAO_REMINDER, "2025-04-05")
    }
    assert Notification.objects.count() == len(AUDIENCE[Kind.LAO_REMINDER])

    portal_clock("2025-04-06T08:00:00+07:00")
    assert window_opening_check.delay().get() == []
