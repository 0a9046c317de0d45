"""Load the LAO registry from the public reference files (a directory, one file, or a URL).

Formats (see ../shared/data/registry/README.md):

- a directory holding ``tgj_provinces.json`` and ``tgj_districts.json`` (thailand-geography-json)
  and ``dla_lao_registry.csv`` (or, without the CSV, ``siahra_localAuthorities.json``);
- ``dla_lao_registry.csv`` alone: self-contained, provinces and districts come from its columns;
- ``siahra_localAuthorities.json`` alone: it has no district codes, so the districts must already
  be in the database (load a directory first); the district is found by ``dlaCode[1:5]``.

Everything is read and checked first (:func:`read_source`); only a source without a single problem
is written (:func:`apply_source`), in one transaction. Nothing is ever deleted: organisations in the
database but not in the source are counted and left alone. LAOs are keyed on the DLA code only
(names repeat); the kind comes from the type column, never from the code's first digit.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import District, Organization, Province

CSV_NAME = "dla_lao_registry.csv"
SIAHRA_NAME = "siahra_localAuthorities.json"
PROVINCES_NAME = "tgj_provinces.json"
DISTRICTS_NAME = "tgj_districts.json"

LAO_TYPES = ("PAO", "CITY_MUNI", "TOWN_MUNI", "SUBDISTRICT_MUNI", "SAO", "SPECIAL")
SIAHRA_TYPES = {
    "provincial_admin_org": "PAO",
    "city_municipality": "CITY_MUNI",
    "town_municipality": "TOWN_MUNI",
    "subdistrict_municipality": "SUBDISTRICT_MUNI",
    "subdistrict_admin_org": "SAO",
    "special_admin_area": "SPECIAL",
}
# The CSV's full_name_th is always this prefix + name_th (Pattaya: the name alone).
FULL_NAME_PREFIX_TH = {
    "PAO": "องค์การบริหารส่วนจังหวัด",
    "CITY_MUNI": "เทศบาลนคร",
    "TOWN_MUNI": "เทศบาลเมือง",
    "SUBDISTRICT_MUNI": "เทศบาลตำบล",
    "SAO": "องค์การบริหารส่วนตำบล",
    "SPECIAL": "",
}
CSV_COLUMNS = (
    "dla_code",
    "type_digit",
    "lao_type",
    "lao_type_th",
    "name_th",
    "full_name_th",
    "name_en_derived",
    "name_en_source",
    "province_code",
    "province_th",
    "province_en",
    "district_code",
    "district_th",
    "district_en",
    "dla_office_district_th",
    "office_lat",
    "office_lon",
    "area_km2",
)
SIAHRA_REQUIRED = ("dlaCode", "nameTh", "type", "provinceCode", "districtNameTh")

MAX_LISTED_PROBLEMS = 20
PROGRESS_EVERY = 1000
BATCH_SIZE = 1000
CHANGE_REASON_MAX = 100

DLA_CODE_RE = re.compile(r"[0-9]{7}")
PROVINCE_CODE_RE = re.compile(r"[0-9]{2}")
DISTRICT_CODE_RE = re.compile(r"[0-9]{4}")
POSTAL_CODE_RE = re.compile(r"[0-9]{5}")

Progress = Callable[[str], None] | None


class RegistryError(Exception):
    """The source cannot be loaded; ``problems`` says where and why ("file, line N: ...")."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(self.message())

    def message(self) -> str:
        count = len(self.problems)
        head = (
            f"Registry not loaded, nothing was written: {count} problem{'' if count == 1 else 's'}."
        )
        lines = [head, *(f"  {p}" for p in self.problems[:MAX_LISTED_PROBLEMS])]
        if count > MAX_LISTED_PROBLEMS:
            lines.append(f"  ... and {count - MAX_LISTED_PROBLEMS} more")
        return "\n".join(lines)


