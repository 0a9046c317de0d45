"""A person's name as typed at sign-up loses its invisible direction and zero-width controls."""

import pytest
from django.urls import reverse

from accounts.models import User

RLO, ZWSP, ZWJ, LRM, FSI, PDI, BOM = (
    "\u202e",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u2068",
    "\u2069",
    "\ufeff",
)


@pytest.fixture
def open_for_signup(places, portal_clock, circulars):
    portal_clock("2025-04-10T09:00:00+07:00")
    return places


def signup_form(org, full_name):
    return {
        "email": "new-clerk@test.example",
        "password1": "a-long-test-password-2568",
        "password2": "a-long-test-password-2568",
        "full_name": full_name,
        "phone": "042-511-000",
        "organization": org.pk,
        "position": "finance_director",
    }


def test_direction_and_zero_width_controls_are_stripped_from_the_name_at_sign_up(
    client, open_for_signup, mailoutbox
):
    typed = f"{ZWSP}สมหญิง{RLO} {LRM}ตั้ง{ZWJ}ใจ{FSI}x{PDI}{BOM}"
    response = client.post(reverse("account_signup"), signup_form(open_for_signup.lao, typed))

    assert response.status_code == 302
    assert User.objects.get(email="new-clerk@test.example").full_name == "สมหญิง ตั้งใจx"


def test_a_name_of_nothing_but_invisible_controls_is_refused_at_sign_up(
    client, open_for_signup, mailoutbox
):
    response = client.post(
        reverse("account_signup"), signup_form(open_for_signup.lao, f"{ZWSP}{RLO}{BOM}")
    )

    assert response.status_code == 200  # allauth shows the form again
    assert "กรุณากรอกชื่อ-นามสกุล" in response.content.decode()
    assert not User.objects.filter(email="new-clerk@test.example").exists()
    assert mailoutbox == []
