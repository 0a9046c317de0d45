"""The logged-in user, their roles, their authenticator and their inbox badge come from the
shared cache (accounts/backends.py): every change to one of them shows on the very next page.

Each test first opens a page, so that the entry is in the cache, then changes the database the
way the portal or an administrator does, and opens the next page.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import transaction

from accounts.backends import user_cache_key
from accounts.models import Role
from notifications.models import Notification
from notifications.services import queue, unread_cache_key
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
    assert cache.get(user_cache_key(officer.pk)) is not None  # the next pages read the cache
    return officer


def test_a_revoked_role_closes_the_dashboard_on_the_next_page(client, province_officer):
    Role.objects.filter(user=province_officer).get().delete()
    assert client.get(NAKHON_PHANOM).status_code == 403


def test_a_role_moved_to_another_province_moves_the_officer_at_once(
    client, province_officer, places
):
    role = Role.objects.get(user=province_officer)
    role.province = places.lao_elsewhere.district.province
    role.save()
    assert client.get(NAKHON_PHANOM).status_code == 404  # outside their area now
    assert client.get(f"/compliance/province/{role.province.code}/").status_code == 200


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


def test_a_password_changed_elsewhere_ends_this_session(client, province_officer):
    province_officer.set_password("another-long-password-2568")
    province_officer.save()
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_change_is_dropped_again_after_commit(
    province_officer, django_capture_on_commit_callbacks
):
    """A page served between the change and its commit may put the old entry back: the commit
    drops it once more."""
    key = user_cache_key(province_officer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Role.objects.filter(user=province_officer).get().delete()
            assert cache.get(key) is None
            cache.set(
                key, {"user": province_officer, "roles": ["stale"], "totp": True}
            )  # that page
    assert cache.get(key) is None


def test_the_badge_counts_a_new_message_on_the_next_page_and_a_read_one_on_the_same_page(
    client, actors
):
    clerk = actors["lao_clerk"]
    login(client, clerk)
    assert badge(client.get("/my/")) is None
    assert cache.get(unread_cache_key(clerk.pk)) == 0  # cached

    with transaction.atomic():
        assert queue(outgoing_for([clerk]), nudge_workers=False) == (1, 0)
    assert badge(client.get("/my/")) == "1"

    n = Notification.objects.get(recipient=clerk)
    assert badge(client.get(f"/inbox/{n.pk}/")) is None  # this page has read it
    assert badge(client.get("/my/")) is None


def test_what_a_page_shows_of_the_users_organisation_is_read_fresh(client, actors, places):
    """The cache keeps the role rows alone: an organisation verified by a bulk update (no signal)
    shows as verified on the next page (the bug this caught: roles cached with their
    organisation showed it unverified for five minutes)."""
    from django.utils import timezone

    from onboarding.models import Organization

    clerk = actors["lao_clerk"]
    login(client, clerk)
    assert 'class="allowed' not in client.get("/my/").content.decode()
    Organization.objects.filter(pk=places.lao.pk).update(identity_verified_at=timezone.now())
    assert 'class="allowed' in client.get("/my/").content.decode()