@dataclass
class Source:
    """Everything a source holds, checked, as plain values keyed on codes."""

    description: str
    # code -> {"name_th", "name_en"}; empty when the source has no provinces (SIAHRA alone).
    provinces: dict[str, dict] = field(default_factory=dict)
    # code -> {"province_code", "name_th", "name_en"[, "postal_code"]}
    districts: dict[str, dict] = field(default_factory=dict)
    # dla_code -> {"district_code", "kind", "type_digit", "name_th", ...}; only the fields the
    # source provides, so a source without English names does not erase them.
    laos: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0
    missing_examples: list[str] = field(default_factory=list)
    in_source: bool = True

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def line(self, label: str) -> str:
        if not self.in_source:
            return f"  {label:<10} not in this source (left as they are)"
        return (
            f"  {label:<10} {self.created:>6,} created, {self.updated:>6,} updated, "
            f"{self.unchanged:>6,} unchanged, {self.missing:>6,} missing from source"
        )


@dataclass
class LoadResult:
    description: str
    provinces: Counts
    districts: Counts
    laos: Counts
    generated_laos_not_in_source: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.provinces.changed or self.districts.changed or self.laos.changed)

    def summary(self) -> str:
        if self.changed:
            lines = [f"Registry loaded from {self.description}:"]
        else:
            lines = [f"No changes: the database already matches {self.description}."]
        lines += [
            self.provinces.line("provinces"),
            self.districts.line("districts"),
            self.laos.line("LAOs"),
        ]
        for label, counts in (
            ("provinces", self.provinces),
            ("districts", self.districts),
            ("LAOs", self.laos),
        ):
            if counts.missing:
                more = ", ..." if counts.missing > len(counts.missing_examples) else ""
                lines.append(
                    f"  {counts.missing:,} {label} in the database are not in the source and were "
                    f"left alone: {', '.join(counts.missing_examples)}{more}"
                )
        if self.generated_laos_not_in_source:
            lines.append(
                f"  {self.generated_laos_not_in_source:,} generated demo LAOs (is_generated) are "
                "not in the source; they were left alone."
            )
        lines += [f"  Note: {n}" for n in self.notes]
        return "\n".join(lines)


# --- Reading and checking ------------------------------------------------------------------


def _decode(path: Path, display: str) -> str:
    """The file's text (UTF-8, with or without a BOM), or a RegistryError naming the line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryError([f"{display}: cannot be read ({exc.strerror or exc})"]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RegistryError(
            [
                f"{display}, line {line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x} "
                f"at offset {exc.start} cannot be decoded). It may be TIS-620/CP874 (Thai "
                "Windows): convert it, e.g. `iconv -f CP874 -t UTF-8`."
            ]
        ) from None


def _load_json(path: Path, display: str):
    text = _decode(path, display)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryError(
            [f"{display}, line {exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})"]
        ) from None


def _model_limits() -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """max_length of Organization's text fields; (max_digits, decimal_places) of its decimals."""
    lengths, decimals = {}, {}
    for f in Organization._meta.concrete_fields:
        if f.get_internal_type() == "CharField":
            lengths[f.name] = f.max_length
        elif f.get_internal_type() == "DecimalField":
            decimals[f.name] = (f.max_digits, f.decimal_places)
    return lengths, decimals


_DECIMAL_RANGES = {
    "office_lat": (Decimal(-90), Decimal(90)),
    "office_lon": (Decimal(-180), Decimal(180)),
    "area_km2": (Decimal(0), None),
}


