"""The registry by district: a page per district with its LAOs, district names linked wherever
they are shown, search by district name, and เขต for Bangkok.

Searches run against a slice of the real registry (../shared/data/registry): the provinces and
districts whole, and every LAO of Nakhon Phanom (48) and Nong Khai (43), where the LAO
หนองปลาปาก lies in another district.
"""

import csv
import io
import shutil

import pytest
from django.core.management import call_command

from registry.loader import CSV_NAME, DISTRICTS_NAME, PROVINCES_NAME
from registry.models import District, Organization, Province
from tests.conftest import registry_dir, require_registry

pytestmark = pytest.mark.django_db

SLICE_PROVINCES = {"43", "48"}


def real_rows(province_codes):
    with open(registry_dir() / CSV_NAME, encoding="utf-8", newline="") as f:
        return [row for row in csv.DictReader(f) if row["province_code"] in province_codes]


@pytest.fixture
def real_slice(tmp_path):
    """Nakhon Phanom and Nong Khai from the real registry, loaded with the real loader."""
    require_registry()
    for name in (PROVINCES_NAME, DISTRICTS_NAME):
        shutil.copy(registry_dir() / name, tmp_path / name)
    rows = real_rows(SLICE_PROVINCES)
    with open(tmp_path / CSV_NAME, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    call_command("load_registry", str(tmp_path), stdout=io.StringIO(), verbosity=0)
    return rows


def codes_on(page_html, codes):
    return {code for code in codes if code in page_html}


def test_searching_pla_pak_finds_every_lao_of_its_district(client, real_slice):
    in_pla_pak = {r["dla_code"] for r in real_slice if r["district_th"] == "ปลาปาก"}
    assert len(in_pla_pak) == 9  # the registry's own count for อำเภอปลาปาก
    page = client.get("/registry/", {"q": "ปลาปาก"}).content.decode()
    assert codes_on(page, in_pla_pak) == in_pla_pak
    # the LAO named หนองปลาปาก in Si Chiang Mai district matches by its name, and is shown too
    named = {r["dla_code"] for r in real_slice if "ปลาปาก" in r["name_th"]}
    assert named - in_pla_pak and codes_on(page, named) == named
    # the district itself is offered, linked to its page
    assert 'href="/registry/district/4802/"' in page and "อำเภอปลาปาก" in page


def test_the_district_name_is_found_in_english_too(client, real_slice):
    page = client.get("/registry/", {"q": "Pla Pak"}).content.decode()
    in_pla_pak = {r["dla_code"] for r in real_slice if r["district_code"] == "4802"}
    assert codes_on(page, in_pla_pak) == in_pla_pak


def test_a_district_page_lists_all_its_laos_and_links_them(client, real_slice):
    response = client.get("/registry/district/4802/")
    assert response.status_code == 200
    page = response.content.decode()
    in_pla_pak = Organization.objects.laos().filter(district__code="4802")
    assert in_pla_pak.count() == 9
    for org in in_pla_pak:
        assert f'href="{org.get_absolute_url()}"' in page
    elsewhere = Organization.objects.laos().exclude(district__code="4802").first()
    assert f'href="{elsewhere.get_absolute_url()}"' not in page
    assert "อำเภอปลาปาก" in page and "นครพนม" in page


def test_a_district_page_takes_thai_digits_and_unknown_codes_are_404(client, real_slice):
    assert client.get("/registry/district/๔๘๐๒/").status_code == 200
    assert client.get("/registry/district/9999/").status_code == 404
    assert client.get("/registry/district/abc/").status_code == 404
    assert client.get("/registry/district/48%0002/").status_code == 404  # NUL
    assert client.get("/registry/district/٤٨٠٢/").status_code == 404  # Arabic-Indic
    assert client.post("/registry/district/4802/").status_code == 405


def test_every_registry_row_and_lao_page_links_its_district(client, real_slice):
    page = client.get("/registry/", {"province": "48"}).content.decode()
    assert 'href="/registry/district/4801/"' in page
    org = Organization.objects.get(dla_code="6480202")
    detail = client.get(org.get_absolute_url()).content.decode()
    assert 'href="/registry/district/4802/"' in detail


def test_bangkok_districts_are_khet_and_others_amphoe(client, real_slice):
    dusit = District.objects.get(code="1002")
    assert Province.objects.get(code="10").name_th == "กรุงเทพมหานคร"
    assert dusit.title == "เขตดุสิต"
    assert District.objects.get(code="4802").title == "อำเภอปลาปาก"
    page = client.get("/registry/district/1002/").content.decode()
    assert "เขตดุสิต" in page and "อำเภอดุสิต" not in page


def test_the_district_page_reads_in_english_by_the_switch(client, real_slice):
    client.cookies["django_language"] = "en"
    page = client.get("/registry/district/4802/").content.decode()
    assert "district ปลาปาก" in page and "Pla Pak" in page
    assert "9 LAOs in this district" in page
