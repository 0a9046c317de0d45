"""Invitations: an officer invites staff of an organisation in their area to sign up; and the
membership someone asks for when they sign up without one (approved in `onboarding.membership`)."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.history import HistoryEvent, record
from core.links import absolute
from core.scoping import Action
from registry.models import Organization

from .models import Invitation, MembershipStatus, Role, RoleKind
from .scope import is_officer

INVITATION_DAYS = 14
SESSION_KEY = "elaas_invitation_token"


class InvitationError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_staff(*, officer, organization, email: str, position: str) -> Invitation:
    """Create the invitation and send its link after the transaction commits."""

    if (
        not is_officer(officer)
        or not Organization.objects.restrict(officer, Action.VIEW)
        .filter(pk=organization.pk)
        .exists()
    ):
        raise PermissionDenied(_("You may invite staff only of organisations in your area."))
    if organization.is_lao and not position:
        raise InvitationError(_("Choose the position of the LAO staff member you invite."))
    email = email.strip().lower()
    if Role.objects.filter(user__email__iexact=email, organization=organization).exists():
        raise InvitationError(
            _("%(email)s already has an account with this organisation.") % {"email": email}
        )
    token = secrets.token_urlsafe(32)
    now = clock.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email,
                organization=organization,
                position=position if organization.is_lao else "",
                token_hash=token_hash(token),
                invited_by=officer,
                created_at=now,
                expires_at=now + dt.timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:
        raise InvitationError(
            _("%(email)s has already been invited to this organisation and has not answered yet.")
            % {"email": email}
        ) from None
    link = absolute(reverse("accept_invitation", args=[token]))
    context = {"invitation": invitation, "link": link, "days": INVITATION_DAYS}
    transaction.on_commit(
        lambda: send_mail(
            render_to_string("accounts/email/invitation_subject.txt", context).strip(),
            render_to_string("accounts/email/invitation.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    )
    return invitation


def find_invitation(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("organization__district__province", "invited_by")
        .filter(token_hash=token_hash(token or ""), accepted_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at <= clock.now():
        return None
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, user) -> Role:
    """Give the signed-up user the invitation's role; an invitation is used once."""
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=clock.now(), accepted_by=user
    )
    if not updated:
        raise InvitationError(_("This invitation has already been used."))
    org = invitation.organization
    role, _created = Role.objects.get_or_create(
        user=user,
        organization=org,
        defaults={
            "kind": RoleKind.LAO_STAFF if org.is_lao else RoleKind.UNIT_STAFF,
            "position": invitation.position,
            "invited_by": invitation.invited_by,
        },
    )
    return role


def request_membership(user, organization: Organization, position: str = "") -> Role:
    """A pending role at `organization` for a user who signed up without an invitation.

    It grants nothing (accounts.scope counts active roles only) until someone with authority over
    the organisation approves it; approvers are told once the user has confirmed their e-mail
    address (`onboarding.membership`).
    """
    now = clock.now()
    role = Role(
        user=user,
        kind=RoleKind.LAO_STAFF if organization.is_lao else RoleKind.UNIT_STAFF,
        organization=organization,
        position=position if organization.is_lao else "",
        status=MembershipStatus.PENDING,
        requested_at=now,
    )
    record(role, HistoryEvent.MEMBERSHIP_REQUESTED)
    role._history_user, role._history_date = user, now
    role.save()
    return role
