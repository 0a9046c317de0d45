"""Thai conventions: digits, Buddhist-era dates, typed dates."""

import datetime as dt

import pytest

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
