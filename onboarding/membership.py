"""Memberships: staff who signed up for an organisation wait until someone vouches for them.

Signing up without an invitation gives a pending role (`accounts.services.request_membership`),
which grants nothing (`accounts.scope` counts active roles only; `Role.objects.vetted()` is what
every list and message of staff starts from). The rules, in one place:

1. **Who decides** (approve or refuse) a membership of an LAO or of a unit under it:
   - the LAO's *verified* chief executive or permanent secretary: an active LAO-staff role in that
     position at that LAO, held by someone whose identity verification request for that position
     at that LAO was approved;
   - a district officer of the organisation's district, a provincial officer of its province, a
     DLA officer (their pages ask for the second factor in the session, as every officer page);
   - never the person who asked.
2. **Until when**: a pending membership expires at the end of the MEMBERSHIP_PENDING_DAYS-th
   Bangkok day after the day it was asked for (asked on 1 April, 14 days: it may be decided until
   15 April 23:59:59 and is expired from 16 April 00:00). `expire_memberships` marks them.
3. **One result**: each decision is a conditional update (still pending, not past its last day)
   in a transaction, with its history reason; two approvers at once give one decision, and the
   other is told who decided.
4. **Who is told**: once the person has confirmed their e-mail address, the LAO's verified chiefs
   and the officers of its district and province get a message in their inbox; once decided, the
   person gets one (inbox and mail, through the outbox, once per membership): approved, or
   refused with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import STAFF_KINDS, MembershipStatus, Position, Role, RoleKind
from accounts.scope import officer_area, staff_roles
from core import clock
from core.history import HistoryEvent, record
from core.links import absolute
from core.scoping import Action, rule
from core.text import mask_name
from core.thai import BANGKOK, bangkok_midnight, format_datetime, format_deadline
from maintenance.access import may_submit_verification
from notifications.messages import render_message
from notifications.models import Kind
from notifications.services import Outgoing, queue
from registry.models import Organization

from .models import RequestState, VerificationRequest

CHIEF_POSITIONS = (Position.CHIEF_EXECUTIVE, Position.PERMANENT_SECRETARY)
NOTIFICATION_PERIOD = "membership"


class MembershipError(Exception):
    """A decision that cannot be made; `message` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class AlreadyDecided(MembershipError):
    """Someone decided first, or the membership expired: nothing was changed."""


# --- until when ----------------------------------------------------------------------------------


def pending_cutoff(at: dt.datetime) -> dt.datetime:
    """Pending memberships asked for before this instant are past their last day at `at`."""
    today = at.astimezone(BANGKOK).date()
    return bangkok_midnight(today - dt.timedelta(days=settings.MEMBERSHIP_PENDING_DAYS))


def expires_at(role: Role) -> dt.datetime:
    """The first instant at which `role`, still pending, counts as expired (00:00 Bangkok)."""
    asked = role.requested_at.astimezone(BANGKOK).date()
    return bangkok_midnight(asked + dt.timedelta(days=settings.MEMBERSHIP_PENDING_DAYS + 1))


def verification_closes_first(role: Role, at: dt.datetime) -> dt.datetime | None:
    """When the LAO's identity verification window closes, if it closes before `role` (a pending
    LAO-staff membership) would expire: the newcomer must be approved before then to file their
    request in time. The window's end comes from the policy layer; None when it does not matter
    (a unit's membership, no window open now, or one that outlives the membership)."""
    if role.kind != RoleKind.LAO_STAFF or role.status != MembershipStatus.PENDING:
        return None
    window = may_submit_verification(role.organization, at)
    if not window.allowed or window.valid_until is None:
        return None
    return window.valid_until if window.valid_until < expires_at(role) else None


# --- who decides ---------------------------------------------------------------------------------


def verified_chief_laos(user) -> list[int]:
    """The LAOs whose verified chief executive or permanent secretary `user` is."""
    chiefs = [r for r in staff_roles(user, RoleKind.LAO_STAFF) if r.position in CHIEF_POSITIONS]
    if not chiefs:
        return []
    approved = set(
        VerificationRequest.objects.restrict(user, Action.VIEW)
        .filter(
            requester=user,
            state=RequestState.APPROVED,
            organization_id__in=[r.organization_id for r in chiefs],
        )
        .values_list("organization_id", "position")
    )
    return [r.organization_id for r in chiefs if (r.organization_id, r.position) in approved]


