"""The decision API and the liveness check go through a lean handler (elaas_portal/wsgi.py):
the same answer as through the whole middleware chain, with the security headers and the host
check kept, and a clear 400 for a bad parameter."""

import json

import pytest
from django.test import RequestFactory

from tests.wsgi import call_wsgi

QUESTION = (
    "/api/policy/decision?entity_type=lao&action=verify_identity"
    "&at=2025-04-10T12:00:00%2B07:00&identity_verified=false"
)

pytestmark = pytest.mark.django_db


def call(path, **extra):
    """GET `path` through the real WSGI entry point: (status, headers, body)."""
    status, headers, body = call_wsgi(RequestFactory().get(path, **extra).environ)
    return status, dict(headers), body


def test_the_lean_door_answers_as_the_whole_chain_does(client, circulars):
    status, headers, body = call(QUESTION)
    assert status == 200
    assert body == client.get(QUESTION).content
    assert json.loads(body)["allowed"] is True
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_lean_door_still_refuses_an_unknown_host(settings, circulars):
    settings.ALLOWED_HOSTS = ["portal.example"]
    status, _headers, _body = call(QUESTION, HTTP_HOST="elsewhere.example")
    assert status == 400


def test_a_bad_parameter_at_the_lean_door_is_a_clear_400(circulars):
    status, _headers, body = call("/api/policy/decision?entity_type=lao&action=fly")
    assert status == 400
    assert json.loads(body)["param"] == "action"


def test_other_pages_go_through_the_whole_chain(circulars):
    status, headers, body = call("/")
    assert status == 200
    assert "Content-Language" in headers or "Vary" in headers  # LocaleMiddleware ran
    assert call("/inbox/")[0] == 302  # login required: the whole chain


def test_an_anonymous_visitor_gets_the_same_status_page_through_the_lean_door(client, circulars):
    status, headers, body = call("/")
    assert status == 200
    assert body == client.get("/").content
    assert headers["X-Frame-Options"] == "DENY"


def test_a_visitor_with_a_session_goes_through_the_whole_chain(client, circulars, actors):
    from tests.actors import login

    login(client, actors["lao_clerk"])
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    status, _headers, body = call("/", HTTP_COOKIE=cookie)
    assert status == 200
    assert actors["lao_clerk"].full_name in body.decode()  # their name in the header
