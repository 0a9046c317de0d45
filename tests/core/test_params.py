"""The readers of core/params.py that the fuzz tests (tests/fuzz/) caught out."""

import pytest
from django.test import RequestFactory

from core.params import next_url


@pytest.mark.parametrize(
    "raw",
    [
        "/inbox/log/?status=failed&page=2",
        "/",
        "http://testserver/inbox/",
    ],
)
def test_next_url_keeps_a_page_of_this_site(raw):
    assert next_url(RequestFactory().get("/"), raw, "/fallback/") == raw


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "javascript:alert(1)",
        # not a path: redirect() took these for the names of views and answered 500
        "-1",
        "%",
        "²",
        "inbox",
        "9999-12-31",
    ],
)
def test_next_url_falls_back_for_anything_else(raw):
    assert next_url(RequestFactory().get("/"), raw, "/fallback/") == "/fallback/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/oidc/%00/login/", "/accounts/oidc/%01/login/callback/"]
)
def test_a_control_character_in_thaids_provider_id_is_no_such_page(client, path):
    """accounts/thaid/urls.py: the provider's id is a slug; PostgreSQL refuses a NUL in a query."""
    assert client.get(path).status_code == 404
