"""Access rules carried by circulars, and the discrepancies between a letter and its source."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maintenance import policy


class AccessRule(models.Model):
    """One clause of a circular turned into data: who may (not) do what, from when, until when."""

    EntityType = policy.EntityType
    Action = policy.Action
    Effect = policy.Effect

    circular = models.ForeignKey(
        "circulars.Circular",
        on_delete=models.CASCADE,
        related_name="access_rules",
        verbose_name=_("circular"),
    )
    entity_type = models.CharField(
        _("who"),
        max_length=10,
        choices=EntityType.choices,
        null=True,
        blank=True,
        help_text=_("Empty: LAOs and units alike."),
    )
    identity_verified = models.BooleanField(
        _("identity verified"),
        null=True,
        blank=True,
        help_text=_("LAOs only. Empty: whether verified or not."),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    effect = models.CharField(_("effect"), max_length=10, choices=Effect.choices)
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until (exclusive)"), null=True, blank=True)
    clause = models.CharField(_("clause"), max_length=100)
    clause_text = models.TextField(_("text of the clause"), blank=True)
    reason_th = models.CharField(_("reason (Thai)"), max_length=500)
    reason_en = models.CharField(_("reason (English)"), max_length=500)
    history = HistoricalRecords()

    class Meta:
        ordering = ["circular", "starts_at", "id"]
        verbose_name = _("access rule")
        verbose_name_plural = _("access rules")
        constraints = [
            models.CheckConstraint(
                name="access_rule_window_is_ordered",
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
            ),
            models.CheckConstraint(
                name="access_rule_identity_only_for_laos",
                condition=Q(identity_verified__isnull=True)
                | ~Q(entity_type=policy.EntityType.UNIT),
            ),
        ]

    def __str__(self):
        return f"{self.circular.number} {self.clause}: {self.effect} {self.action}"


class Discrepancy(models.Model):
    """A forwarding letter whose dates disagree with its source's; the source governs."""

    forwarding_circular = models.ForeignKey(
        "circulars.Circular", on_delete=models.CASCADE, related_name="discrepancies_as_forwarder"
    )
    source_circular = models.ForeignKey(
        "circulars.Circular", on_delete=models.CASCADE, related_name="discrepancies_as_source"
    )
    forwarding_rule = models.ForeignKey(AccessRule, on_delete=models.CASCADE, related_name="+")
    source_rule = models.ForeignKey(AccessRule, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(_("field"), max_length=20)
    forwarding_value = models.DateTimeField(null=True, blank=True)
    source_value = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["forwarding_circular", "source_value"]
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        constraints = [
            models.UniqueConstraint(
                fields=["forwarding_rule", "source_rule", "field"],
                name="discrepancy_unique_per_field",
            )
        ]

    def __str__(self):
        return f"{self.forwarding_circular.number} ≠ {self.source_circular.number} ({self.field})"
