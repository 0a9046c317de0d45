"""Which part of the country a dashboard shows, and whether the user may see it.

A DLA officer sees the country, a provincial officer their province, a district officer their
district; each may drill down inside it. Anything outside is 404, as for every scoped object.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.models import OFFICER_KINDS
from accounts.scope import officer_area
from registry.models import District, Organization, Province


class ScopeLevel(models.TextChoices):
    """How wide a scope is (country, province, district), and what a dashboard's breakdown lists
    (provinces, districts, LAOs: `stats.child_level`)."""

    COUNTRY = "country", _("Whole country")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    LAO = "lao", _("LAO")


@dataclass(frozen=True)
class Scope:
    level: ScopeLevel  # COUNTRY, PROVINCE or DISTRICT
    province: Province | None = None
    district: District | None = None

    @property
    def key(self) -> str:
        area = self.district or self.province
        return f"{self.level}:{area.code}" if area else str(self.level)

    @property
    def province_code(self) -> str | None:
        """The code of the scope's province (a district's: its province's; None: the country),
        whose data version its pages use (compliance.version)."""
        if self.district:
            return self.district.province.code
        return self.province.code if self.province else None

    def lao_filter(self, prefix: str = "") -> Q:
        if self.district:
            return Q(**{f"{prefix}district_id": self.district.pk})
        if self.province:
            return Q(**{f"{prefix}district__province_id": self.province.pk})
        return Q()

    def laos(self):
        return Organization.objects.laos().filter(self.lao_filter())

    def units(self):
        return Organization.objects.units().filter(self.lao_filter())

    @property
    def name_th(self) -> str:
        if self.district:
            return f"{self.district.title_th} จังหวัด{self.district.province.name_th}"
        if self.province:
            return f"จังหวัด{self.province.name_th}"
        return "ทั่วประเทศ"

    @property
    def name_en(self) -> str:
        if self.district:
            province = self.district.province
            return (
                f"{self.district.name_en or self.district.name_th}, "
                f"{province.name_en or province.name_th}"
            )
        if self.province:
            return self.province.name_en or self.province.name_th
        return "Whole country"

    def url(self) -> str:
        if self.district:
            return reverse("compliance:district", args=[self.district.code])
        if self.province:
            return reverse("compliance:province", args=[self.province.code])
        return reverse("compliance:country")

    def query(self) -> str:
        """The query string that names this scope for the API and the exports."""
        if self.district:
            return f"province={self.district.province.code}&district={self.district.code}"
        if self.province:
            return f"province={self.province.code}"
        return ""

    def breadcrumbs(self, user) -> list[tuple[str, str]]:
        national, provinces, _districts = officer_area(user, OFFICER_KINDS)
        crumbs = []
        if national:
            crumbs.append(("ทั่วประเทศ", reverse("compliance:country")))
        province = self.province or (self.district.province if self.district else None)
        if province and (national or province.pk in provinces):
            crumbs.append(
                (f"จังหวัด{province.name_th}", reverse("compliance:province", args=[province.code]))
            )
        if self.district:
            crumbs.append(
                (
                    self.district.title_th,
                    reverse("compliance:district", args=[self.district.code]),
                )
            )
        return crumbs


def home_scope(user) -> Scope | None:
    """The widest scope the user may see."""
    national, provinces, districts = officer_area(user, OFFICER_KINDS)
    if national:
        return Scope(ScopeLevel.COUNTRY)
    if provinces:
        return Scope(
            ScopeLevel.PROVINCE,
            province=Province.objects.filter(pk__in=provinces).order_by("code").first(),
        )
    if districts:
        district = (
            District.objects.select_related("province")
            .filter(pk__in=districts)
            .order_by("code")
            .first()
        )
        return Scope(ScopeLevel.DISTRICT, district=district)
    return None


def _area(level: ScopeLevel, code: str):
    """The province or district (with its province) of a code, or None."""
    if level == ScopeLevel.DISTRICT:
        return District.objects.select_related("province").filter(code=code).first()
    return Province.objects.filter(code=code).first()


def _read_when_used(level: ScopeLevel, code: str):
    """The area of a code, read from the database only when the page uses it (a page kept in
    the cache does not); 404 if there is none."""

    def read():
        area = _area(level, code)
        if area is None:
            raise Http404("no such area")
        return area

    return SimpleLazyObject(read)


def resolve(
    user,
    *,
    province_code: str | None = None,
    district_code: str | None = None,
    when_drawn: bool = False,
) -> Scope:
    """The scope named by codes, if the user may see it; Http404 otherwise.

    The user's own areas are known by code from their roles (read with the user), so the
    common case (an officer opening their own area, or a DLA officer any) decides without a
    query. With `when_drawn` (the dashboards and the late list, which need the area only to
    draw the page) the area is then read only when used, and a code naming none is a 404 at
    that point; otherwise it is read here."""
    national, provinces, districts = officer_area(user, OFFICER_KINDS, by_code=True)
    if district_code:
        if when_drawn and not province_code and (national or district_code in districts):
            district = _read_when_used(ScopeLevel.DISTRICT, district_code)
            return Scope(ScopeLevel.DISTRICT, district=district)
        district = _area(ScopeLevel.DISTRICT, district_code)
        if district is None or (province_code and district.province.code != province_code):
            raise Http404("no such district")
        if not (national or district.province.code in provinces or district.code in districts):
            raise Http404("outside your area")
        return Scope(ScopeLevel.DISTRICT, district=district)
    if province_code:
        if not (national or province_code in provinces):
            raise Http404("outside your area")
        if not when_drawn:
            province = _area(ScopeLevel.PROVINCE, province_code)
            if province is None:
                raise Http404("no such province")
            return Scope(ScopeLevel.PROVINCE, province=province)
        return Scope(
            ScopeLevel.PROVINCE, province=_read_when_used(ScopeLevel.PROVINCE, province_code)
        )
    if not national:
        raise Http404("outside your area")
    return Scope(ScopeLevel.COUNTRY)
