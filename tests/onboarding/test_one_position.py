"""One person, one position per LAO: a national ID already in a live request of the LAO for
another position is refused, in the service (inside its transaction) and on the form."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.national_id import keyed_hash
from core.thai import to_thai_digits
from onboarding import services
from onboarding.models import Evidence, VerificationRequest
from tests.actors import login

IN_THE_WINDOW = "2025-04-10T09:00:00+07:00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
# Valid numbers worked out by hand (tests/onboarding/test_national_id.py shows the arithmetic).
SOMSRI = "1101700230708"
MANEE = "3100000000004"
TAKEN = (
    "This national ID number is already given in another request of this organisation, for the "
    "position “%(position)s” (%(state)s). One person may hold only one position per LAO: check "
    "the number, or have that request withdrawn first."
)


@pytest.fixture
def window(actors, places, portal_clock, circulars):
    portal_clock(IN_THE_WINDOW)
    return places


@pytest.fixture
def second_account(finance_director):
    """A finance director's account at the same LAO (the same person as lao_clerk, or not)."""
    return finance_director


def pdf():
    return SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf")


def data(position, number):
    return services.RequestData(
        full_name="สมศรี ใจดี",
        national_id=number,
        position=position,
        appointment_order_number="123/2567",
        appointment_date=dt.date(2024, 10, 1),
        consent=True,
    )


def file(user, org, position, number, *, submit=True):
    return services.create_request(
        requester=user,
        organization=org,
        data=data(position, number),
        files=[pdf()] if submit else [],
        submit=submit,
    )


def message(lang, **params) -> str:
    with translation.override(lang):
        text = translation.gettext(TAKEN)
        if lang == "th":
            assert text != TAKEN, "not translated into Thai"
        return text % params


def position_and_state(vr, lang) -> dict:
    with translation.override(lang):
        return {"position": vr.get_position_display(), "state": vr.get_state_display()}


# --- the service ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [SOMSRI, to_thai_digits(SOMSRI), "1-1017-00230-70-8", "๑ ๑๐๑๗ ๐๐๒๓๐ ๗๐ ๘"],
    ids=["ascii", "thai-digits", "dashes", "thai-digits-with-spaces"],
)
def test_one_national_id_cannot_fill_a_second_position_of_the_lao_however_it_is_typed(
    window, actors, second_account, typed
):
    first = file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI)

    with translation.override("en"), pytest.raises(services.NationalIdRefused) as refused:
        file(second_account, window.lao, "finance_director", typed)

    assert refused.value.field == "national_id"
    assert str(refused.value.message) == message("en", **position_and_state(first, "en"))
    assert list(VerificationRequest.objects.values_list("pk", flat=True)) == [first.pk]
    assert Evidence.objects.count() == 1


def test_one_person_approved_for_one_position_cannot_make_the_lao_verified_alone(
    window, actors, second_account
):
    first = file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI)
    services.approve_request(
        first.pk, actor=actors["province_officer"], expected_version=first.version
    )
    with pytest.raises(services.NationalIdRefused):
        file(second_account, window.lao, "finance_director", to_thai_digits(SOMSRI))
    window.lao.refresh_from_db()
    assert window.lao.identity_verified_at is None


def test_arabic_indic_digits_of_the_same_number_are_refused_not_hashed_a_second_time(
    window, actors, second_account
):
    file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI)
    arabic_indic = SOMSRI.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    with pytest.raises(services.NationalIdRefused) as refused, translation.override("en"):
        file(second_account, window.lao, "finance_director", arabic_indic)

    assert "does not read" in str(refused.value.message)
    assert VerificationRequest.objects.count() == 1


@pytest.mark.parametrize("how", ["withdrawn", "rejected"])
def test_a_withdrawn_or_rejected_request_frees_the_number_for_another_position(
    window, actors, second_account, how
):
    first = file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI)
    if how == "withdrawn":
        services.withdraw_request(
            first.pk, actor=actors["lao_clerk"], expected_version=first.version
        )
    else:
        services.reject_request(
            first.pk,
            actor=actors["province_officer"],
            expected_version=first.version,
            reason="ผิดคน",
        )

    second = file(second_account, window.lao, "finance_director", SOMSRI)

    assert second.state == "submitted"


def test_a_draft_counts_as_much_as_a_submitted_request(window, actors, second_account):
    file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI, submit=False)
    with pytest.raises(services.NationalIdRefused):
        file(second_account, window.lao, "finance_director", SOMSRI, submit=False)


def test_the_same_number_at_another_lao_is_not_refused(window, actors, places):
    file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI)
    elsewhere = file(actors["other_lao_clerk"], places.other_lao, "finance_director", SOMSRI)
    assert elsewhere.state == "submitted"


def test_a_correction_to_a_number_taken_for_another_position_is_refused_and_changes_nothing(
    window, actors, second_account
):
    file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI)
    mine = file(second_account, window.lao, "finance_director", MANEE, submit=False)

    with pytest.raises(services.NationalIdRefused):
        services.update_request(
            mine.pk,
            actor=second_account,
            expected_version=mine.version,
            data=data("finance_director", SOMSRI),
            submit=False,
        )

    mine.refresh_from_db()
    assert (mine.version, mine.national_id_hash) == (1, keyed_hash(MANEE))


def test_submitting_a_draft_that_shares_its_number_with_another_position_is_refused(
    window, actors, second_account
):
    """Pairs saved before the rule existed (here written straight to the table) stop at submit."""
    file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI)
    mine = file(second_account, window.lao, "finance_director", MANEE, submit=False)
    Evidence.objects.create(
        request=mine,
        file="evidence/x.pdf",
        original_name="order.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_at=mine.created_at,
        uploaded_by=second_account,
    )
    VerificationRequest.objects.filter(pk=mine.pk).update(national_id_hash=keyed_hash(SOMSRI))

    with pytest.raises(services.NationalIdRefused):
        services.submit_request(mine.pk, actor=second_account, expected_version=mine.version)

    mine.refresh_from_db()
    assert mine.state == "draft"


# --- the form ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_form_shows_why_the_number_is_refused_beside_the_field(
    client, window, actors, second_account, lang
):
    from django.conf import settings

    first = file(actors["lao_clerk"], window.lao, "permanent_secretary", SOMSRI)
    login(client, second_account)
    if lang != "th":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang

    response = client.post(
        reverse("onboarding:request_new", args=[window.lao.pk]),
        {
            "full_name": "มานี มีเงิน",
            "national_id": to_thai_digits("1-1017-00230-70-8"),
            "position": "finance_director",
            "appointment_order_number": "123/2567",
            "appointment_date": "1/10/2567",
            "evidence": pdf(),
            "consent": "on",
            "submit": "1",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    expected = escape(message(lang, **position_and_state(first, lang)))
    assert expected in page
    national_id_field = page.split('name="national_id"')[1].split('name="position"')[0]
    assert expected in national_id_field
    assert VerificationRequest.objects.count() == 1
