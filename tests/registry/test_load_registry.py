"""load_registry against the real reference files (../shared/data/registry) and broken copies.

The real registry is loaded once for the module, inside a transaction rolled back at the end;
each test runs in its own savepoint, so whatever a test writes is undone before the next one.
"""

import csv
import functools
import http.server
import io
import os
import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from registry.loader import (
    CSV_NAME,
    DISTRICTS_NAME,
    PROVINCES_NAME,
    SIAHRA_NAME,
    SIAHRA_TYPES,
)
from registry.models import District, Organization, Province

REAL = Path(settings.REGISTRY_DATA_DIR)
REAL_FILES = (PROVINCES_NAME, DISTRICTS_NAME, CSV_NAME, SIAHRA_NAME)


def require_real_registry():
    """Skip without the reference files, except under CI where their absence is a failure."""
    absent = [name for name in REAL_FILES if not (REAL / name).is_file()]
    if not absent:
        return
    message = f"the reference registry files are not in {REAL}: {', '.join(absent)}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


def load(source, verbosity=1) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_registry", str(source), stdout=out, stderr=err, verbosity=verbosity)
    return out.getvalue(), err.getvalue()


def db_counts() -> tuple[int, int, int, int]:
    return (
        Province.objects.count(),
        District.objects.count(),
        Organization.objects.count(),
        Organization.history.count(),
    )


@pytest.fixture(scope="module")
def real_registry(django_db_setup, django_db_blocker):
    """The real registry, loaded once for this module and rolled back after it."""
    require_real_registry()
    with django_db_blocker.unblock(), transaction.atomic():
        output, _ = load(REAL, verbosity=0)
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def loaded(real_registry, db):
    return real_registry


@pytest.fixture
def empty_registry(db):
    """No provinces, districts or organisations, within this test's transaction only."""
    require_real_registry()
    history = Organization.history.model
    with connection.cursor() as cursor:
        for model in (history, Organization, District, Province):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    assert db_counts() == (0, 0, 0, 0)


def real_lines() -> list[str]:
    """The real CSV's lines, without line ends (line N of the file is item N - 1)."""
    return (REAL / CSV_NAME).read_text(encoding="utf-8-sig").splitlines()


def line_number_of(code: str, lines: list[str]) -> int:
    return next(n for n, text in enumerate(lines, start=1) if text.startswith(f"{code},"))


