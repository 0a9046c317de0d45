"""Conditional GET on the officers' compliance pages (compliance/etags.py): a 304 only when
nothing the page shows has changed; any change (a request decided, a circular delivered or
forwarded, a rule boundary passing, the officer's own role, a staff member's phone, a message
waiting) is seen by the next request, which draws the page again."""

import datetime as dt

import pytest
from django.contrib import messages as django_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client

from accounts.models import Role, User
from circulars.services import forward_circular, publish_circular
from core import clock
from onboarding import services

from .support import bangkok

DASHBOARD = "/compliance/province/48/"
LATE = "/compliance/late/?province=48&order=name"
START = "2025-04-10T09:00:00+07:00"


def officer_client(actors, who="province_officer") -> Client:
    from tests.actors import login

    client = Client()
    login(client, actors[who])
    return client


def lao_page(places) -> str:
    return f"/compliance/lao/{places.lao.dla_code}/"


def revalidate(client, url):
    """A first view, then the browser's revalidation with the tag it got: (first, second)."""
    first = client.get(url)
    assert first.status_code == 200, url
    return first, client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])


def cache_control(response) -> set[str]:
    return {p.strip() for p in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("page", ["dashboard", "late", "lao"])
def test_an_unchanged_page_is_answered_304_without_being_drawn(waiting, actors, places, page):
    url = {"dashboard": DASHBOARD, "late": LATE, "lao": lao_page(places)}[page]
    client = officer_client(actors)
    first, again = revalidate(client, url)
    assert first["ETag"].startswith('W/"')
    assert cache_control(first) == {"private", "no-cache"}
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"] and again.content == b""
    assert not again.templates  # nothing drawn
    assert cache_control(again) == {"private", "no-cache"}
    assert client.get(url).status_code == 200  # no If-None-Match (a first view): drawn


def test_the_tag_is_of_the_data_not_of_the_drawing(waiting, actors):
    """Drawn twice with nothing changed, the page (its CSRF token masked anew) has the same tag."""
    client = officer_client(actors)
    assert client.get(DASHBOARD)["ETag"] == client.get(DASHBOARD)["ETag"]


@pytest.mark.parametrize("page", ["dashboard", "late", "lao"])
def test_a_request_decided_is_seen_at_once(waiting, actors, places, page):
    url = {"dashboard": DASHBOARD, "late": LATE, "lao": lao_page(places)}[page]
    client = officer_client(actors)
    first, again = revalidate(client, url)
    assert again.status_code == 304
    services.approve_request(
        waiting.pk, actor=actors["province_officer"], expected_version=waiting.version
    )
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    if page == "dashboard":
        assert 'id="lao-total"' in after.content.decode()


def test_a_circular_delivered_and_forwarded_is_seen_at_once(waiting, actors, circulars):
    client = officer_client(actors)
    first, again = revalidate(client, DASHBOARD)
    assert again.status_code == 304
    publish_circular(circulars["dla"], actor=actors["dla_officer"])
    delivered = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=first["ETag"])
    assert delivered.status_code == 200
    assert client.get(DASHBOARD, HTTP_IF_NONE_MATCH=delivered["ETag"]).status_code == 304
    forward_circular(
        circulars["dla"],
        actor=actors["province_officer"],
        number="นพ ๐๐๒๓.๕/ว ๑๖๐๐",
        issued_on=dt.date(2025, 4, 10),
        subject=circulars["dla"].subject,
        body="จึงเรียนมาเพื่อทราบ",
    )
    forwarded = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=delivered["ETag"])
    assert forwarded.status_code == 200 and forwarded["ETag"] != delivered["ETag"]


def test_a_rule_boundary_passing_is_seen_at_once(
    waiting, actors, portal_clock, wall_clock_stopped, time_machine
):
    """DLA's window closes at 22 April 2568 00:00: with nothing written, the dashboard revalidated
    a moment later is drawn again and says the window is closed."""
    portal_clock("2025-04-21T23:59:59+07:00")
    client = officer_client(actors)
    first, again = revalidate(client, DASHBOARD)
    assert again.status_code == 304
    time_machine.shift(1)  # the wall clock, and the portal's with it, one second on
    assert clock.now() == bangkok("2025-04-22 00:00")
    after = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert "The window is open" not in after.content.decode()


