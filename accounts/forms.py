"""The sign-up form: who you are and which organisation you work for."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onboarding.models import Organization

from .models import Position, Role, RoleKind


class StaffSignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS).

    The organisation is chosen from a search on the same page (by name or DLA code, with its
    district beside it); its kind decides the role: LAO staff or unit staff.
    """

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    organization = forms.IntegerField(label=_("Organisation"), widget=forms.HiddenInput)
    position = forms.ChoiceField(
        label=_("Position (LAO staff)"), choices=[("", "—")] + list(Position.choices), required=False
    )

    field_order = ["full_name", "phone", "email", "password1", "password2", "organization", "position"]

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
        if org is not None and org.is_lao and not data.get("position"):
            self.add_error("position", _("Staff of an LAO choose their position."))
        return data

    @transaction.atomic
    def signup(self, request, user):
        org = self.organization_obj
        user.full_name = self.cleaned_data["full_name"].strip()
        user.phone = self.cleaned_data.get("phone", "").strip()
        user.save(update_fields=["full_name", "phone"])
        Role.objects.create(
            user=user,
            kind=RoleKind.LAO_STAFF if org.is_lao else RoleKind.UNIT_STAFF,
            organization=org,
            position=self.cleaned_data.get("position", "") if org.is_lao else "",
        )