class _LaoChecker:
    """Checks one LAO record at a time and gathers the problems; shared by CSV and SIAHRA."""

    def __init__(self, display: str, districts: dict[str, dict], problems: list[str]):
        self.display = display
        self.districts = districts
        self.problems = problems
        self.lengths, self.decimals = _model_limits()
        self.seen: dict[str, str] = {}  # dla_code -> where it was first seen
        self.laos: dict[str, dict] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def decimal(self, where: str, name: str, raw) -> Decimal | None:
        """Empty means NULL (never a fallback); anything else must be a number that fits."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool):
            self.problem(where, f"{name} {raw!r} is not a number")
            return None
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            self.problem(where, f"{name} {raw!r} is not a number")
            return None
        low, high = _DECIMAL_RANGES[name]
        if not value.is_finite() or value < low or (high is not None and value > high):
            self.problem(where, f"{name} {raw!r} is out of range")
            return None
        max_digits, places = self.decimals[name]
        if value.adjusted() + 1 <= max_digits - places:
            value = value.quantize(Decimal(1).scaleb(-places))  # as the column stores it
            if value.adjusted() + 1 <= max_digits - places:
                return value
        self.problem(where, f"{name} {raw!r} has too many digits before the decimal point")
        return None

    def add(self, where: str, code: str, values: dict, *, row_district: str | None) -> None:
        """Check ``values`` (model field names plus province_code) and keep them if good."""
        before = len(self.problems)
        if not DLA_CODE_RE.fullmatch(code):
            self.problem(where, f"dla_code {code!r} is not exactly 7 digits")
        if values["kind"] not in LAO_TYPES:
            self.problem(
                where,
                f"unknown LAO type {values['kind']!r} (expected one of {', '.join(LAO_TYPES)})",
            )
        if not values["name_th"]:
            self.problem(where, "the Thai name (name_th) is empty")
        digit = values.get("type_digit", "")
        if DLA_CODE_RE.fullmatch(code) and digit != code[0]:
            self.problem(where, f"type_digit {digit!r} is not the first digit of dla_code {code}")
        for name, value in values.items():
            limit = self.lengths.get(name)
            if limit and isinstance(value, str) and len(value) > limit:
                self.problem(where, f"{name} is {len(value)} characters long (at most {limit})")
        province_code = values.pop("province_code")
        if DLA_CODE_RE.fullmatch(code):
            code_district = code[1:5]
            district = self.districts.get(code_district)
            if row_district is not None and row_district != code_district:
                self.problem(
                    where,
                    f"unknown district: dla_code {code} belongs to district {code_district} "
                    f"(its digits 2-5) but district_code is {row_district!r}",
                )
            elif district is None:
                self.problem(
                    where,
                    f"unknown district {code_district} (from dla_code {code}): not among the "
                    f"{len(self.districts):,} known districts",
                )
            elif district["province_code"] != province_code:
                self.problem(
                    where,
                    f"unknown district: district {code_district} ({district['name_th']}) is in "
                    f"province {district['province_code']}, not in province {province_code!r}",
                )
            if code in self.seen:
                self.problem(where, f"duplicate dla_code {code}: first on {self.seen[code]}")
            else:
                self.seen[code] = where.removeprefix(f"{self.display}, ")
        if len(self.problems) == before:
            values["district_code"] = code[1:5]
            self.laos[code] = values


def _csv_rows(text: str, display: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each non-blank record; RFC 4180 quoting via csv."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RegistryError([f"{display}, line {reader.line_num}: bad CSV ({exc})"]) from None
        if row:
            yield line, row
        line = reader.line_num + 1


def read_csv(
    path: Path,
    display: str,
    *,
    districts: dict[str, dict] | None,
    progress: Progress = None,
) -> Source:
    """Read ``dla_lao_registry.csv``. With ``districts=None`` it is self-contained: provinces and
    districts are taken from its columns (and must agree from row to row)."""
    text = _decode(path, display)
    rows = _csv_rows(text, display)
    try:
        _, header = next(rows)
    except StopIteration:
        raise RegistryError([f"{display}, line 1: the file is empty"]) from None
    header = [h.strip() for h in header]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise RegistryError(
            [f"{display}, line 1: missing required column(s): {', '.join(missing)}"]
        )
    index = {name: header.index(name) for name in CSV_COLUMNS}
    standalone = districts is None
    provinces: dict[str, dict] = {}
    districts = {} if standalone else districts
    defined_at: dict[tuple[str, str], int] = {}
    problems: list[str] = []
    checker = _LaoChecker(display, districts, problems)
    name_mismatches: list[str] = []
    count = 0
    for line, row in rows:
        where = f"{display}, line {line}"
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(f"  read {count:,} rows of {display}")
        if len(row) != len(header):
            problems.append(f"{where}: {len(row)} fields, the header has {len(header)}")
            continue
        r = {name: row[i].strip() for name, i in index.items()}
        if standalone:
            _define_places(r, line, where, provinces, districts, defined_at, problems)
        elif (
            r["district_code"] in districts
            and r["district_th"]
            and (districts[r["district_code"]]["name_th"] != r["district_th"])
        ):
            name_mismatches.append(f"line {line}: {r['district_th']}")
        values = {
            "kind": r["lao_type"],
            "type_digit": r["type_digit"],
            "name_th": r["name_th"],
            "full_name_th": r["full_name_th"],
            "name_en": r["name_en_derived"],
            "name_en_source": r["name_en_source"],
            "office_district_th": r["dla_office_district_th"],
            "office_lat": checker.decimal(where, "office_lat", r["office_lat"]),
            "office_lon": checker.decimal(where, "office_lon", r["office_lon"]),
            "area_km2": checker.decimal(where, "area_km2", r["area_km2"]),
            "province_code": r["province_code"],
        }
        checker.add(where, r["dla_code"], values, row_district=r["district_code"])
    if count == 0:
        problems.append(f"{display}: no LAO rows after the header")
    if problems:
        raise RegistryError(problems)
    source = Source(display, provinces if standalone else {}, districts if standalone else {})
    source.laos = checker.laos
    if name_mismatches:
        source.notes.append(
            f"{len(name_mismatches):,} rows of {display} name their district differently from "
            f"{DISTRICTS_NAME} (kept the latter): {'; '.join(name_mismatches[:3])}"
        )
    return source


def _define_places(r, line, where, provinces, districts, defined_at, problems) -> None:
    """Self-contained CSV: the first row naming a province/district defines it; others agree."""
    pcode, dcode = r["province_code"], r["district_code"]
    if not PROVINCE_CODE_RE.fullmatch(pcode):
        problems.append(f"{where}: province_code {pcode!r} is not 2 digits")
        return
    if not DISTRICT_CODE_RE.fullmatch(dcode):
        problems.append(f"{where}: unknown district: district_code {dcode!r} is not 4 digits")
        return
    if not dcode.startswith(pcode):
        problems.append(
            f"{where}: unknown district: district {dcode} cannot be in province {pcode} "
            "(a DOPA district code starts with its province code)"
        )
        return
    for kind, code, values, table in (
        ("province", pcode, {"name_th": r["province_th"], "name_en": r["province_en"]}, provinces),
        (
            "district",
            dcode,
            {"province_code": pcode, "name_th": r["district_th"], "name_en": r["district_en"]},
            districts,
        ),
    ):
        if not values["name_th"]:
            problems.append(f"{where}: the {kind}'s Thai name ({kind}_th) is empty")
            continue
        known = table.get(code)
        if known is None:
            table[code] = values
            defined_at[(kind, code)] = line
        elif known != values:
            first = defined_at[(kind, code)]
            problems.append(
                f"{where}: {kind} {code} is {_show(values)} here but {_show(known)} on line {first}"
            )


def _show(values: dict) -> str:
    return "/".join(str(v) for v in values.values())


def read_siahra(
    path: Path, display: str, *, districts: dict[str, dict], progress: Progress = None
) -> Source:
    """Read ``siahra_localAuthorities.json``: no district codes, so the district is the one of
    ``dlaCode[1:5]``; its Thai name must agree, or name another district of the same province
    (the office stands there: 2520101)."""
    data = _load_json(path, display)
    records = data.get("localAuthorities") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise RegistryError([f"{display}: no 'localAuthorities' list found"])
    problems: list[str] = []
    expected = data.get("recordCount") if isinstance(data, dict) else None
    if isinstance(expected, int) and expected != len(records):
        problems.append(
            f"{display}: recordCount says {expected:,} but the file holds {len(records):,} "
            "records (truncated download?)"
        )
    names_by_province: dict[str, set[str]] = {}
    for d in districts.values():
        names_by_province.setdefault(d["province_code"], set()).add(d["name_th"])
    checker = _LaoChecker(display, districts, problems)
    other_office = []
    for number, rec in enumerate(records, start=1):
        if progress and number % PROGRESS_EVERY == 0:
            progress(f"  read {number:,} records of {display}")
        if not isinstance(rec, dict):
            problems.append(f"{display}, record {number}: not a JSON object")
            continue
        code = str(rec.get("dlaCode") or "").strip()
        where = f"{display}, record {number} (dlaCode {code or '?'})"
        absent = [k for k in SIAHRA_REQUIRED if k not in rec]
        if absent:
            problems.append(f"{where}: missing required key(s): {', '.join(absent)}")
            continue
        raw_type = str(rec["type"] or "").strip()
        kind = SIAHRA_TYPES.get(raw_type, raw_type)
        name = str(rec["nameTh"] or "").strip()
        province_code = str(rec["provinceCode"] or "").strip().zfill(2)
        office = str(rec["districtNameTh"] or "").strip()
        values = {
            "kind": kind,
            "type_digit": code[:1],
            "name_th": name,
            "full_name_th": FULL_NAME_PREFIX_TH.get(kind, "") + name,
            "office_district_th": office,
            "office_lat": checker.decimal(where, "office_lat", rec.get("centerLat")),
            "office_lon": checker.decimal(where, "office_lon", rec.get("centerLon")),
            "area_km2": checker.decimal(where, "area_km2", rec.get("areaKm2")),
            "province_code": province_code,
        }
        if rec.get("nameEn"):
            values["name_en"] = str(rec["nameEn"]).strip()
            values["name_en_source"] = "siahra"
        if kind not in LAO_TYPES:
            problems.append(
                f"{where}: unknown LAO type {raw_type!r} (expected one of "
                f"{', '.join(SIAHRA_TYPES)})"
            )
            continue
        district = districts.get(code[1:5]) if DLA_CODE_RE.fullmatch(code) else None
        if district and district["province_code"] == province_code:
            if office != district["name_th"]:
                if office in names_by_province.get(province_code, ()):
                    other_office.append(code)
                else:
                    problems.append(
                        f"{where}: districtNameTh {office!r} disagrees with district "
                        f"{code[1:5]} ({district['name_th']}) and names no district of "
                        f"province {province_code}"
                    )
                    continue
        checker.add(where, code, values, row_district=None)
    if not records:
        problems.append(f"{display}: no records")
    if problems:
        raise RegistryError(problems)
    source = Source(display)
    source.laos = checker.laos
    if other_office:
        source.notes.append(
            f"{len(other_office)} LAO(s) have their office in another district of their "
            f"province (kept as office_district_th): {', '.join(other_office[:5])}"
        )
    return source


def _code(value, width: int) -> str:
    """tgj codes are ints: 10 -> '10', 1001 -> '1001', 10200 -> '10200' (zero-padded)."""
    if isinstance(value, bool) or value is None:
        return ""
    text = str(value).strip()
    return text.zfill(width) if text.isascii() and text.isdigit() else text


def read_tgj_provinces(path: Path, display: str) -> dict[str, dict]:
    data = _load_json(path, display)
    if not isinstance(data, list):
        raise RegistryError([f"{display}: expected a JSON list of provinces"])
    problems, provinces = [], {}
    for number, rec in enumerate(data, start=1):
        where = f"{display}, record {number}"
        if not isinstance(rec, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        code = _code(rec.get("provinceCode"), 2)
        name_th = str(rec.get("provinceNameTh") or "").strip()
        if not PROVINCE_CODE_RE.fullmatch(code):
            problems.append(f"{where}: provinceCode {rec.get('provinceCode')!r} is not 2 digits")
        elif not name_th:
            problems.append(f"{where}: provinceNameTh is empty")
        elif code in provinces:
            problems.append(f"{where}: duplicate provinceCode {code}")
        else:
            provinces[code] = {
                "name_th": name_th,
                "name_en": str(rec.get("provinceNameEn") or "").strip(),
            }
    if problems:
        raise RegistryError(problems)
    return provinces


def read_tgj_districts(path: Path, display: str, provinces: dict[str, dict]) -> dict[str, dict]:
    data = _load_json(path, display)
    if not isinstance(data, list):
        raise RegistryError([f"{display}: expected a JSON list of districts"])
    problems, districts = [], {}
    for number, rec in enumerate(data, start=1):
        where = f"{display}, record {number}"
        if not isinstance(rec, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        code = _code(rec.get("districtCode"), 4)
        pcode = _code(rec.get("provinceCode"), 2)
        postal = _code(rec.get("postalCode"), 5)
        name_th = str(rec.get("districtNameTh") or "").strip()
        if not DISTRICT_CODE_RE.fullmatch(code):
            problems.append(f"{where}: districtCode {rec.get('districtCode')!r} is not 4 digits")
        elif pcode not in provinces:
            problems.append(f"{where}: district {code} names unknown province {pcode!r}")
        elif not name_th:
            problems.append(f"{where}: districtNameTh is empty")
        elif postal and not POSTAL_CODE_RE.fullmatch(postal):
            problems.append(f"{where}: postalCode {rec.get('postalCode')!r} is not 5 digits")
        elif code in districts:
            problems.append(f"{where}: duplicate districtCode {code}")
        else:
            districts[code] = {
                "province_code": pcode,
                "name_th": name_th,
                "name_en": str(rec.get("districtNameEn") or "").strip(),
                "postal_code": postal,
            }
    if problems:
        raise RegistryError(problems)
    return districts


def _sniff(path: Path) -> str:
    """'csv' or 'json', from the suffix or else from the first character."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".json"):
        return suffix[1:]
    with path.open("rb") as fh:
        head = fh.read(64).removeprefix(b"\xef\xbb\xbf").lstrip()
    return "json" if head[:1] in (b"{", b"[") else "csv"


