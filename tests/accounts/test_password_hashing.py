"""Passwords are hashed with Argon2id at no less than OWASP's minimum (m = 19 MiB, t = 2, p = 1),
and a password kept as PBKDF2 (every account made before) is rewritten as Argon2id when its
owner next logs in through the login page, and only then.

The other tests hash with MD5 to save time (tests/conftest.py); these use the portal's own list.
"""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from accounts.hashers import Argon2idPasswordHasher
from accounts.models import User
from elaas_portal.settings import base as portal_settings
from tests.actors import PASSWORD

pytestmark = pytest.mark.django_db

# OWASP Password Storage Cheat Sheet, Argon2id: minimum memory 19 MiB, 2 iterations, 1 lane.
OWASP_MEMORY_KIB, OWASP_TIME_COST, OWASP_PARALLELISM = 19 * 1024, 2, 1


@pytest.fixture(autouse=True)
def portal_hashers(settings):
    settings.PASSWORD_HASHERS = portal_settings.PASSWORD_HASHERS


def argon2_parameters(encoded: str) -> tuple[str, int, int, int]:
    decoded = Argon2idPasswordHasher().decode(encoded)
    return decoded["variety"], decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]


def test_a_new_password_is_hashed_with_argon2id_at_owasp_minimum_or_more():
    encoded = make_password(PASSWORD)

    assert isinstance(identify_hasher(encoded), Argon2idPasswordHasher)
    variety, memory, time_cost, parallelism = argon2_parameters(encoded)
    assert variety == "argon2id"
    assert memory >= OWASP_MEMORY_KIB and time_cost >= OWASP_TIME_COST
    assert parallelism >= OWASP_PARALLELISM
    assert check_password(PASSWORD, encoded) and not check_password(PASSWORD + "x", encoded)


@pytest.fixture
def clerk_with_a_pbkdf2_password(actors):
    """The LAO clerk, their password as today's portal keeps it (PBKDF2, 1,000,000 iterations)."""
    clerk = actors["lao_clerk"]
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    assert old.startswith("pbkdf2_sha256$1000000$")
    User.objects.filter(pk=clerk.pk).update(password=old)
    return clerk, old


def test_a_pbkdf2_password_becomes_argon2id_at_the_next_login(client, clerk_with_a_pbkdf2_password):
    clerk, old = clerk_with_a_pbkdf2_password

    response = client.post("/accounts/login/", {"login": clerk.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/my/"
    new = User.objects.get(pk=clerk.pk).password
    assert new != old and argon2_parameters(new)[0] == "argon2id"
    client.logout()
    # The rewritten hash opens the same account with the same password.
    response = client.post("/accounts/login/", {"login": clerk.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert User.objects.get(pk=clerk.pk).password == new  # nothing to upgrade the second time


def test_a_wrong_password_leaves_the_pbkdf2_hash_as_it_was(client, clerk_with_a_pbkdf2_password):
    clerk, old = clerk_with_a_pbkdf2_password

    response = client.post("/accounts/login/", {"login": clerk.email, "password": "wrong-password"})

    assert response.status_code == 200  # the form again, with its error
    assert User.objects.get(pk=clerk.pk).password == old


def test_an_argon2_hash_with_weaker_parameters_is_strengthened_at_login(client, actors):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    class Weaker(Argon2PasswordHasher):
        memory_cost, time_cost, parallelism = 8 * 1024, 1, 1

    clerk = actors["lao_clerk"]
    User.objects.filter(pk=clerk.pk).update(password=Weaker().encode(PASSWORD, Weaker().salt()))

    client.post("/accounts/login/", {"login": clerk.email, "password": PASSWORD})

    _, memory, time_cost, parallelism = argon2_parameters(User.objects.get(pk=clerk.pk).password)
    assert (memory, time_cost, parallelism) == (19 * 1024, 2, 1)
