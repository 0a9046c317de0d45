"""Who a user is, read once per request: their roles, and the areas they act for.

The querysets that scope reads (`Organization.objects.in_scope_of`,
`VerificationRequest.objects.visible_to`, ...) build on these helpers, so every view asks
the same question the same way.
"""

from .models import OFFICER_KINDS, REVIEWER_KINDS, Role

_CACHE_ATTR = "_elaas_roles"


def load_roles(user) -> list[Role]:
    return list(
        Role.objects.filter(user=user).select_related(
            "organization__district__province", "organization__parent", "district__province", "province"
        )
    )


def roles_of(user) -> list[Role]:
    """The user's roles, kept on the user object for the length of a request. A user read by
    the authentication backend (accounts/backends.py) comes with them, from the shared cache."""
    if user is None or not user.is_authenticated:
        return []
    roles = getattr(user, _CACHE_ATTR, None)
    if roles is None:
        roles = load_roles(user)
        setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user) -> None:
    """Read the roles again, on this request and (the shared cache dropped) on the next ones."""
    from .backends import forget_user

    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    forget_user(user.pk)


def kinds_of(user) -> set[str]:
    return {r.kind for r in roles_of(user)}


def is_officer(user) -> bool:
    return bool(kinds_of(user) & OFFICER_KINDS)


def is_reviewer(user) -> bool:
    return bool(kinds_of(user) & REVIEWER_KINDS)


def is_national(user) -> bool:
    return "dla_officer" in kinds_of(user)


def staff_roles(user, kind: str | None = None) -> list[Role]:
    return [r for r in roles_of(user) if r.kind in ((kind,) if kind else ("lao_staff", "unit_staff"))]


def is_unit_staff_only(user) -> bool:
    kinds = kinds_of(user)
    return kinds == {"unit_staff"}


def officer_area(user, kinds=OFFICER_KINDS) -> tuple[bool, set[int], set[int]]:
    """(national, province ids, district ids) the user acts for through roles of `kinds`."""
    national, provinces, districts = False, set(), set()
    for r in roles_of(user):
        if r.kind not in kinds:
            continue
        if r.kind == "dla_officer":
            national = True
        elif r.kind == "province_officer":
            provinces.add(r.province_id)
        elif r.kind == "district_officer":
            districts.add(r.district_id)
    return national, provinces, districts
