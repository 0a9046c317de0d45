"""Generated accounts for benchmarks and demos: staff for every LAO, officers for every area.

Never in production (settings.DEMO_FEATURES). For every LAO three staff users (permanent
secretary, finance director, finance officer, each with an `lao_staff` role and the position),
one district officer per district, one provincial officer per province and one DLA officer.
Every address is under the reserved domain ``generated.invalid`` (RFC 2606: it can never
receive mail) and every full name ends in "(generated)".

Idempotent: an account is keyed on its e-mail address; what exists (user, verified e-mail
address, role) is left alone and only what is missing is created, so a second run creates
nothing. Fast: one password hash for all (hashing costs ~0.5 s each), and bulk inserts in
batches; roles are written with their history rows, as the registry loader writes its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import Position, Role, RoleKind, User
from registry.models import District, Organization, Province

DOMAIN = "generated.invalid"
GENERATED_PASSWORD = "elaas-generated-2568"  # noqa: S105 - for benchmarks and demos only
MARK = "(generated)"
# (position, the title in Thai, the address's local part)
LAO_STAFF = (
    (Position.PERMANENT_SECRETARY, "ปลัด", "permanent-secretary"),
    (Position.FINANCE_DIRECTOR, "ผู้อำนวยการกองคลัง", "finance-director"),
    (Position.FINANCE_OFFICER, "เจ้าหน้าที่การเงิน", "finance-officer"),
)
CHANGE_REASON = "generate_national_accounts"
MAX_NAME = User._meta.get_field("full_name").max_length


@dataclass(frozen=True)
class Account:
    email: str
    full_name: str
    role: dict  # Role fields: kind and organization_id / district_id / province_id / position


@dataclass
class GenerateAccountsResult:
    laos: int = 0
    districts: int = 0
    provinces: int = 0
    accounts: int = 0  # wanted: 3 per LAO + 1 per district + 1 per province + 1 (DLA)
    users_created: int = 0
    email_addresses_created: int = 0
    roles_created: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.accounts:,} generated accounts for {self.laos:,} LAOs, "
            f"{self.districts:,} districts, {self.provinces:,} provinces and DLA: created "
            f"{self.users_created:,} users, {self.email_addresses_created:,} e-mail addresses, "
            f"{self.roles_created:,} roles in {self.seconds:.1f}s"
        )


def _name(text: str) -> str:
    return f"{text[: MAX_NAME - len(MARK) - 1]} {MARK}"


def wanted_accounts(*, province: str | None = None) -> list[Account]:
    """Every generated account the registry calls for (`province`: a 2-digit code, or all)."""
    laos = Organization.objects.laos().select_related("district").order_by("dla_code", "id")
    districts = District.objects.order_by("code")
    provinces = Province.objects.order_by("code")
    if province:
        laos = laos.filter(district__province__code=province)
        districts = districts.filter(province__code=province)
        provinces = provinces.filter(code=province)
    accounts = []
    for org in laos:
        key = org.dla_code or f"id{org.pk}"  # Bangkok may have no DLA code
        for position, title_th, local in LAO_STAFF:
            accounts.append(
                Account(
                    f"{local}.{key}@{DOMAIN}",
                    _name(f"{title_th}{org.display_name} อำเภอ{org.district.name_th}"),
                    {"kind": RoleKind.LAO_STAFF, "organization_id": org.pk, "position": position},
                )
            )
    for district in districts:
        accounts.append(
            Account(
                f"district-officer.{district.code}@{DOMAIN}",
                _name(f"ท้องถิ่นอำเภอ{district.name_th}"),
                {"kind": RoleKind.DISTRICT_OFFICER, "district_id": district.pk},
            )
        )
    for p in provinces:
        accounts.append(
            Account(
                f"province-officer.{p.code}@{DOMAIN}",
                _name(f"ท้องถิ่นจังหวัด{p.name_th}"),
                {"kind": RoleKind.PROVINCE_OFFICER, "province_id": p.pk},
            )
        )
    accounts.append(
        Account(f"dla-officer@{DOMAIN}", _name("สถ. ส่วนกลาง"), {"kind": RoleKind.DLA_OFFICER})
    )
    return accounts


def _role_key(user_id: int, kind: str, organization_id, district_id, province_id) -> tuple:
    return (user_id, kind, organization_id, district_id, province_id)


def generate_accounts(
    *,
    province: str | None = None,
    password: str = GENERATED_PASSWORD,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> GenerateAccountsResult:
    """Create the generated accounts that do not exist yet (see the module's docstring)."""
    if not settings.DEMO_FEATURES:
        raise PermissionDenied("No generated accounts in production (DEMO_FEATURES is off).")
    started = time.monotonic()
    say = progress or (lambda _message: None)
    accounts = wanted_accounts(province=province)
    kinds = [a.role["kind"] for a in accounts]
    result = GenerateAccountsResult(
        laos=kinds.count(RoleKind.LAO_STAFF) // len(LAO_STAFF),
        districts=kinds.count(RoleKind.DISTRICT_OFFICER),
        provinces=kinds.count(RoleKind.PROVINCE_OFFICER),
        accounts=len(accounts),
    )
    emails = [a.email for a in accounts]
    with transaction.atomic():
        ids = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
        new_users = [a for a in accounts if a.email not in ids]
        if new_users:
            say(f"creating {len(new_users):,} users ({len(ids):,} exist)")
            hashed = make_password(password)  # once: the same hash for every account
            users = [User(email=a.email, full_name=a.full_name, password=hashed) for a in new_users]
            User.objects.bulk_create(users, batch_size=batch_size)
            ids = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
            result.users_created = len(new_users)

        have_address = set(
            EmailAddress.objects.filter(user_id__in=ids.values()).values_list("user_id", "email")
        )
        addresses = [
            EmailAddress(user_id=ids[e], email=e, verified=True, primary=True)
            for e in emails
            if (ids[e], e) not in have_address
        ]
        if addresses:
            say(f"creating {len(addresses):,} verified e-mail addresses")
            EmailAddress.objects.bulk_create(addresses, batch_size=batch_size)
            result.email_addresses_created = len(addresses)

        have_role = {
            _role_key(*row)
            for row in Role.objects.filter(user_id__in=ids.values()).values_list(
                "user_id", "kind", "organization_id", "district_id", "province_id"
            )
        }
        roles = []
        for a in accounts:
            r, user_id = a.role, ids[a.email]
            scope = (r.get("organization_id"), r.get("district_id"), r.get("province_id"))
            if _role_key(user_id, r["kind"], *scope) not in have_role:
                roles.append(Role(user_id=user_id, **r))
        if roles:
            say(f"creating {len(roles):,} roles (with history)")
            bulk_create_with_history(
                roles, Role, batch_size=batch_size, default_change_reason=CHANGE_REASON
            )
            result.roles_created = len(roles)
    result.seconds = time.monotonic() - started
    return result