def _districts_in_database() -> dict[str, dict]:
    return {
        code: {"province_code": pcode, "name_th": name}
        for code, pcode, name in District.objects.values_list("code", "province__code", "name_th")
    }


def read_source(path: str | os.PathLike, *, display: str | None = None, progress=None) -> Source:
    """Read and check a directory or a single file; raise RegistryError listing every problem."""
    path = Path(path)
    display = display or str(path)
    if path.is_dir():
        return _read_directory(path, progress)
    if not path.is_file():
        raise RegistryError([f"{display}: no such file or directory"])
    if progress:
        progress(f"Reading {display}")
    if _sniff(path) == "csv":
        source = read_csv(path, display, districts=None, progress=progress)
        return source
    data_name = path.name
    if data_name in (PROVINCES_NAME, DISTRICTS_NAME):
        raise RegistryError(
            [f"{display}: {data_name} alone holds no LAOs; give the directory that holds it"]
        )
    districts = _districts_in_database()
    if not districts:
        raise RegistryError(
            [
                f"{display}: the SIAHRA file has no district codes and the database has no "
                f"districts yet; load a directory with {PROVINCES_NAME} and {DISTRICTS_NAME} "
                "first"
            ]
        )
    return read_siahra(path, display, districts=districts, progress=progress)


