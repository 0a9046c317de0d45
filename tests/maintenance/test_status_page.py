"""The public status page: today in Bangkok, another day by the picker, Thai first and English by
a switch."""

import datetime as dt

import pytest


def test_the_status_page_is_public_and_thai_by_default(client, circulars):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="th">' in page
    assert "มท ๐๘๐๘.๔/ว ๑๕๔๑" in page
    assert "ไม่อนุญาต" in page  # LAOs still may not use the system


@pytest.mark.parametrize("typed", ["10/4/2568", "๑๐/๔/๒๕๖๘", "2025-04-10", "10 เม.ย. 2568"])
def test_a_previewed_day_in_the_verification_window_says_lao_may_verify(client, circulars, typed):
    page = client.get("/", {"date": typed}).content.decode()
    assert "10 เมษายน 2568" in page
    assert "ระหว่างวันที่ 5–21 เมษายน 2568" in page
    assert "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘" in page  # the deadline: the last day of the window
    assert "ข้อ ๑" in page


def test_the_day_before_the_window_shows_the_coming_changes(client, circulars):
    page = client.get("/", {"date": "3/4/2568"}).content.decode()
    timeline = page.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert (
        timeline.index("ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘")
        < timeline.index("ตั้งแต่วันที่ ๕ เมษายน ๒๕๖๘")
        < timeline.index("ตั้งแต่วันที่ ๒๒ เมษายน ๒๕๖๘")
    )


def test_the_page_shows_the_disagreement_between_the_letters(client, circulars):
    page = client.get("/", {"date": "1/4/2568"}).content.decode()
    assert "นพ ๐๐๒๓.๕/ว ๑๕๗๘" in page
    assert "ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘" in page and "ตั้งแต่วันที่ ๕ เมษายน ๒๕๖๘" in page


def test_english_by_the_switch_with_common_era_dates(client, circulars):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/?date=10/4/2568"})
    assert response.status_code == 302
    page = client.get("/", {"date": "10/4/2568"}).content.decode()
    assert '<html lang="en">' in page
    assert "10 Apr 2025" in page
    assert "LAOs that have not verified their identity may do only that" in page


@pytest.mark.parametrize("typed", ["31/2/2568", "tomorrow", "๙๙/๙๙/๙๙๙๙"])
def test_a_date_that_cannot_be_read_gets_a_message_not_a_500(client, circulars, typed):
    response = client.get("/", {"date": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "ไม่ใช่วันที่ที่อ่านได้" in page or "is not a date" in page
    assert "<table" in page  # today's answers are still shown


def test_today_is_the_bangkok_day_not_the_utc_day(client, circulars, monkeypatch):
    from django.utils import timezone

    # 17:30 UTC on 3 April is 00:30 on 4 April in Bangkok: units are allowed.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2025, 4, 3, 17, 30, tzinfo=dt.UTC))
    page = client.get("/").content.decode()
    assert "4 เมษายน 2568" in page


def test_the_cached_page_never_outlives_an_answer(client, circulars, monkeypatch):
    from django.utils import timezone

    # 3 April 23:59:59 in Bangkok: units may not use the system; one second later they may.
    clock = [dt.datetime(2025, 4, 3, 16, 59, 59, tzinfo=dt.UTC)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    before = client.get("/").content.decode()
    assert "Units under LAOs" not in before
    clock[0] += dt.timedelta(seconds=1)
    after = client.get("/").content.decode()
    assert "4 เมษายน 2568" in after
    # the units' closure is shown as ending when they may start, 4 April, and no longer a second
    # later
    assert "ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘" in before.split("<h2>")[0]
    assert "ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘" not in after.split("<h2>")[0]


def test_a_new_rule_shows_at_once_on_a_cached_page(client, circulars):
    from maintenance.models import AccessRule

    client.get("/", {"date": "1/5/2568"})
    AccessRule.objects.create(
        circular=circulars["dla"],
        entity_type="lao",
        action="use_system",
        effect="allow",
        starts_at=dt.datetime(2025, 4, 30, 17, 0, tzinfo=dt.UTC),
        clause="ข้อ ๙ (ทดสอบ)",
        reason_th="ทดสอบเปิดระบบ",
        reason_en="test reopening",
    )
    assert "ข้อ ๙ (ทดสอบ)" in client.get("/", {"date": "1/5/2568"}).content.decode()


def test_a_cached_page_never_carries_another_visitors_query_string(client, circulars):
    """The language link holds the page's path and query: a page opened with a query string is
    never kept for the next visitor (the first visitor's `?utm=` showed for a minute)."""
    from django.test import Client

    first = client.get("/?utm_source=phishing.example")
    assert "phishing.example" in first.content.decode()
    second = Client().get("/")
    assert "phishing.example" not in second.content.decode()
    third = Client().get("/")
    assert third.content == second.content  # the plain page is kept and served again


def test_a_message_for_one_visitor_is_not_kept_for_the_next(client, circulars, actors):
    from django.test import Client

    from tests.actors import login

    login(client, actors["lao_clerk"])
    client.post("/accounts/logout/")  # allauth leaves "You have signed out." for this visitor
    mine = client.get("/").content.decode()
    theirs = Client().get("/").content.decode()
    assert 'class="messages"' in mine
    assert 'class="messages"' not in theirs


def test_the_status_page_varies_on_the_language_cookie_it_reads(client, circulars):
    from django.test import RequestFactory

    from tests.wsgi import call_wsgi

    vary = {v.strip() for v in client.get("/")["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    kept = client.get("/")  # served from the page kept in memory
    assert "Cookie" in kept["Vary"]
    environ = RequestFactory().get("/", HTTP_HOST="testserver").environ  # the anonymous door
    _status, headers, _body = call_wsgi(environ)
    assert "Cookie" in dict(headers)["Vary"]


def test_a_script_name_header_never_puts_its_prefix_into_the_kept_page(client, circulars):
    from django.test import RequestFactory

    from tests.wsgi import call_wsgi

    for path, script in (("/", "/poisoned"), ("/", "")):
        environ = RequestFactory().get(path, HTTP_HOST="testserver").environ
        environ["SCRIPT_NAME"] = script  # gunicorn takes it from a SCRIPT_NAME header
        status, _headers, body = call_wsgi(environ)
        assert status == 200
        assert b"/poisoned" not in body
    assert b"/poisoned" not in client.get("/").content
