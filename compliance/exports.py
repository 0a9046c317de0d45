"""Every dashboard table as CSV (UTF-8 with BOM, so Excel opens Thai) and XLSX, Thai headers,
Buddhist-era dates. A table's export holds exactly the rows the page counts. An LAO's state, the
state of each of its positions and the columns of counts by state are labelled as on the page
(`LaoState`, `PositionState`), in the active language: the export view makes it Thai. Counts are
written as the pages write them, 7,849: numbers in the XLSX (shown with the separator), text that
spreadsheets read as numbers in the CSV."""

import io

import xlsxwriter
from django.http import HttpResponse

from core import csvsafe
from core.thai import format_date, format_datetime
from onboarding.positions import PositionState, group_label, required_positions

from .figures import figure
from .scope import ScopeLevel
from .states import LaoState


def late_table(laos) -> tuple[list[str], list[list]]:
    headers = [
        "รหัส อปท.",
        "ชื่อ อปท.",
        "ประเภท",
        "อำเภอ",
        "จังหวัด",
        "สถานะ",
        "ตำแหน่งที่ยืนยันแล้ว",
        *(position_heading(group) for group in required_positions()),
        "คำขอล่าสุด",
        "เจ้าหน้าที่",
        "โทรศัพท์",
        "อีเมล",
    ]
    rows = []
    for org in laos:
        staff = getattr(org, "staff", [])
        rows.append(
            [
                org.dla_code,
                org.display_name,
                org.get_kind_display(),
                org.district.name_th,
                org.district.province.name_th,
                str(LaoState(org.state).label),
                f"{org.positions_verified} จาก {len(org.positions)}",
                *(str(PositionState(row.state).label) for row in org.positions),
                format_date(org.last_activity, "th") if org.last_activity else "",
                "; ".join(r.user.full_name or r.user.email for r in staff),
                "; ".join(r.user.phone for r in staff if r.user.phone),
                "; ".join(r.user.email for r in staff),
            ]
        )
    return headers, rows


def summary_table(data: dict) -> tuple[list[str], list[list]]:
    level = str(ScopeLevel(data["level"]).label)
    headers = [
        "รหัส",
        level,
        "อปท. ทั้งหมด",
        *(str(state.label) for state in LaoState),
        "ร้อยละที่ยืนยันแล้ว",
        "หน่วยงานทั้งหมด",
        "หน่วยงานที่เข้าสู่ระบบแล้ว",
        "ข้อมูล ณ",
    ]
    as_of = format_datetime(data["as_of"], "th")
    rows = [
        [
            c["code"],
            c["name_th"],
            c["laos"]["total"],
            *(c["laos"][state] for state in LaoState),
            c["share_verified"],
            c["units"]["total"],
            c["units"]["logged_in"],
            as_of,
        ]
        for c in data["children"]
    ]
    return headers, rows


def position_heading(group) -> str:
    """A column for a group of positions: "ตำแหน่ง: นายก อปท. หรือ ปลัด อปท."."""
    return "ตำแหน่ง: " + group_label(group)


def _cell(value):
    # Counts as the pages write them (7,849); a share (a float) keeps its one decimal.
    return figure(value) if isinstance(value, int) and not isinstance(value, bool) else value


def as_csv(filename: str, headers, rows) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csvsafe.writer(buffer)  # no cell typed by a person runs as a formula
    writer.writerow(headers)
    writer.writerows([_cell(v) for v in row] for row in rows)
    response = HttpResponse(
        buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def as_xlsx(filename: str, headers, rows, *, sheet: str = "ข้อมูล") -> HttpResponse:

    buffer = io.BytesIO()
    # Names and contacts are typed by people: text stays text ("=..." is no formula, no link).
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F6", "border": 1})
    count = book.add_format({"num_format": "#,##0"})  # 7,849 as on the pages
    ws.write_row(0, 0, headers, bold)
    for i, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(i, col, value, count)
            else:
                ws.write(i, col, value)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    for col, header in enumerate(headers):
        width = max([len(str(header))] + [len(str(r[col])) for r in rows[:500]])
        ws.set_column(col, col, min(max(width + 2, 8), 60))
    book.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
