"""Who a user is, read once per request: their roles, and the areas they act for.

The querysets that scope reads (`Organization.objects.in_scope_of`,
`VerificationRequest.objects.visible_to`, ...) build on these helpers, so every view asks
the same question the same way.
"""

from .models import OFFICER_KINDS, REVIEWER_KINDS, Role

_CACHE_ATTR = "_elaas_roles"
_FACTS_ATTR = "_elaas_role_facts"


def load_roles(user) -> list[Role]:
    return list(
        Role.objects.filter(user=user).select_related(
            "organization__district__province",
            "organization__parent",
            "district__province",
            "province",
        )
    )


def load_role_facts(user) -> list[Role]:
    """The role rows alone (kind, and the ids of the organisation, district or province they
    act for): what every access decision reads. No related row is loaded, so nothing in them
    can go stale but the role itself, whose every change drops the cached copy."""
    return list(Role.objects.filter(user=user))


def roles_of(user) -> list[Role]:
    """The user's roles with their organisation, district and province, as they are now in the
    database; read once per request (a page shows what it reads from them)."""
    if user is None or not user.is_authenticated:
        return []
    roles = getattr(user, _CACHE_ATTR, None)
    if roles is None:
        roles = load_roles(user)
        setattr(user, _CACHE_ATTR, roles)
    return roles


def role_facts(user) -> list[Role]:
    """The role rows alone, for access decisions. A user read by the authentication backend
    (accounts/backends.py) comes with them from the shared cache: no query on most pages."""
    if user is None or not user.is_authenticated:
        return []
    facts = getattr(user, _FACTS_ATTR, None)
    if facts is None:
        facts = getattr(user, _CACHE_ATTR, None) or load_role_facts(user)
        setattr(user, _FACTS_ATTR, facts)
    return facts


def forget_roles(user) -> None:
    """Read the roles again, on this request and (the shared cache dropped) on the next ones."""
    from .backends import forget_user

    for attr in (_CACHE_ATTR, _FACTS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)
    forget_user(user.pk)


def kinds_of(user) -> set[str]:
    return {r.kind for r in role_facts(user)}


def is_officer(user) -> bool:
    return bool(kinds_of(user) & OFFICER_KINDS)


def is_reviewer(user) -> bool:
    return bool(kinds_of(user) & REVIEWER_KINDS)


def is_national(user) -> bool:
    return "dla_officer" in kinds_of(user)


def staff_roles(user, kind: str | None = None) -> list[Role]:
    return [
        r for r in roles_of(user) if r.kind in ((kind,) if kind else ("lao_staff", "unit_staff"))
    ]


def is_unit_staff_only(user) -> bool:
    kinds = kinds_of(user)
    return kinds == {"unit_staff"}


def officer_area(user, kinds=OFFICER_KINDS) -> tuple[bool, set[int], set[int]]:
    """(national, province ids, district ids) the user acts for through roles of `kinds`."""
    national, provinces, districts = False, set(), set()
    for r in role_facts(user):
        if r.kind not in kinds:
            continue
        if r.kind == "dla_officer":
            national = True
        elif r.kind == "province_officer":
            provinces.add(r.province_id)
        elif r.kind == "district_officer":
            districts.add(r.district_id)
    return national, provinces, districts
