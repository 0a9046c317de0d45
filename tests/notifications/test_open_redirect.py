"""Sending a message again goes back to the page the officer was on, never to another site."""

import pytest

from notifications.models import Status
from tests.actors import login
from tests.notifications.test_views import note


@pytest.mark.parametrize(
    "target",
    [
        "https://elsewhere.example/",
        "//elsewhere.example/inbox/log/",
        "http://testserver.elsewhere.example/",
        "https:/elsewhere.example/",
        "javascript:alert(1)",
    ],
)
def test_resend_with_a_next_on_another_site_goes_back_to_the_delivery_log(client, actors, target):
    failed = note(actors["lao_clerk"], status=Status.FAILED)
    login(client, actors["province_officer"])
    response = client.post(f"/inbox/log/{failed.pk}/resend/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/log/"


def test_resend_goes_back_to_the_filtered_log_page_it_was_sent_from(client, actors):
    failed = note(actors["lao_clerk"], status=Status.FAILED)
    login(client, actors["province_officer"])
    response = client.post(
        f"/inbox/log/{failed.pk}/resend/", {"next": "/inbox/log/?status=failed&page=2"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/inbox/log/?status=failed&page=2"


@pytest.mark.parametrize("target", ["-1", "%", "²", "9999-12-31", "log"])
def test_resend_with_a_next_that_is_no_path_goes_back_to_the_delivery_log(client, actors, target):
    """`redirect()` took such a `next` for the name of a view and answered 500 (fuzz tests)."""
    failed = note(actors["lao_clerk"], status=Status.FAILED)
    login(client, actors["province_officer"])
    response = client.post(f"/inbox/log/{failed.pk}/resend/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/log/"