def _read_directory(directory: Path, progress: Progress) -> Source:
    files = {name: directory / name for name in (PROVINCES_NAME, DISTRICTS_NAME)}
    absent = [name for name, p in files.items() if not p.is_file()]
    csv_path, siahra_path = directory / CSV_NAME, directory / SIAHRA_NAME
    lao_path = csv_path if csv_path.is_file() else siahra_path
    if not lao_path.is_file():
        absent.append(f"{CSV_NAME} (or {SIAHRA_NAME})")
    if absent:
        raise RegistryError([f"{directory}: missing file(s): {', '.join(absent)}"])
    if progress:
        progress(f"Reading {directory}")
    provinces = read_tgj_provinces(files[PROVINCES_NAME], str(files[PROVINCES_NAME]))
    districts = read_tgj_districts(files[DISTRICTS_NAME], str(files[DISTRICTS_NAME]), provinces)
    if progress:
        progress(f"  {len(provinces):,} provinces, {len(districts):,} districts")
    if lao_path == csv_path:
        lao_source = read_csv(lao_path, str(lao_path), districts=districts, progress=progress)
    else:
        lao_source = read_siahra(lao_path, str(lao_path), districts=districts, progress=progress)
    source = Source(
        f"{directory} ({PROVINCES_NAME}, {DISTRICTS_NAME}, {lao_path.name})",
        provinces,
        districts,
        lao_source.laos,
        lao_source.notes,
    )
    if lao_path == csv_path and siahra_path.is_file():
        source.notes.append(f"{SIAHRA_NAME} was not read: {CSV_NAME} is built from it.")
    return source


