"""The verification request form and the reviewer's decision form."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import Position
from core import clock
from core.forms import ThaiDateField
from core.national_id import NationalIdError, normalize
from core.text import strip_invisible
from core.thai import BANGKOK

from .models import RequestState
from .services import RequestData


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class VerificationRequestForm(forms.Form):
    full_name = forms.CharField(label=_("Full name (as on your ID card)"), max_length=200)
    national_id = forms.CharField(
        label=_("National ID number (13 digits)"),
        max_length=40,
        help_text=_("Thai or Arabic digits. Only a fingerprint and the last four digits are kept."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    appointment_order_number = forms.CharField(label=_("Appointment order number"), max_length=100)
    appointment_date = ThaiDateField(
        label=_("Appointment order date"),
        help_text=_("Buddhist era, e.g. 1/10/2567"),
    )
    evidence = MultipleFileField(
        label=_("Evidence files (PDF, JPEG or PNG; at most 5 MB each)"),
        required=False,
        help_text=_("The appointment order and your ID card, for example."),
    )
    consent = forms.BooleanField(
        label=_(
            "I consent to the Department of Local Administration processing these personal data to "
            "verify my identity for New e-LAAS, under the Personal Data Protection Act B.E. 2562."
        ),
        error_messages={
            "required": _(
                "Give your consent to the processing of your personal data (PDPA) to go on."
            )
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, existing=None, thaid_proof=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        self.thaid_proof = thaid_proof  # services.thaid_proof_offered: None, or offered here
        if thaid_proof is not None and (existing is None or existing.thaid_proven_at is None):
            self.fields["prove_with_thaid"] = forms.BooleanField(
                required=False,
                initial=True,
                label=_(
                    "Prove my identity with the ThaID sign-in I just made (national ID ending "
                    "in %(last4)s): no evidence of identity is needed. The reviewer still "
                    "confirms my position."
                )
                % {"last4": str(thaid_proof.get("last4", ""))[-4:]},
            )
            self.fields["evidence"].help_text = _(
                "Optional with ThaID; otherwise the appointment order and your ID card, for "
                "example."
            )
            self.order_fields([*list(self.fields)[:5], "prove_with_thaid", "evidence"])
        if existing is not None:
            self.fields["national_id"].required = False
            self.fields["national_id"].help_text = _(
                "Given before, ending in %(last4)s. Leave empty to keep it; type it again to "
                "change it."
            ) % {"last4": existing.national_id_last4}
            self.fields["remove_evidence"] = forms.ModelMultipleChoiceField(
                queryset=existing.evidence.all(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=_("Remove these files"),
            )
            self.fields["remove_evidence"].label_from_instance = lambda e: e.original_name

    def clean_full_name(self):
        name = strip_invisible(self.cleaned_data.get("full_name", "")).strip()
        if not name:
            raise forms.ValidationError(_("Enter your full name as on your ID card."))
        return name

    @sensitive_variables("raw")
    def clean_national_id(self):
        raw = self.cleaned_data.get("national_id", "")
        if not raw.strip() and self.existing is not None:
            return ""
        try:
            return normalize(raw)
        except NationalIdError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_appointment_date(self):
        day = self.cleaned_data.get("appointment_date")
        if day and day > clock.now().astimezone(BANGKOK).date():
            raise forms.ValidationError(_("The appointment order date is in the future."))
        return day

    def thaid_proof_chosen(self) -> dict | None:
        """The ThaID proof the person ticked, for `services.create_request`/`update_request`."""
        return self.thaid_proof if self.cleaned_data.get("prove_with_thaid") else None

    def files_to_attach_again(self) -> list[str]:
        """The names of the files sent with this form when it comes back with errors: they
        were not kept (nothing of a refused form is stored), so the person attaches them again."""
        if not self.is_bound or not self.files:
            return []
        names = [strip_invisible(f.name) for f in self.files.getlist("evidence") if f]
        return [n for n in names if n]

    @sensitive_variables("d")
    def request_data(self) -> RequestData:
        d = self.cleaned_data
        return RequestData(
            full_name=d["full_name"],
            national_id=d["national_id"],
            position=d["position"],
            appointment_order_number=d["appointment_order_number"],
            appointment_date=d["appointment_date"],
            consent=d["consent"],
        )


class DecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve")),
        ("return", _("Return for correction")),
        ("reject", _("Reject")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Remarks or reason (required to return or reject; the requester reads it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("return", "reject") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why: the requester reads your remarks."))
        return data


class QueueFilterForm(forms.Form):
    ALL = "all"  # every state
    STATES = [
        (RequestState.SUBMITTED, _("Waiting for review")),
        (RequestState.RETURNED, _("Returned for correction")),
        (RequestState.APPROVED, _("Approved")),
        (RequestState.REJECTED, _("Rejected")),
        (ALL, _("All")),
    ]
    AGES = [
        ("", _("Any age")),
        ("3", _("Waiting 3 days or more")),
        ("7", _("Waiting 7 days or more")),
    ]
    q = forms.CharField(label=_("Name or DLA code"), max_length=100, required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    age = forms.ChoiceField(label=_("Age"), choices=AGES, required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("All districts"))] + [
            (d.code, f"{d.name_th} ({d.province.name_th})") for d in districts
        ]

    def clean_q(self):
        return strip_invisible(self.cleaned_data["q"]).strip()


class RefusalForm(forms.Form):
    """Why a membership is refused: the person reads it on their page."""

    reason = forms.CharField(
        label=_("Reason (the person reads it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reason(self):
        return strip_invisible(self.cleaned_data["reason"]).strip()


ROSTER_MAX_BYTES = 5 * 1024 * 1024


class RosterForm(forms.Form):
    """A province's list of officers to invite: CSV or XLSX (accounts/roster.py reads it)."""

    roster = forms.FileField(
        label=_("List of officers (CSV or XLSX)"),
        help_text=_(
            "Columns ชื่อ-สกุล, อีเมล, ตำแหน่ง/บทบาท, จังหวัด, อำเภอ (Thai or English headers; "
            "provinces and districts by name or code)."
        ),
    )

    def clean_roster(self):
        upload = self.cleaned_data["roster"]
        if upload.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Send a .csv or .xlsx file."))
        return upload
