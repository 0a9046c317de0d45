"""A province's list of officers, as sent: CSV or XLSX, Thai headers, Thai or English words.

`read_roster(data, filename)` reads the file and checks every row on its own, against the
registry; it writes nothing. A good row becomes an `OfficerRow` (name, e-mail address, role,
area); a bad row becomes a `RowProblem` naming the sheet's row number and what is wrong, in Thai
and English. `onboarding.officers.invite_officers` then invites the good rows only.

What is accepted, because that is how the lists come:

- the header row anywhere in the first rows (a title such as "บัญชีรายชื่อเจ้าหน้าที่…" above
  it), headers in Thai or English, with or without spaces, stars or colons: ชื่อ-สกุล
  (ชื่อ - นามสกุล, ชื่อ, name), อีเมล (อีเมล์, e-mail), ตำแหน่ง/บทบาท (บทบาท, ตำแหน่ง, role),
  จังหวัด (province), อำเภอ (district); other columns (ลำดับ, โทรศัพท์, หมายเหตุ) are ignored;
- CSV in UTF-8 (with or without BOM) or in Windows-874/TIS-620, as Excel for Thai Windows
  saves it; commas, semicolons or tabs;
- roles as Thai or English words (`ROLE_WORDS`); an empty role is read from the area: a district
  makes a district officer, a province alone a provincial officer;
- provinces and districts by name (with or without จังหวัด/อำเภอ/เขต) or by DOPA code (2 and 4
  digits), Thai digits anywhere.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.text import strip_invisible
from core.thai import to_arabic_digits
from registry.models import District, Province

from .models import RoleKind

HEADER_SCAN_ROWS = 15
MAX_ROWS = 5000
MAX_NAME = 200

# Header words (normalised: no spaces, no - _ . * : /, lower case) -> column.
HEADERS = {
    "name": {
        "ชื่อสกุล",
        "ชื่อนามสกุล",
        "ชื่อและนามสกุล",
        "ชื่อ",
        "name",
        "fullname",
        "ชื่อผู้ใช้งาน",
    },
    "email": {"อีเมล", "อีเมล์", "อีเมลล์", "email", "emailaddress", "ที่อยู่อีเมล", "mail"},
    "role": {"ตำแหน่งบทบาท", "บทบาท", "ตำแหน่ง", "บทบาทตำแหน่ง", "role", "position", "บทบาทในระบบ"},
    "province": {"จังหวัด", "province", "รหัสจังหวัด", "provincecode"},
    "district": {"อำเภอ", "อำเภอเขต", "เขต", "district", "รหัสอำเภอ", "districtcode"},
}

# Role words (normalised as headers are) -> role. A cell may also hold the role's value.
ROLE_WORDS = {
    RoleKind.DLA_OFFICER: {
        "dla",
        "dlaofficer",
        "สถ",
        "เจ้าหน้าที่สถ",
        "เจ้าหน้าที่กรม",
        "กรมส่งเสริมการปกครองท้องถิ่น",
        "เจ้าหน้าที่กรมส่งเสริมการปกครองท้องถิ่น",
        "ส่วนกลาง",
    },
    RoleKind.PROVINCE_OFFICER: {
        "province",
        "provincial",
        "provincialofficer",
        "provinceofficer",
        "จังหวัด",
        "เจ้าหน้าที่จังหวัด",
        "ท้องถิ่นจังหวัด",
        "สถจ",
        "เจ้าหน้าที่สถจ",
        "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด",
    },
    RoleKind.DISTRICT_OFFICER: {
        "district",
        "districtofficer",
        "อำเภอ",
        "เจ้าหน้าที่อำเภอ",
        "ท้องถิ่นอำเภอ",
        "สถอ",
        "เจ้าหน้าที่สถอ",
        "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ",
    },
    RoleKind.SITE_ADMIN: {
        "admin",
        "administrator",
        "siteadmin",
        "siteadministrator",
        "ผู้ดูแลระบบ",
    },
}
INVITABLE_KINDS = tuple(ROLE_WORDS)

_PUNCT = re.compile(r"[\s\-_.*:/()\[\]\u200b]+")


def _norm(text: str) -> str:
    return _PUNCT.sub("", strip_invisible(to_arabic_digits(text or ""))).lower()


def role_from_word(word: str) -> RoleKind | None:
    """The role a Thai or English word names, or None."""
    key = _norm(word)
    for kind in ROLE_WORDS:
        if key == _norm(kind.value):
            return kind
    for kind, words in ROLE_WORDS.items():
        if key in words:
            return kind
    # A job title that says the office: ท้องถิ่นจังหวัด…, ท้องถิ่นอำเภอ…
    if "ท้องถิ่นจังหวัด" in key or key.startswith("สถจ"):
        return RoleKind.PROVINCE_OFFICER
    if "ท้องถิ่นอำเภอ" in key or key.startswith("สถอ"):
        return RoleKind.DISTRICT_OFFICER
    return None


@dataclass(frozen=True)
class OfficerRow:
    line: int  # the row's number in the sheet (1 = the first row of the file)
    full_name: str
    email: str
    kind: RoleKind
    province: Province | None = None
    district: District | None = None


@dataclass
class RowProblem:
    line: int
    th: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)

    def add(self, th: str, en: str) -> None:
        self.th.append(th)
        self.en.append(en)


@dataclass
class Roster:
    rows: list[OfficerRow]
    problems: list[RowProblem]


class RosterError(Exception):
    """The file as a whole cannot be read (not CSV or XLSX, no header row): nothing is read."""

    def __init__(self, th: str, en: str):
        super().__init__(en)
        self.th, self.en = th, en


# --- Reading the file ----------------------------------------------------------------------------
def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed in Excel as a number: 48.0
    return strip_invisible(to_arabic_digits(str(value))).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only for .xlsx uploads

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise RosterError(
            "อ่านไฟล์ XLSX ไม่ได้ (ไฟล์เสียหรือไม่ใช่ไฟล์ Excel)",
            f"The XLSX file cannot be read ({type(exc).__name__}).",
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
                break
        return rows
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(
            "อ่านไฟล์ CSV ไม่ได้: ใช้รหัสอักขระ UTF-8 หรือ Windows-874 (TIS-620)",
            "The CSV file is neither UTF-8 nor Windows-874 (TIS-620).",
        )
    if "\x00" in text:
        raise RosterError("ไฟล์ CSV มีอักขระว่าง (NUL)", "The CSV file holds NUL characters.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:  # a field over csv's limit, a quote left open at the end
        raise RosterError(
            f"อ่านไฟล์ CSV ไม่ได้: {exc}", f"The CSV file cannot be read: {exc}"
        ) from None


def _columns(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """(index of the header row, {column name: index})."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for position, title in enumerate(row):
            key = _norm(title)
            for name, words in HEADERS.items():
                if key in words and name not in found:
                    found[name] = position
        if "email" in found and "name" in found:
            return index, found
    raise RosterError(
        "ไม่พบแถวหัวตาราง: ต้องมีคอลัมน์ ชื่อ-สกุล และ อีเมล (และ ตำแหน่ง/บทบาท จังหวัด อำเภอ)",
        "No header row found: the file needs columns ชื่อ-สกุล (name) and อีเมล (e-mail), "
        "and ตำแหน่ง/บทบาท (role), จังหวัด (province), อำเภอ (district).",
    )


