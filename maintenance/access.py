"""Access decisions for people and organisations: the one place views and services ask.

`decide_for(org, action)` turns an organisation into a policy subject (its kind, its identity
status at that instant, its province and district) and asks the current policy at the portal's
clock. `login_decision(user)` says whether a unit's staff may enter the portal now.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import RoleKind
from accounts.scope import is_unit_staff_only, staff_roles
from core import clock
from maintenance.policy import Action

from .policy import Decision, Subject
from .snapshot import current_policy


def subject_for(org, at: dt.datetime) -> Subject:
    verified = org.identity_verified_at is not None and org.identity_verified_at <= at
    district = org.district
    return Subject(
        org.entity_type,
        verified if org.is_lao else None,
        province_code=district.province.code,
        district_code=district.code,
    )


def decide_for(org, action: str, at: dt.datetime | None = None) -> Decision:
    at = at or clock.now()
    return current_policy().decide(subject_for(org, at), action, at)


def may_submit_verification(org, at: dt.datetime | None = None) -> Decision:
    """May this LAO's staff file or resubmit an identity verification request now?"""
    return decide_for(org, Action.VERIFY_IDENTITY, at)


def login_decision(user, at: dt.datetime | None = None) -> Decision | None:
    """For a user who is only unit staff: may any of their units use the system now?

    None when the user holds any other role (they are not gated). Otherwise the first allowing
    decision, or the decision for their first unit, which says why not and until when.
    """
    if not is_unit_staff_only(user):
        return None
    at = at or clock.now()
    decisions = [
        decide_for(r.organization, Action.USE_SYSTEM, at)
        for r in staff_roles(user, RoleKind.UNIT_STAFF)
    ]
    for decision in decisions:
        if decision.allowed:
            return decision
    return decisions[0]