# --- Fetching ------------------------------------------------------------------------------


def is_url(value: str) -> bool:
    return urllib.parse.urlsplit(str(value)).scheme in ("http", "https")


@contextlib.contextmanager
def fetched(url: str, progress: Progress = None, timeout: float = 60) -> Iterator[Path]:
    """Stream ``url`` to a temporary file (removed afterwards) and yield its path."""
    suffix = Path(urllib.parse.urlsplit(url).path).suffix.lower()
    if suffix not in (".csv", ".json"):
        suffix = ""
    request = urllib.request.Request(url, headers={"User-Agent": "elaas-portal load_registry"})
    handle, name = tempfile.mkstemp(prefix="registry-", suffix=suffix)
    tmp = Path(name)
    try:
        if progress:
            progress(f"Fetching {url}")
        try:
            with (
                os.fdopen(handle, "wb") as out,
                urllib.request.urlopen(  # noqa: S310
                    request, timeout=timeout
                ) as response,
            ):
                shutil.copyfileobj(response, out, length=256 * 1024)
        except urllib.error.HTTPError as exc:
            raise RegistryError(
                [f"{url}: the server answered HTTP {exc.code} {exc.reason}"]
            ) from None
        except urllib.error.URLError as exc:
            raise RegistryError([f"{url}: unreachable ({exc.reason})"]) from None
        except (TimeoutError, OSError) as exc:
            raise RegistryError([f"{url}: unreachable ({exc})"]) from None
        if progress:
            progress(f"  fetched {tmp.stat().st_size:,} bytes")
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


