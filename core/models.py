"""The portal clock's setting: the one model of the lowest layer."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockSetting(models.Model):
    """The portal's clock set to another instant, for tests and demos; ignored in production.

    The clock keeps running from the instant it was set to: now = set_to + (real now - set_at).
    A single row (pk=1) or none (the real clock).
    """

    set_to = models.DateTimeField(_("clock set to"))
    set_at = models.DateTimeField(_("set at (real time)"))
    set_by = models.CharField(_("set by"), max_length=200, blank=True)

    class Meta:
        db_table = "maintenance_clocksetting"  # moved from maintenance; the table keeps its name
        verbose_name = _("portal clock")
        verbose_name_plural = _("portal clock")

    def __str__(self):
        return f"{self.set_to.isoformat()} (set at {self.set_at.isoformat()})"
