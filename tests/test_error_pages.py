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


def test_a_bad_request_gets_a_thai_400_page_with_the_header_and_a_way_back(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/registry/", HTTP_HOST="evil.example")  # DisallowedHost: 400
    assert response.status_code == 400
    page = response.content.decode()
    assert "อ่านคำขอนี้ไม่ได้" in page and "ไม่มีการเปลี่ยนแปลงใด" in page
    assert 'class="top"' in page and 'hreflang="en"' in page  # header and language switch
    assert "กลับไปหน้าสถานะระบบ" in page
    assert "Bad Request" not in page


def test_a_form_sent_without_its_csrf_token_gets_a_thai_page_that_says_what_to_do(client):
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"login": "a@example.org", "password": "x"},
        HTTP_REFERER="http://testserver/accounts/login/",
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "แบบฟอร์มหมดอายุ" in page
    assert "CSRF verification failed" not in page and "Forbidden" not in page
    assert 'href="http://testserver/accounts/login/"' in page  # back where the visitor was
    assert 'class="top"' in page and 'hreflang="en"' in page


def test_the_csrf_page_reads_in_english_by_the_switch(client):
    client = client.__class__(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    page = client.post("/accounts/login/", {}).content.decode()
    assert "The form has expired" in page and 'hreflang="th"' in page


def test_a_way_back_goes_only_to_our_own_pages(client):
    page = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish").content
    assert b"evil.example" not in page
    page = client.get("/no-such-page/", HTTP_REFERER="http://testserver/registry/").content
    assert b'href="http://testserver/registry/"' in page


def test_every_error_page_has_the_switch_and_a_way_back(client, actors):
    anonymous = client.get("/no-such-page/").content.decode()
    assert 'href="/accounts/login/"' in anonymous
    login(client, actors["lao_clerk"])
    pages = [client.get("/no-such-page/"), client.get("/inbox/log/")]
    for page in [anonymous] + [response.content.decode() for response in pages]:
        assert 'hreflang="en"' in page
        assert 'href="/"' in page  # the status page
    for response in pages:
        assert 'href="/my/"' in response.content.decode()


def test_the_favicon_is_linked_from_every_page_and_served(client):
    from django.contrib.staticfiles import finders

    page = client.get("/registry/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    assert 'href="/static/img/favicon.ico"' in page
    assert finders.find("img/favicon.svg") and finders.find("img/favicon.ico")
    with open(finders.find("img/favicon.ico"), "rb") as f:
        assert f.read(4) == b"\x00\x00\x01\x00"  # an ICO header
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.ico"
    assert "/static/img/favicon.svg" in render_to_string("500.html")
