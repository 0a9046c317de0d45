"""Officers and administrators who are not signed up but put in: the first one by the operator
(`manage.py create_officer`), the others in bulk from a province's list (`manage.py
invite_officers`, or the page at /officers/invite/ for DLA officers and administrators).

Each gets an account and an active role at once, and, unless the operator typed a password, an
invitation through the outbox (inbox and e-mail): a link that works once, until the end of the
OFFICER_INVITATION_DAYS-th Bangkok day after the day it was made (sent on 1 April with 7 days:
valid until 8 April 23:59:59, expired from 9 April 00:00). Following it, they set a password and
are logged in; every officer page then asks them to set up their authenticator app first
(`accounts.access.officer_required`, the same gate as for every officer), and the admin the same
(`accounts.admin_guard`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import MembershipStatus, OfficerInvitation, Role, RoleKind, User
from accounts.roster import OfficerRow
from accounts.scope import kinds_of
from core import clock
from core.history import HistoryEvent, record
from core.links import absolute
from core.text import strip_invisible
from core.thai import BANGKOK, bangkok_midnight, format_deadline
from notifications.messages import render_message
from notifications.models import Kind
from notifications.services import Outgoing, queue

MAY_INVITE = frozenset({RoleKind.DLA_OFFICER, RoleKind.SITE_ADMIN})


class Outcome(models.TextChoices):
    """What placing an officer did: a new account invited (its link queued), a new account with
    the password typed, a role added to an account that has a password, or nothing."""

    INVITED = "invited", gettext_lazy("invited: a link was sent")
    CREATED = "created", gettext_lazy("created with the password typed")
    ROLE_ADDED = "role_added", gettext_lazy("role added to an existing account")
    EXISTS = "exists", gettext_lazy("already has this role: nothing changed")


@dataclass(frozen=True)
class Placed:
    user: User
    role: Role
    outcome: Outcome
    link: str = ""  # the one-time link, when one was made


class InvitationError(Exception):
    """The link is unknown, used or expired (said the same way: it tells an outsider nothing)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expires_at(created_at: dt.datetime) -> dt.datetime:
    """The first instant the invitation no longer works: midnight (Bangkok) after the
    OFFICER_INVITATION_DAYS-th day after the day it was made."""
    day = created_at.astimezone(BANGKOK).date()
    return bangkok_midnight(day + dt.timedelta(days=settings.OFFICER_INVITATION_DAYS + 1))


def may_invite(user) -> bool:
    return user is not None and bool(kinds_of(user) & MAY_INVITE)


def _same_role(kind, province, district):
    scope = {"kind": kind}
    if kind == RoleKind.PROVINCE_OFFICER:
        scope["province"] = province
    elif kind == RoleKind.DISTRICT_OFFICER:
        scope["district"] = district
    return scope


def place_officer(
    *,
    full_name: str,
    email: str,
    kind: RoleKind,
    province=None,
    district=None,
    invited_by: User | None = None,
    password: str | None = None,
) -> Placed:
    """An account with an active officer or administrator role; an invitation unless `password`.

    `invited_by` None is the operator (the management commands); anyone else must be a DLA
    officer or an administrator. Run twice with the same person and role, it changes nothing.
    """
    if invited_by is not None and not may_invite(invited_by):
        raise PermissionDenied(_("Only DLA officers and administrators invite officers."))
    email = email.strip().lower()
    full_name = strip_invisible(full_name).strip()
    now = clock.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        new_user = user is None
        if new_user:
            user = User(email=email, full_name=full_name)
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
        if kind == RoleKind.SITE_ADMIN:
            user.is_staff = user.is_superuser = True
        user.save()
        if new_user:
            EmailAddress.objects.create(
                user=user, email=email, primary=True, verified=bool(password)
            )
        role = Role.objects.filter(user=user, **_same_role(kind, province, district)).first()
        if role is not None and role.status == MembershipStatus.ACTIVE:
            return Placed(user, role, Outcome.EXISTS)
        role = role or Role(user=user, **_same_role(kind, province, district))
        role.invited_by = invited_by
        role.status = MembershipStatus.ACTIVE
        record(role, HistoryEvent.OFFICER_PLACED, by=invited_by.email if invited_by else "")
        role._history_user, role._history_date = invited_by, now
        role.save()
        if password:
            return Placed(user, role, Outcome.CREATED)
        if not new_user and user.has_usable_password():
            return Placed(user, role, Outcome.ROLE_ADDED)
        link = issue_link(user, invited_by=invited_by, role=role, now=now)
        return Placed(user, role, Outcome.INVITED, link)


def issue_link(user: User, *, invited_by: User | None, role: Role, now=None) -> str:
    """A new one-time link for `user` (any earlier unused one stops working), and its message in
    the outbox; the link. Call inside a transaction."""
    now = now or clock.now()
    OfficerInvitation.objects.filter(user=user, used_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    invitation = OfficerInvitation.objects.create(
        user=user,
        token_hash=token_hash(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=expires_at(now),
    )
    link = absolute(reverse("onboarding:officer_welcome", args=[token]))
    last = invitation.expires_at - dt.timedelta(seconds=1)
    with translation.override("th"):
        role_th = str(role)
    with translation.override("en"):
        role_en = str(role)
    message = render_message(
        Kind.OFFICER_INVITATION,
        {
            "user": user,
            "role_th": role_th,
            "role_en": role_en,
            "inviter": (invited_by.full_name or invited_by.email) if invited_by else "",
            "until_th": format_deadline(invitation.expires_at, "th"),
            "until_en": format_deadline(invitation.expires_at, "en"),
            "last": last,
            "link": link,
        },
    )
    queue(
        [
            Outgoing(
                user.pk,
                Kind.OFFICER_INVITATION,
                f"officer_invitation:{invitation.pk}",
                now.astimezone(BANGKOK).date().isoformat(),
                message,
                user.full_name or user.email,
            )
        ]
    )
    return link


def resend(user: User, *, invited_by: User | None = None) -> str:
    """A new link for an officer who has not set a password yet (the old one stops working)."""
    if invited_by is not None and not may_invite(invited_by):
        raise PermissionDenied(_("Only DLA officers and administrators invite officers."))
    role = Role.objects.active().filter(user=user).first()
    with transaction.atomic():
        return issue_link(user, invited_by=invited_by, role=role)


def invite_officers(rows: list[OfficerRow], *, invited_by: User | None = None) -> list[Placed]:
    """Each good row of a roster (`accounts.roster`), each in its own transaction."""
    return [
        place_officer(
            full_name=row.full_name,
            email=row.email,
            kind=row.kind,
            province=row.province,
            district=row.district,
            invited_by=invited_by,
        )
        for row in rows
    ]


def find_invitation(token: str) -> OfficerInvitation | None:
    """The invitation of this link if it still works (unused, not expired), else None."""
    invitation = (
        OfficerInvitation.objects.select_related("user")
        .filter(token_hash=token_hash(token or ""), used_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at <= clock.now():
        return None
    return invitation


@transaction.atomic
def accept(token: str, password: str) -> User:
    """Use the link once: set the password, confirm the address (the mail reached them)."""
    now = clock.now()
    used = OfficerInvitation.objects.filter(
        token_hash=token_hash(token or ""), used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not used:
        raise InvitationError(_("This link is not valid: it was used, or it has expired."))
    invitation = OfficerInvitation.objects.select_related("user").get(token_hash=token_hash(token))
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
        verified=True, primary=True
    )
    return user
