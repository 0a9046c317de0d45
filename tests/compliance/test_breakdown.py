"""The country dashboard's 76 provinces (and any dashboard's breakdown) sorted and filtered with
GET parameters (issue 24): by code, by name in Thai dictionary order, by share verified, by the
number not yet verified; by words of the name or a code in Thai or Arabic digits. A value that
cannot be read shows the table by code with a Thai message, never a 500."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from tests.actors import login

from .support import bangkok, district, lao, province

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the ICU collation is PostgreSQL's"
)


@pytest.fixture
def country(actors, places, portal_clock, circulars):
    """Four provinces with LAOs: 42 เลย (2 of 2 verified), 43 หนองคาย (1 of 3), 48 นครพนม
    (0 of 2, the actors' places), 50 เชียงใหม่ (0 of 1)."""
    portal_clock("2025-04-10T09:00:00+07:00")
    province("42", "เลย", "Loei")
    province("43", "หนองคาย", "Nong Khai")
    verified = bangkok("2025-04-08 10:00")
    for nn in (1, 2):
        lao(district("4201"), nn, verified_at=verified)
    for nn in (1, 2, 3):
        lao(district("4301"), nn, verified_at=verified if nn == 1 else None)
    return actors


def codes(response) -> list[str]:
    table = response.content.decode().split('id="breakdown"')[1].split("</table>")[0]
    return re.findall(r'href="/compliance/province/(\d+)/"', table)


def get(client, **query):
    url = reverse("compliance:country")
    return client.get(f"{url}?{urlencode(query)}" if query else url)


@pytest.fixture
def dla(client, country):
    login(client, country["dla_officer"])
    return client


def test_the_provinces_are_listed_by_code_by_default(dla):
    assert codes(get(dla)) == ["42", "43", "48", "50"]
    assert codes(get(dla, order="code")) == ["42", "43", "48", "50"]


def test_by_share_verified_lowest_first_ties_by_code(dla):
    assert codes(get(dla, order="share")) == ["48", "50", "43", "42"]


def test_by_number_not_yet_verified_most_first_ties_by_code(dla):
    assert codes(get(dla, order="not_verified")) == ["43", "48", "50", "42"]


@on_postgresql
def test_by_name_in_thai_dictionary_order(dla):
    # เชียงใหม่ (ช), นครพนม (น), เลย (ล), หนองคาย (ห): the leading vowel เ is read after its
    # consonant; in code-point order เ (U+0E40) would put เชียงใหม่ and เลย last.
    assert codes(get(dla, order="name")) == ["50", "48", "42", "43"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("หนอง", ["43"]),
        ("นคร", ["48"]),
        ("nong", ["43"]),
        ("๔๘", ["48"]),
        ("4", ["42", "43", "48"]),
    ],
)
def test_the_provinces_are_filtered_by_name_or_code(dla, name, expected):
    response = get(dla, name=name, order="code")
    assert response.status_code == 200
    assert codes(response) == expected


def test_a_filter_that_matches_nothing_says_so_in_thai(dla):
    response = get(dla, name="ไม่มีจังหวัดนี้")
    assert response.status_code == 200
    assert codes(response) == []
    assert "ไม่พบรายการที่ตรงกัน" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"order": "nonsense"}, "ไม่มีวิธีเรียง “nonsense” จึงแสดงตารางเรียงตามรหัส"),
        ({"order": "<b>x</b>"}, "ไม่มีวิธีเรียง “&lt;b&gt;x&lt;/b&gt;” จึงแสดงตารางเรียงตามรหัส"),
        ({"name": "นคร\x00พนม"}, "ข้อความที่ค้นหามีอักขระควบคุม"),
    ],
)
def test_a_value_that_cannot_be_read_shows_the_default_table_with_a_thai_message(
    dla, query, message
):
    response = get(dla, **query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert codes(response) == ["42", "43", "48", "50"]


def test_the_province_dashboard_sorts_its_districts_too(dla, country):
    district("4302", "โพนพิสัย")
    lao(district("4302"), 1)
    url = reverse("compliance:province", args=["43"])
    response = dla.get(f"{url}?order=not_verified")
    table = response.content.decode().split('id="breakdown"')[1].split("</table>")[0]
    assert re.findall(r'href="/compliance/district/(\d+)/"', table) == ["4301", "4302"]
    response = dla.get(f"{url}?order=share")
    table = response.content.decode().split('id="breakdown"')[1].split("</table>")[0]
    assert re.findall(r'href="/compliance/district/(\d+)/"', table) == ["4302", "4301"]