def _authority(user) -> Q | None:
    """The memberships `user` may decide (a filter on Role), whatever their status; None: none."""
    if user is None or not user.is_authenticated:
        return None
    national, provinces, districts = officer_area(user)
    if national:
        return Q(kind__in=STAFF_KINDS) & ~Q(user=user)
    laos = verified_chief_laos(user)
    if not (provinces or districts or laos):
        return None
    where = (
        Q(organization__district__province_id__in=provinces)
        | Q(organization__district_id__in=districts)
        | Q(organization_id__in=laos)
        | Q(organization__parent_id__in=laos)
    )
    return Q(kind__in=STAFF_KINDS) & where & ~Q(user=user)


@rule("accounts.Role", Action.REVIEW)
def _decidable(queryset, user):
    """Memberships `user` may decide, whatever their status (`Role.objects.restrict(user,
    Action.REVIEW)`)."""
    authority = _authority(user)
    return queryset.none() if authority is None else queryset.filter(authority)


def may_decide_any(user) -> bool:
    """Whether `user` decides memberships anywhere (a verified chief, or an officer)."""
    return _authority(user) is not None


def decidable_by(user, at: dt.datetime | None = None):
    """Pending memberships `user` may decide now, of people who confirmed their e-mail address."""
    return (
        Role.objects.restrict(user, Action.REVIEW)
        .pending()
        .confirmed()
        .filter(requested_at__gte=pending_cutoff(at or clock.now()))
        .select_related("user", "organization__district__province", "organization__parent")
        .order_by("requested_at", "id")
    )


@rule("accounts.Role", Action.VIEW)
def _visible(queryset, user):
    """Staff roles whose membership page `user` may reach: those of organisations in their area
    (404 for the others; inside it, those without the right to decide get 403)."""
    orgs = Organization.objects.restrict(user, Action.VIEW).values("pk")
    return queryset.filter(kind__in=STAFF_KINDS, organization_id__in=orgs)


@rule("accounts.Role", Action.FOLLOW)
def _colleagues(queryset, user):
    """Staff roles of the organisations `user` is an active member of, and for a unit's member
    those of its LAO too: the colleagues their organisation's page lists."""
    mine = staff_roles(user)
    units = [r.organization_id for r in mine if r.kind == RoleKind.UNIT_STAFF]
    parents = Organization.objects.filter(pk__in=units).values("parent_id")
    return queryset.filter(
        Q(organization_id__in=[r.organization_id for r in mine]) | Q(organization_id__in=parents),
        kind__in=STAFF_KINDS,
    )


def _check_authority(actor, role_id: int) -> None:
    if not Role.objects.restrict(actor, Action.REVIEW).filter(pk=role_id).exists():
        raise PermissionDenied(
            _(
                "Memberships are approved by the LAO's verified chief executive or permanent "
                "secretary, or by an officer of its district, its province or DLA."
            )
        )


