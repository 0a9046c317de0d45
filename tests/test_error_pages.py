"""Error pages speak Thai first (English by the switch), keep the portal's header, and the 500
page needs neither a request nor the database."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.actors import login

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_a_thai_404_page_with_the_header(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "ไม่พบหน้าที่ต้องการ" in page
    assert 'class="top"' in page  # the portal's header, with its links
    assert "Not Found" not in page


def test_the_404_page_is_in_english_by_the_switch(client):
    client.cookies["django_language"] = "en"
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page


def test_a_403_says_why_in_thai(client, actors):
    login(client, actors["lao_clerk"])
    response = client.get("/inbox/log/")  # the delivery log is for officers
    assert response.status_code == 403
    page = response.content.decode()
    assert "ไม่มีสิทธิ์เข้าถึง" in page
    assert "403 Forbidden" not in page


def test_the_500_page_renders_without_a_request_context_or_the_database(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "ระบบขัดข้องชั่วคราว" in page and "Temporary error" in page
    assert render_to_string("500.html")  # no context needed at all
