"""Generated units under LAOs (schools, child development centres, ...) for demos and benchmarks.

No public list of the units exists; these are realistic but invented, and every row says so
(``is_generated=True``). The output is deterministic: each LAO gets its own random stream seeded
from the seed and the LAO's code, so the same seed gives the same units whatever else is in the
database. An LAO that already has generated units gets none, so running twice adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from simple_history.utils import bulk_create_with_history

from registry.models import Organization

# Mean units per LAO by kind for the national profile: PAOs run many schools (and, since 2022,
# health-promoting hospitals), city municipalities schools and centres; most SAOs one to three
# child development centres. Over the 7,849 LAOs this makes about 22,000 units (~2.8 per LAO).
NATIONAL_MEAN_UNITS = {
    "PAO": 25.0,
    "CITY_MUNI": 14.0,
    "SPECIAL": 14.0,
    "BANGKOK": 14.0,
    "TOWN_MUNI": 7.0,
    "SUBDISTRICT_MUNI": 3.0,
    "SAO": 2.2,
}
# (SCHOOL, CHILD_DEV_CENTRE, OTHER_UNIT) weights by kind.
KIND_MIX = {
    "PAO": (85, 0, 15),
    "CITY_MUNI": (50, 35, 15),
    "SPECIAL": (50, 35, 15),
    "BANGKOK": (50, 35, 15),
    "TOWN_MUNI": (45, 42, 13),
    "SUBDISTRICT_MUNI": (15, 75, 10),
    "SAO": (5, 87, 8),
}
UNIT_KINDS_ORDER = ("SCHOOL", "CHILD_DEV_CENTRE", "OTHER_UNIT")

VILLAGES = (
    "หนองบัว",
    "โนนสว่าง",
    "ดอนแดง",
    "นาคำ",
    "โคกกลาง",
    "หนองแวง",
    "ท่าเรือ",
    "นาดี",
    "โพนทอง",
    "สร้างแก้ว",
    "ดงบัง",
    "คำเตย",
    "นาเลา",
    "โนนหอม",
    "ศรีบุญเรือง",
    "วังม่วง",
    "ห้วยทราย",
    "ทุ่งใหญ่",
    "ดอนตาล",
    "หัวนา",
    "นาโพธิ์",
    "หนองสะแก",
    "บึงทอง",
    "โคกสี",
    "หนองหลวง",
    "ป่าแดง",
    "นาหว้า",
    "ท่าลาด",
    "โพนสูง",
    "หนองเดิ่น",
    "ดงเย็น",
    "นาจาน",
    "คำแคน",
    "หนองผือ",
    "โนนค้อ",
    "ม่วงไข่",
    "สามผง",
    "นาขาม",
    "แสนสุข",
    "โพธิ์ชัย",
    "หนองกุง",
    "ดอนสวรรค์",
    "ห้วยบง",
    "นาแก",
    "กุดจิก",
    "หนองน้ำใส",
    "โคกก่อง",
    "บ่อแก้ว",
)
SCHOOL_SUFFIXES = ("วิทยา", "วิทยาคม", "พัฒนา", "ศึกษา", "ประชาสรรค์", "ราษฎร์บำรุง")
OTHER_UNITS = {
    "PAO": ("โรงพยาบาลส่งเสริมสุขภาพตำบลบ้าน{village}", "ศูนย์กีฬา{lao}"),
    "MUNI": (
        "สถานธนานุบาล{lao}",
        "กองทุนหลักประกันสุขภาพ{lao}",
        "ศูนย์บริการสาธารณสุข {n} {lao}",
        "กิจการประปา{lao}",
    ),
    "SAO": ("กองทุนหลักประกันสุขภาพ{lao}", "กิจการประปาบ้าน{village}"),
}
MAX_NAME = Organization._meta.get_field("name_th").max_length


@dataclass
class GenerateResult:
    units_created: int
    laos_given_units: int
    laos_drawing_none: int  # the profile gave them no unit this time (deterministic)
    laos_skipped: int  # they already had generated units

    def summary(self) -> str:
        if self.units_created:
            head = f"Generated {self.units_created:,} units under {self.laos_given_units:,} LAOs"
        elif not (self.laos_skipped or self.laos_drawing_none):
            return "No units generated: no LAOs selected."
        else:
            head = "No units generated"
        return (
            f"{head}; {self.laos_skipped:,} LAOs skipped (they already have generated units), "
            f"{self.laos_drawing_none:,} drew none."
        )


def _unit_count(rng: random.Random, kind: str, per_lao: int | None) -> int:
    if per_lao is not None:
        return per_lao
    mean = NATIONAL_MEAN_UNITS.get(kind, 2.0)
    return max(0, round(rng.gauss(mean, mean * 0.45)))


def _lao_label(lao: dict) -> str:
    """'เทศบาลตำบลนาแก' / 'องค์การบริหารส่วนตำบลนาแก': how the unit names its LAO."""
    return lao["full_name_th"] or lao["name_th"]


def _unit_name(rng: random.Random, kind: str, unit_kind: str, lao: dict, numbers: dict) -> str:
    """A plausible Thai name; ``numbers`` counts the numbered ones (เทศบาล 1, 2, ...)."""

    def numbered(key: str) -> int:
        numbers[key] = numbers.get(key, 0) + 1
        return numbers[key]

    village = rng.choice(VILLAGES)
    short = lao["name_th"]
    if unit_kind == "SCHOOL":
        if kind == "PAO":
            suffix = rng.choice(SCHOOL_SUFFIXES)
            name = rng.choice((f"โรงเรียน{village}{suffix}", f"โรงเรียนบ้าน{village}"))
        elif kind == "SAO":
            name = f"โรงเรียนบ้าน{village}"
        else:
            name = rng.choice(
                (
                    f"โรงเรียนเทศบาล {numbered('school')} (บ้าน{village})",
                    f"โรงเรียนอนุบาลเทศบาล{short}",
                    f"โรงเรียนเทศบาล{short}{rng.choice(SCHOOL_SUFFIXES)}",
                )
            )
    elif unit_kind == "CHILD_DEV_CENTRE":
        name = rng.choice((f"ศูนย์พัฒนาเด็กเล็กบ้าน{village}", f"ศูนย์พัฒนาเด็กเล็ก{_lao_label(lao)}"))
    else:
        group = "PAO" if kind == "PAO" else "SAO" if kind == "SAO" else "MUNI"
        template = rng.choice(OTHER_UNITS[group])
        n = numbered("health") if "{n}" in template else 0
        name = template.format(village=village, lao=_lao_label(lao), n=n)
    return name[:MAX_NAME]


def units_for_lao(lao: dict, *, seed: int, per_lao: int | None) -> list[Organization]:
    """The (unsaved) generated units of one LAO: a pure function of the LAO, seed and count."""
    rng = random.Random(f"{seed}:{lao['dla_code'] or lao['id']}")
    kind = lao["kind"]
    weights = KIND_MIX.get(kind, KIND_MIX["SAO"])
    units, names, numbers = [], set(), {}
    for i in range(_unit_count(rng, kind, per_lao)):
        unit_kind = rng.choices(UNIT_KINDS_ORDER, weights=weights)[0]
        for _attempt in range(5):  # names repeat across the country, but not under one LAO
            name = _unit_name(rng, kind, unit_kind, lao, numbers)
            if name not in names:
                break
        else:
            name = f"{name} แห่งที่ {i + 1}"[:MAX_NAME]
        names.add(name)
        units.append(
            Organization(
                kind=unit_kind,
                dla_code=None,
                name_th=name,
                full_name_th=name,
                parent_id=lao["id"],
                district_id=lao["district_id"],
                office_district_th=lao["district__name_th"],
                is_generated=True,
            )
        )
    return units


def generate_units(
    *,
    per_lao: int | None = None,
    seed: int = 0,
    province: str | None = None,
    lao_codes: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
    batch_size: int = 2000,
) -> GenerateResult:
    """Create generated units under LAOs.

    ``per_lao``: exactly that many per LAO; ``None``: the national profile by kind (about 22,000
    over all LAOs). ``province`` (2-digit code) or ``lao_codes`` restrict the LAOs.
    """
    laos = Organization.objects.laos()
    if province:
        laos = laos.filter(district__province__code=province)
    if lao_codes is not None:
        laos = laos.filter(dla_code__in=list(lao_codes))
    has_generated = Organization.objects.filter(parent=OuterRef("pk"), is_generated=True)
    laos = laos.annotate(has_generated=Exists(has_generated)).order_by("dla_code", "id")
    rows = list(
        laos.values(
            "id",
            "dla_code",
            "kind",
            "name_th",
            "full_name_th",
            "district_id",
            "district__name_th",
            "has_generated",
        )
    )
    todo = [r for r in rows if not r["has_generated"]]
    if progress:
        progress(f"{len(rows):,} LAOs selected, {len(rows) - len(todo):,} already have units")
    units, given = [], 0
    for number, lao in enumerate(todo, start=1):
        made = units_for_lao(lao, seed=seed, per_lao=per_lao)
        units += made
        given += bool(made)
        if progress and number % 1000 == 0:
            progress(f"  planned units for {number:,} LAOs ({len(units):,} units)")
    if units:
        if progress:
            progress(f"Creating {len(units):,} units (with history)")
        with transaction.atomic():
            bulk_create_with_history(
                units, Organization, batch_size=batch_size, default_change_reason="generate_units"
            )
    return GenerateResult(len(units), given, len(todo) - given, len(rows) - len(todo))
