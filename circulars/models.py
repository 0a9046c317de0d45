"""Circulars (หนังสือเวียน) as data: the parts of a Thai official letter, linked to each other."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from elaas_portal.thai import normalize_number, to_arabic_digits, to_thai_digits


class Urgency(models.TextChoices):
    NORMAL = "normal", _("ปกติ (normal)")
    URGENT = "urgent", _("ด่วน (urgent)")
    VERY_URGENT = "very_urgent", _("ด่วนมาก (very urgent)")
    MOST_URGENT = "most_urgent", _("ด่วนที่สุด (most urgent)")


class Authority(models.IntegerChoices):
    """Who issued a letter; the number is its rank in the policy's precedence."""

    DISTRICT = 1, _("District")
    PROVINCE = 2, _("Province")
    DLA = 3, _("Department of Local Administration")


class CircularQuerySet(models.QuerySet):
    def search(self, text: str):
        """Match the number in Thai or Arabic digits, or words of the subject or body."""
        text = (text or "").strip()
        if not text:
            return self
        normalized = normalize_number(text)
        q = models.Q(number_normalized__icontains=normalized)
        # Letters mix digit sets: look for the words in Thai and in Arabic digits alike.
        for variant in {text, to_arabic_digits(text), to_thai_digits(text)}:
            q |= (
                models.Q(subject__icontains=variant)
                | models.Q(body__icontains=variant)
                | models.Q(issuer_name__icontains=variant)
            )
        digits_only = normalized.replace(" ", "")
        if digits_only != normalized:
            q |= models.Q(number_compact__icontains=digits_only)
        return self.filter(q)


class Circular(models.Model):
    """One official letter with the parts a Thai reader expects (งานสารบรรณ)."""

    number = models.CharField(_("number (as written)"), max_length=100)
    number_normalized = models.CharField(_("number (normalised)"), max_length=100, db_index=True, editable=False)
    number_compact = models.CharField(max_length=100, db_index=True, editable=False)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    authority = models.PositiveSmallIntegerField(_("issuing authority"), choices=Authority.choices)
    issuer_name = models.CharField(_("issuer (ส่วนราชการ)"), max_length=255)
    issuer_address = models.CharField(_("issuer's address"), max_length=255, blank=True)
    province = models.ForeignKey(
        "onboarding.Province", on_delete=models.PROTECT, null=True, blank=True,
        related_name="circulars", verbose_name=_("issuing province"),
    )  # fmt: skip
    district = models.ForeignKey(
        "onboarding.District", on_delete=models.PROTECT, null=True, blank=True,
        related_name="circulars", verbose_name=_("issuing district"),
    )  # fmt: skip
    issued_on = models.DateField(_("date"))
    date_as_written = models.CharField(_("date as written"), max_length=100, blank=True)
    date_note = models.TextField(_("note on the date"), blank=True)
    subject = models.CharField(_("subject (เรื่อง)"), max_length=500)
    recipients = models.TextField(_("to (เรียน)"))
    body = models.TextField(_("body"), blank=True)
    signatory = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_position = models.CharField(_("position of the signatory"), max_length=500, blank=True)
    contact_office = models.CharField(_("contact office"), max_length=500, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=100, blank=True)
    forwards = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="forwarded_by",
        verbose_name=_("forwards (the source letter)"),
    )  # fmt: skip
    source_text = models.TextField(_("source text (as received)"), blank=True)
    history = HistoricalRecords()

    objects = CircularQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        constraints = [
            models.UniqueConstraint(
                fields=["number_normalized", "issued_on"], name="circular_unique_number_per_date"
            ),
            models.CheckConstraint(
                name="circular_does_not_forward_itself",
                condition=~models.Q(forwards=models.F("pk")),
            ),
        ]

    def __str__(self):
        return f"ที่ {self.number}"

    def save(self, *args, **kwargs):
        self.number_normalized = normalize_number(self.number)
        self.number_compact = self.number_normalized.replace(" ", "")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("circulars:detail", args=[self.pk])


class CircularReference(models.Model):
    """A line of อ้างถึง (reference) or สิ่งที่ส่งมาด้วย (enclosure), linked where we hold the letter."""

    class Kind(models.TextChoices):
        REFERENCE = "reference", _("อ้างถึง (reference)")
        ENCLOSURE = "enclosure", _("สิ่งที่ส่งมาด้วย (enclosure)")

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.TextField(_("as written"))
    cited_number = models.CharField(_("number cited"), max_length=100, blank=True)
    cited_date = models.DateField(_("date cited"), null=True, blank=True)
    target = models.ForeignKey(
        Circular, on_delete=models.SET_NULL, null=True, blank=True, related_name="cited_by",
        verbose_name=_("the letter cited, where held"),
    )  # fmt: skip

    class Meta:
        ordering = ["kind", "position"]
        verbose_name = _("reference or enclosure")
        verbose_name_plural = _("references and enclosures")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"
