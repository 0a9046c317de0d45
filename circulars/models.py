"""Circulars (หนังสือเวียน) as data: the parts of a Thai official letter, linked to each other.

A published letter travels down the chain: DLA's reaches every province; a province forwards
it, as its own linked letter, to its districts and directly to its PAO and city and town
municipalities; a district forwards it to the other LAOs in it. Each recipient's copy is a
`Delivery` that its people acknowledge (รับทราบ).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import RoleKind
from accounts.scope import officer_area, staff_roles
from core import clock
from core.scoping import Action, RestrictQuerySet, rule
from core.thai import normalize_number, to_arabic_digits, to_thai_digits
from maintenance.policy import Authority

from .intake.layouts import LAYOUTS, LetterKind

# The file name a pasted letter is kept under (shown as "Pasted text", `CircularDraft.shown_name`).
PASTED_NAME = "pasted.txt"


class Urgency(models.TextChoices):
    NORMAL = "normal", _("ปกติ (normal)")
    URGENT = "urgent", _("ด่วน (urgent)")
    VERY_URGENT = "very_urgent", _("ด่วนมาก (very urgent)")
    MOST_URGENT = "most_urgent", _("ด่วนที่สุด (most urgent)")


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

    # The kind of หนังสือราชการ (circulars/intake/layouts.py): which parts the letter has. An
    # announcement or a regulation has no number, a stamped letter no subject, an order no
    # recipients: those stay empty.
    kind = models.CharField(
        _("kind of letter"),
        max_length=20,
        # one choice per kind: several layouts may describe one kind (news as reposted or wired)
        choices=list(dict.fromkeys((layout.kind.value, layout.label_th) for layout in LAYOUTS)),
        default=LetterKind.EXTERNAL,
    )
    number = models.CharField(_("number (as written)"), max_length=100)
    number_normalized = models.CharField(
        _("number (normalised)"), max_length=100, db_index=True, editable=False
    )
    number_compact = models.CharField(max_length=100, db_index=True, editable=False)
    urgency = models.CharField(
        _("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    authority = models.PositiveSmallIntegerField(_("issuing authority"), choices=Authority.choices)
    issuer_name = models.CharField(_("issuer (ส่วนราชการ)"), max_length=255)
    issuer_address = models.CharField(_("issuer's address"), max_length=255, blank=True)
    province = models.ForeignKey(
        "registry.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circulars",
        verbose_name=_("issuing province"),
    )
    district = models.ForeignKey(
        "registry.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circulars",
        verbose_name=_("issuing district"),
    )
    issued_on = models.DateField(_("date"))
    date_as_written = models.CharField(_("date as written"), max_length=100, blank=True)
    date_note = models.TextField(_("note on the date"), blank=True)
    subject = models.CharField(_("subject (เรื่อง)"), max_length=500)
    recipients = models.TextField(_("to (เรียน)"))
    body = models.TextField(_("body"), blank=True)
    signatory = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_position = models.CharField(
        _("position of the signatory"), max_length=500, blank=True
    )
    contact_office = models.CharField(_("contact office"), max_length=500, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=100, blank=True)
    forwards = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forwarded_by",
        verbose_name=_("forwards (the source letter)"),
    )
    source_text = models.TextField(_("source text (as received)"), blank=True)
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("When the letter was sent to its recipients in the portal; empty: not yet."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    history = HistoricalRecords()

    objects = CircularQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        constraints = [
            # A letter without a number (an announcement, a regulation) is told apart by its
            # issuer and subject, not by this pair.
            models.UniqueConstraint(
                fields=["number_normalized", "issued_on"],
                condition=~Q(number_normalized=""),
                name="circular_unique_number_per_date",
            ),
            models.CheckConstraint(
                name="circular_does_not_forward_itself",
                condition=~models.Q(forwards=models.F("pk")),
            ),
        ]

    def __str__(self):
        if self.number:
            return f"ที่ {self.number}"
        return f"{self.get_kind_display()} {self.issuer_name} {self.subject}".strip()

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
        Circular,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cited_by",
        verbose_name=_("the letter cited, where held"),
    )

    class Meta:
        ordering = ["kind", "position"]
        verbose_name = _("reference or enclosure")
        verbose_name_plural = _("references and enclosures")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


# Who a province's letter reaches directly, besides its districts; a district's letter reaches
# the other LAOs in it, so that every LAO is told once.
PROVINCE_DIRECT_KINDS = frozenset({"PAO", "CITY_MUNI", "TOWN_MUNI"})


class DeliveryLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    ORGANIZATION = "organization", _("LAO")


class DeliveryQuerySet(RestrictQuerySet):
    def _visible_to(self, user):
        """Deliveries in the user's area: DLA all; an officer their province's or district's
        (its districts and LAOs included); LAO staff their own organisation's."""

        if user is None or not user.is_authenticated:
            return self.none()
        national, provinces, districts = officer_area(user)
        if national:
            return self.all()
        own = [r.organization_id for r in staff_roles(user, RoleKind.LAO_STAFF)]
        q = Q(pk__in=[])
        if provinces:
            q |= (
                Q(province_id__in=provinces)
                | Q(district__province_id__in=provinces)
                | Q(organization__district__province_id__in=provinces)
            )
        if districts:
            q |= Q(district_id__in=districts) | Q(organization__district_id__in=districts)
        if own:
            q |= Q(organization_id__in=own)
        return self.filter(q)

    def _addressed_to(self, user):
        """Deliveries the user acknowledges: to their province (provincial officers), their
        district (district officers) or their LAO (its staff)."""

        if user is None or not user.is_authenticated:
            return self.none()
        _national, provinces, districts = officer_area(
            user, {RoleKind.PROVINCE_OFFICER, RoleKind.DISTRICT_OFFICER}
        )
        own = [r.organization_id for r in staff_roles(user, RoleKind.LAO_STAFF)]
        q = Q(pk__in=[])
        if provinces:
            q |= Q(level=DeliveryLevel.PROVINCE, province_id__in=provinces)
        if districts:
            q |= Q(level=DeliveryLevel.DISTRICT, district_id__in=districts)
        if own:
            q |= Q(level=DeliveryLevel.ORGANIZATION, organization_id__in=own)
        return self.filter(q)

    def unacknowledged(self):
        return self.filter(acknowledged_at__isnull=True)