def edit_fields(line: str, **changes) -> str:
    header = next(csv.reader([real_lines()[0]]))
    fields = next(csv.reader([line]))
    for name, value in changes.items():
        fields[header.index(name)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def copy_of_registry(tmp_path: Path, lines: list[str], encoding="utf-8") -> Path:
    """A directory like the real one (tgj files copied) whose CSV holds ``lines``."""
    directory = tmp_path / "registry"
    directory.mkdir()
    for name in (PROVINCES_NAME, DISTRICTS_NAME):
        shutil.copy(REAL / name, directory / name)
    (directory / CSV_NAME).write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return directory


def real_csv_rows() -> list[dict]:
    with (REAL / CSV_NAME).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --- The real files ------------------------------------------------------------------------


def test_the_real_registry_loads_7849_laos_76_paos_77_provinces_and_928_districts(loaded):
    assert Province.objects.count() == 77
    assert District.objects.count() == 928
    assert Organization.objects.laos().count() == 7849
    assert Organization.objects.filter(kind="PAO").count() == 76
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds == {
        "PAO": 76,
        "CITY_MUNI": 30,
        "TOWN_MUNI": 195,
        "SUBDISTRICT_MUNI": 2247,
        "SAO": 5300,
        "SPECIAL": 1,
    }
    assert "7,849 created" in loaded


def test_every_lao_gets_one_history_row_when_first_loaded(loaded):
    assert Organization.history.filter(history_type="+").count() == 7849


def test_nakhon_phanom_has_104_laos_in_12_districts_with_one_pao_and_one_town(loaded):
    laos = Organization.objects.laos().filter(district__province__code="48")
    assert laos.count() == 104
    assert laos.values("district").distinct().count() == 12
    assert Counter(laos.values_list("kind", flat=True)) == {
        "PAO": 1,
        "TOWN_MUNI": 1,
        "SUBDISTRICT_MUNI": 21,
        "SAO": 81,
    }


def test_bangkok_is_a_province_with_districts_but_no_lao(loaded):
    bangkok = Province.objects.get(code="10")
    assert bangkok.name_th == "กรุงเทพมหานคร"
    assert bangkok.districts.count() == 50
    assert not Organization.objects.filter(district__province=bangkok).exists()
    assert not Organization.objects.filter(kind="BANGKOK").exists()


@pytest.mark.parametrize("code", ["6130408", "6720123"])
def test_a_subdistrict_municipality_keeps_its_kind_despite_its_old_sao_type_digit(loaded, code):
    lao = Organization.objects.get(dla_code=code)
    assert lao.kind == "SUBDISTRICT_MUNI"
    assert lao.type_digit == "6"
    assert lao.district.code == code[1:5]


def test_the_lampang_pao_keeps_its_office_district_apart_from_its_code_district(loaded):
    lao = Organization.objects.select_related("district").get(dla_code="2520101")
    assert lao.kind == "PAO"
    assert lao.district.code == "5201"
    assert lao.district.name_th == "เมืองลำปาง"
    assert lao.office_district_th == "เกาะคา"


def test_codes_are_zero_padded_and_postal_codes_kept(loaded):
    assert District.objects.get(code="1001").postal_code == "10200"
    assert District.objects.get(code="1001").province.code == "10"
    assert Province.objects.get(code="48").name_en == "Nakhon Phanom"


def test_empty_coordinates_and_area_stay_null_and_289_english_names_stay_empty(loaded):
    rows = real_csv_rows()
    without_lat = sum(1 for r in rows if not r["office_lat"])
    without_area = sum(1 for r in rows if not r["area_km2"])
    assert Organization.objects.filter(office_lat__isnull=True).count() == without_lat > 0
    assert Organization.objects.filter(area_km2__isnull=True).count() == without_area > 0
    assert Organization.objects.laos().filter(name_en="").count() == 289
    lao = Organization.objects.get(dla_code="6130408")
    assert (str(lao.office_lat), str(lao.office_lon), str(lao.area_km2)) == (
        "14.13000000",
        "100.8800000",
        "64.90",
    )
    assert lao.name_en == "Nong Sam Wang Subdistrict Municipality"
    assert lao.name_en_source == "subdistrict_same_district"


def test_names_repeat_but_every_code_is_one_organisation(loaded):
    names = Counter(Organization.objects.laos().values_list("name_th", flat=True))
    assert names.most_common(1)[0][1] > 1
    assert Organization.objects.laos().values("dla_code").distinct().count() == 7849


# --- Running again, changes, missing rows ------------------------------------------------


def test_a_second_run_reports_no_changes_and_writes_nothing(loaded):
    before = db_counts()
    output, _ = load(REAL)
    assert output.startswith("No changes")
    assert "7,849 unchanged" in output
    assert "77 unchanged" in output and "928 unchanged" in output
    assert db_counts() == before


def test_a_renamed_row_is_updated_and_gets_a_history_row(loaded, tmp_path):
    lines = real_lines()
    n = line_number_of("6130408", lines)
    lines[n - 1] = edit_fields(
        lines[n - 1], name_th="หนองสามวังใหม่", full_name_th="เทศบาลตำบลหนองสามวังใหม่"
    )
    lao = Organization.objects.get(dla_code="6130408")
    history_before = lao.history.count()
    before = db_counts()

    output, _ = load(copy_of_registry(tmp_path, lines))

    assert "1 updated" in output
    lao.refresh_from_db()
    assert lao.name_th == "หนองสามวังใหม่"
    assert lao.full_name_th == "เทศบาลตำบลหนองสามวังใหม่"
    assert lao.history.count() == history_before + 1
    latest = lao.history.latest()
    assert latest.history_type == "~"
    assert latest.name_th == "หนองสามวังใหม่"
    assert latest.prev_record.name_th == "หนองสามวัง"
    assert db_counts()[:3] == before[:3]


def test_a_row_missing_from_a_copy_is_reported_and_not_deleted(loaded, tmp_path):
    lines = real_lines()
    n = line_number_of("2520101", lines)
    del lines[n - 1]
    before = db_counts()

    output, _ = load(copy_of_registry(tmp_path, lines))

    assert "1 LAOs in the database are not in the source and were left alone: 2520101" in output
    assert output.startswith("No changes")
    assert Organization.objects.filter(dla_code="2520101").exists()
    assert db_counts() == before


def test_a_utf8_byte_order_mark_is_accepted(loaded, tmp_path):
    data = (REAL / CSV_NAME).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    path = tmp_path / CSV_NAME
    path.write_bytes(b"\xef\xbb\xbf" + data)
    output, _ = load(path)
    assert "7,849 unchanged" in output


def test_progress_goes_to_stderr_and_verbosity_0_silences_it(loaded):
    output, progress = load(REAL)
    assert "read 1,000 rows" in progress
    assert "read 1,000" not in output
    output, progress = load(REAL, verbosity=0)
    assert progress == ""
    assert output.startswith("No changes")


def test_loading_the_real_registry_leaves_generated_demo_laos_alone(loaded):
    call_command("generate_demo_registry", "--no-units", stdout=io.StringIO())
    generated = set(
        Organization.objects.filter(is_generated=True).values_list("dla_code", flat=True)
    )
    assert len(generated) == 21

    output, _ = load(REAL)

    assert output.startswith("No changes")
    assert "21 generated demo LAOs (is_generated) are not in the source" in output
    assert (
        set(Organization.objects.filter(is_generated=True).values_list("dla_code", flat=True))
        == generated
    )


# --- Broken copies: nothing is loaded -----------------------------------------------------


def refuse(directory_or_file: Path) -> str:
    """Run the loader expecting a refusal; return its message."""
    with pytest.raises(CommandError) as refused:
        load(directory_or_file)
    message = str(refused.value)
    assert "nothing was written" in message
    return message


def test_loader_refuses_a_code_that_is_not_seven_digits_and_loads_nothing(loaded, tmp_path):
    lines = real_lines()
    n = line_number_of("6130408", lines)
    lines[n - 1] = edit_fields(lines[n - 1], dla_code="613040")
    lines[n] = edit_fields(lines[n], name_th="ชื่อที่ไม่ควรถูกบันทึก")
    before = db_counts()

    message = refuse(copy_of_registry(tmp_path, lines))

    assert f"{tmp_path / 'registry' / CSV_NAME}, line {n}: dla_code '613040'" in message
    assert "not exactly 7 digits" in message
    assert db_counts() == before
    assert not Organization.objects.filter(name_th="ชื่อที่ไม่ควรถูกบันทึก").exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"district_code": "1399"}, "belongs to district 1304 (its digits 2-5) but district_code"),
        (
            {"dla_code": "6139901", "district_code": "1399"},
            "unknown district 1399 (from dla_code 6139901): not among the 928 known districts",
        ),
        ({"province_code": "14"}, "district 1304 (หนองเสือ) is in province 13, not in province"),
    ],
    ids=["code-and-column-disagree", "district-not-known", "district-in-another-province"],
)
def test_loader_refuses_an_unknown_district_and_loads_nothing(loaded, tmp_path, changes, expected):
    lines = real_lines()
    n = line_number_of("6130408", lines)
    lines[n - 1] = edit_fields(lines[n - 1], **changes)
    before = db_counts()

    message = refuse(copy_of_registry(tmp_path, lines))

    assert f"{CSV_NAME}, line {n}: unknown district" in message
    assert expected in message
    assert db_counts() == before


