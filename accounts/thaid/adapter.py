"""How a ThaID sign-in may link to and open an account.

- Linking (allauth's "connect") only by the signed-in person's own action; a ThaID identity
  (its `pid` hash) already linked to another account is refused, and so is a second identity
  for an account that has one.
- Signing in with ThaID opens only an account it is linked to: never found by name or e-mail,
  never made on the fly. An unlinked identity that signs in is told to link it once signed in:
  nothing of it is kept for a later sign-up, which may be someone else's in the same browser
  (issue 26); a key such a sign-in left in a session before is dropped at every login, logout
  and sign-up.
- An officer's ThaID sign-in is the second factor only when the provider asserts multi-factor
  authentication (`asserts_mfa`); otherwise allauth's TOTP step runs as after a password.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import record_authentication
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage as MFAAuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.links import absolute

from . import PROVIDER_ID, asserts_mfa, remember

# Where an unlinked ThaID sign-in used to be kept for the next sign-up in the browser (which could
# be another person's): no longer written, and dropped from any session that still has it.
PENDING_SIGNUP_KEY = "thaid_pending_signup"

# The authentication record an MFA-asserting ThaID sign-in leaves in the session
# (accounts.access reads it).
THAID_MFA_METHOD = "thaid_mfa"


def linked_elsewhere_message() -> str:
    return _(
        "This ThaID identity is already linked to another account of the portal. Nothing was "
        "linked. If that account is yours, sign in to it; otherwise contact your provincial "
        "office."
    )


def _is_thaid(sociallogin) -> bool:
    return sociallogin is not None and sociallogin.account.provider == PROVIDER_ID


def remember_sociallogin(request, sociallogin) -> None:
    account = sociallogin.account
    remember(
        request,
        uid=account.uid,
        last4=str(account.extra_data.get("pid_last4", "")),
        claims=account.extra_data,
    )


def from_trusted_proxy(peer: str) -> bool:
    """Whether `peer` (a request's REMOTE_ADDR) is one of settings.TRUSTED_PROXIES."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in settings.TRUSTED_PROXIES)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        if not _is_thaid(sociallogin):
            return
        process = sociallogin.state.get("process")
        user = request.user
        if process == AuthProcess.CONNECT and user.is_authenticated:
            next_url = sociallogin.get_redirect_url(request) or reverse("socialaccount_connections")
            if sociallogin.is_existing and sociallogin.user != user:
                self._refuse(
                    request,
                    next_url,
                    linked_elsewhere_message(),
                )
            other = (
                SocialAccount.objects.filter(user=user, provider=PROVIDER_ID)
                .exclude(uid=sociallogin.account.uid)
                .exists()
            )
            if other:
                self._refuse(
                    request,
                    next_url,
                    _(
                        "Your account is already linked to another ThaID identity. Nothing was "
                        "linked: unlink it first (“My organisation”, ThaID, Manage)."
                    ),
                )
            remember_sociallogin(request, sociallogin)
            return
        if not sociallogin.is_existing:
            self._refuse(
                request,
                reverse("account_login"),
                _(
                    "No account of the portal is linked to this ThaID identity. Sign in with your "
                    "e-mail address and password (or sign up first), then link ThaID from “My "
                    "organisation”."
                ),
            )

    def _refuse(self, request, next_url, message):
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect(next_url))

    def is_open_for_signup(self, request, sociallogin):
        return False

    def is_auto_signup_allowed(self, request, sociallogin):
        return False

    def can_authenticate_by_email(self, login, email):
        return False


class AuthenticateStage(MFAAuthenticateStage):
    """allauth's second-factor step, skipped when a ThaID sign-in asserted MFA (recorded)."""

    def handle(self):
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if _is_thaid(sociallogin) and asserts_mfa(sociallogin.account.extra_data):
            record_authentication(
                self.request, self.login.user, THAID_MFA_METHOD, provider=PROVIDER_ID
            )
            return None, True
        return super().handle()


@dataclass(frozen=True)
class PortalSite:
    """What allauth's mail templates read of `current_site`."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The address the login and reset limits count: X-Forwarded-For (as allauth reads it,
        TRUSTED_PROXY_COUNT) only when the peer is one of TRUSTED_PROXIES (nginx); a client that
        reaches gunicorn itself is counted by its own address, whatever header it sends."""
        if not from_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            peer = request.META.get("REMOTE_ADDR", "")
            if not peer:
                raise PermissionDenied("Unable to determine client IP address")
            return peer
        return super().get_client_ip(request)

    def send_mail(self, template_prefix, email, context):
        """allauth's mails name the portal (PORTAL_NAME) on its public address (PORTAL_URL), not
        the host a request came in on ("สวัสดีจาก 127.0.0.1:8100!")."""
        portal = PortalSite(settings.PORTAL_NAME, urlsplit(settings.PORTAL_URL).netloc)
        super().send_mail(template_prefix, email, {**context, "current_site": portal})

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The confirmation link on the portal's public address (core/links.py)."""
        return absolute(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        """The reset link on the portal's public address (core/links.py)."""
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute(path.replace("UID-KEY", quote(key)))

    def get_login_stages(self):
        ours = f"{AuthenticateStage.__module__}.{AuthenticateStage.__qualname__}"
        return [
            ours if path == "allauth.mfa.stages.AuthenticateStage" else path
            for path in super().get_login_stages()
        ]


def on_user_logged_in(sender, request, user, **kwargs):
    """A ThaID sign-in: keep what it proved in the (new) session."""
    sociallogin = kwargs.get("sociallogin")
    if _is_thaid(sociallogin):
        remember_sociallogin(request, sociallogin)


def forget_pending_signup(sender, request=None, **kwargs):
    """At every login, logout and sign-up: no ThaID identity waits in the session to be linked to
    whoever acts next in this browser."""
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(PENDING_SIGNUP_KEY, None)
