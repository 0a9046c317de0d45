"""Thai national ID numbers: checksum checked, kept only as a keyed hash and the last 4 digits."""

import datetime as dt
import hashlib
import hmac

import pytest
from django.db import connection

from core.national_id import NationalIdError, checksum_ok, keyed_hash, normalize
from core.thai import to_thai_digits


def with_check_digit(first12: str) -> str:
    """The 13-digit number whose last digit the DOPA checksum gives for these twelve."""
    assert len(first12) == 12 and first12.isdigit()
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


def wrong_check_digit(number: str) -> str:
    return number[:12] + str((int(number[12]) + 1) % 10)


# Twelve-digit stems chosen so that the check digits run over several values, 0 among them.
STEMS = [
    "110170020345",
    "310080012345",
    "123456789012",
    "500000000000",
    "999999999999",
    "141990012345",
]
VALID = [with_check_digit(stem) for stem in STEMS]


def test_the_stems_give_different_check_digits_so_the_algorithm_is_really_exercised():
    assert len({n[12] for n in VALID}) >= 4


@pytest.mark.parametrize("number", VALID)
def test_a_number_with_the_right_check_digit_is_accepted(number):
    assert checksum_ok(number)
    assert normalize(number) == number


@pytest.mark.parametrize("number", VALID)
def test_a_number_with_any_other_check_digit_is_rejected(number):
    for digit in "0123456789":
        if digit == number[12]:
            continue
        wrong = number[:12] + digit
        assert not checksum_ok(wrong)
        with pytest.raises(NationalIdError) as exc:
            normalize(wrong)
        assert "last digit" in str(exc.value.message) or "หลักสุดท้าย" in str(exc.value.message)


def test_two_swapped_digits_are_caught_by_the_checksum():
    number = with_check_digit("123456789012")
    swapped = number[1] + number[0] + number[2:]
    assert not checksum_ok(swapped)


def test_thai_digits_are_accepted_and_give_arabic_digits():
    number = VALID[0]
    assert normalize(to_thai_digits(number)) == number


@pytest.mark.parametrize(
    "written",
    [
        "{0}-{1}-{2}-{3}-{4}",
        "{0} {1} {2} {3} {4}",
        "  {0}-{1} {2}-{3} {4}  ",
    ],
)
def test_spaces_and_dashes_as_people_write_them_are_accepted(written):
    n = VALID[1]
    typed = written.format(n[0], n[1:5], n[5:10], n[10:12], n[12])
    assert normalize(typed) == n
    assert normalize(to_thai_digits(typed)) == n


@pytest.mark.parametrize(
    "typed", ["1101700A03451", "ABCDEFGHIJKLM", "1-1017-00203-45-x", "๑๑๐๑๗๐๐๒๐๓๔๕ก"]
)
def test_letters_are_rejected(typed):
    with pytest.raises(NationalIdError) as exc:
        normalize(typed)
    assert "13" in str(exc.value.message)


@pytest.mark.parametrize("count", [1, 12, 14, 20])
def test_a_number_of_the_wrong_length_is_rejected_with_a_message_that_names_the_count(count):
    typed = ("1234567890" * 2)[:count]
    with pytest.raises(NationalIdError) as exc:
        normalize(typed)
    message = str(exc.value.message)
    assert str(count) in message
    assert "13" in message


@pytest.mark.parametrize("typed", ["", "   ", None, " - - "])
def test_an_empty_number_asks_for_the_number(typed):
    with pytest.raises(NationalIdError) as exc:
        normalize(typed)
    assert "13" in str(exc.value.message)


def test_the_keyed_hash_is_the_hmac_sha256_of_the_digits_under_the_key(settings):
    settings.NATIONAL_ID_HASH_KEY = "test-key-one"
    expected = hmac.new(b"test-key-one", VALID[0].encode(), hashlib.sha256).hexdigest()
    assert keyed_hash(VALID[0]) == expected
    assert len(expected) == 64


def test_the_keyed_hash_is_stable_for_one_number(settings):
    settings.NATIONAL_ID_HASH_KEY = "test-key-one"
    assert keyed_hash(VALID[0]) == keyed_hash(VALID[0])
    assert keyed_hash(VALID[0]) != keyed_hash(VALID[1])


def test_the_keyed_hash_differs_under_another_key(settings):
    settings.NATIONAL_ID_HASH_KEY = "test-key-one"
    first = keyed_hash(VALID[0])
    settings.NATIONAL_ID_HASH_KEY = "test-key-two"
    assert keyed_hash(VALID[0]) != first
    settings.NATIONAL_ID_HASH_KEY = "test-key-one"
    assert keyed_hash(VALID[0]) == first


def test_the_keyed_hash_is_not_a_plain_hash_of_the_number():
    assert keyed_hash(VALID[0]) != hashlib.sha256(VALID[0].encode()).hexdigest()


# --- what the database keeps --------------------------------------------------------------------


def _every_value_in_every_table():
    """(table, column, value as text) for every cell of every table of the test database."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    yield table, column, str(value)


def _forms_of(number: str) -> list[str]:
    dashed = f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}"
    return [number, to_thai_digits(number), dashed, to_thai_digits(dashed), number[:9]]


def test_after_a_request_no_table_holds_the_full_national_id(
    actors, places, circulars, portal_clock
):
    from onboarding import services
    from onboarding.models import HistoricalVerificationRequest, VerificationRequest

    portal_clock("2025-04-10T09:00:00+07:00")
    number = with_check_digit("381020045678")
    clerk = actors["lao_clerk"]
    data = services.RequestData(
        full_name="สมศรี ใจดี",
        national_id=normalize(to_thai_digits(number)),
        position="permanent_secretary",
        appointment_order_number="คำสั่ง 12/2567",
        appointment_date=dt.date(2024, 10, 1),
        consent=True,
    )
    vr = services.create_request(requester=clerk, organization=places.lao, data=data, submit=False)
    # a correction that keeps the number, then a withdrawal: more history rows to scan
    services.update_request(
        vr.pk,
        actor=clerk,
        expected_version=vr.version,
        submit=False,
        data=services.RequestData(
            **{**data.__dict__, "national_id": "", "full_name": "สมศรี ใจดีมาก"}
        ),
    )
    vr.refresh_from_db()
    services.withdraw_request(vr.pk, actor=clerk, expected_version=vr.version)

    vr.refresh_from_db()
    assert vr.national_id_last4 == number[-4:]
    assert vr.national_id_hash == keyed_hash(number)
    assert "".join(c for c in vr.masked_national_id if c.isdigit()) == number[-4:]
    assert HistoricalVerificationRequest.objects.filter(id=vr.pk).count() == 3

    # the row and its history, column by column
    for model in (VerificationRequest, HistoricalVerificationRequest):
        for row in model.objects.filter(pk__isnull=False).values():
            for column, value in row.items():
                for form in _forms_of(number):
                    assert form not in str(value), f"{model.__name__}.{column} holds {form!r}"
    # and every other table, read raw
    for table, column, value in _every_value_in_every_table():
        for form in _forms_of(number):
            assert form not in value, f"{table}.{column} holds {form!r}"


def test_the_history_does_not_even_keep_the_keyed_hash():
    from onboarding.models import HistoricalVerificationRequest

    names = {f.name for f in HistoricalVerificationRequest._meta.get_fields()}
    assert "national_id_hash" not in names
    assert "national_id_last4" in names
