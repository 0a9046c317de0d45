"""python manage.py generate_demo_registry: a small registry for a clone without the real files.

Two real provinces (Sakon Nakhon 47, Nakhon Phanom 48) and some of their real districts, with
21 invented LAOs whose 7-digit codes follow T PPDD NN but use running numbers 90-99, which no
real LAO has (the real ones stop below 30), so loading the real registry later never collides.
Every row is is_generated=True. Running it again creates nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from demo.units import generate_units
from registry.loader import FULL_NAME_PREFIX_TH
from registry.models import District, Organization, Province

# Codes and names as in thailand-geography-json (tgj_provinces.json, tgj_districts.json).
PROVINCES = [
    ("47", "สกลนคร", "Sakon Nakhon"),
    ("48", "นครพนม", "Nakhon Phanom"),
]
DISTRICTS = [
    ("4701", "เมืองสกลนคร", "Mueang Sakon Nakhon", "47000"),
    ("4704", "พรรณานิคม", "Phanna Nikhom", "47130"),
    ("4712", "สว่างแดนดิน", "Sawang Daen Din", "47110"),
    ("4801", "เมืองนครพนม", "Mueang Nakhon Phanom", "48000"),
    ("4805", "ธาตุพนม", "That Phanom", "48110"),
    ("4806", "เรณูนคร", "Renu Nakhon", "48170"),
    ("4807", "นาแก", "Na Kae", "48130"),
]
EN_SUFFIX = {
    "PAO": "Provincial Administrative Organization",
    "TOWN_MUNI": "Town Municipality",
    "SUBDISTRICT_MUNI": "Subdistrict Municipality",
    "SAO": "Subdistrict Administrative Organization",
}
# (dla_code, kind, Thai short name, English name stem). Code: type digit, district, 9x.
LAOS = [
    ("2480190", "PAO", "นครพนม", "Nakhon Phanom"),
    ("4480190", "TOWN_MUNI", "นครพนม", "Nakhon Phanom"),
    ("5480590", "SUBDISTRICT_MUNI", "ธาตุพนม", "That Phanom"),
    ("5480690", "SUBDISTRICT_MUNI", "เรณูนคร", "Renu Nakhon"),
    ("5480790", "SUBDISTRICT_MUNI", "นาแก", "Na Kae"),
    ("6480190", "SAO", "หนองญาติ", "Nong Yat"),
    ("6480191", "SAO", "คำเตย", "Kham Toei"),
    ("6480192", "SAO", "บ้านผึ้ง", "Ban Phueng"),
    ("6480590", "SAO", "ฝั่งแดง", "Fang Daeng"),
    ("6480591", "SAO", "น้ำก่ำ", "Nam Kam"),
    ("6480690", "SAO", "โพนทอง", "Phon Thong"),
    ("6480790", "SAO", "พระซอง", "Phra Song"),
    ("6480791", "SAO", "หนองสังข์", "Nong Sang"),
    ("5470190", "SUBDISTRICT_MUNI", "ท่าแร่", "Tha Rae"),
    ("6470190", "SAO", "ขมิ้น", "Khamin"),
    ("6470191", "SAO", "โนนหอม", "Non Hom"),
    ("5470490", "SUBDISTRICT_MUNI", "พรรณานิคม", "Phanna Nikhom"),
    ("6470490", "SAO", "วังยาง", "Wang Yang"),
    ("5471290", "SUBDISTRICT_MUNI", "สว่างแดนดิน", "Sawang Daen Din"),
    ("6471290", "SAO", "คำสะอาด", "Kham Sa-at"),
    ("6471291", "SAO", "โพนสูง", "Phon Sung"),
]


def create_demo_registry(*, seed: int = 0, units: bool = True) -> dict[str, int]:
    """Create what is missing of the demo registry; return how many rows of each were made."""
    made = {"provinces": 0, "districts": 0, "laos": 0, "units": 0}
    with transaction.atomic():
        provinces = {p.code: p for p in Province.objects.filter(code__in=[p[0] for p in PROVINCES])}
        for code, name_th, name_en in PROVINCES:
            if code not in provinces:
                provinces[code] = Province.objects.create(
                    code=code, name_th=name_th, name_en=name_en, is_generated=True
                )
                made["provinces"] += 1
        districts = {d.code: d for d in District.objects.filter(code__in=[d[0] for d in DISTRICTS])}
        for code, name_th, name_en, postal in DISTRICTS:
            if code not in districts:
                districts[code] = District.objects.create(
                    code=code,
                    province=provinces[code[:2]],
                    name_th=name_th,
                    name_en=name_en,
                    postal_code=postal,
                    is_generated=True,
                )
                made["districts"] += 1
        existing = set(
            Organization.objects.filter(dla_code__in=[lao[0] for lao in LAOS]).values_list(
                "dla_code", flat=True
            )
        )
        new = []
        for code, kind, name_th, name_en in LAOS:
            if code in existing:
                continue
            district = districts[code[1:5]]
            new.append(
                Organization(
                    kind=kind,
                    dla_code=code,
                    type_digit=code[0],
                    name_th=name_th,
                    full_name_th=FULL_NAME_PREFIX_TH[kind] + name_th,
                    name_en=f"{name_en} {EN_SUFFIX[kind]}",
                    name_en_source="generated",
                    district=district,
                    office_district_th=district.name_th,
                    is_generated=True,
                )
            )
        if new:
            bulk_create_with_history(
                new, Organization, default_change_reason="generate_demo_registry"
            )
        made["laos"] = len(new)
        if units:
            result = generate_units(seed=seed, lao_codes=[lao[0] for lao in LAOS])
            made["units"] = result.units_created
    return made


class Command(BaseCommand):
    help = (
        "Create a small generated registry (2 provinces, 7 districts, 21 LAOs, units under "
        "them), all marked is_generated, for a clone without the reference files. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0, help="seed for the units (default 0)")
        parser.add_argument("--no-units", action="store_true", help="do not generate units")

    def handle(self, *args, seed=0, no_units=False, **options):
        made = create_demo_registry(seed=seed, units=not no_units)
        if not any(made.values()):
            self.stdout.write("No changes: the demo registry is already there.")
            return
        self.stdout.write(
            "Demo registry (generated data): "
            + ", ".join(f"{count:,} {label} created" for label, count in made.items())
        )
