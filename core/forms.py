"""Form fields for Thai input, used by every app's forms."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .thai import ThaiDateError, format_date, parse_date


class ThaiDateField(forms.Field):
    """A date typed as Thai users type it: 5/4/2568, 5 เม.ย. 2568, ๕/๔/๒๕๖๘, or 2025-04-05."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "40"})

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            day = parse_date(value)
        except ThaiDateError:
            raise forms.ValidationError(
                _("“%(value)s” is not a date that exists. Type it like 5/4/2568 or 5 เม.ย. 2568."),
                params={"value": value},
            ) from None
        return day

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return format_date(value, "th").replace("พ.ศ. ", "")
        return value
