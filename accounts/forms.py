"""The sign-up form: who you are and which organisation you work for."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.scoping import Action
from core.text import strip_invisible
from core.thai import to_arabic_digits
from registry.models import Organization

from . import services
from .models import Position


class StaffSignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS).

    The organisation is chosen from a search on the same page (by name or DLA code, with its
    district beside it); its kind decides the role: LAO staff or unit staff. Without an
    invitation for it, the role is a membership waiting for approval: it grants nothing yet.
    """

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    organization = forms.IntegerField(label=_("Organisation"), widget=forms.HiddenInput)
    position = forms.ChoiceField(
        label=_("Position (LAO staff)"),
        choices=[("", "—")] + list(Position.choices),
        required=False,
    )

    field_order = [
        "full_name",
        "phone",
        "email",
        "password1",
        "password2",
        "organization",
        "position",
    ]

    def clean_full_name(self):
        name = strip_invisible(self.cleaned_data.get("full_name", "")).strip()
        if not name:
            raise forms.ValidationError(_("Enter your full name."))
        return name

    def clean_organization(self):
        pk = self.cleaned_data["organization"]
        org = Organization.objects.with_places().filter(pk=pk).first()
        if org is None:
            raise forms.ValidationError(_("Choose your organisation from the search results."))
        self.organization_obj = org
        return pk

    def clean(self):
        data = super().clean()
        org = getattr(self, "organization_obj", None)
        invitation = getattr(self, "invitation", None)
        invited_here = (
            invitation is not None
            and org is not None
            and invitation.organization_id == org.pk
            and invitation.email.lower() == (data.get("email") or "").lower()
        )
        if org is not None and org.is_lao and not data.get("position") and not invited_here:
            self.add_error("position", _("Staff of an LAO choose their position."))
        return data

    @transaction.atomic
    def signup(self, request, user):

        org = self.organization_obj
        user.full_name = self.cleaned_data["full_name"].strip()
        user.phone = self.cleaned_data.get("phone", "").strip()
        user.save(update_fields=["full_name", "phone"])
        request.session.pop(services.SESSION_KEY, None)
        invitation = getattr(self, "invitation", None)
        if (
            invitation is not None
            and invitation.email.lower() == user.email.lower()
            and invitation.organization_id == org.pk
        ):
            services.accept_invitation(invitation, user)
            return
        services.request_membership(user, org, self.cleaned_data.get("position", ""))


class InvitationForm(forms.Form):
    """An officer invites a member of staff of an organisation in their area."""

    email = forms.EmailField(label=_("E-mail address"))
    organization_code = forms.CharField(
        label=_("Organisation"),
        max_length=100,
        help_text=_(
            "The LAO's 7-digit DLA code (Thai digits are fine), or the number shown beside a unit "
            "in the registry."
        ),
    )
    position = forms.ChoiceField(
        label=_("Position (LAO staff)"),
        choices=[("", "—")] + list(Position.choices),
        required=False,
    )

    def __init__(self, *args, officer, **kwargs):
        super().__init__(*args, **kwargs)
        self.officer = officer

    def clean_organization_code(self):

        raw = to_arabic_digits(self.cleaned_data["organization_code"].strip())
        scope = Organization.objects.restrict(self.officer, Action.VIEW).with_places()
        # ASCII digits only once Thai ones are read: str.isdigit() also takes "²", which int()
        # refuses (a 500 before).
        digits = raw.isascii() and raw.isdigit()
        if digits and len(raw) == 7:
            org = scope.filter(dla_code=raw).first()
        elif digits:
            org = scope.filter(pk=int(raw), dla_code__isnull=True).first()
        else:
            org = None
        if org is None:
            raise forms.ValidationError(_("No organisation in your area has this code."))
        self.cleaned_data["organization"] = org
        return raw

    def clean(self):
        data = super().clean()
        org = data.get("organization")
        if org is not None and org.is_lao and not data.get("position"):
            self.add_error("position", _("Staff of an LAO have a position: choose it."))
        return data
