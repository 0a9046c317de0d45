"""The outbox: every message is a row written in the transaction that caused it.

The broker only carries a nudge ("there is mail to send"). Workers claim rows with a
conditional update, so any number of them can run, twice, or be killed, and each row is sent
once. A unique constraint on (recipient, kind, subject, period) makes a second daily pass a no-op.
The reminder ladder (who is reminded when) is data: `ReminderStep`.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.scoping import RestrictQuerySet


class Kind(models.TextChoices):
    LAO_REMINDER = "lao_reminder", _("Reminder to LAO staff: verify your identity")
    DISTRICT_DIGEST = "district_digest", _("Digest to the district officer: LAOs not yet verified")
    PROVINCE_SUMMARY = "province_summary", _("Summary to the provincial officer, by district")
    DLA_SUMMARY = "dla_summary", _("Summary to DLA, by province")
    UNIT_REMINDER = "unit_reminder", _("Reminder to unit staff: log in")
    CIRCULAR = "circular", _("A circular for you to acknowledge")
    MEMBERSHIP_REQUEST = "membership_request", _("A membership waiting for your approval")
    REQUEST_DECISION = "request_decision", _("A decision on your identity verification request")
    RETURNED_REMINDER = (
        "returned_reminder",
        _("Reminder to a requester: correct your returned request"),
    )
    OFFICER_INVITATION = "officer_invitation", _("An invitation to the portal as an officer")
    MEMBERSHIP_DECISION = "membership_decision", _("A decision on your membership")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# An officer may have these sent again (`delivery.resend`).
RESENDABLE = (Status.FAILED, Status.SENT)


class NotificationQuerySet(RestrictQuerySet):
    """`restrict(user, Action.VIEW)`: the user's own messages (the inbox); `Action.REVIEW`: the
    delivery log of an officer's area (rules in `notifications.services`)."""


class Notification(models.Model):
    """One message to one person: shown in the portal's inbox and sent by e-mail."""

    # No index of its own: the inbox index and the unique constraint both start with it (the
    # pass's "which of these exist" reads the latter), and every index costs each row three
    # times (insert, claim, mark sent).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject_key = models.CharField(
        _("about"), max_length=100, help_text=_("What it is about, e.g. org:123")
    )
    period = models.CharField(
        _("period"), max_length=20, help_text=_("The day (Bangkok) or the letter it is for")
    )
    circular = models.ForeignKey(
        "circulars.Circular",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("circular cited"),
    )
    title_th = models.CharField(_("title (Thai)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"))
    created_at = models.DateTimeField(_("created at"))
    status = models.CharField(
        _("e-mail"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by (worker)"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_key", "period"],
                name="notification_once_per_period",
            ),
            models.CheckConstraint(
                name="notification_status_is_known",
                condition=Q(status__in=[s.value for s in Status]),
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status=Status.PENDING),
                name="notification_due_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status=Status.SENDING),
                name="notification_claimed_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            # The dashboards' counts by status and kind, for the country or the people of an area.
            models.Index(
                fields=["status", "kind", "recipient"], name="notification_status_kind_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.period})"

    def get_absolute_url(self):
        return reverse("notifications:detail", args=[self.pk])

    @property
    def can_be_resent(self) -> bool:
        return self.status in RESENDABLE


class Anchor(models.TextChoices):
    WINDOW_OPENS = "window_opens", _("days after the verification window opens")
    WINDOW_LAST_DAY = "window_last_day", _("days before the last day of the verification window")
    UNIT_OPENING = "unit_opening", _("days after units may use the system")


class ReminderStep(models.Model):
    """One rung of the ladder: who gets which message on which day of a window.

    `days` counts from the anchor: 0 = the opening day or the last day itself. With `repeat`,
    the step fires every day from there to the end of the window (a digest "from 3 days before
    the end"); without it, on that one day.
    """

    kind = models.CharField(_("message"), max_length=20, choices=Kind.choices)
    anchor = models.CharField(_("counted from"), max_length=20, choices=Anchor.choices)
    days = models.PositiveSmallIntegerField(_("days"))
    repeat = models.BooleanField(_("every day to the end"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "anchor", "days"]
        verbose_name = _("reminder step")
        verbose_name_plural = _("reminder ladder")
        constraints = [
            models.UniqueConstraint(fields=["kind", "anchor", "days"], name="reminder_step_unique"),
        ]

    def __str__(self):
        daily = " (daily)" if self.repeat else ""
        return f"{self.get_kind_display()}: {self.days} {self.get_anchor_display()}{daily}"

    @property
    def when(self) -> str:
        """The step's day as a person says it: "on the day the window opens", not "0 days after
        the window opens"; "7 days before the last day of the window"."""
        if self.days == 0:
            return str(
                {
                    Anchor.WINDOW_OPENS: _("on the day the verification window opens"),
                    Anchor.WINDOW_LAST_DAY: _("on the last day of the verification window"),
                    Anchor.UNIT_OPENING: _("on the day units may use the system"),
                }[self.anchor]
            )
        return f"{self.days} {self.get_anchor_display()}"

    def fires_on(self, day, *, opens, last_day) -> bool:
        """Does this step fire on `day` (a Bangkok date) for a window from `opens` to `last_day`?"""

        if not (opens <= day <= last_day):
            return False
        if self.anchor == Anchor.WINDOW_OPENS:
            target = opens + dt.timedelta(days=self.days)
            return day >= target if self.repeat else day == target
        if self.anchor == Anchor.WINDOW_LAST_DAY:
            target = last_day - dt.timedelta(days=self.days)
            return day >= target if self.repeat else day == target
        target = opens + dt.timedelta(days=self.days)  # UNIT_OPENING: `opens` is the units' opening
        return day >= target if self.repeat else day == target


class PassRun(models.Model):
    """A daily or window-opening pass that has run: the beat's memory, and the delivery log's."""

    day = models.DateField(_("day (Bangkok)"))
    trigger = models.CharField(_("trigger"), max_length=40)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    already_existed = models.PositiveIntegerField(_("already existed"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("reminder pass")
        verbose_name_plural = _("reminder passes")
        constraints = [
            models.UniqueConstraint(fields=["day", "trigger"], name="pass_run_once_per_trigger")
        ]

    def __str__(self):
        return f"{self.day} {self.trigger}"


class SinkMessage(models.Model):
    """Mail kept in the database by `notifications.backends.DatabaseSinkBackend` instead of sent.

    For development, demos, tests and benchmarks: written in the same transaction that marks the
    notification sent, so counting these rows proves that each notification went out once.
    """

    message_id = models.CharField(_("Message-ID"), max_length=255, db_index=True)
    to = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("text"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    worker = models.CharField(_("sent by (process)"), max_length=100, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("captured e-mail")
        verbose_name_plural = _("captured e-mail")

    def __str__(self):
        return f"{self.subject} → {self.to}"