# --- Checking each row --------------------------------------------------------------------------
class Places:
    """The registry's provinces and districts, read once, found by code or name."""

    def __init__(self):
        self.provinces = list(Province.objects.all())
        self.districts = list(District.objects.select_related("province"))

    def province(self, text: str) -> Province | None:
        key = _norm(_PROVINCE_PREFIX.sub("", text))
        for p in self.provinces:
            if key in (p.code, _norm(p.name_th), _norm(p.name_en)):
                return p
        return None

    def district(self, text: str, province: Province | None) -> list[District]:
        key = _norm(_DISTRICT_PREFIX.sub("", text))
        if key.isdigit():
            return [d for d in self.districts if d.code == key]
        return [
            d
            for d in self.districts
            if key in (_norm(d.name_th), _norm(d.name_en))
            and (province is None or d.province_id == province.pk)
        ]


_PROVINCE_PREFIX = re.compile(r"^\s*(จังหวัด|จ\.|changwat\s)\s*", re.I)
_DISTRICT_PREFIX = re.compile(r"^\s*(อำเภอ|เขต|อ\.|amphoe\s|khet\s)\s*", re.I)


def _check_name(cells: dict[str, str], problem: RowProblem) -> str:
    name = cells.get("name", "")
    if not name:
        problem.add("ไม่มีชื่อ-สกุล", "no name")
    elif len(name) > MAX_NAME:
        problem.add(f"ชื่อ-สกุลยาวเกิน {MAX_NAME} ตัวอักษร", f"the name is longer than {MAX_NAME}")
    return name


def _check_email(cells: dict[str, str], problem: RowProblem, seen: dict[str, int]) -> str:
    """The row's e-mail address, lower case; `seen` (address -> row) tells a repeated one."""
    email = cells.get("email", "").lower()
    if not email:
        problem.add("ไม่มีอีเมล", "no e-mail address")
        return email
    try:
        validate_email(email)
    except ValidationError:
        problem.add(f"อีเมล “{email}” ไม่ถูกต้อง", f"“{email}” is not an e-mail address")
        return email
    if email in seen:
        problem.add(
            f"อีเมล {email} ซ้ำกับแถวที่ {seen[email]}",
            f"{email} is also on row {seen[email]}",
        )
    else:
        seen[email] = problem.line
    return email


