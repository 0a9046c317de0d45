"""Officers put in by others: the one-time link that sets their password, and the page where a
DLA officer or an administrator invites a province's list; thin doors onto `onboarding.officers`
and `accounts.roster`."""

from allauth.account.internal.flows.login import record_authentication
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.access import second_factor_gate
from accounts.models import RoleKind
from accounts.roster import RosterError, read_roster
from accounts.scope import kinds_of
from core.mail import where_mail_went

from . import officers
from .forms import RosterForm

BACKEND = "elaas_portal.backends.ModelBackend"


def landing(user) -> str:
    """Where an officer goes once the second factor is set up: the dashboards; the admin for an
    administrator who is no officer."""
    kinds = kinds_of(user)
    if kinds & {RoleKind.DLA_OFFICER, RoleKind.PROVINCE_OFFICER, RoleKind.DISTRICT_OFFICER}:
        return reverse("compliance:home")
    return reverse("admin:index")


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "HEAD", "POST"])
@cache_control(no_store=True, private=True)
def officer_welcome(request, token):
    invitation = officers.find_invitation(token)
    if invitation is None:
        return render(request, "onboarding/officer_link_invalid.html", status=404)
    user = invitation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = officers.accept(token, form.cleaned_data["new_password1"])
        except officers.InvitationError:
            return render(request, "onboarding/officer_link_invalid.html", status=404)
        if request.user.is_authenticated:
            logout(request)
        login(request, user, backend=BACKEND)
        # Having just set the password, they count as recently authenticated: allauth asks for
        # no password again before the authenticator is set up.
        record_authentication(
            request, user, method="password", email=user.email, reauthenticated=True
        )
        # The authenticator next, then the officer's first page (accounts.access's gate).
        return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': landing(user)})}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "onboarding/officer_welcome.html",
        {"form": form, "invited": user, "roles": user.roles.all()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@cache_control(no_store=True, private=True)  # names and e-mail addresses
def officer_invite(request):
    if not officers.may_invite(request.user):
        raise PermissionDenied(_("Only DLA officers and administrators invite officers."))
    if (gate := second_factor_gate(request)) is not None:
        return gate
    form = RosterForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["roster"]
            try:
                roster = read_roster(upload.read(), upload.name)
            except RosterError as exc:
                form.add_error("roster", exc.th if get_language() == "th" else exc.en)
            else:
                placed = officers.invite_officers(roster.rows, invited_by=request.user)
                context |= {
                    "roster": roster,
                    "placed": placed,
                    "mail_notice": where_mail_went(),
                }
                status = 200
    return render(request, "onboarding/officer_invite.html", context, status=status)
