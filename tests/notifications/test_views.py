"""The inbox, the delivery log and the ladder page: who sees which message."""

import pytest
from django.utils import timezone

from notifications.messages import Message
from notifications.models import Notification, Status
from tests.actors import login

MESSAGE = Message(title_th="ทดสอบ", title_en="Test", text="ข้อความ\n", html="<p>ข้อความ</p>")


def note(user, *, status=Status.PENDING, kind="lao_reminder", period="2025-04-18"):
    now = timezone.now()
    return Notification.objects.create(
        recipient=user,
        kind=kind,
        subject_key=f"user:{user.pk}",
        period=period,
        title_th=MESSAGE.title_th,
        title_en=MESSAGE.title_en,
        body_text=MESSAGE.text,
        body_html=MESSAGE.html,
        created_at=now,
        next_attempt_at=now,
        status=status,
    )


@pytest.fixture
def notes(actors):
    return {name: note(user) for name, user in actors.items()}


def test_a_user_reads_their_own_message_and_it_is_marked_read(client, actors, notes):
    login(client, actors["lao_clerk"])
    response = client.get("/inbox/")
    assert response.status_code == 200 and "ทดสอบ" in response.content.decode()
    assert client.get(f"/inbox/{notes['lao_clerk'].pk}/").status_code == 200
    notes["lao_clerk"].refresh_from_db()
    assert notes["lao_clerk"].read_at is not None


def test_nobody_opens_another_users_message(client, actors, notes):
    login(client, actors["other_lao_clerk"])
    assert client.get(f"/inbox/{notes['lao_clerk'].pk}/").status_code == 404


def test_the_inbox_needs_a_login(client, notes):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "officer,sees,does_not_see",
    [
        (
            "district_officer",
            ["lao_clerk", "unit_clerk", "district_officer"],
            ["other_lao_clerk", "dla_officer"],
        ),
        (
            "province_officer",
            ["lao_clerk", "other_lao_clerk", "unit_clerk", "district_officer"],
            ["other_province_officer"],
        ),
        (
            "other_province_officer",
            ["other_province_officer"],
            ["lao_clerk", "other_lao_clerk", "unit_clerk"],
        ),
        ("dla_officer", ["lao_clerk", "other_lao_clerk", "other_province_officer"], []),
    ],
)
def test_the_delivery_log_shows_only_the_officers_area(
    client, actors, notes, officer, sees, does_not_see
):
    login(client, actors[officer])
    page = client.get("/inbox/log/").content.decode()
    for name in sees:
        assert actors[name].email in page, name
    for name in does_not_see:
        assert actors[name].email not in page, name


@pytest.mark.parametrize("name", ["lao_clerk", "unit_clerk"])
def test_staff_cannot_open_the_delivery_log_or_resend(
    client, actors, notes, name, circulars, portal_clock
):
    portal_clock("2025-04-10T09:00:00+07:00")  # units may use the system
    login(client, actors[name])
    assert client.get("/inbox/log/").status_code == 403
    assert client.post(f"/inbox/log/{notes['lao_clerk'].pk}/resend/").status_code == 403


def test_an_officer_resends_a_failed_message_in_their_area_and_it_is_sent_once(
    client, actors, settings, mailoutbox
):
    failed = note(actors["lao_clerk"], status=Status.FAILED)
    failed.attempts, failed.last_error = 5, "SMTPRecipientsRefused: 550"
    failed.save()
    login(client, actors["province_officer"])
    response = client.post(f"/inbox/log/{failed.pk}/resend/", {"next": "/inbox/log/"})
    assert response.status_code == 302
    failed.refresh_from_db()
    # Eager Celery (no REDIS_URL in tests) delivers on commit; with a broker a worker would.
    assert failed.status in (Status.PENDING, Status.SENT)
    from notifications.delivery import deliver_due

    deliver_due()
    failed.refresh_from_db()
    assert failed.status == Status.SENT and failed.attempts == 1 and failed.last_error == ""
    assert [m.to for m in mailoutbox] == [[actors["lao_clerk"].email]]


def test_the_log_offers_to_send_again_only_what_failed_or_was_sent(client, actors):
    rows = {status: note(actors["lao_clerk"], status=status, period=status) for status in Status}
    login(client, actors["province_officer"])
    page = client.get("/inbox/log/").content.decode()
    offered = {status for status, n in rows.items() if f"/inbox/log/{n.pk}/resend/" in page}
    assert offered == {Status.FAILED, Status.SENT}


def test_an_officer_cannot_resend_outside_their_area(client, actors):
    failed = note(actors["lao_clerk"], status=Status.FAILED)
    login(client, actors["other_province_officer"])
    assert client.post(f"/inbox/log/{failed.pk}/resend/").status_code == 404
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_resend_is_post_only(client, actors, notes):
    login(client, actors["dla_officer"])
    assert client.get(f"/inbox/log/{notes['lao_clerk'].pk}/resend/").status_code == 405


def test_officers_see_the_ladder_as_data(client, actors):
    login(client, actors["district_officer"])
    page = client.get("/inbox/ladder/").content.decode()
    from notifications.models import ReminderStep

    assert ReminderStep.objects.count() >= 8
    for step in ReminderStep.objects.all():
        assert str(step.get_kind_display()) in page


def test_the_header_counts_unread_messages(client, actors, notes):
    login(client, actors["lao_clerk"])
    page = client.get("/my/").content.decode()
    assert "/inbox/" in page and '<span class="badge">1</span>' in page


def test_the_ladder_says_on_the_opening_day_not_0_days_after(client, actors):
    from tests.actors import login

    login(client, actors["province_officer"])
    html = client.get("/inbox/ladder/").content.decode()
    assert "ในวันแรกของช่วงเวลายืนยันตัวตน" in html
    assert "0 วันหลังจาก" not in html and "7 วันก่อนวันสุดท้าย" in html
