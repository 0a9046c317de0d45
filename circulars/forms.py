"""The forwarding form: a province's or district's own letter, dated as Thai officers type dates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ThaiDateField


class ForwardForm(forms.Form):
    number = forms.CharField(
        label=_("Number of your letter (ที่)"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "นพ ๐๐๒๓.๕/ว ๑๕๗๘", "autocomplete": "off"}),
    )
    issued_on = ThaiDateField(
        label=_("Date of your letter (วันที่)"),
        help_text=_("Buddhist era, e.g. 9/4/2568 or 9 เม.ย. 2568."),
    )
    subject = forms.CharField(label=_("Subject (เรื่อง)"), max_length=500)
    body = forms.CharField(
        label=_("Text of your letter"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    delivery = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, via=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.via = list(via)
        if len(self.via) > 1:
            self.fields["delivery"] = forms.TypedChoiceField(
                label=_("Forward as"),
                coerce=int,
                choices=[(d.pk, d.recipient_name) for d in self.via],
            )

    def clean_delivery(self):
        pk = self.cleaned_data.get("delivery")
        if pk in (None, ""):
            return self.via[0] if self.via else None
        for d in self.via:
            if d.pk == pk:
                return d
        raise forms.ValidationError(_("You cannot forward this letter through that delivery."))
