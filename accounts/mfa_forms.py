"""The second-factor code fields as a Thai officer on a phone needs them (settings.MFA_FORMS).

allauth's forms, with: a numeric keyboard (`inputmode="numeric"`), the browser's one-time-code
autofill, a "6 หลัก" hint, Thai digits read as digits, and, for a code that is right but was
already used in its 30-second window, a message that says so instead of "wrong code" (allauth
refuses a reused code as incorrect: `TOTP.validate_code` marks a code used in the cache with
`cache.add`, and a second use finds it there).
"""

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django import forms
from django.utils.translation import gettext_lazy as _

from core.thai import to_arabic_digits

REUSED_CODE = _("This code has been used already: wait for the next one.")


def _code_widget() -> forms.TextInput:
    """A numeric keyboard on phones, and the code offered by the phone's one-time-code autofill."""
    return forms.TextInput(
        attrs={
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "autocapitalize": "off",
            "spellcheck": "false",
            "class": "otp",
        }
    )


def _digits(code: str) -> str:
    """Thai digits as Arabic ones; spaces and dashes dropped (allauth drops them too)."""
    return "".join(c for c in to_arabic_digits(code or "") if c not in " -\u00a0")


def _was_used(user, code: str) -> bool:
    """Whether `code` is a right TOTP code for `user` now: then allauth refused it as used."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return totp is not None and validate_totp_code(decrypt(totp.data["secret"]), code)


class _CodeMixin:
    help = _("6 digits from your authenticator app, or one of your 8-digit recovery codes.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.widget, field.help_text = _code_widget(), self.help
        field.label = _("Code from the authenticator app")

    def clean_code(self):
        self.cleaned_data["code"] = _digits(self.cleaned_data.get("code", ""))
        try:
            return super().clean_code()
        except forms.ValidationError as error:
            if error.code == "incorrect_code" and _was_used(self.user, self.cleaned_data["code"]):
                raise forms.ValidationError(REUSED_CODE, code="reused_code") from None
            raise


class PortalAuthenticateForm(_CodeMixin, AuthenticateForm):
    """The code asked at login (MFA_FORMS["authenticate"])."""


class PortalReauthenticateForm(_CodeMixin, ReauthenticateForm):
    """The code asked again before an officer page (MFA_FORMS["reauthenticate"])."""


class PortalActivateTOTPForm(ActivateTOTPForm):
    """Setting up the authenticator app: the first code from it (MFA_FORMS["activate_totp"])."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.widget = _code_widget()
        field.help_text = _(
            "The 6 digits the app shows for this portal, after scanning the QR code."
        )

    def clean_code(self):
        self.cleaned_data["code"] = _digits(self.cleaned_data.get("code", ""))
        return super().clean_code()
