"""Thai conventions: digits, Buddhist-era dates, typed dates."""

import datetime as dt

import pytest

from core import thai
from core.thai import (
    ThaiDateError,
    format_date,
    format_datetime,
    normalize_number,
    parse_date,
)


@pytest.mark.parametrize(
    "typed",
    [
        "5/4/2568",
        "๕/๔/๒๕๖๘",
        "05-04-2025",
        "2025-04-05",
        "2568-04-05",
        "5 เม.ย. 2568",
        "๕ เมษายน ๒๕๖๘",
        "5 เมษาฯ 2568",
        "5 April 2025",
        "5 Apr 2025",
    ],
)
def test_a_date_is_read_however_a_thai_user_types_it(typed):
    assert parse_date(typed) == dt.date(2025, 4, 5)


@pytest.mark.parametrize(
    "typed", ["", "31/2/2568", "29/2/2568", "5/13/2568", "วันพรุ่งนี้", "5 ม.ค.ย. 2568"]
)
def test_a_date_that_does_not_exist_is_refused(typed):
    with pytest.raises(ThaiDateError):
        parse_date(typed)


def test_29_february_2567_exists_because_2024_was_a_leap_year():
    assert parse_date("29/2/2567") == dt.date(2024, 2, 29)


def test_dates_are_written_in_the_buddhist_era_in_thai_and_common_era_in_english():
    assert format_date(dt.date(2025, 4, 2)) == "2 เม.ย. 2568"
    assert format_date(dt.date(2025, 4, 2), full=True) == "2 เมษายน 2568"
    assert format_date(dt.date(2025, 4, 2), "en") == "2 Apr 2025"


def test_a_utc_instant_is_written_in_bangkok_time():
    instant = dt.datetime(2025, 4, 21, 16, 59, 59, tzinfo=dt.UTC)
    assert format_datetime(instant) == "21 เม.ย. 2568 23:59:59 น."
    assert format_datetime(instant + dt.timedelta(seconds=1), "en") == "22 Apr 2025 00:00"


def test_letter_numbers_normalise_across_digit_sets_and_spacing():
    assert (
        normalize_number("มท ๐๘๐๘.๔/ว ๑๕๔๑")
        == normalize_number("มท 0808.4 / ว1541")
        == "มท 0808.4/ว 1541"
    )


# --- deadlines ----------------------------------------------------------------------------------


def _bkk(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=thai.BANGKOK)


def test_a_window_ending_at_midnight_is_due_the_day_before_in_thai_words_and_digits():
    end = _bkk("2025-04-22T00:00:00")  # the window's last second is 21 April 23:59:59
    assert thai.format_deadline(end, "th") == "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘"
    assert thai.format_deadline(end, "en") == "by 21 April 2025"


def test_a_deadline_is_the_same_from_utc_and_from_bangkok():
    end = dt.datetime(2025, 4, 21, 17, 0, tzinfo=dt.UTC)  # 22 April 00:00 in Bangkok
    assert thai.format_deadline(end, "th") == "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘"


def test_an_end_one_second_before_midnight_keeps_its_day_and_time():
    end = _bkk("2025-04-21T23:59:59")
    assert thai.format_deadline(end, "th") == "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘ เวลา ๒๓.๕๙ น."
    assert thai.format_deadline(end, "en") == "by 21 April 2025, 23:59"


def test_an_end_at_the_first_midnight_of_a_year_is_due_on_the_last_day_of_the_one_before():
    end = _bkk("2026-01-01T00:00:00")
    assert thai.format_deadline(end, "th") == "ภายในวันที่ ๓๑ ธันวาคม ๒๕๖๘"
    assert thai.format_deadline(end, "en") == "by 31 December 2025"


def test_an_end_in_the_afternoon_says_the_hour():
    end = _bkk("2025-04-05T16:30:00")
    assert thai.format_deadline(end, "th") == "ภายในวันที่ ๕ เมษายน ๒๕๖๘ เวลา ๑๖.๓๐ น."


def test_no_end_is_no_deadline():
    assert thai.format_deadline(None, "th") == ""
