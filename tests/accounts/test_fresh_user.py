"""Who the user is and what they may do are read fresh on every request (accounts/backends.py):
every change shows on the very next page, by whichever path it was made: `save()`, a queryset
`update()` or `delete()` (as the admin's bulk actions and data migrations do), with no signal.

Each test first opens a page as the officer or clerk, then changes the database, then opens the
next page. Nothing about the user is kept in the shared cache: no password hash, no secret.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from notifications.models import Notification
from notifications.services import queue
from registry.models import Organization
from tests.actors import login
from tests.notifications.support import outgoing_for

NAKHON_PHANOM = "/compliance/province/48/"

pytestmark = pytest.mark.django_db


def badge(response) -> str | None:
    found = re.search(r'<span class="badge">(\d+)</span>', response.content.decode())
    return found.group(1) if found else None


@pytest.fixture
def province_officer(client, actors):
    officer = actors["province_officer"]
    login(client, officer)
    assert client.get(NAKHON_PHANOM).status_code == 200
    return officer


def test_a_revoked_role_closes_the_dashboard_on_the_next_page(client, province_officer):
    Role.objects.filter(user=province_officer).get().delete()
    assert client.get(NAKHON_PHANOM).status_code == 403


def test_a_role_deleted_by_a_queryset_closes_the_dashboard_on_the_next_page(
    client, province_officer
):
    Role.objects.filter(user=province_officer).delete()
    assert client.get(NAKHON_PHANOM).status_code == 403


def test_a_role_moved_to_another_province_moves_the_officer_at_once(
    client, province_officer, places
):
    role = Role.objects.get(user=province_officer)
    role.province = places.lao_elsewhere.district.province
    role.save()
    assert client.get(NAKHON_PHANOM).status_code == 404  # outside their area now
    assert client.get(f"/compliance/province/{role.province.code}/").status_code == 200


def test_a_role_moved_by_a_queryset_update_moves_the_officer_on_the_next_page(
    client, province_officer, places
):
    """The bug this caught: with the user cached, the old province's dashboard stayed open for
    up to 300 s after a bulk update, which sends no signal."""
    other = places.lao_elsewhere.district.province
    Role.objects.filter(user=province_officer).update(province=other)
    assert client.get(NAKHON_PHANOM).status_code == 404
    assert client.get(f"/compliance/province/{other.code}/").status_code == 200


def test_a_removed_authenticator_sends_the_officer_to_set_one_up(client, province_officer):
    Authenticator.objects.filter(user=province_officer).delete()
    response = client.get(NAKHON_PHANOM)
    assert response.status_code == 302 and response["Location"].startswith(
        "/accounts/2fa/totp/activate"
    )


def test_a_deactivated_user_is_logged_out_on_the_next_page(client, province_officer):
    province_officer.is_active = False
    province_officer.save()
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_user_deactivated_by_a_queryset_update_is_logged_out_on_the_next_page(
    client, province_officer
):
    User.objects.filter(pk=province_officer.pk).update(is_active=False)
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(NAKHON_PHANOM).status_code == 302


def test_a_password_changed_elsewhere_ends_this_session(client, province_officer):
    province_officer.set_password("another-long-password-2568")
    province_officer.save()
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_nothing_about_the_user_is_kept_in_the_shared_cache(client, province_officer):
    """No password hash, TOTP secret or user object in any cache entry after a few pages."""
    client.get("/my/")
    client.get("/inbox/")
    backend = cache._cache if hasattr(cache, "_cache") else {}
    stored = repr(list(backend.values())) if isinstance(backend, dict) else ""
    assert province_officer.password not in stored
    for authenticator in Authenticator.objects.filter(user=province_officer):
        assert str(authenticator.data.get("secret", "")) not in stored or not authenticator.data
    assert "accounts.models" not in stored  # no pickled User


def test_the_badge_counts_a_new_message_on_the_next_page_and_a_read_one_on_the_same_page(
    client, actors
):
    clerk = actors["lao_clerk"]
    login(client, clerk)
    assert badge(client.get("/my/")) is None

    with transaction.atomic():
        assert queue(outgoing_for([clerk]), nudge_workers=False) == (1, 0)
    assert badge(client.get("/my/")) == "1"

    n = Notification.objects.get(recipient=clerk)
    assert badge(client.get(f"/inbox/{n.pk}/")) is None  # this page has read it
    assert badge(client.get("/my/")) is None


def test_what_a_page_shows_of_the_users_organisation_is_read_fresh(client, actors, places):
    """An organisation verified by a bulk update (no signal) shows as verified on the next page
    (the bug this caught: roles cached with their organisation showed it unverified for five
    minutes)."""
    clerk = actors["lao_clerk"]
    login(client, clerk)
    assert 'class="allowed' not in client.get("/my/").content.decode()
    Organization.objects.filter(pk=places.lao.pk).update(identity_verified_at=timezone.now())
    assert 'class="allowed' in client.get("/my/").content.decode()
