"""Demo accounts for `make run`: created only outside production (settings.DEMO_FEATURES).

They sit in Nakhon Phanom (province 48), whichever registry is loaded: the national one or the
generated demo registry. One password for all; the officers share one TOTP secret so that any
authenticator app (or `oathtool --totp -b SECRET`) gives their codes. Both are in README.md.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from accounts.models import Position, Role, RoleKind, User
from registry.models import Organization, Province

DEMO_PASSWORD = "elaas-demo-2568"  # noqa: S105 - documented in README.md, never used in production
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - documented in README.md
DEMO_PROVINCE = "48"  # Nakhon Phanom


class DemoPlacesMissing(RuntimeError):
    pass


def demo_places() -> dict:
    """The organisations and areas the demo accounts belong to, chosen the same way every time."""
    province = Province.objects.filter(code=DEMO_PROVINCE).first()
    if province is None:
        raise DemoPlacesMissing(
            f"province {DEMO_PROVINCE} (Nakhon Phanom) is not in the registry: load it first"
        )
    laos = (
        Organization.objects.laos().filter(district__province=province).select_related("district")
    )
    first = (
        laos.filter(kind="SAO").order_by("dla_code").first() or laos.order_by("dla_code").first()
    )
    if first is None:
        raise DemoPlacesMissing("Nakhon Phanom has no LAO in the registry")
    second = laos.exclude(district=first.district).order_by("dla_code").first()
    other_province = Province.objects.exclude(pk=province.pk).order_by("code").first()
    unit = Organization.objects.units().filter(parent=first).order_by("id").first()
    if unit is None:
        unit = Organization.objects.create(
            kind="CHILD_DEV_CENTRE",
            name_th=f"ศูนย์พัฒนาเด็กเล็ก{first.name_th} (demo)",
            district=first.district,
            parent=first,
            is_generated=True,
        )
    return {
        "lao": first,
        "lao2": second,
        "unit": unit,
        "district": first.district,
        "province": province,
        "other_province": other_province,
    }


def _accounts(places) -> list[tuple[str, str, dict | None, bool]]:
    """(e-mail, full name, role fields or None, is site administrator)."""
    accounts = [
        ("admin@demo.test", "ผู้ดูแลระบบ (demo)", {"kind": RoleKind.SITE_ADMIN}, True),
        (
            "lao-clerk@demo.test",
            "สมศรี ใจดี (demo)",
            {
                "kind": RoleKind.LAO_STAFF,
                "organization": places["lao"],
                "position": Position.PERMANENT_SECRETARY,
            },
            False,
        ),
        (
            "unit-clerk@demo.test",
            "สมหมาย รักเรียน (demo)",
            {"kind": RoleKind.UNIT_STAFF, "organization": places["unit"]},
            False,
        ),
        (
            "district-officer@demo.test",
            "ท้องถิ่นอำเภอ (demo)",
            {"kind": RoleKind.DISTRICT_OFFICER, "district": places["district"]},
            False,
        ),
        (
            "province-officer@demo.test",
            "ท้องถิ่นจังหวัดนครพนม (demo)",
            {"kind": RoleKind.PROVINCE_OFFICER, "province": places["province"]},
            False,
        ),
        ("dla-officer@demo.test", "สถ. ส่วนกลาง (demo)", {"kind": RoleKind.DLA_OFFICER}, False),
    ]
    if places["lao2"] is not None:
        accounts.append(
            (
                "lao2-clerk@demo.test",
                "สมชาย มั่นคง (demo)",
                {
                    "kind": RoleKind.LAO_STAFF,
                    "organization": places["lao2"],
                    "position": Position.FINANCE_DIRECTOR,
                },
                False,
            )
        )
    if places["other_province"] is not None:
        accounts.append(
            (
                "other-province-officer@demo.test",
                f"ท้องถิ่นจังหวัด{places['other_province'].name_th} (demo)",
                {"kind": RoleKind.PROVINCE_OFFICER, "province": places["other_province"]},
                False,
            )
        )
    return accounts


@transaction.atomic
def create_demo_accounts() -> list[str]:
    places = demo_places()
    created = []
    for email, name, role, is_admin in _accounts(places):
        user, was_created = User.objects.get_or_create(
            email=email,
            defaults={"full_name": name, "is_staff": is_admin, "is_superuser": is_admin},
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(email)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role is not None and not Role.objects.filter(user=user, kind=role["kind"]).exists():
            Role.objects.create(user=user, **role)
        if role and role["kind"] in (
            RoleKind.DISTRICT_OFFICER,
            RoleKind.PROVINCE_OFFICER,
            RoleKind.DLA_OFFICER,
            RoleKind.SITE_ADMIN,
        ):
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
                RecoveryCodes.activate(user)
    return created
