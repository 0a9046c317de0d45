"""Helpers of the compliance tests: places, LAOs, units and requests in a chosen state written
straight into the tables (the service functions are driven where a test is about them), and
readers for the exported files (CSV and XLSX, the latter with zipfile and ElementTree only).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from xml.etree import ElementTree

from allauth.account.models import EmailAddress

from accounts.models import Role, User
from core.thai import BANGKOK
from onboarding.models import VerificationRequest
from registry.models import District, Organization, Province

BOM = b"\xef\xbb\xbf"
KIND_DIGIT = {"PAO": "2", "CITY_MUNI": "3", "TOWN_MUNI": "4", "SUBDISTRICT_MUNI": "5", "SAO": "6"}
# Thai consonants in dictionary order (which is also their code point order): names built from
# them sort the same in Python, SQLite and PostgreSQL.
CONSONANTS = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศสหอ"

LATE_HEADERS = [
    "รหัส อปท.",
    "ชื่อ อปท.",
    "ประเภท",
    "อำเภอ",
    "จังหวัด",
    "สถานะ",
    "ตำแหน่งที่ยืนยันแล้ว",
    "ตำแหน่ง: นายก/ผู้บริหารท้องถิ่น หรือ ปลัด",
    "ตำแหน่ง: ผู้อำนวยการกองคลัง",
    "คำขอล่าสุด",
    "เจ้าหน้าที่ 1",
    "โทรศัพท์ 1",
    "อีเมล 1",
]
TOTAL = "รวม"  # the first cell of a file's total rows
SUMMARY_HEADERS = {
    "province": "จังหวัด",
    "district": "อำเภอ",
    "lao": "อปท.",
}


def summary_headers(level: str) -> list[str]:
    return [
        "รหัส",
        SUMMARY_HEADERS[level],
        "อปท. ทั้งหมด",
        # the pages' labels of LaoState, in Thai: one source for both
        "ยืนยันตัวตนแล้ว",
        "กำลังดำเนินการ",
        "รอตรวจสอบ",
        "ส่งกลับให้แก้ไข",
        "ไม่อนุมัติ",
        "ยังไม่ดำเนินการ",
        "ร้อยละที่ยืนยันแล้ว",
        "หน่วยงานทั้งหมด",
        "หน่วยงานที่เข้าสู่ระบบแล้ว",
        "ข้อมูล ณ",
    ]


_serial = itertools.count(1)


def bangkok(text: str) -> dt.datetime:
    """'2025-04-10 09:00' as an aware Bangkok instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BANGKOK)


def province(code: str, name_th: str = "", name_en: str = "") -> Province:
    obj, _ = Province.objects.get_or_create(
        code=code, defaults={"name_th": name_th or f"จังหวัดทดสอบ{code}", "name_en": name_en}
    )
    return obj


def district(code: str, name_th: str = "") -> District:
    obj, _ = District.objects.get_or_create(
        code=code,
        defaults={"province": province(code[:2]), "name_th": name_th or f"อำเภอทดสอบ{code}"},
    )
    return obj