# --- Writing -------------------------------------------------------------------------------


def _diff(obj, values: dict) -> list[str]:
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    if obj.is_generated:
        obj.is_generated = False
        changed.append("is_generated")
    return changed


def _upsert_places(
    model, records: dict[str, dict], counts: Counts, notes: list[str], progress: Progress
) -> None:
    """Create or update provinces/districts by code (no history for these)."""
    existing = {obj.code: obj for obj in model.objects.all()}
    confirmed = sum(1 for code in records if code in existing and existing[code].is_generated)
    to_create, to_update, fields = [], [], set()
    for code, values in records.items():
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(code=code, is_generated=False, **values))
            continue
        changed = _diff(obj, values)
        if changed:
            to_update.append(obj)
            fields.update(changed)
        else:
            counts.unchanged += 1
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields), batch_size=BATCH_SIZE)
    counts.created, counts.updated = len(to_create), len(to_update)
    missing = sorted(set(existing) - set(records))
    counts.missing, counts.missing_examples = len(missing), missing[:5]
    if confirmed:
        notes.append(
            f"{confirmed} generated demo {model._meta.verbose_name_plural} have real codes and "
            "are now the real ones (no longer marked generated)"
        )
    if progress and (to_create or to_update):
        label = model._meta.verbose_name_plural
        progress(f"  {label}: {len(to_create):,} created, {len(to_update):,} updated")


