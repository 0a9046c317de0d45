"""The intake list and the delivery log date what they show on the portal's clock (issue 24):
with the demo clock on 10 April 2568, a letter taken in and a message sent that day read
10 เม.ย. 2568, never the real day beside it."""

import pytest
from django.utils import timezone

from circulars.intake import drafts
from core.thai import format_date
from notifications import delivery
from notifications.messages import Message
from notifications.models import Kind, Notification, Status
from notifications.services import Outgoing, queue
from tests.actors import login
from tests.circulars.scans import REFERENCE
from tests.notifications.support import celery_app

DEMO_DAY = "10 เม.ย. 2568"


@pytest.fixture
def demo_clock(portal_clock):
    portal_clock("2025-04-10T09:00:00+07:00")
    real_day = format_date(timezone.now(), "th")
    assert real_day != DEMO_DAY
    return real_day


def table(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_the_intake_list_dates_a_letter_on_the_portal_s_clock(
    client, actors, demo_clock, django_capture_on_commit_callbacks
):
    officer = actors["province_officer"]
    with celery_app(eager=True), django_capture_on_commit_callbacks(execute=True):
        draft = drafts.create_draft(data=REFERENCE.read_bytes(), name="pasted.txt", user=officer)
    login(client, officer)
    rows = table(client.get("/circulars/intake/").content.decode())
    assert DEMO_DAY in rows
    assert demo_clock not in rows
    # its history (who did what, when) too
    assert {format_date(h.history_date, "th") for h in draft.history.all()} == {DEMO_DAY}


def test_the_delivery_log_writes_and_sends_on_the_same_clock(client, actors, demo_clock):
    clerk = actors["lao_clerk"]
    message = Message(title_th="ทดสอบ", title_en="Test", text="ข้อความ\n", html="<p>ข้อความ</p>")
    queue([Outgoing(clerk.pk, Kind.LAO_REMINDER, f"user:{clerk.pk}", "2025-04-10", message, "")])
    assert delivery.deliver_due()["sent"] == 1
    sent = Notification.objects.get(recipient=clerk)
    assert sent.status == Status.SENT
    assert format_date(sent.created_at, "th") == format_date(sent.sent_at, "th") == DEMO_DAY
    login(client, actors["district_officer"])
    rows = table(client.get("/inbox/log/").content.decode())
    assert rows.count(DEMO_DAY) == 2  # written, sent
    assert demo_clock not in rows