def lao_name(n: int) -> str:
    return (
        CONSONANTS[n // len(CONSONANTS) % len(CONSONANTS)]
        + CONSONANTS[n % len(CONSONANTS)]
        + "ทดสอบ"
    )


def lao(
    place: District, nn: int, *, kind: str = "SAO", name_th: str = "", verified_at=None
) -> Organization:
    """An LAO of `place` with the DLA code T PPDD NN."""
    return Organization.objects.create(
        kind=kind,
        dla_code=f"{KIND_DIGIT[kind]}{place.code}{nn:02d}",
        type_digit=KIND_DIGIT[kind],
        name_th=name_th or lao_name(nn),
        district=place,
        identity_verified_at=verified_at,
    )


def unit(parent: Organization, *, first_login_at=None, kind: str = "SCHOOL") -> Organization:
    return Organization.objects.create(
        kind=kind,
        name_th=f"หน่วย{next(_serial)}",
        district=parent.district,
        parent=parent,
        first_login_at=first_login_at,
    )


def staff(
    org: Organization,
    *,
    full_name: str = "",
    phone: str = "",
    position: str = "permanent_secretary",
) -> User:
    n = next(_serial)
    user = User.objects.create_user(
        email=f"staff{n}@test.example",
        password=None,
        full_name=full_name or f"เจ้าหน้าที่ {n}",
        phone=phone,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Role.objects.create(user=user, kind="lao_staff", organization=org, position=position)
    return user


def add_request(
    org: Organization,
    state: str,
    *,
    at: dt.datetime,
    decided_at=None,
    requester=None,
    position: str = "permanent_secretary",
) -> VerificationRequest:
    """A request of `org` in `state`, created (and submitted) at `at`, decided at `decided_at`."""
    if requester is None:
        requester = User.objects.create_user(
            email=f"requester{next(_serial)}@test.example", password=None
        )
    decided = state in ("approved", "returned", "rejected")
    return VerificationRequest.objects.create(
        organization=org,
        requester=requester,
        full_name=requester.full_name or requester.email,
        national_id_hash=f"{next(_serial):064d}",
        national_id_last4="0001",
        position=position,
        appointment_order_number="1/2568",
        appointment_date=dt.date(2024, 10, 1),
        consent_at=at,
        state=state,
        created_at=at,
        submitted_at=None if state == "draft" else at,
        decided_at=(decided_at or at) if decided else None,
    )


def one_of_two_approved(org, *, clerk, officer, at: dt.datetime) -> VerificationRequest:
    """`org` with its permanent secretary (`clerk`) approved by `officer` and its finance
    director's request waiting for review, filed at `at`: the request that waits."""
    from onboarding import services

    first = add_request(org, "submitted", at=at, requester=clerk)
    services.approve_request(first.pk, actor=officer, expected_version=first.version)
    finance = staff(org, position="finance_director", full_name="สมปอง การเงิน")
    waiting = add_request(org, "submitted", at=at, requester=finance, position="finance_director")
    org.refresh_from_db()
    assert org.identity_verified_at is None
    return waiting


# --- reading what the exports give ---------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(BOM), body[:10]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"))))


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


def read_xlsx(response) -> list[list]:
    """The first sheet's cells: strings as text, numbers as int or float, blanks as ''."""
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = zipfile.ZipFile(io.BytesIO(response.content))
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", _NS):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
    sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.findall("m:sheetData/m:row", _NS):
        cells: dict[int, object] = {}
        for c in row.findall("m:c", _NS):
            kind, v = c.get("t"), c.find("m:v", _NS)
            if kind == "s":
                value = shared[int(v.text)]
            elif kind == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t"))
            elif kind == "str":
                value = v.text or ""
            elif v is None:
                value = ""
            else:
                number = float(v.text)
                value = int(number) if number.is_integer() else number
            cells[_column(c.get("r"))] = value
        index = int(row.get("r")) - 1
        while len(rows) < index:
            rows.append([])
        rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
    return rows


def lao_rows(rows) -> list[list]:
    """A late file's rows of LAOs: without its heading and its total rows."""
    return [r for r in rows[1:] if str(r[0]) != TOTAL]


def total_rows(rows) -> list[list]:
    return [r for r in rows[1:] if str(r[0]) == TOTAL]


def normalised(rows) -> list[list]:
    """Rows of either format in one form: numbers as floats, text as text, trailing blanks
    dropped."""
    out = []
    for row in rows:
        cells = []
        for cell in row:
            if (
                isinstance(cell, str)
                and re.fullmatch(r"-?\d+(\.\d+)?", cell)
                and not re.fullmatch(r"0\d+", cell)
            ):
                cell = float(cell)
            elif isinstance(cell, int | float):
                cell = float(cell)
            cells.append(cell)
        while cells and cells[-1] == "":
            cells.pop()
        out.append(cells)
    return out


def file_request(
    clerk,
    org,
    *,
    position: str = "permanent_secretary",
    first12: str = "110170020345",
    submit: bool = True,
):
    """A request filed through the service, as the LAO's clerk does it (at the portal clock's
    now)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.national_id import with_check_digit
    from onboarding import services

    data = services.RequestData(
        full_name=clerk.full_name,
        national_id=with_check_digit(first12),
        position=position,
        appointment_order_number="123/2567",
        appointment_date=dt.date(2024, 10, 1),
        consent=True,
    )
    pdf = SimpleUploadedFile(
        "order.pdf", b"%PDF-1.4 appointment order", content_type="application/pdf"
    )
    return services.create_request(
        requester=clerk, organization=org, data=data, files=[pdf], submit=submit
    )
