"""The registry: provinces, districts, and the organisations that use New e-LAAS.

An Organization is either an LAO (keyed by its 7-digit DLA code) or a unit under an LAO
(a school, a child development centre, ...) with its parent LAO. LAO names repeat inside a
province (82 times for one type), so every page that names an LAO names its district too.

These models moved here from `onboarding`; their tables keep their names (`db_table`).
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import EventHistory
from core.scoping import RestrictQuerySet
from core.thai import to_arabic_digits

# Bangkok's DOPA province code (กรุงเทพมหานคร in tgj_provinces.json): its districts are
# เขต, not อำเภอ.
BANGKOK_PROVINCE_CODE = "10"


class Province(models.Model):
    """A changwat, keyed by its 2-digit DOPA code."""

    code = models.CharField(_("province code"), max_length=2, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_generated = models.BooleanField(_("generated demo data"), default=False)

    class Meta:
        ordering = ["code"]
        db_table = "onboarding_province"
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
        db_table = "onboarding_district"
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return f"{self.name_th}, {self.province.name_th}"

    def get_absolute_url(self):
        return reverse("registry:district", args=[self.code])

    @property
    def is_khet(self) -> bool:
        """Bangkok's districts are เขต; every other province's are อำเภอ."""
        return self.province.code == BANGKOK_PROVINCE_CODE

    @property
    def title_th(self) -> str:
        """'อำเภอปลาปาก', or 'เขตดุสิต' in Bangkok, whatever the language (Thai lines of e-mail)."""
        return f"{'เขต' if self.is_khet else 'อำเภอ'}{self.name_th}"

    @property
    def title(self) -> str:
        """The district as the page's language writes it: title_th, or 'district ปลาปาก' (the
        Thai name is the one on every letter; the English one is on the district's page)."""
        if (get_language() or "th").startswith("th"):
            return self.title_th
        return f"{'khet' if self.is_khet else 'district'} {self.name_th}"


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


@dataclass(frozen=True)
class Area:
    """Where someone acts: the country, provinces, districts, organisations, and the LAOs whose
    units are included. Built from a user's roles by accounts.scope.area_of."""

    national: bool = False
    province_ids: frozenset = field(default_factory=frozenset)
    district_ids: frozenset = field(default_factory=frozenset)
    organization_ids: frozenset = field(default_factory=frozenset)
    parent_ids: frozenset = field(default_factory=frozenset)


class OrganizationQuerySet(RestrictQuerySet):
    def laos(self):
        return self.filter(kind__in=LAO_KINDS)

    def units(self):
        return self.filter(kind__in=UNIT_KINDS)

    def with_places(self):
        return self.select_related("district__province")

    def search(self, text: str):
        """By DLA code (Thai or Arabic digits, whole or a prefix), by words of the name, or by the
        name of its district ("ปลาปาก" finds the 9 LAOs of อำเภอปลาปาก and หนองปลาปาก)."""
        text = to_arabic_digits((text or "").strip())
        if not text:
            return self
        if text.isdigit():
            return self.filter(dla_code__startswith=text)
        return self.filter(
            Q(name_th__icontains=text)
            | Q(full_name_th__icontains=text)
            | Q(name_en__icontains=text)
            | Q(district__name_th__icontains=text)
            | Q(district__name_en__icontains=text)
        )

    def in_area(self, area: "Area"):
        """Organisations inside `area` (see accounts.scope.area_of: whose private pages a user may
        open: their own, their LAO's units, their district, province or the country). Views ask
        `restrict(user, Action.VIEW)`, whose rule (accounts.scope) builds the area."""
        if area.national:
            return self.all()
        q = Q(pk__in=[])
        if area.organization_ids:
            q |= Q(pk__in=area.organization_ids)
        if area.parent_ids:
            q |= Q(parent_id__in=area.parent_ids)
        if area.province_ids:
            q |= Q(district__province_id__in=area.province_ids)
        if area.district_ids:
            q |= Q(district_id__in=area.district_ids)
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
    history = HistoricalRecords(
        table_name="onboarding_historicalorganization", bases=[EventHistory]
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["dla_code", "id"]
        db_table = "onboarding_organization"
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
        return reverse("registry:organization", args=[self.pk])

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
