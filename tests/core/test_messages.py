"""core/messages.py: Django's messages, with the storage built only by a request that reads or
adds a message; what is stored, shown and kept waiting is as with Django's middleware."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse

from core.messages import LazyMessageMiddleware, built_storage
from core.params import has_pending_messages

pytestmark = pytest.mark.django_db


def run(rf, view, cookie: str | None = None):
    """The request through sessions and the lazy messages middleware; (request, response)."""
    request = rf.get("/")
    if cookie is not None:
        request.COOKIES["messages"] = cookie
    seen = {}

    def inner(req):
        seen["request"] = req
        return view(req)

    response = SessionMiddleware(LazyMessageMiddleware(inner))(request)
    return seen["request"], response


def waiting_cookie(rf, text: str) -> str:
    """A messages cookie as Django writes it, holding one message."""
    request, response = run(rf, lambda r: messages.info(r, text) or HttpResponse())
    return response.cookies["messages"].value


def test_a_request_that_neither_reads_nor_adds_builds_no_storage_and_sets_no_cookie(rf):
    request, response = run(rf, lambda r: HttpResponse("page"))
    assert built_storage(request) is None
    assert "messages" not in response.cookies
    assert not has_pending_messages(request)


def test_a_message_added_is_stored_in_the_cookie_as_django_stores_it(rf):
    cookie = waiting_cookie(rf, "บันทึกแล้ว")
    request = rf.get("/")
    request.COOKIES["messages"] = cookie
    assert [m.message for m in CookieStorage(request)] == ["บันทึกแล้ว"]


def test_a_waiting_message_is_shown_once_then_the_cookie_is_cleared(rf):
    cookie = waiting_cookie(rf, "ส่งคำขอแล้ว")
    shown = []
    request, response = run(
        rf,
        lambda r: shown.extend(m.message for m in messages.get_messages(r)) or HttpResponse(),
        cookie,
    )
    assert shown == ["ส่งคำขอแล้ว"]
    assert built_storage(request) is not None
    assert response.cookies["messages"].value == ""  # read: deleted, as Django does


def test_a_waiting_message_not_read_on_this_request_stays_for_the_next(rf):
    cookie = waiting_cookie(rf, "รอแสดง")
    request, response = run(rf, lambda r: HttpResponse("json"), cookie)
    assert "messages" not in response.cookies  # untouched: still in the browser
    assert has_pending_messages(request)


def test_a_message_added_on_this_request_counts_as_pending(rf):
    request, _ = run(rf, lambda r: messages.warning(r, "x") or HttpResponse())
    assert has_pending_messages(request)
