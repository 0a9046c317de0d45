"""Thai national ID numbers: checksum checked, kept only as a keyed hash and the last 4 digits."""

import datetime as dt
import hashlib
import hmac

import pytest
from django.db import connection

from core.national_id import (
    NationalIdError,
    check_digit,
    checksum_ok,
    keyed_hash,
    normalize,
    with_check_digit,
)
from core.thai import to_thai_digits

# Valid numbers, their check digits worked out by hand (never with the code under test): the
# first twelve digits weighted 13, 12, ..., 2, summed; the check digit is (11 - sum mod 11) mod 10.
# Each comment: the non-zero products, their sum, the sum mod 11, the check digit.
VALID = [
    # 1-1017-00230-70-8: 13+12+10+63+12+15+21 = 146; 146 mod 11 = 3; 11-3 = 8
    "1101700230708",
    # 1-1017-00203-45-0: 13+12+10+63+12+12+12+10 = 144; mod 11 = 1; 11-1 = 10 -> 0
    "1101700203450",
    # 13 + 5*2 = 23; mod 11 = 1; 10 -> 0
    "1000000000050",
    # 13 + 3*3 = 22; mod 11 = 0; 11 -> 1 (a sum divisible by 11)
    "1000000000301",
    # 13+24+33+40+45+48+49+48+45+0+3+4 = 352 = 32*11; mod 11 = 0; 11 -> 1
    "1234567890121",
    # 3*13 + 1*12 = 51; mod 11 = 7; 11-7 = 4
    "3100000000004",
    # 13 + 2*12 = 37; mod 11 = 4; 11-4 = 7
    "1200000000007",
    # 13; mod 11 = 2; 11-2 = 9
    "1000000000009",
    # 9 * (13+12+...+2 = 90) = 810; 810 - 803 = 7; 11-7 = 4
    "9999999999994",
    # 5 * 90 = 450; 450 - 440 = 10; 11-10 = 1
    "5555555555551",
]
# Invalid numbers, by hand too.
INVALID = [
    "1101700230707",  # VALID[0] with its last digit changed (8 expected)
    "1101700230709",
    "1011700230708",  # VALID[0] with its 2nd and 3rd digits swapped: 145; mod 11 = 2; 9 expected
    "1111111111111",  # 90; mod 11 = 2; 9 expected
    "0000000000000",  # 0; mod 11 = 0; 1 expected
    "1234567890123",  # 352 as above: 1 expected
]


def test_the_hand_worked_numbers_cover_every_case_of_the_check_digit():
    # 11 - r for r = 0 (gives 11, so 1), r = 1 (gives 10, so 0), and ordinary remainders
    assert {n[12] for n in VALID} >= {"0", "1", "4", "7", "8", "9"}


@pytest.mark.parametrize("number", VALID)
def test_a_number_with_the_right_check_digit_is_accepted(number):
    assert checksum_ok(number)
    assert normalize(number) == number
    assert check_digit(number[:12]) == number[12]
    assert with_check_digit(number[:12]) == number


@pytest.mark.parametrize("number", INVALID)
def test_a_number_with_a_wrong_check_digit_is_rejected(number):
    assert not checksum_ok(number)
    with pytest.raises(NationalIdError) as exc:
        normalize(number)
    assert "last digit" in str(exc.value.message) or "หลักสุดท้าย" in str(exc.value.message)


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
    number = "1234567890121"
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


# --- digits of other scripts and other characters ----------------------------------------------

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
OTHER_DIGITS = {
    "superscript": ("1101700230708".translate(SUPERSCRIPT), "¹"),
    "arabic-indic": ("1101700230708".translate(ARABIC_INDIC), "١"),
    "full-width": ("1101700230708".translate(FULL_WIDTH), "１"),
    "one-arabic-indic-digit-among-ascii": ("110170023070٨", "٨"),
    "devanagari": ("१101700230708", "१"),
}


@pytest.mark.parametrize(("typed", "shown"), OTHER_DIGITS.values(), ids=list(OTHER_DIGITS))
@pytest.mark.parametrize("lang", ["th", "en"])
def test_digits_of_other_scripts_are_refused_with_a_message_naming_the_digit(typed, shown, lang):
    from django.utils import translation

    with translation.override(lang), pytest.raises(NationalIdError) as exc:
        normalize(typed)
    with translation.override(lang):
        message = str(exc.value.message)
        expected = translation.gettext(
            "“%(char)s” is a digit the portal does not read: type the 13 digits of the "
            "national ID number with Thai (๐-๙) or Arabic (0-9) digits."
        ) % {"char": shown}
    assert message == expected
    if lang == "th":
        assert "หลัก" in message  # really Thai, not the English msgid


@pytest.mark.parametrize(("typed", "_shown"), OTHER_DIGITS.values(), ids=list(OTHER_DIGITS))
def test_digits_of_other_scripts_are_never_hashed(settings, typed, _shown):
    with pytest.raises(NationalIdError):
        keyed_hash(typed)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1101700230708\u200b", "U+200B"),  # a zero-width space pasted from a document
        ("\u202e1101700230708", "U+202E"),  # a right-to-left override
        ("1101700230708\ufeff", "U+FEFF"),
        ("1.1017.00230.70.8", "."),
        ("1/1017/00230/70/8", "/"),
    ],
)
def test_other_characters_are_refused_with_a_message_naming_them(typed, shown):
    with pytest.raises(NationalIdError) as exc:
        normalize(typed)
    message = str(exc.value.message)
    assert f"“{shown}”" in message
    assert "13" in message


@pytest.mark.parametrize(
    "typed",
    [
        "1 1017 00230 70 8",
        "1\u00a01017\u00a000230\u00a070\u00a08",  # no-break spaces, as a PDF copies them
        "1–1017–00230–70–8",  # en dashes, as a word processor writes them
        "1‑1017‑00230‑70‑8",  # non-breaking hyphens
        "๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘",
        "\t1101700230708\n",
    ],
)
def test_spaces_and_dashes_of_any_kind_separate_groups(typed):
    assert normalize(typed) == "1101700230708"


def test_one_number_in_thai_and_in_ascii_digits_gives_one_hash(settings):
    settings.NATIONAL_ID_HASH_KEY = "test-key-one"
    ascii_digits = "1101700230708"
    assert keyed_hash("๑๑๐๑๗๐๐๒๓๐๗๐๘") == keyed_hash(ascii_digits)
    assert keyed_hash("1-1017-00230-70-8") == keyed_hash(ascii_digits)


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
    # 39+96+11+18+24+25+24+21+16 = 274; 274 mod 11 = 10; 11-10 = 1
    number = "3810200456781"
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
