"""The registry: provinces, districts, and the organisations that use New e-LAAS.

An Organization is either an LAO (keyed by its 7-digit DLA code) or a unit under an LAO
(a school, a child development centre, ...) with its parent LAO. LAO names repeat inside a
province (82 times for one type), so every page that names an LAO names its district too.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Province(models.Model):
    """A changwat, keyed by its 2-digit DOPA code."""

    code = models.CharField(_("province code"), max_length=2, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_generated = models.BooleanField(_("generated demo data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name_th


class District(models.Model):
    """An amphoe (or khet in Bangkok), keyed by its 4-digit DOPA code."""

    code = models.CharField(_("district code"), max_length=4, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("province")
    )
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    is_generated = models.BooleanField(_("generated demo data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return f"{self.name_th}, {self.province.name_th}"


class OrganizationKind(models.TextChoices):
    PAO = "PAO", _("Provincial administrative organisation (อบจ.)")
    CITY_MUNI = "CITY_MUNI", _("City municipality (ทน.)")
    TOWN_MUNI = "TOWN_MUNI", _("Town municipality (ทม.)")
    SUBDISTRICT_MUNI = "SUBDISTRICT_MUNI", _("Subdistrict municipality (ทต.)")
    SAO = "SAO", _("Subdistrict administrative organisation (อบต.)")
    SPECIAL = "SPECIAL", _("Special form: Pattaya City")
    BANGKOK = "BANGKOK", _("Bangkok Metropolitan Administration")
    SCHOOL = "SCHOOL", _("School under an LAO")
    CHILD_DEV_CENTRE = "CHILD_DEV_CENTRE", _("Child development centre")
    OTHER_UNIT = "OTHER_UNIT", _("Other unit under an LAO")


LAO_KINDS = frozenset(
    {"PAO", "CITY_MUNI", "TOWN_MUNI", "SUBDISTRICT_MUNI", "SAO", "SPECIAL", "BANGKOK"}
)
UNIT_KINDS = frozenset({"SCHOOL", "CHILD_DEV_CENTRE", "OTHER_UNIT"})

KIND_ABBR_TH = {
    "PAO": "อบจ.",
    "CITY_MUNI": "ทน.",
    "TOWN_MUNI": "ทม.",
    "SUBDISTRICT_MUNI": "ทต.",
    "SAO": "อบต.",
    "SPECIAL": "เมืองพัทยา",
    "BANGKOK": "กทม.",
    "SCHOOL": "โรงเรียน",
    "CHILD_DEV_CENTRE": "ศพด.",
    "OTHER_UNIT": "หน่วยงาน",
}


class OrganizationQuerySet(models.QuerySet):
    def laos(self):
        return self.filter(kind__in=LAO_KINDS)

    def units(self):
        return self.filter(kind__in=UNIT_KINDS)

    def with_places(self):
        return self.select_related("district__province")

    def search(self, text: str):
        """By DLA code (Thai or Arabic digits, whole or a prefix) or by words of the name."""
        from elaas_portal.thai import to_arabic_digits

        text = to_arabic_digits((text or "").strip())
        if not text:
            return self
        if text.isdigit():
            return self.filter(dla_code__startswith=text)
        return self.filter(
            Q(name_th__icontains=text)
            | Q(full_name_th__icontains=text)
            | Q(name_en__icontains=text)
        )

    def in_scope_of(self, user, kinds=None):
        """Organisations whose private pages the user may open: their own, their units, their
        area."""
        from accounts.models import OFFICER_KINDS
        from accounts.scope import officer_area, roles_of

        national, provinces, districts = officer_area(user, kinds or OFFICER_KINDS)
        if national:
            return self.all()
        q = Q(pk__in=[])
        own = [r.organization_id for r in roles_of(user) if r.kind in ("lao_staff", "unit_staff")]
        lao_own = [r.organization_id for r in roles_of(user) if r.kind == "lao_staff"]
        if own:
            q |= Q(pk__in=own)
        if lao_own:
            q |= Q(parent_id__in=lao_own)
        if provinces:
            q |= Q(district__province_id__in=provinces)
        if districts:
            q |= Q(district_id__in=districts)
        return self.filter(q)


class Organization(models.Model):
    """An LAO or a unit under one: who asks the access policy for permission."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    dla_code = models.CharField(
        _("DLA code"),
        max_length=7,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Seven digits; LAOs only."),
    )
    type_digit = models.CharField(_("type digit of the code"), max_length=1, blank=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    full_name_th = models.CharField(_("full name (Thai)"), max_length=255, blank=True)
    name_en = models.CharField(
        _("name (English, derived)"),
        max_length=255,
        blank=True,
        help_text=_("A derived transliteration, not an official name; editable."),
    )
    name_en_source = models.CharField(_("source of the English name"), max_length=40, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("district")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("parent LAO"),
    )
    office_district_th = models.CharField(_("district of the office"), max_length=100, blank=True)
    office_lat = models.DecimalField(
        _("latitude"), max_digits=11, decimal_places=8, null=True, blank=True
    )
    office_lon = models.DecimalField(
        _("longitude"), max_digits=11, decimal_places=7, null=True, blank=True
    )
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    first_login_at = models.DateTimeField(
        _("first login to the portal"),
        null=True,
        blank=True,
        help_text=_("Units: when a member of its staff first logged in."),
    )
    is_generated = models.BooleanField(_("generated demo data"), default=False)
    history = HistoricalRecords()

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["dla_code", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="organization_lao_has_code_unit_has_parent",
                condition=(
                    Q(kind__in=LAO_KINDS - {"BANGKOK"}, dla_code__isnull=False, parent__isnull=True)
                    | Q(kind="BANGKOK", parent__isnull=True)
                    | Q(kind__in=UNIT_KINDS, dla_code__isnull=True, parent__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="organization_dla_code_is_seven_digits",
                condition=Q(dla_code__isnull=True) | Q(dla_code__regex=r"^[0-9]{7}$"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "district"], name="org_kind_district_idx")]

    def __str__(self):
        return f"{self.display_name} ({self.district.name_th})"

    def get_absolute_url(self):
        return reverse("onboarding:organization", args=[self.pk])

    @property
    def is_lao(self) -> bool:
        return self.kind in LAO_KINDS

    @property
    def entity_type(self) -> str:
        return "lao" if self.is_lao else "unit"

    @property
    def display_name(self) -> str:
        """'อบต.หนองญาติ' — the kind abbreviation with the short name, as officers write it."""
        if self.kind in ("SPECIAL", "BANGKOK") or not self.is_lao:
            return self.full_name_th or self.name_th
        return f"{KIND_ABBR_TH[self.kind]}{self.name_th}"


class RequestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, waiting for review")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = ("draft", "submitted", "returned")


class VerificationRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests whose page the user may open: their own, and those in an officer's area."""
        from accounts.models import OFFICER_KINDS
        from accounts.scope import officer_area

        if not user.is_authenticated:
            return self.none()
        national, provinces, districts = officer_area(user, OFFICER_KINDS)
        if national:
            return self.all()
        return self.filter(
            Q(requester=user)
            | Q(organization__district__province_id__in=provinces)
            | Q(organization__district_id__in=districts)
        )

    def reviewable_by(self, user):
        """Requests the user may approve, return or reject (provincial and DLA officers)."""
        from accounts.models import REVIEWER_KINDS
        from accounts.scope import officer_area

        if not user.is_authenticated:
            return self.none()
        national, provinces, _districts = officer_area(user, REVIEWER_KINDS)
        if national:
            return self.all()
        return self.filter(organization__district__province_id__in=provinces)

    def open(self):
        return self.filter(state__in=OPEN_STATES)


class VerificationRequest(models.Model):
    """One LAO staff member's request to have their identity verified for New e-LAAS.

    The national ID number is never stored: only a keyed hash (to find duplicates) and its last
    four digits (to show). Every change goes through `onboarding.services` and is in the history.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="verification_requests",
        verbose_name=_("organisation"),
    )
    requester = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="verification_requests",
        verbose_name=_("requester"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    national_id_hash = models.CharField(_("national ID (keyed hash)"), max_length=64)
    national_id_last4 = models.CharField(_("national ID (last four digits)"), max_length=4)
    position = models.CharField(_("position"), max_length=30)
    appointment_order_number = models.CharField(_("appointment order number"), max_length=100)
    appointment_date = models.DateField(_("appointment order date"))
    consent_at = models.DateTimeField(_("PDPA consent given at"))
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default="draft"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    remarks = models.TextField(_("officer's remarks or reason"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    history = HistoricalRecords(
        excluded_fields=["national_id_hash"],
        history_change_reason_field=models.TextField(null=True),
    )

    objects = VerificationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("identity verification request")
        verbose_name_plural = _("identity verification requests")
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "organization"],
                condition=Q(state__in=OPEN_STATES),
                name="one_open_verification_request_per_person_and_org",
            ),
            models.CheckConstraint(
                name="verification_request_state_is_known",
                condition=Q(state__in=[s.value for s in RequestState]),
            ),
            models.CheckConstraint(
                name="verification_request_last4_is_digits",
                condition=Q(national_id_last4__regex=r"^[0-9]{4}$"),
            ),
        ]
        indexes = [
            models.Index(
                fields=["submitted_at"],
                condition=Q(state="submitted"),
                name="verification_waiting_idx",
            ),
            models.Index(fields=["organization", "state"], name="verification_org_state_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} — {self.organization.display_name} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("onboarding:request", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def masked_national_id(self) -> str:
        """As on the card (1-2345-67890-12-3), with only the last four digits: X-XXXX-XXXX0-12-3."""
        d = self.national_id_last4
        if len(d) != 4:
            return "X-XXXX-XXXXX-XX-X"
        return f"X-XXXX-XXXX{d[0]}-{d[1:3]}-{d[3]}"

    def get_position_display(self) -> str:
        from accounts.models import Position

        return dict(Position.choices).get(self.position, self.position)


def evidence_path(instance, filename):
    import uuid

    from django.utils import timezone

    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        instance.content_type, "bin"
    )
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class PrivateStorage(FileSystemStorage):
    """Evidence storage under settings.PRIVATE_MEDIA_ROOT, read at each use; no public URL.

    Files are written 0600 and the folders it creates 0700: only the portal's own user reads them.
    """

    @property
    def file_permissions_mode(self):
        return 0o600

    @property
    def directory_permissions_mode(self):
        return 0o700

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage():
    return PrivateStorage()


class Evidence(models.Model):
    """A file attached to a verification request (PDF, JPEG or PNG, judged by its content).

    Stored under PRIVATE_MEDIA_ROOT with a random name; served only through an authorised view.
    """

    request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("request"),
    )
    file = models.FileField(
        _("file"), upload_to=evidence_path, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("file name as uploaded"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("onboarding:evidence", args=[self.request_id, self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
