"""What a person's own page (/my/) shows of their organisations, read through `restrict`.

An LAO's member follows its verification: who filed for which position and in which state, what
is left and who must do it, its units' first logins. A unit's member sees their unit's and their
LAO's vetted colleagues. Everyone sees their memberships still waiting, and whether they decide
others'. The rows of other people come through `restrict(user, Action.FOLLOW)` (the members'
view of their own organisation, onboarding.models and onboarding.membership) and
`restrict(user, Action.REVIEW)` (memberships to decide); the user's own roles are who they are.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import MembershipStatus, Role, RoleKind
from accounts.scope import memberships_not_active, roles_of, staff_roles
from core.scoping import Action
from maintenance.access import may_submit_verification

from . import membership
from .models import RequestState, VerificationRequest
from .positions import position_states, what_is_left


def _first(requests, user, test):
    return next((r for r in requests if r.requester_id == user.pk and test(r)), None)


def lao_item(user, role: Role, now: dt.datetime) -> dict:
    """One LAO the user is a member of (`role`): its positions, its requests, the user's own
    request, what is left, its window and its units."""
    org = role.organization
    requests = list(
        VerificationRequest.objects.restrict(user, Action.FOLLOW)
        .filter(organization=org)
        .select_related("requester")
        .order_by("-created_at")
    )
    rows = position_states(requests)
    colleagues = Role.objects.restrict(user, Action.FOLLOW)
    return {
        "role": role,
        "org": org,
        "positions": rows,
        "verified_count": sum(row.done for row in rows),
        # what is left, who must do it: the page's next step
        "left": what_is_left(org, rows, colleagues) if org.identity_verified_at is None else [],
        "my_row": next((row for row in rows if role.position in row.positions), None),
        "requests": requests,
        "mine_open": _first(requests, user, lambda r: r.is_open),
        "mine_approved": _first(requests, user, lambda r: r.state == RequestState.APPROVED),
        "window": may_submit_verification(org, now),
        "units_total": org.units.count(),
        "units_logged_in": org.units.filter(first_login_at__isnull=False).count(),
        "units_not_logged_in": list(
            org.units.filter(first_login_at__isnull=True).order_by("name_th")[:100]
        ),
    }


def unit_item(user, role: Role) -> dict:
    """One unit the user is a member of (`role`): its and its LAO's vetted staff to contact."""
    unit = role.organization
    staff = (
        Role.objects.restrict(user, Action.FOLLOW)
        .vetted()
        .filter(
            organization__in=[unit, unit.parent],
            kind__in=[RoleKind.LAO_STAFF, RoleKind.UNIT_STAFF],
        )
        .select_related("user", "organization")
        .order_by("organization_id", "user__full_name")
    )
    return {"role": role, "org": unit, "staff": staff}


def waiting_memberships(user, now: dt.datetime) -> list[dict]:
    """The user's own memberships that grant nothing yet (or no longer), with when each expires
    and when its LAO's verification window closes first."""
    return [
        {
            "role": r,
            "expires_at": membership.expires_at(r)
            if r.status == MembershipStatus.PENDING
            else None,
            "verification_closes": membership.verification_closes_first(r, now),
        }
        for r in memberships_not_active(user)
    ]


def page(user, now: dt.datetime) -> dict:
    """Everything /my/ shows but the unit gate's decision, which the view asks itself."""
    may_decide = membership.may_decide_any(user)
    return {
        "laos": [lao_item(user, role, now) for role in staff_roles(user, RoleKind.LAO_STAFF)],
        "units": [unit_item(user, role) for role in staff_roles(user, RoleKind.UNIT_STAFF)],
        "officer_roles": [r for r in roles_of(user) if r.is_officer],
        "memberships": waiting_memberships(user, now),
        "may_decide_memberships": may_decide,
        "memberships_to_decide": membership.decidable_by(user, now).count() if may_decide else 0,
        "now": now,
    }