def test_loader_refuses_a_duplicate_code_naming_both_lines_and_loads_nothing(loaded, tmp_path):
    lines = real_lines()
    n = line_number_of("2520101", lines)
    lines.insert(n + 9, lines[n - 1])  # the same row again, ten lines further down
    before = db_counts()

    message = refuse(copy_of_registry(tmp_path, lines))

    assert f"{CSV_NAME}, line {n + 10}: duplicate dla_code 2520101: first on line {n}" in message
    assert db_counts() == before


def test_loader_refuses_a_file_in_tis620_naming_the_file_and_line(loaded, tmp_path):
    lines = real_lines()
    first_thai = next(n for n, text in enumerate(lines, start=1) if not text.isascii())
    before = db_counts()

    message = refuse(copy_of_registry(tmp_path, lines, encoding="cp874"))

    assert (
        f"{tmp_path / 'registry' / CSV_NAME}, line {first_thai}: the file is not UTF-8" in message
    )
    assert "TIS-620/CP874" in message
    assert db_counts() == before


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"lao_type": "MUNI"}, "unknown LAO type 'MUNI'"),
        ({"name_th": ""}, "the Thai name (name_th) is empty"),
        ({"office_lat": "north"}, "office_lat 'north' is not a number"),
        ({"type_digit": "5"}, "type_digit '5' is not the first digit of dla_code 6130408"),
    ],
    ids=["unknown-type", "empty-name", "bad-latitude", "type-digit-not-the-codes"],
)
def test_loader_refuses_a_bad_field_and_loads_nothing(loaded, tmp_path, changes, expected):
    lines = real_lines()
    n = line_number_of("6130408", lines)
    lines[n - 1] = edit_fields(lines[n - 1], **changes)
    before = db_counts()

    message = refuse(copy_of_registry(tmp_path, lines))

    assert f"{CSV_NAME}, line {n}: {expected}" in message
    assert db_counts() == before


