"""The decision API's own door (elaas_portal/decision_door.py): a plain question is answered
without Django's request cycle, with the same bytes and headers as the lean Django door; every
other request is the lean Django door's."""

import json

import pytest
from django.test import RequestFactory

from elaas_portal import wsgi
from maintenance.snapshot import current_policy, forget
from tests.wsgi import call_wsgi

pytestmark = pytest.mark.django_db

PATH = "/api/policy/decision"
PLAIN = (
    "entity_type=lao&action=verify_identity&at=2025-04-10T12:00:00%2B07:00&identity_verified=false"
)
QUESTIONS = [
    PLAIN,
    "entity_type=lao&action=use_system&at=2025-04-21T23:59:59%2B07:00&identity_verified=true",
    "entity_type=lao&action=verify_identity&at=2025-04-22T00:00:00%2B07:00&identity_verified=false",
    "entity_type=unit&action=use_system&at=2025-04-03T23:59:59%2B07:00",
    "entity_type=unit&action=use_system&at=2025-04-04T00:00:00",  # no offset: Bangkok
    "entity_type=lao&action=verify_identity&at=๒๕๖๘-๐๔-๐๕T๐๐:๐๐:๐๐&identity_verified=false",
    "entity_type=lao&action=verify_identity&at=2568-03-27T00:00:00%2B07:00&identity_verified=TRUE",
]


@pytest.fixture
def door(monkeypatch, circulars, settings):
    """The door as a fresh process has it (nothing learned), with its fallback watched; the
    rules kept for a while, as production keeps them."""
    settings.POLICY_RULES_CACHE_SECONDS = 60
    fallback = wsgi.decisions.fallback
    seen = []

    def watched(environ, start_response):
        seen.append(environ.get("QUERY_STRING"))
        return fallback(environ, start_response)

    monkeypatch.setattr(wsgi.decisions, "headers", None)
    monkeypatch.setattr(wsgi.decisions, "fallback", watched)
    forget()
    current_policy()  # the snapshot a busy process keeps
    yield seen
    forget()


def call(query, *, secure=True, method="get", **extra):
    extra.setdefault("HTTP_HOST", "testserver")  # as every HTTP/1.1 client sends it
    environ = getattr(RequestFactory(), method)(PATH, secure=secure, **extra).environ
    environ["QUERY_STRING"] = query.encode().decode("iso-8859-1")  # as a WSGI server passes it
    return call_wsgi(environ)


def without_request_id(headers):
    return [(k, v) for k, v in headers if k != "X-Request-ID"]


def test_after_django_answered_once_the_door_answers_with_the_same_bytes_and_headers(door):
    by_django = call(PLAIN)
    assert door == [PLAIN]  # the first: by Django, whose headers the door learns
    by_door = call(PLAIN)
    assert door == [PLAIN]  # the second: by the door
    assert by_door[0] == by_django[0] == 200
    assert by_door[2] == by_django[2]
    assert without_request_id(by_door[1]) == without_request_id(by_django[1])
    names = {k for k, _v in by_door[1]}
    assert {"Content-Security-Policy", "X-Frame-Options", "X-Request-ID"} <= names


@pytest.mark.parametrize("query", QUESTIONS)
def test_every_plain_question_gets_the_views_answer(door, client, query):
    call(PLAIN)  # learned
    status, _headers, body = call(query)
    assert door == [PLAIN], query  # answered by the door
    expected = client.get(f"{PATH}?{query}", secure=True)
    assert (status, body) == (expected.status_code, expected.content)


@pytest.mark.parametrize(
    ("query", "secure", "method", "extra", "status"),
    [
        ("entity_type=lao&action=fly", True, "get", {}, 400),  # Django's clear 400
        ("entity_type=lao&action=verify_identity&at=soon", True, "get", {}, 400),
        ("org=9999999&action=use_system&at=2025-04-10T12:00:00%2B07:00", True, "get", {}, 400),
        (PLAIN, False, "get", {}, 200),  # not over https: Django's (its redirect where set)
        (PLAIN, True, "head", {}, 200),
        (PLAIN, True, "get", {"HTTP_HOST": "elsewhere.example"}, 400),
    ],
)
def test_anything_but_a_plain_question_is_answered_by_django(
    door, settings, query, secure, method, extra, status
):
    settings.ALLOWED_HOSTS = ["testserver"]
    call(PLAIN)  # learned
    got = call(query, secure=secure, method=method, **extra)
    assert door == [PLAIN, query]
    assert got[0] == status
    if status == 400 and "HTTP_HOST" not in extra:
        assert json.loads(got[2])["param"] in {"action", "at", "org"}


