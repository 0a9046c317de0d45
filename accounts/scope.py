"""Who a user is, read once per request: their roles, and the areas they act for.

Access decisions read the role rows alone (`role_facts`: kinds and the ids of what they act for,
one query without joins); pages that show the places read them with those places (`roles_of`).
Only active roles count: a membership asked for at sign-up and not yet approved (or refused, or
expired) grants nothing here, so no page, list or action built on these helpers opens for it.

The rules of `restrict(user, action)` (`core.scoping`: `Organization.objects.restrict`,
`VerificationRequest.objects.restrict`, ...) build on these helpers, so every view asks the same
question the same way.
"""

from django.db import DEFAULT_DB_ALIAS
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONArray

from core.db import JSONRows
from core.scoping import Action, rule
from registry.models import Area, District, Province

from .models import OFFICER_KINDS, REVIEWER_KINDS, STAFF_KINDS, MembershipStatus, Role, RoleKind

_CACHE_ATTR = "_elaas_roles"
_FACTS_ATTR = "_elaas_role_facts"


# What access decisions read of a role: the ids of what it acts for, and the codes of the
# province or district an officer acts for (pages name areas by code).
FACT_FIELDS = ("id", "kind", "organization_id", "position", "district_id", "province_id")
AREA_CODES = ("province__code", "district__code")
AREAS = ("province", "district")


def role_facts_expression():
    """The user's active role rows as one JSON value, for the query that reads the user
    (accounts.backends): one round trip brings both."""
    rows = (
        Role.objects.active()
        .filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(rows=JSONRows(JSONArray(*FACT_FIELDS, *AREA_CODES)))
        .values("rows")
    )
    return Subquery(rows)


def _partial(model, **values):
    """An instance of `model` with only these fields loaded (the others deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[n] for n in names])


def place_role_facts(user, rows) -> None:
    """Give `user` the role rows read with it (`role_facts_expression`): `role_facts` then asks
    nothing more on this request. The roles' other fields are deferred, and so are their
    province's and district's but for the id and code."""
    facts = []
    for row in rows or ():
        values = dict(zip((*FACT_FIELDS, *AREA_CODES), row, strict=True))
        province_code, district_code = (values.pop(name) for name in AREA_CODES)
        role = _partial(Role, **values, user_id=user.pk, status=MembershipStatus.ACTIVE)
        role._state.fields_cache["user"] = user
        if role.province_id is not None:
            province = _partial(Province, id=role.province_id, code=province_code)
            role._state.fields_cache["province"] = province
        if role.district_id is not None:
            district = _partial(District, id=role.district_id, code=district_code)
            role._state.fields_cache["district"] = district
        facts.append(role)
    setattr(user, _FACTS_ATTR, facts)


def load_roles(user) -> list[Role]:
    return list(
        Role.objects.active()
        .filter(user=user)
        .select_related(
            "organization__district__province",
            "organization__parent",
            "district__province",
            "province",
        )
    )


def roles_of(user) -> list[Role]:
    """The user's active roles with their organisation, district and province, as they are now in
    the database; read once per request (a page shows what it reads from them)."""
    if user is None or not user.is_authenticated:
        return []
    roles = getattr(user, _CACHE_ATTR, None)
    if roles is None:
        roles = load_roles(user)
        setattr(user, _CACHE_ATTR, roles)
    return roles


def role_facts(user) -> list[Role]:
    """The role rows alone, for access decisions, read once per request (or taken from
    `roles_of` when the page has already read them with their places)."""
    if user is None or not user.is_authenticated:
        return []
    facts = getattr(user, _FACTS_ATTR, None)
    if facts is None:
        facts = getattr(user, _CACHE_ATTR, None)
        if facts is None:
            facts = list(Role.objects.active().filter(user=user).select_related(*AREAS))
        setattr(user, _FACTS_ATTR, facts)
    return facts


def memberships_not_active(user) -> list[Role]:
    """The user's own roles that grant nothing: waiting for approval, refused or expired (for the
    user's own page only)."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Role.objects.filter(user=user)
        .exclude(status=MembershipStatus.ACTIVE)
        .select_related("organization__district__province", "organization__parent")
        .order_by("-requested_at", "-id")
    )


def forget_roles(user) -> None:
    """Read the roles again on this request (after a change of this user's roles)."""
    for attr in (_CACHE_ATTR, _FACTS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def kinds_of(user) -> set[str]:
    return {r.kind for r in role_facts(user)}


def is_officer(user) -> bool:
    return bool(kinds_of(user) & OFFICER_KINDS)


def is_reviewer(user) -> bool:
    return bool(kinds_of(user) & REVIEWER_KINDS)


def staff_roles(user, kind: str | None = None) -> list[Role]:
    return [r for r in roles_of(user) if r.kind in ((kind,) if kind else STAFF_KINDS)]


def is_unit_staff_only(user) -> bool:
    kinds = kinds_of(user)
    return kinds == {RoleKind.UNIT_STAFF}


def officer_area(user, kinds=OFFICER_KINDS, *, by_code: bool = False) -> tuple[bool, set, set]:
    """(national, province ids, district ids) the user acts for through roles of `kinds`; with
    `by_code`, the provinces' and districts' codes instead (what a page named by codes checks
    before it reads the area itself: the codes come with the roles, no query)."""
    national, provinces, districts = False, set(), set()
    for r in role_facts(user):
        if r.kind not in kinds:
            continue
        if r.kind == RoleKind.DLA_OFFICER:
            national = True
        elif r.kind == RoleKind.PROVINCE_OFFICER:
            provinces.add(r.province.code if by_code else r.province_id)
        elif r.kind == RoleKind.DISTRICT_OFFICER:
            districts.add(r.district.code if by_code else r.district_id)
    return national, provinces, districts


def area_of(user, kinds=OFFICER_KINDS) -> Area:
    """The organisations whose private pages the user may open: their own (and, for LAO staff,
    the LAO's units), and the area of their officer roles of `kinds`."""
    national, provinces, districts = officer_area(user, kinds)
    roles = role_facts(user) if not national else []
    return Area(
        national=national,
        province_ids=frozenset(provinces),
        district_ids=frozenset(districts),
        organization_ids=frozenset(r.organization_id for r in roles if r.kind in STAFF_KINDS),
        parent_ids=frozenset(r.organization_id for r in roles if r.kind == RoleKind.LAO_STAFF),
    )


@rule("registry.Organization", Action.VIEW)
def _organizations_in_area(queryset, user):
    """Organisations whose private pages `user` may open (`area_of`); registry cannot read roles,
    so the rule lives here."""
    return queryset.in_area(area_of(user))