def test_loader_refuses_missing_columns_and_names_them(loaded, tmp_path):
    rows = list(csv.reader(real_lines()))
    drop = {rows[0].index("lao_type"), rows[0].index("district_code")}
    lines = []
    for row in rows:
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow([v for i, v in enumerate(row) if i not in drop])
        lines.append(out.getvalue())
    before = db_counts()

    message = refuse(copy_of_registry(tmp_path, lines))

    assert f"{CSV_NAME}, line 1: missing required column(s): lao_type, district_code" in message
    assert db_counts() == before


def test_loader_refuses_a_row_with_a_missing_field(loaded, tmp_path):
    lines = real_lines()
    n = line_number_of("6130408", lines)
    lines[n - 1] = lines[n - 1].rsplit(",", 1)[0]
    message = refuse(copy_of_registry(tmp_path, lines))
    assert f"{CSV_NAME}, line {n}: 17 fields, the header has 18" in message


def test_loader_lists_every_problem_of_a_file_at_once(loaded, tmp_path):
    lines = real_lines()
    for code in ("6130408", "6720123"):
        n = line_number_of(code, lines)
        lines[n - 1] = edit_fields(lines[n - 1], lao_type="")
    message = refuse(copy_of_registry(tmp_path, lines))
    assert "2 problems" in message


def test_a_missing_path_is_an_error_naming_it(db, tmp_path):
    with pytest.raises(CommandError, match="no such file or directory"):
        load(tmp_path / "nowhere")


def test_a_directory_without_the_files_is_an_error_naming_them(db, tmp_path):
    with pytest.raises(CommandError, match=f"missing file.*{PROVINCES_NAME}.*{CSV_NAME}"):
        load(tmp_path)


# --- Other sources: SIAHRA JSON, the CSV alone, a URL -----------------------------------


def test_the_siahra_json_loads_the_same_codes_with_the_same_kinds_as_the_csv(
    empty_registry, tmp_path
):
    directory = tmp_path / "siahra"
    directory.mkdir()
    for name in (PROVINCES_NAME, DISTRICTS_NAME, SIAHRA_NAME):
        shutil.copy(REAL / name, directory / name)

    output, _ = load(directory)

    assert "7,849 created" in output
    csv_kinds = {r["dla_code"]: r["lao_type"] for r in real_csv_rows()}
    assert dict(Organization.objects.values_list("dla_code", "kind")) == csv_kinds
    assert Organization.objects.get(dla_code="6130408").type_digit == "6"
    assert Organization.objects.get(dla_code="2520101").district.code == "5201"
    assert Organization.objects.get(dla_code="2520101").office_district_th == "เกาะคา"
    assert "2520101" in output  # the office in another district is pointed out


