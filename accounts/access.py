"""Who may open a page: login, roles, and for officers a second factor (TOTP) in this session.

The second factor is the authenticator app (TOTP), or a ThaID sign-in in this session whose
provider asserted multi-factor authentication (`amr` holds "mfa", or `acr` is one of
THAID_MFA_ACR_VALUES; `accounts.thaid.adapter`). A ThaID sign-in that asserts one factor only is
like a password: TOTP is still asked.

`officer_required` sends an officer without an authenticator to set one up, and one whose
session was opened without it to confirm it, before any officer page is shown. Objects are
fetched through `Model.objects.restrict(user, action)` (core.scoping): outside a scope a page
is 404, inside it without the right 403.
"""

from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .scope import is_officer
from .thaid.adapter import THAID_MFA_METHOD

TOTP_ATTR = "_elaas_totp"  # set by accounts.backends with the user; read once per request


def load_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def has_totp(user) -> bool:
    """Whether the user has set up an authenticator app (read with the user by the
    authentication backend, or here once per request)."""
    found = getattr(user, TOTP_ATTR, None)
    if found is None:
        found = load_has_totp(user)
        setattr(user, TOTP_ATTR, found)
    return found


def session_used_mfa(request) -> bool:
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def session_used_thaid_mfa(request) -> bool:
    """This session was opened by a ThaID sign-in that asserted multi-factor authentication."""
    return any(
        record.get("method") == THAID_MFA_METHOD
        for record in get_authentication_records(request, request.user)
    )


def second_factor_done(request) -> bool:
    """The officer has an authenticator app and this session used it, or the session was
    opened by a ThaID sign-in that asserted multi-factor authentication."""
    return (has_totp(request.user) and session_used_mfa(request)) or session_used_thaid_mfa(request)


def second_factor_url(request, next_url: str | None = None) -> str:
    """Where an officer sets up or confirms the second factor, then comes back to `next_url`."""
    target = "mfa_reauthenticate" if has_totp(request.user) else "mfa_activate_totp"
    return _with_next(target, next_url or request.get_full_path())


def second_factor_gate(request, next_url: str | None = None):
    """For an officer: a redirect to set up or confirm the second factor, or None when done.
    Afterwards the officer comes back to `next_url` (default: this page; a POST-only view
    passes the page the form was on)."""
    next_url = next_url or request.get_full_path()
    if session_used_thaid_mfa(request):
        return None
    if not has_totp(request.user):
        messages.warning(
            request, _("Officers must set up a second factor (an authenticator app) first.")
        )
        return redirect(_with_next("mfa_activate_totp", next_url))
    if not session_used_mfa(request):
        messages.warning(request, _("Confirm the code from your authenticator app to go on."))
        return redirect(_with_next("mfa_reauthenticate", next_url))
    return None


def officer_required(view):
    """Login, an officer role, an authenticator, and a session that used it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_officer(user):
            raise PermissionDenied(_("This page is for district, provincial and DLA officers."))
        return second_factor_gate(request) or view(request, *args, **kwargs)

    return wrapper


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"