rule("circulars.Delivery", Action.VIEW)(DeliveryQuerySet._visible_to)
rule("circulars.Delivery", Action.ACKNOWLEDGE)(DeliveryQuerySet._addressed_to)


class Delivery(models.Model):
    """One recipient's copy of a published letter: a province, a district or an LAO.

    Exactly one of province, district and organisation is set, as `level` says (a check
    constraint); a letter reaches each recipient once (conditional unique constraints), so
    publishing twice creates nothing. Acknowledging sets `acknowledged_at` once.
    """

    circular = models.ForeignKey(
        Circular, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("circular")
    )
    level = models.CharField(_("level"), max_length=20, choices=DeliveryLevel.choices)
    province = models.ForeignKey(
        "registry.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circular_deliveries",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        "registry.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circular_deliveries",
        verbose_name=_("district"),
    )
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circular_deliveries",
        verbose_name=_("organisation"),
    )
    delivered_at = models.DateTimeField(_("delivered at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["circular", "level", "id"]
        verbose_name = _("delivery of a circular")
        verbose_name_plural = _("deliveries of circulars")
        constraints = [
            models.CheckConstraint(
                name="delivery_one_recipient_of_its_level",
                condition=(
                    Q(
                        level="province",
                        province__isnull=False,
                        district__isnull=True,
                        organization__isnull=True,
                    )
                    | Q(
                        level="district",
                        province__isnull=True,
                        district__isnull=False,
                        organization__isnull=True,
                    )
                    | Q(
                        level="organization",
                        province__isnull=True,
                        district__isnull=True,
                        organization__isnull=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="delivery_acknowledged_by_only_with_a_time",
                condition=Q(acknowledged_by__isnull=True) | Q(acknowledged_at__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["circular", "province"],
                condition=Q(province__isnull=False),
                name="delivery_once_per_circular_and_province",
            ),
            models.UniqueConstraint(
                fields=["circular", "district"],
                condition=Q(district__isnull=False),
                name="delivery_once_per_circular_and_district",
            ),
            models.UniqueConstraint(
                fields=["circular", "organization"],
                condition=Q(organization__isnull=False),
                name="delivery_once_per_circular_and_organization",
            ),
        ]
        indexes = [
            models.Index(
                fields=["circular", "level"],
                condition=Q(acknowledged_at__isnull=True),
                name="delivery_unacknowledged_idx",
            ),
        ]

    def __str__(self):
        return f"{self.circular} → {self.recipient_name}"

    def get_absolute_url(self):
        return self.circular.get_absolute_url()

    @property
    def recipient(self):
        return self.province or self.district or self.organization

    @property
    def recipient_name(self) -> str:
        """In Thai, as a letter addresses it: จังหวัดนครพนม, อำเภอเมืองนครพนม จังหวัดนครพนม,
        อบต.… (อำเภอ…)."""
        if self.level == DeliveryLevel.PROVINCE:
            return f"จังหวัด{self.province.name_th}"
        if self.level == DeliveryLevel.DISTRICT:
            return f"{self.district.title_th} จังหวัด{self.district.province.name_th}"
        org = self.organization
        return f"{org.display_name} ({org.district.title_th} จังหวัด{org.district.province.name_th})"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


# --- intake: a letter as it came, read and waiting for an officer's review ----------------------


class IntakeStatus(models.TextChoices):
    READING = "reading", _("Being read")
    REVIEW = "review", _("Waiting for review")
    FAILED = "failed", _("Could not be read")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class DraftEvent(models.TextChoices):
    """What an officer did to a draft, as its history keeps it (the event and its data as JSON in
    the history reason; the sentence is written when it is read, in the reader's language)."""

    FIELD_CORRECTED = "field", _("field corrected")
    RULE_CORRECTED = "rule", _("rule corrected")
    RULE_ADDED = "rule_added", _("rule added")
    RULE_DELETED = "rule_deleted", _("rule deleted")
    REFERENCE_ADDED = "reference_added", _("reference added")
    REFERENCE_DELETED = "reference_deleted", _("reference deleted")
    BODY_READ = "body_read", _("text read against the scan")
    BODY_UNREAD = "body_unread", _("text no longer marked as read")
    DISCARDED = "discarded", _("discarded")
    PUBLISHED = "published", _("published")


class CircularDraftQuerySet(RestrictQuerySet):
    def working(self):
        """The drafts still to be worked on or looked at: every one but those discarded."""
        return self.exclude(status=IntakeStatus.DISCARDED)

    def _visible_to(self, user):
        """DLA officers see every draft; an officer those taken in within their area."""
        if user is None or not user.is_authenticated:
            return self.none()
        national, provinces, districts = officer_area(user)
        if national:
            return self.all()
        q = Q(pk__in=[])
        if provinces:
            q |= Q(province_id__in=provinces) | Q(district__province_id__in=provinces)
        if districts:
            q |= Q(district_id__in=districts)
        return self.filter(q)


rule("circulars.CircularDraft", Action.VIEW, Action.CHANGE)(CircularDraftQuerySet._visible_to)


class CircularDraft(models.Model):
    """A letter taken in (PDF, scan, image or pasted text) and what the parser found in it.

    `parsed` holds the letters with each field's value, span, confidence and flags, and the
    proposed rules; the officer's corrections are written there, each clearing the field's
    flags. Nothing is published while a flag is open.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken in by"),
    )
    # the portal's clock, as every date beside it (the demo clock in a demo)
    created_at = models.DateTimeField(_("taken in at"), default=clock.now)
    province = models.ForeignKey(
        "registry.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province of the officer"),
    )
    district = models.ForeignKey(
        "registry.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district of the officer"),
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=50)
    sha256 = models.CharField(max_length=64, blank=True)
    data = models.BinaryField(_("the file as received"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=IntakeStatus.choices, default=IntakeStatus.READING
    )
    pages_total = models.PositiveSmallIntegerField(_("pages"), default=0)
    pages_done = models.PositiveSmallIntegerField(_("pages read"), default=0)
    source_kind = models.CharField(_("read from"), max_length=20, blank=True)
    source_text = models.TextField(_("text as read"), blank=True)
    ocr_seconds_per_page = models.FloatField(null=True, blank=True)
    parsed = models.JSONField(_("what was found"), default=dict, blank=True)
    error = models.TextField(_("why it could not be read"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    circulars = models.ManyToManyField(
        Circular, blank=True, related_name="drafts", verbose_name=_("circulars")
    )
    # The reason holds a DraftEvent and its data as JSON (circulars.intake.drafts.record).
    history = HistoricalRecords(
        excluded_fields=["data"], history_change_reason_field=models.TextField(null=True)
    )

    objects = CircularDraftQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("circular taken in")
        verbose_name_plural = _("circulars taken in")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="reading"),
                name="circular_draft_reading_idx",
            )
        ]

    def __str__(self):
        return f"{self.file_name or self.pk} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        # Its history on the portal's clock, as its own dates (simple_history reads
        # `_history_date`; without it, the real time would stand beside the demo clock's).
        self._history_date = clock.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("circulars:intake_review", args=[self.pk])

    @property
    def shown_name(self) -> str:
        """The name the pages show: the file's, or "Pasted text" for a pasted letter."""
        if self.file_name == PASTED_NAME:
            return str(_("Pasted text"))
        return self.file_name or str(self.pk)


class DraftPage(models.Model):
    """One page of a draft as an image for the review page (PNG), with its text."""

    draft = models.ForeignKey(CircularDraft, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveSmallIntegerField(_("page"))
    image = models.BinaryField(_("image (PNG)"), editable=False)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["draft", "number"]
        verbose_name = _("page of a draft")
        verbose_name_plural = _("pages of drafts")
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="draft_page_once")]

    def __str__(self):
        return f"{self.draft} p. {self.number}"
