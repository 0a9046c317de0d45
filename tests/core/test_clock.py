"""The portal's clock: settable for tests and demos, running on from there, never in production."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from core import clock
from core.models import ClockSetting
from core.thai import BANGKOK, format_datetime, to_thai_digits

SET_TO = dt.datetime(2025, 4, 3, 9, 0, tzinfo=BANGKOK)


@pytest.fixture(autouse=True)
def _no_clock_cache(settings):
    settings.CLOCK_CACHE_SECONDS = 0
    clock.invalidate()
    yield
    clock.invalidate()


def close_to(a: dt.datetime, b: dt.datetime, seconds: float = 5) -> bool:
    return abs(a - b) < dt.timedelta(seconds=seconds)


def test_the_clock_reads_the_real_time_when_not_set(db):
    assert not clock.is_set()
    assert close_to(clock.now(), timezone.now())


def test_the_clock_follows_set_clock_and_keeps_running(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC), tick=False)
    clock.set_clock(SET_TO, by="test")
    first = clock.now()
    assert clock.is_set()
    assert first == SET_TO  # the wall clock stands still: not a moment has passed
    time_machine.shift(dt.timedelta(minutes=90, seconds=1))  # the real time runs on
    second = clock.now()
    assert second - first == dt.timedelta(minutes=90, seconds=1)
    assert second.utcoffset() == dt.timedelta(0)  # aware, UTC, as timezone.now()


def test_setting_the_clock_again_replaces_the_setting(db):
    clock.set_clock(SET_TO, by="test")
    later = SET_TO + dt.timedelta(days=2)
    clock.set_clock(later, by="test")
    assert close_to(clock.now(), later)
    assert ClockSetting.objects.count() == 1


def test_the_setting_is_seen_at_once_in_this_process_despite_the_cache(settings, db):
    settings.CLOCK_CACHE_SECONDS = 3600
    clock.invalidate()
    assert close_to(clock.now(), timezone.now())  # the real time is now cached
    clock.set_clock(SET_TO, by="test")
    assert close_to(clock.now(), SET_TO)
    clock.reset_clock()
    assert close_to(clock.now(), timezone.now())


def test_reset_clock_returns_to_the_real_time(db):
    clock.set_clock(SET_TO, by="test")
    clock.reset_clock()
    assert not clock.is_set()
    assert not ClockSetting.objects.exists()
    assert close_to(clock.now(), timezone.now())


def test_set_clock_refuses_a_naive_instant(db):
    with pytest.raises(ValueError):
        clock.set_clock(dt.datetime(2025, 4, 3, 9, 0))
    assert not ClockSetting.objects.exists()


def test_in_production_the_clock_cannot_be_set(settings, db):
    settings.DEMO_FEATURES = False
    with pytest.raises(PermissionDenied):
        clock.set_clock(SET_TO, by="test")
    assert not ClockSetting.objects.exists()


def test_in_production_a_stored_setting_is_ignored(settings, db):
    ClockSetting.objects.create(pk=1, set_to=SET_TO, set_at=timezone.now(), set_by="left over")
    settings.DEMO_FEATURES = False
    clock.invalidate()
    assert not clock.is_set()
    assert close_to(clock.now(), timezone.now())


def test_the_access_policy_asks_the_portal_clock(circulars, places):
    from maintenance.access import decide_for

    clock.set_clock(dt.datetime(2025, 4, 10, 9, 0, tzinfo=BANGKOK), by="test")
    assert decide_for(places.lao, "verify_identity").allowed
    clock.set_clock(dt.datetime(2025, 4, 22, 0, 0, tzinfo=BANGKOK), by="test")
    assert not decide_for(places.lao, "verify_identity").allowed


# --- the command ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "2568-04-03T09:00",
        to_thai_digits("2568-04-03T09:00"),
        "2025-04-03T09:00",
        "2025-04-03T02:00:00+00:00",
    ],
    ids=["buddhist-era", "thai-digits", "common-era", "utc-offset"],
)
def test_the_set_clock_command_reads_buddhist_era_years_and_thai_digits(db, typed):
    out = StringIO()
    call_command("set_clock", typed, stdout=out)
    assert close_to(clock.now(), SET_TO)
    assert ClockSetting.objects.get().set_by == "set_clock command"
    assert format_datetime(SET_TO, "en") in out.getvalue()


def test_the_set_clock_command_resets_the_clock(db):
    call_command("set_clock", "2568-04-03T09:00", stdout=StringIO())
    out = StringIO()
    call_command("set_clock", "--reset", stdout=out)
    assert not clock.is_set()
    assert close_to(clock.now(), timezone.now())


@pytest.mark.parametrize("typed", ["tomorrow", "2568-02-30T09:00", "2568-13-01T00:00"])
def test_the_set_clock_command_says_what_it_could_not_read(db, typed):
    with pytest.raises(CommandError) as exc:
        call_command("set_clock", typed, stdout=StringIO())
    assert typed in str(exc.value)
    assert not ClockSetting.objects.exists()


def test_the_set_clock_command_wants_an_instant_or_reset(db):
    with pytest.raises(CommandError):
        call_command("set_clock", stdout=StringIO())


def test_the_set_clock_command_refuses_in_production(settings, db):
    settings.DEMO_FEATURES = False
    with pytest.raises(CommandError) as exc:
        call_command("set_clock", "2568-04-03T09:00", stdout=StringIO())
    assert "production" in str(exc.value)
    assert not ClockSetting.objects.exists()


# --- the banner -----------------------------------------------------------------------------------


def status_page(client, lang="en") -> str:
    client.cookies["django_language"] = lang
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_status_page_shows_the_demo_banner_while_the_clock_is_set(client, circulars):
    clock.set_clock(SET_TO, by="test")
    page = status_page(client)
    assert "Demo clock" in page
    assert format_datetime(SET_TO, "en")[: len("3 Apr 2025 09:0")] in page


def test_the_thai_status_page_shows_the_banner_with_the_buddhist_era_date(client, circulars):
    clock.set_clock(SET_TO, by="test")
    page = status_page(client, "th")
    banner = page.split('role="status"')[1].split("</div>")[0]
    assert "3 เม.ย. 2568 09:0" in banner


def test_no_banner_on_the_real_clock(client, circulars):
    assert "Demo clock" not in status_page(client)


def test_the_banner_goes_once_the_clock_is_reset(client, circulars):
    clock.set_clock(SET_TO, by="test")
    assert "Demo clock" in status_page(client)
    clock.reset_clock()
    assert "Demo clock" not in status_page(client)


def test_no_banner_in_production_even_with_a_stored_setting(client, circulars, settings):
    ClockSetting.objects.create(pk=1, set_to=SET_TO, set_at=timezone.now(), set_by="left over")
    settings.DEMO_FEATURES = False
    clock.invalidate()
    assert "Demo clock" not in status_page(client)
