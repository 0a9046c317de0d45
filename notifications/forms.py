from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind, Status


class DeliveryLogFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("E-mail"), required=False, choices=[("", _("All"))] + list(Status.choices)
    )
    kind = forms.ChoiceField(
        label=_("Message"), required=False, choices=[("", _("All"))] + list(Kind.choices)
    )
    q = forms.CharField(label=_("Recipient"), required=False, max_length=100)