def test_the_officers_own_role_is_read_fresh(waiting, actors, places):
    officer = actors["province_officer"]
    client = officer_client(actors)
    first, again = revalidate(client, DASHBOARD)
    assert again.status_code == 304
    # Another role added (a district of theirs as well): the page's menus may differ, so it is
    # drawn again.
    Role.objects.create(user=officer, kind="district_officer", district=places.lao.district)
    changed = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    # Moved to another province (a queryset update: no signal): refused, never a 304.
    Role.objects.filter(user=officer, kind="province_officer").update(
        province=places.lao_elsewhere.district.province
    )
    Role.objects.filter(user=officer, kind="district_officer").delete()
    moved = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert moved.status_code == 404


def test_a_staff_members_phone_changed_is_seen_at_once_on_the_late_list(waiting, actors, places):
    client = officer_client(actors)
    first, again = revalidate(client, LATE)
    assert again.status_code == 304
    clerk = actors["lao_clerk"]
    User.objects.filter(pk=clerk.pk).update(phone="0812345678")  # no save, no signal
    after = client.get(LATE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


def test_a_staff_members_address_unconfirmed_is_seen_at_once(waiting, actors, places):
    """Staff are listed once their e-mail address is confirmed (allauth's table, Role.vetted)."""
    from allauth.account.models import EmailAddress

    client = officer_client(actors)
    first, again = revalidate(client, lao_page(places))
    assert again.status_code == 304
    EmailAddress.objects.filter(user=actors["lao_clerk"]).update(verified=False)
    after = client.get(lao_page(places), HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


def test_a_login_elsewhere_changes_nothing_shown(waiting, actors):
    """`last_login` is not shown: a login writes it and the page stays 304 (the trigger counts
    only the user's columns the pages show)."""
    client = officer_client(actors)
    first, _ = revalidate(client, DASHBOARD)
    officer_client(actors, "district_officer")  # a login of another officer
    User.objects.filter(pk=actors["lao_clerk"].pk).update(last_login=clock.now())
    assert client.get(LATE).status_code == 200
    assert client.get(DASHBOARD, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_another_officers_tag_is_not_theirs(waiting, actors):
    mine = officer_client(actors).get(DASHBOARD)["ETag"]
    other = officer_client(actors, "dla_officer")
    assert other.get(DASHBOARD, HTTP_IF_NONE_MATCH=mine).status_code == 200


def test_the_inbox_badge_and_the_language_are_in_the_tag(waiting, actors):
    from tests.notifications.test_views import note

    client = officer_client(actors)
    first = client.get(DASHBOARD)
    note(actors["province_officer"])  # a new message: the badge counts it
    badge = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=first["ETag"])
    assert badge.status_code == 200
    english = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=badge["ETag"], HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code in (200, 304)
    client.cookies["django_language"] = "en"
    assert client.get(DASHBOARD, HTTP_IF_NONE_MATCH=badge["ETag"]).status_code == 200


def test_a_message_waiting_is_shown_not_answered_304(waiting, actors, rf):
    client = officer_client(actors)
    first = client.get(DASHBOARD)
    storage = CookieStorage(rf.get("/"))  # as a view before a redirect leaves it
    storage.add(django_messages.INFO, "Saved-4801")
    response = HttpResponse()
    storage.update(response)
    client.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value
    shown = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=first["ETag"])
    assert shown.status_code == 200 and "Saved-4801" in shown.content.decode()
    assert client.get(DASHBOARD, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304  # shown


def test_a_list_of_no_activity_for_n_days_is_always_drawn(waiting, actors):
    client = officer_client(actors)
    aged = client.get("/compliance/late/?province=48&age=3")
    assert aged.status_code == 200 and not aged.has_header("ETag")
    assert "no-store" in cache_control(aged)


def test_exports_still_say_no_store(waiting, actors):
    client = officer_client(actors)
    response = client.get("/compliance/export/late.csv?province=48")
    assert response.status_code == 200 and not response.has_header("ETag")
    assert "no-store" in response["Cache-Control"]
