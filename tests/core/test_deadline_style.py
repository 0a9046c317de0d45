"""One date style for deadlines, as a Thai official writes it (issue 24): "ภายในวันที่ ๒๑ เมษายน
๒๕๖๘" for a window that ends (exclusively) at 22 April 00:00, "ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘" for a
start, "ระหว่างวันที่ ๕ – ๒๑ เมษายน ๒๕๖๘" for a window; "by 21 April 2025" in English. The same
deadline is written the same on the status page, the "my LAO" lookup, the demo clock's banner, a
circular's rule table, the decision mail and the unit gate."""

import datetime as dt

import pytest

from core.thai import BANGKOK, format_deadline, format_last_day, format_since, format_window
from notifications.models import Kind, Notification
from onboarding import services
from tests.actors import login
from tests.onboarding.test_verification_services import file_as


def bkk(*args):
    return dt.datetime(*args, tzinfo=BANGKOK)


DEADLINE_TH = "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘"
UNITS_FROM_TH = "ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘"
# What the portal wrote before: a clock time at the exclusive end or the last second.
OTHER_STYLES = ("22 เม.ย. 2568", "21 เม.ย. 2568 23:59:59", "4 เม.ย. 2568 00:00", "ไม่รวมเวลานี้")


def test_an_end_at_midnight_is_written_as_the_last_whole_day():
    assert format_deadline(bkk(2025, 4, 22)) == DEADLINE_TH
    assert format_deadline(bkk(2025, 4, 22), "en") == "by 21 April 2025"
    assert format_last_day(bkk(2025, 4, 22)) == "๒๑ เมษายน ๒๕๖๘"


def test_an_end_one_second_before_midnight_keeps_its_day_and_time():
    assert format_deadline(bkk(2025, 4, 21, 23, 59, 59)) == "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘ เวลา ๒๓.๕๙ น."
    assert format_deadline(bkk(2025, 4, 21, 23, 59, 59), "en") == "by 21 April 2025, 23:59"


def test_a_start_at_midnight_and_one_second_before_it():
    assert format_since(bkk(2025, 4, 4)) == UNITS_FROM_TH
    assert format_since(bkk(2025, 4, 4), "en") == "from 4 April 2025"
    assert format_since(bkk(2025, 4, 3, 23, 59, 59)) == "ตั้งแต่วันที่ ๓ เมษายน ๒๕๖๘ เวลา ๒๓.๕๙ น."


def test_the_same_instant_in_utc_is_read_in_bangkok():
    assert format_deadline(dt.datetime(2025, 4, 21, 17, 0, tzinfo=dt.UTC)) == DEADLINE_TH


@pytest.mark.parametrize(
    ("start", "end", "th", "en"),
    [
        (bkk(2025, 4, 5), bkk(2025, 4, 22), "ระหว่างวันที่ ๕ – ๒๑ เมษายน ๒๕๖๘", "5–21 April 2025"),
        (
            bkk(2025, 3, 25),
            bkk(2025, 4, 22),
            "ระหว่างวันที่ ๒๕ มีนาคม – ๒๑ เมษายน ๒๕๖๘",
            "25 March – 21 April 2025",
        ),
        (
            bkk(2024, 12, 30),
            bkk(2025, 1, 3),
            "ระหว่างวันที่ ๓๐ ธันวาคม ๒๕๖๗ – ๒ มกราคม ๒๕๖๘",
            "30 December 2024 – 2 January 2025",
        ),
        (bkk(2025, 4, 5), bkk(2025, 4, 6), "วันที่ ๕ เมษายน ๒๕๖๘", "5 April 2025"),
    ],
)
def test_a_window_is_written_as_a_letter_writes_it(start, end, th, en):
    assert format_window(start, end) == th
    assert format_window(start, end, "en") == en


def test_a_window_with_a_side_not_at_midnight_says_from_and_by():
    assert format_window(bkk(2025, 4, 5, 8, 30), bkk(2025, 4, 22)) == (
        "ตั้งแต่วันที่ ๕ เมษายน ๒๕๖๘ เวลา ๐๘.๓๐ น. ภายในวันที่ ๒๑ เมษายน ๒๕๖๘"
    )


def _no_other_style(text):
    for other in OTHER_STYLES:
        assert other not in text, other


def test_the_same_deadline_is_written_the_same_in_every_place(
    client, circulars, portal_clock, actors, places, settings
):
    settings.PORTAL_URL = "https://portal.example.go.th"
    portal_clock("2025-04-10T09:00:00+07:00")

    status = client.get("/").content.decode()
    lookup = client.get("/", {"lao": places.lao.dla_code}).content.decode()
    lookup = lookup.split('id="my-lao-answer"')[1].split("</section>")[0]
    circular = client.get(f"/circulars/{circulars['dla'].pk}/").content.decode()
    for page in (status, lookup, circular):
        assert DEADLINE_TH in page
        _no_other_style(page)
    assert UNITS_FROM_TH in circular  # the rule table's start, in the same style

    # the demo clock's banner
    assert f"ยื่น{DEADLINE_TH}" in status

    # the decision mail: the LAO still needs its finance director, by the window's last day
    vr = file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345")
    services.approve_request(
        vr.pk, actor=actors["province_officer"], expected_version=vr.version, reason=""
    )
    [note] = Notification.objects.filter(recipient=actors["lao_clerk"], kind=Kind.REQUEST_DECISION)
    assert DEADLINE_TH in note.body_text
    _no_other_style(note.body_text)


def test_the_unit_gate_writes_its_start_like_the_status_page(
    client, circulars, portal_clock, actors
):
    portal_clock("2025-04-03T23:59:59+07:00")
    status = client.get("/").content.decode()
    login(client, actors["unit_clerk"])
    gate = client.get("/my/").content.decode()
    for page in (status, gate):
        assert UNITS_FROM_TH in page
        _no_other_style(page)