def test_the_siahra_json_alone_agrees_with_the_csv_field_for_field(loaded):
    output, _ = load(REAL / SIAHRA_NAME)
    assert output.startswith("No changes")
    assert "7,849 unchanged" in output
    assert "provinces  not in this source" in output
    assert Organization.objects.laos().exclude(name_en="").count() == 7849 - 289


def test_the_siahra_json_types_cover_every_kind_of_the_csv():
    assert set(SIAHRA_TYPES.values()) == {
        "PAO",
        "CITY_MUNI",
        "TOWN_MUNI",
        "SUBDISTRICT_MUNI",
        "SAO",
        "SPECIAL",
    }


def test_the_siahra_json_alone_needs_districts_in_the_database(empty_registry):
    with pytest.raises(CommandError, match="has no districts yet"):
        load(REAL / SIAHRA_NAME)
    assert db_counts() == (0, 0, 0, 0)


def test_the_csv_alone_is_self_contained(empty_registry):
    rows = real_csv_rows()

    output, _ = load(REAL / CSV_NAME)

    assert Organization.objects.laos().count() == 7849
    assert Province.objects.count() == 76  # no Bangkok: it has no LAO
    assert District.objects.count() == len({r["district_code"] for r in rows})
    assert Province.objects.get(code="48").name_en == "Nakhon Phanom"
    assert District.objects.get(code="4801").name_th == "เมืองนครพนม"
    assert Organization.objects.laos().filter(district__province__code="48").count() == 104
    assert "7,849 created" in output


def test_the_csv_alone_refuses_a_district_named_two_ways(empty_registry, tmp_path):
    lines = real_lines()
    in_1304 = [n for n, text in enumerate(lines, start=1) if text[1:5] == "1304"]
    first, n = in_1304[0], in_1304[-1]
    lines[n - 1] = edit_fields(lines[n - 1], district_th="หนองเสือใหม่")
    path = tmp_path / CSV_NAME
    path.write_text("\r\n".join(lines), encoding="utf-8")

    message = refuse(path)

    assert (
        f"{path}, line {n}: district 1304 is 13/หนองเสือใหม่/Nong Suea here "
        f"but 13/หนองเสือ/Nong Suea on line {first}"
    ) in message
    assert db_counts() == (0, 0, 0, 0)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_dir(tmp_path):
    """A local web server for tmp_path/www; yields its base URL."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_url_to_the_csv_is_fetched_and_loaded(loaded, http_dir):
    root, base = http_dir
    shutil.copy(REAL / CSV_NAME, root / CSV_NAME)

    output, progress = load(f"{base}/{CSV_NAME}")

    assert f"Fetching {base}/{CSV_NAME}" in progress
    assert "7,849 unchanged" in output


def test_a_broken_file_at_a_url_is_refused_naming_the_url_and_line(loaded, http_dir):
    root, base = http_dir
    lines = real_lines()
    n = line_number_of("6130408", lines)
    lines[n - 1] = edit_fields(lines[n - 1], dla_code="61304O8")
    (root / CSV_NAME).write_text("\r\n".join(lines), encoding="utf-8")

    message = refuse(f"{base}/{CSV_NAME}")

    assert f"{base}/{CSV_NAME}, line {n}: dla_code '61304O8' is not exactly 7 digits" in message


def test_an_unreachable_url_is_an_error_naming_it(db, http_dir):
    _, base = http_dir
    with pytest.raises(CommandError, match=f"{base}/absent.csv: the server answered HTTP 404"):
        load(f"{base}/absent.csv")
    with pytest.raises(CommandError, match="http://127.0.0.1:9/x.csv: unreachable"):
        load("http://127.0.0.1:9/x.csv")
