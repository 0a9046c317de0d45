"""Named actors, as STYLE.md asks: one of each role around one SAO in Nakhon Phanom.

`actors` gives users; `as_actor(client, name)` logs a test client in as one of them, officers
with a TOTP authenticator and a session that used it (as allauth records a second factor).
"""

import time
from dataclasses import dataclass

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import Role, User
from demo.demo_accounts import DEMO_TOTP_SECRET
from registry.models import District, Organization

PASSWORD = "a-long-test-password-2568"  # noqa: S105

ACTOR_NAMES = (
    "lao_clerk",
    "other_lao_clerk",
    "unit_clerk",
    "district_officer",
    "other_district_officer",
    "province_officer",
    "other_province_officer",
    "dla_officer",
)


@dataclass
class Places:
    lao: Organization  # SAO 6480199, district 4801, Nakhon Phanom, not yet verified
    other_lao: Organization  # 6480299, district 4802, Nakhon Phanom
    unit: Organization  # a child development centre under `lao`
    lao_elsewhere: Organization  # 6500199, Chiang Mai


def make_user(email, full_name="", **role):
    user = User.objects.create_user(
        email=email, password=PASSWORD, full_name=full_name or email.split("@")[0]
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role:
        Role.objects.create(user=user, **role)
    if role.get("kind") in ("district_officer", "province_officer", "dla_officer"):
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


@pytest.fixture
def places(sao_in_nakhon_phanom, sao_elsewhere, nakhon_phanom):
    return make_places(sao_in_nakhon_phanom, sao_elsewhere, nakhon_phanom)


@pytest.fixture
def actors(places):
    return make_actors(places)


def make_places(sao_in_nakhon_phanom, sao_elsewhere, nakhon_phanom) -> Places:
    district2, _ = District.objects.get_or_create(
        code="4802", defaults={"province": nakhon_phanom, "name_th": "ปลาปาก", "name_en": "Pla Pak"}
    )
    other = Organization.objects.create(
        kind="SAO", dla_code="6480299", name_th="ทดสอบสอง", district=district2
    )
    unit = Organization.objects.create(
        kind="CHILD_DEV_CENTRE",
        name_th="ศพด.ทดสอบ",
        district=sao_in_nakhon_phanom.district,
        parent=sao_in_nakhon_phanom,
    )
    return Places(lao=sao_in_nakhon_phanom, other_lao=other, unit=unit, lao_elsewhere=sao_elsewhere)


def make_actors(places: Places) -> dict[str, User]:
    p = places
    return {
        "lao_clerk": make_user(
            "lao-clerk@test.example",
            "สมศรี ใจดี",
            kind="lao_staff",
            organization=p.lao,
            position="permanent_secretary",
        ),
        "other_lao_clerk": make_user(
            "lao2-clerk@test.example",
            kind="lao_staff",
            organization=p.other_lao,
            position="finance_director",
        ),
        "unit_clerk": make_user("unit-clerk@test.example", kind="unit_staff", organization=p.unit),
        "district_officer": make_user(
            "district-officer@test.example", kind="district_officer", district=p.lao.district
        ),
        "other_district_officer": make_user(
            "district2-officer@test.example", kind="district_officer", district=p.other_lao.district
        ),
        "province_officer": make_user(
            "province-officer@test.example",
            kind="province_officer",
            province=p.lao.district.province,
        ),
        "other_province_officer": make_user(
            "other-province-officer@test.example",
            kind="province_officer",
            province=p.lao_elsewhere.district.province,
        ),
        "dla_officer": make_user("dla-officer@test.example", kind="dla_officer"),
    }


def login(client, user):
    """Log a test client in; for officers also record a TOTP step in the session, as allauth
    does."""
    client.force_login(user, backend="elaas_portal.backends.ModelBackend")
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client