def _find_province(text: str, places: Places, problem: RowProblem) -> Province | None:
    province = places.province(text)
    if province is None:
        problem.add(f"ไม่พบจังหวัด “{text}” ในทะเบียน", f"no province “{text}” in the registry")
    return province


def _find_district(
    text: str, province: Province | None, places: Places, problem: RowProblem
) -> District | None:
    """The one district named `text` (in `province` if given); None, with the problem, if it is
    in another province, in several, or in none."""
    found = places.district(text, province)
    if len(found) == 1:
        district = found[0]
        if province is None or district.province_id == province.pk:
            return district
        problem.add(
            f"อำเภอ “{text}” ไม่อยู่ในจังหวัด{province.name_th}",
            f"district “{text}” is not in {province.name_en or province.name_th}",
        )
    elif len(found) > 1:
        problem.add(
            f"มีอำเภอชื่อ “{text}” หลายจังหวัด: ระบุจังหวัดด้วย",
            f"several provinces have a district “{text}”: give the province",
        )
    else:
        problem.add(
            f"ไม่พบอำเภอ “{text}”" + (f" ในจังหวัด{province.name_th}" if province else " ในทะเบียน"),
            f"no district “{text}” in the registry",
        )
    return None


def _role_kind(cells: dict[str, str], problem: RowProblem) -> str | None:
    """The role the row names, or the one its area tells (a district: a district officer; a
    province alone: a provincial officer)."""
    role_text = cells.get("role", "")
    if role_text:
        kind = role_from_word(role_text)
        if kind is None:
            problem.add(
                f"ไม่รู้จักบทบาท “{role_text}”: ใช้ เจ้าหน้าที่อำเภอ เจ้าหน้าที่จังหวัด เจ้าหน้าที่ สถ. หรือ ผู้ดูแลระบบ",
                f"unknown role “{role_text}”: use district officer, provincial officer, DLA "
                "officer or administrator",
            )
        return kind
    if cells.get("district", ""):
        return RoleKind.DISTRICT_OFFICER
    if cells.get("province", ""):
        return RoleKind.PROVINCE_OFFICER
    problem.add(
        "ไม่มีบทบาท และไม่มีจังหวัดหรืออำเภอให้อนุมานบทบาท",
        "no role, and no province or district to tell it from",
    )
    return None


def _area_of_role(kind, province, district, problem: RowProblem):
    """(province, district) the role acts for: a district officer's district, a provincial
    officer's province (from the district if only that is given), none for national roles. A
    missing area is a problem only when the row has no other."""
    if kind == RoleKind.DISTRICT_OFFICER and district is None and not problem.th:
        problem.add("เจ้าหน้าที่อำเภอต้องระบุอำเภอ", "a district officer needs a district")
    if kind == RoleKind.PROVINCE_OFFICER:
        if province is None and district is not None:
            province = district.province
        if province is None and not problem.th:
            problem.add("เจ้าหน้าที่จังหวัดต้องระบุจังหวัด", "a provincial officer needs a province")
        district = None
    if kind in (RoleKind.DLA_OFFICER, RoleKind.SITE_ADMIN):
        province = district = None  # national roles: an area given is not theirs
    if kind == RoleKind.DISTRICT_OFFICER:
        province = None
    return province, district


def _check(line: int, cells: dict[str, str], places: Places, seen: dict[str, int]):
    problem = RowProblem(line)
    name = _check_name(cells, problem)
    email = _check_email(cells, problem, seen)
    province = district = None
    province_text, district_text = cells.get("province", ""), cells.get("district", "")
    if province_text:
        province = _find_province(province_text, places, problem)
    if district_text and not (province_text and province is None):
        district = _find_district(district_text, province, places, problem)
    kind = _role_kind(cells, problem)
    province, district = _area_of_role(kind, province, district, problem)
    if problem.th:
        return problem
    return OfficerRow(line, name, email, kind, province, district)


def read_roster(data: bytes, filename: str) -> Roster:
    """Read a roster (CSV or XLSX, by its name) and check each row; writes nothing."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise RosterError("รับเฉพาะไฟล์ .csv หรือ .xlsx", "Only .csv and .xlsx files are read.")
    header_at, columns = _columns(rows)
    places = Places()
    seen: dict[str, int] = {}
    good, bad = [], []
    body = rows[header_at + 1 :]
    if len(body) > MAX_ROWS:
        raise RosterError(
            f"ไฟล์มีเกิน {MAX_ROWS:,} แถว: แบ่งเป็นหลายไฟล์", f"More than {MAX_ROWS:,} rows."
        )
    for offset, row in enumerate(body):
        cells = {name: row[i] if i < len(row) else "" for name, i in columns.items()}
        if not any(cells.values()):
            continue  # a blank line between blocks, or the sheet's empty tail
        result = _check(header_at + 2 + offset, cells, places, seen)
        (bad if isinstance(result, RowProblem) else good).append(result)
    return Roster(good, bad)