def apply_source(source: Source, progress: Progress = None) -> LoadResult:
    """Write a checked source in one transaction: upsert by code, never delete."""
    result = LoadResult(
        source.description,
        Counts(in_source=bool(source.provinces)),
        Counts(in_source=bool(source.districts)),
        Counts(),
        notes=list(source.notes),
    )
    reason = f"load_registry: {source.description}"[:CHANGE_REASON_MAX]
    if progress:
        progress("Writing")
    with transaction.atomic():
        if source.provinces:
            _upsert_places(Province, source.provinces, result.provinces, result.notes, progress)
        province_ids = dict(Province.objects.values_list("code", "id"))
        if source.districts:
            records = {}
            for code, values in source.districts.items():
                values = dict(values)
                values["province_id"] = province_ids[values.pop("province_code")]
                records[code] = values
            _upsert_places(District, records, result.districts, result.notes, progress)
        district_ids = dict(District.objects.values_list("code", "id"))

        existing = {o.dla_code: o for o in Organization.objects.filter(dla_code__isnull=False)}
        to_create, to_update, fields = [], [], set()
        became_real = []
        for code, values in source.laos.items():
            values = dict(values)
            values["district_id"] = district_ids[values.pop("district_code")]
            obj = existing.get(code)
            if obj is None:
                to_create.append(
                    Organization(dla_code=code, parent=None, is_generated=False, **values)
                )
            else:
                was_generated = obj.is_generated
                changed = _diff(obj, values)
                if changed:
                    to_update.append(obj)
                    fields.update(changed)
                    if was_generated:
                        became_real.append(code)
                else:
                    result.laos.unchanged += 1
        if to_create:
            if progress:
                progress(f"  creating {len(to_create):,} LAOs (with history)")
            bulk_create_with_history(
                to_create, Organization, batch_size=BATCH_SIZE, default_change_reason=reason
            )
        if to_update:
            if progress:
                progress(f"  updating {len(to_update):,} LAOs (with history)")
            bulk_update_with_history(
                to_update,
                Organization,
                sorted(fields),
                batch_size=BATCH_SIZE,
                default_change_reason=reason,
            )
        result.laos.created, result.laos.updated = len(to_create), len(to_update)

        not_in_source = [o for c, o in existing.items() if c not in source.laos]
        real_missing = sorted(o.dla_code for o in not_in_source if not o.is_generated)
        result.laos.missing = len(real_missing)
        result.laos.missing_examples = real_missing[:5]
        result.generated_laos_not_in_source = len(not_in_source) - len(real_missing)
        if became_real:
            result.notes.append(
                f"{len(became_real)} generated demo LAO(s) had the code of a real LAO and were "
                f"overwritten by the source (no longer marked generated): "
                f"{', '.join(became_real[:5])}"
            )
    return result


def load_registry(path_or_url: str | os.PathLike, progress: Progress = None) -> LoadResult:
    """Read, check and write one source (a directory, a file, or an http(s) URL to a file)."""
    text = str(path_or_url)
    if is_url(text):
        with fetched(text, progress) as tmp:
            source = read_source(tmp, display=text, progress=progress)
    else:
        source = read_source(path_or_url, progress=progress)
    return apply_source(source, progress)