# --- who holds the position already --------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """Someone who already holds, at the same organisation, the position a pending membership
    asks for: their name masked (PDPA), since when, and whether their identity is verified for
    it. The approver reads it before deciding."""

    name: str
    since: dt.datetime | None
    verified: bool


def holders_of(roles) -> dict[int, list[Holder]]:
    """Pending membership id → the other people with an active membership in the same position
    at the same organisation (oldest first), for the LAO-staff memberships among `roles` that
    name a position; one query for all of them."""
    asked = {
        (r.organization_id, r.position): r
        for r in roles
        if r.kind == RoleKind.LAO_STAFF and r.position
    }
    out: dict[int, list[Holder]] = {r.pk: [] for r in roles}
    if not asked:
        return out
    where = Q(pk__in=[])
    for org_id, position in asked:
        where |= Q(organization_id=org_id, position=position)
    approved = VerificationRequest.objects.filter(
        requester_id=OuterRef("user_id"),
        organization_id=OuterRef("organization_id"),
        position=OuterRef("position"),
        state=RequestState.APPROVED,
    )
    held = (
        Role.objects.vetted()
        .filter(where, kind=RoleKind.LAO_STAFF)
        .annotate(verified=Exists(approved))
        .select_related("user")
        .order_by("decided_at", "created_at", "id")
    )
    for holder in held:
        for role in roles:
            if (
                role.organization_id == holder.organization_id
                and role.position == holder.position
                and role.user_id != holder.user_id
                and role.pk in out
            ):
                out[role.pk].append(
                    Holder(
                        name=mask_name(holder.user.full_name, holder.user.email),
                        since=holder.decided_at or holder.requested_at or holder.created_at,
                        verified=holder.verified,
                    )
                )
    return out


# --- decisions -----------------------------------------------------------------------------------


def what_happened(role: Role) -> str:
    """Why a decision changed nothing: who decided first and when, or that it expired."""
    if role.status == MembershipStatus.PENDING:
        return _("Nothing was changed: this membership expired at %(when)s.") % {
            "when": format_datetime(expires_at(role))
        }
    if role.status == MembershipStatus.EXPIRED or role.decided_by is None:
        return _("Nothing was changed: this membership is already “%(status)s”.") % {
            "status": role.get_status_display()
        }
    return _(
        "Nothing was changed: %(who)s already decided this membership (“%(status)s”) at %(when)s."
    ) % {
        "who": role.decided_by.full_name or role.decided_by.email,
        "status": role.get_status_display(),
        "when": format_datetime(role.decided_at),
    }


def _decide(role_id: int, *, actor, status: str, reason: str, event: HistoryEvent) -> Role:
    """The one permission check, then the conditional update that only a pending membership not
    past its last day passes, then the history row; AlreadyDecided when nothing was changed."""
    at = clock.now()
    reason = reason.strip()
    with transaction.atomic():
        _check_authority(actor, role_id)
        claimed = Role.objects.filter(
            pk=role_id,
            status=MembershipStatus.PENDING,
            requested_at__gte=pending_cutoff(at),
        ).update(status=status, decided_at=at, decided_by=actor, decision_reason=reason)
        role = Role.objects.select_related("user", "organization", "decided_by").get(pk=role_id)
        if claimed:
            record(role, event, remarks=reason)
            role._history_user, role._history_date = actor, at
            role.save()  # the history row, with its actor and reason
            tell_member(role)  # the outbox row commits with the decision
    if not claimed:
        raise AlreadyDecided(what_happened(role))
    return role


def approve_membership(role_id: int, *, actor) -> Role:
    """Make a pending membership active: from now on it grants what its role says. Only once the
    person has confirmed their e-mail address (the queue lists no one else; the decision checks
    too: an address nobody has shown to be theirs vouches for no one)."""
    _check_authority(actor, role_id)
    if not Role.objects.filter(pk=role_id).confirmed().exists():
        raise MembershipError(
            _(
                "Nothing was changed: this person has not confirmed their e-mail address yet. "
                "Approve the membership once they have."
            )
        )
    return _decide(
        role_id,
        actor=actor,
        status=MembershipStatus.ACTIVE,
        reason="",
        event=HistoryEvent.MEMBERSHIP_APPROVED,
    )


def refuse_membership(role_id: int, *, actor, reason: str) -> Role:
    """Refuse a pending membership; the person reads `reason` on their page."""
    if not reason.strip():
        raise MembershipError(_("Say why the membership is refused: the person reads it."))
    return _decide(
        role_id,
        actor=actor,
        status=MembershipStatus.REFUSED,
        reason=reason,
        event=HistoryEvent.MEMBERSHIP_REFUSED,
    )


def expire_memberships(*, now: dt.datetime | None = None) -> int:
    """Mark expired the pending memberships past their last day; how many. Idempotent: each row
    is claimed with a conditional update, so a second run, or two at once, change nothing more."""
    at = now or clock.now()
    cutoff = pending_cutoff(at)
    due = Role.objects.pending().filter(requested_at__lt=cutoff)
    expired = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            if not due.filter(pk=pk).update(status=MembershipStatus.EXPIRED, decided_at=at):
                continue
            role = Role.objects.get(pk=pk)
            record(role, HistoryEvent.MEMBERSHIP_EXPIRED, days=settings.MEMBERSHIP_PENDING_DAYS)
            role._history_date = at
            role.save()
        expired += 1
    return expired


# --- who is told ---------------------------------------------------------------------------------


def approvers_of(role: Role) -> list[tuple[int, str]]:
    """(user id, name) of the vetted people told about `role`: the LAO's verified chiefs and the
    officers of its district and province. DLA officers decide too but are not messaged for each
    sign-up in the country; their queue lists them."""
    org = role.organization
    lao_id = org.pk if org.is_lao else org.parent_id
    approved = VerificationRequest.objects.filter(
        requester_id=OuterRef("user_id"),
        organization_id=OuterRef("organization_id"),
        position=OuterRef("position"),
        state=RequestState.APPROVED,
    )
    people = Role.objects.vetted().filter(
        Q(
            Exists(approved),
            kind=RoleKind.LAO_STAFF,
            organization_id=lao_id,
            position__in=CHIEF_POSITIONS,
        )
        | Q(kind=RoleKind.DISTRICT_OFFICER, district_id=org.district_id)
        | Q(kind=RoleKind.PROVINCE_OFFICER, province_id=org.district.province_id)
    )
    found = {
        user_id: name or email
        for user_id, name, email in people.exclude(user_id=role.user_id).values_list(
            "user_id", "user__full_name", "user__email"
        )
    }
    return sorted(found.items())


def notify_approvers(*, user_id: int) -> int:
    """Tell the approvers of each pending membership of `user_id`; how many messages were new.
    Run again, it writes nothing (one message per approver and membership)."""
    at = clock.now()
    roles = (
        Role.objects.pending()
        .confirmed()
        .filter(user_id=user_id, requested_at__gte=pending_cutoff(at))
        .select_related("user", "organization__district__province", "organization__parent")
    )
    items = []
    for role in roles:
        message = render_message(
            Kind.MEMBERSHIP_REQUEST,
            {
                "role": role,
                "person": role.user,
                "org": role.organization,
                "requested_th": format_datetime(role.requested_at, "th"),
                "requested_en": format_datetime(role.requested_at, "en"),
                "until_th": format_deadline(expires_at(role), "th"),
                "until_en": format_deadline(expires_at(role), "en"),
                "link": absolute(reverse("onboarding:memberships")),
            },
        )
        for recipient_id, name in approvers_of(role):
            items.append(
                Outgoing(
                    recipient_id,
                    Kind.MEMBERSHIP_REQUEST,
                    f"role:{role.pk}",
                    NOTIFICATION_PERIOD,
                    message,
                    name,
                )
            )
    with transaction.atomic():
        created, _existed = queue(items)
    return created


def _in(lang: str, value) -> str:
    with translation.override(lang):
        return str(value)


def decision_message(role: Role) -> Outgoing:
    """The member's message about the decision just made on `role` (approved or refused)."""
    approved = role.status == MembershipStatus.ACTIVE
    as_ = role.get_position_display() if role.position else role.get_kind_display()
    decider = role.decided_by
    message = render_message(
        Kind.MEMBERSHIP_DECISION,
        {
            "role": role,
            "org": role.organization,
            "approved": approved,
            "outcome_th": "อนุมัติ" if approved else "ไม่อนุมัติ",
            "outcome_en": "approved" if approved else "refused",
            "as_th": _in("th", as_),
            "as_en": _in("en", as_),
            "decider": (decider.full_name or decider.email) if decider else "",
            "requested_th": format_datetime(role.requested_at, "th"),
            "requested_en": format_datetime(role.requested_at, "en"),
            "decided_th": format_datetime(role.decided_at, "th"),
            "decided_en": format_datetime(role.decided_at, "en"),
            "reason": role.decision_reason,
            "link": absolute(reverse("onboarding:my")),
        },
    )
    person = role.user
    return Outgoing(
        person.pk,
        Kind.MEMBERSHIP_DECISION,
        f"role:{role.pk}",
        "decision",
        message,
        person.full_name or person.email,
    )


def tell_member(role: Role) -> int:
    """Write the decision's message to the member into the outbox (inside the decision's
    transaction); how many rows were new (0 the second time: one message per membership)."""
    created, _existed = queue([decision_message(role)])
    return created


def on_email_confirmed(sender, email_address=None, **kwargs) -> None:
    """allauth's `email_confirmed`: the person is reachable, so their approvers are told (after
    the confirmation commits)."""
    if email_address is None:
        return
    user_id = email_address.user_id
    transaction.on_commit(lambda: notify_approvers(user_id=user_id))
