"""History as typed events: what happened and its data, written as a sentence when it is read.

A history row of a verification request, a role or an organisation keeps an event type
(`HistoryEvent`) and its data (JSON: the officer's remarks, the days, the last four digits …), not
prose. `describe` writes the sentence in the reader's language, so editing a translation changes
every row at once and orphans none (Zulip keeps its events the same way). The fields come from
`EventHistory`, given to simple-history as `HistoricalRecords(bases=[EventHistory])`; a service
names the event with `record(instance, event, **data)` before it saves, and the
`pre_create_historical_record` signal copies it onto the history row.

Rows written before the events were prose; `core.history_legacy` turned them into events once
(migrations onboarding 0005, accounts 0010, registry 0002). Prose it did not recognise is kept as a
LEGACY_NOTE event with the text.
"""

from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.signals import pre_create_historical_record


class HistoryEvent(models.TextChoices):
    """What happened to a request, a membership or an organisation, as its history keeps it."""

    # A verification request (onboarding.services).
    SUBMITTED = "submitted", gettext_lazy("submitted")
    SAVED_AS_DRAFT = "saved_as_draft", gettext_lazy("saved as a draft")
    RESUBMITTED = "resubmitted", gettext_lazy("resubmitted after correction")
    CORRECTED = "corrected", gettext_lazy("corrected")
    DRAFT_SAVED = "draft_saved", gettext_lazy("draft saved")
    WITHDRAWN = "withdrawn", gettext_lazy("withdrawn")
    APPROVED = "approved", gettext_lazy("approved")
    RETURNED = "returned", gettext_lazy("returned for correction")
    REJECTED = "rejected", gettext_lazy("rejected")
    THAID_REFUSED = "thaid_refused", gettext_lazy("ThaID identity refused")
    THAID_PROVEN = "thaid_proven", gettext_lazy("identity proven by ThaID")
    # An organisation (onboarding.services.refresh_lao_verification).
    IDENTITY_VERIFIED = "identity_verified", gettext_lazy("identity verified")
    # A role (accounts.services, onboarding.membership, onboarding.officers).
    MEMBERSHIP_REQUESTED = "membership_requested", gettext_lazy("membership requested")
    MEMBERSHIP_APPROVED = "membership_approved", gettext_lazy("membership approved")
    MEMBERSHIP_REFUSED = "membership_refused", gettext_lazy("membership refused")
    MEMBERSHIP_EXPIRED = "membership_expired", gettext_lazy("membership expired")
    OFFICER_PLACED = "officer_placed", gettext_lazy("officer put in")
    # A row written as prose that no event matched (kept as written: data {"text": …}).
    LEGACY_NOTE = "legacy_note", gettext_lazy("note")


class EventHistory(models.Model):
    """The event and its data on a history row (simple-history's `bases=`)."""

    history_event = models.CharField(
        gettext_lazy("event"), max_length=30, choices=HistoryEvent.choices, blank=True, default=""
    )
    history_data = models.JSONField(gettext_lazy("event data"), default=dict, blank=True)

    class Meta:
        abstract = True


def record(instance, event: HistoryEvent, **data) -> None:
    """Name the event the next save of `instance` writes to its history (with its data)."""
    instance._history_event = HistoryEvent(event)
    instance._history_data = {k: v for k, v in data.items() if v not in (None, "")}


@receiver(pre_create_historical_record)
def _copy_event(sender, instance, history_instance, **kwargs):
    """The event named by `record` onto the history row; then forgotten, so that a later save of
    the same object does not repeat it."""
    event = getattr(instance, "_history_event", None)
    if event is None or not hasattr(history_instance, "history_event"):
        return
    history_instance.history_event = str(event)
    history_instance.history_data = getattr(instance, "_history_data", {})
    del instance._history_event
    instance.__dict__.pop("_history_data", None)


def _with_remarks(label: str, remarks: str) -> str:
    return _("%(label)s: %(remarks)s") % {"label": label, "remarks": remarks} if remarks else label


def sentence(event: str, data: dict | None) -> str:
    """The sentence of one event, in the active language (what the person typed stays as typed)."""
    data = data or {}
    remarks = str(data.get("remarks") or "")
    match event:
        case HistoryEvent.SUBMITTED:
            return _("Submitted")
        case HistoryEvent.SAVED_AS_DRAFT:
            return _("Saved as a draft")
        case HistoryEvent.RESUBMITTED:
            return _("Resubmitted after correction")
        case HistoryEvent.CORRECTED:
            return _("Corrected")
        case HistoryEvent.DRAFT_SAVED:
            return _("Draft saved")
        case HistoryEvent.WITHDRAWN:
            return _with_remarks(_("Withdrawn by the requester"), remarks)
        case HistoryEvent.APPROVED:
            return _with_remarks(_("Approved"), remarks)
        case HistoryEvent.RETURNED:
            return _with_remarks(_("Returned for correction"), remarks)
        case HistoryEvent.REJECTED:
            return _with_remarks(_("Rejected"), remarks)
        case HistoryEvent.THAID_REFUSED:
            return _(
                "ThaID identity refused: ThaID's national ID (ending %(theirs)s) is not the "
                "one in this request (ending %(ours)s)"
            ) % {"theirs": data.get("theirs", ""), "ours": data.get("ours", "")}
        case HistoryEvent.THAID_PROVEN:
            return _("Identity proven by ThaID (assurance level %(ial)s)") % {
                "ial": data.get("ial", "")
            }
        case HistoryEvent.IDENTITY_VERIFIED:
            return _("Identity verified: required positions approved")
        case HistoryEvent.MEMBERSHIP_REQUESTED:
            return _("Membership requested at sign-up")
        case HistoryEvent.MEMBERSHIP_APPROVED:
            return _with_remarks(_("Membership approved"), remarks)
        case HistoryEvent.MEMBERSHIP_REFUSED:
            return _with_remarks(_("Membership refused"), remarks)
        case HistoryEvent.MEMBERSHIP_EXPIRED:
            return _("Expired: not decided within %(days)s days") % {"days": data.get("days", "")}
        case HistoryEvent.OFFICER_PLACED:
            by = data.get("by")
            return (
                _("Officer put in by %(by)s") % {"by": by}
                if by
                else _("Officer put in by the operator")
            )
    return str(data.get("text") or "")


def describe(row) -> str:
    """A history row as a sentence in the reader's language: its event, or for a row that has
    none (written by a loader with a plain reason) that reason as written."""
    event = getattr(row, "history_event", "")
    if event:
        return sentence(event, getattr(row, "history_data", None))
    return getattr(row, "history_change_reason", None) or ""