def test_a_snapshot_to_read_again_is_djangos_to_read(door):
    call(PLAIN)
    forget()  # as after a circular's rules changed, or the snapshot's seconds passed
    assert call(PLAIN)[0] == 200
    assert door == [PLAIN, PLAIN]  # the door asks no query: Django's door read the rules
    call(PLAIN)
    assert door == [PLAIN, PLAIN]


def test_the_door_counts_its_answers_and_keeps_a_well_formed_request_id(door):
    from django_prometheus.middleware import Metrics

    metrics = Metrics.get_instance()
    call(PLAIN)
    before = metrics.requests_total._value.get(), metrics.responses_total._value.get()
    status, headers, _body = call(PLAIN, HTTP_X_REQUEST_ID="nginx-4f2a")
    assert dict(headers)["X-Request-ID"] == "nginx-4f2a"
    assert metrics.requests_total._value.get() == before[0] + 1
    assert metrics.responses_total._value.get() == before[1] + 1
    _status, headers, _body = call(PLAIN, HTTP_X_REQUEST_ID="bad id\n")
    assert len(dict(headers)["X-Request-ID"]) == 32


def test_a_question_with_more_fields_than_django_reads_gets_djangos_400_not_a_500(door):
    call(PLAIN)  # learned, and the snapshot is fresh: the door would answer
    query = PLAIN + "".join(f"&f{i}=1" for i in range(1_100))
    status, headers, _body = call(query)
    assert status == 400
    assert "Content-Security-Policy" in dict(headers)


def django_s(query, **extra):
    """The lean Django door's answer to `query`: any If-None-Match sends a question there."""
    return call(query, HTTP_IF_NONE_MATCH='"not-this-one"', **extra)


@pytest.mark.parametrize("query", QUESTIONS)
def test_the_door_sends_the_caching_headers_django_sends(door, query):
    call(PLAIN)  # learned
    by_door, by_django = call(query), django_s(query)
    assert len(door) == 2  # the first and the one with If-None-Match by Django
    assert without_request_id(by_door[1]) == without_request_id(by_django[1])
    headers = dict(by_door[1])
    assert headers["Cache-Control"] == "public, max-age=300"  # a named instant: rules alone
    assert headers["ETag"].startswith('"')


def test_a_matching_if_none_match_gets_django_s_304_through_the_door(door):
    call(PLAIN)  # learned
    status, headers, _body = call(PLAIN)
    etag = dict(headers)["ETag"]
    status, headers, body = call(PLAIN, HTTP_IF_NONE_MATCH=etag)
    assert (status, body) == (304, b"")
    assert dict(headers)["ETag"] == etag
    assert dict(headers)["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize(
    ("now", "allowed", "max_age"),
    [
        ("2025-04-04T23:59:59+07:00", False, 1),  # the window opens in a second
        ("2025-04-05T00:00:00+07:00", True, 300),
        ("2025-04-21T23:59:59+07:00", True, 1),  # its last second
        ("2025-04-22T00:00:00+07:00", False, 300),
    ],
)
def test_in_production_an_answer_about_now_is_kept_until_its_next_boundary_by_both_doors(
    door, settings, monkeypatch, now, allowed, max_age
):
    from core import clock
    from core.clock import parse_instant

    settings.DEMO_FEATURES = False  # the door answers questions about now
    instant = parse_instant(now)
    monkeypatch.setattr(clock, "now", lambda: instant)
    query = "entity_type=lao&action=verify_identity&identity_verified=false"
    by_django = django_s(query)
    call(query)  # learned (the first answer of a process is Django's)
    by_door = call(query)
    assert door == [query, query]
    assert without_request_id(by_door[1]) == without_request_id(by_django[1])
    assert by_door[2] == by_django[2]
    assert json.loads(by_door[2])["allowed"] is allowed
    assert dict(by_door[1])["Cache-Control"] == f"public, max-age={max_age}"
