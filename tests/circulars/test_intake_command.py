"""`manage.py intake_circular PATH [--json] [--save]`: the parse as JSON, a draft kept on --save,
and bad files refused with a clear message and exit code 2, nothing saved."""

import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command

from circulars.models import CircularDraft, IntakeStatus

from .scans import REFERENCE


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("intake_circular", *map(str, args), stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF behind the standard security handler that an empty password does not open."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> /P -4 >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    file_id = b"<00112233445566778899aabbccddeeff>"
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [%s %s] >>\n" % (
        len(objects) + 1,
        file_id,
        file_id,
    )
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


def test_the_reference_text_prints_its_letters_flags_and_rules_as_json(db):
    code, out, _err = run(REFERENCE, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["source"] == "text" and data["open_flags"] == 7
    province, dla = data["letters"]
    assert province["forwards"] == dla["index"]
    assert province["fields"]["number"]["value"] == "นพ ๐๐๒๓.๕/ว ๑๕๗๘"
    assert province["fields"]["date"]["flags"][0]["candidates"][0] == "2025-04-09"
    assert [r["starts_at"] for r in dla["rules"]] == [
        "2025-03-15T00:00:00+07:00",
        "2025-03-27T00:00:00+07:00",
        "2025-04-05T00:00:00+07:00",
        "2025-04-04T00:00:00+07:00",
    ]
    assert {
        (d["forwarding_value"][:10], d["source_value"][:10]) for d in data["discrepancies"]
    } == {
        ("2025-04-04", "2025-04-05"),
        ("2025-03-01", "2025-03-15"),
    }
    assert CircularDraft.objects.count() == 0


def test_save_keeps_a_draft_for_review(actors):
    code, out, _err = run(REFERENCE, "--save", "--officer", "dla-officer@test.example")
    assert code == 0
    draft = CircularDraft.objects.get()
    assert f"draft: {draft.pk}" in out
    assert draft.status == IntakeStatus.REVIEW
    assert len(draft.parsed["letters"]) == 2


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.pdf", b"", "ไฟล์ว่างเปล่า"),
        ("blank.txt", b"   \n\n", "ไฟล์ว่างเปล่า"),
        ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00" * 20, "ไม่ใช่ PDF"),
        ("english.txt", b"Dear Sir, this letter has no Thai in it at all. " * 5, "ภาษาไทย"),
        ("note.txt", "บันทึกข้อความสั้น ๆ ไม่ใช่หนังสือราชการ ไม่มีเลขที่".encode() * 3, "ไม่พบหนังสือ"),
        ("locked.pdf", encrypted_pdf(), "เข้ารหัส"),
        ("broken.pdf", b"%PDF-1.4\nnot really a pdf", "อ่านไฟล์ PDF ไม่ได้"),
    ],
)
def test_a_bad_file_gets_a_clear_message_exit_2_and_nothing_saved(
    db, tmp_path, name, content, words
):
    if name.endswith(".pdf") and content.startswith(b"%PDF") and not shutil.which("pdfinfo"):
        pytest.skip("needs poppler-utils")
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(path, "--json", "--save")
    assert code == 2
    assert words in err and out == ""
    assert CircularDraft.objects.count() == 0


def test_a_missing_file_exits_2(db, tmp_path):
    code, _out, err = run(tmp_path / "nowhere.pdf")
    assert code == 2 and "ไม่พบไฟล์" in err


def test_a_pdf_text_layer_is_read_without_ocr(db, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("needs Debian's chromium to print a PDF with a Thai text layer")
    html = tmp_path / "letter.html"
    body = REFERENCE.read_text(encoding="utf-8").replace("&", "&amp;").replace("<", "&lt;")
    html.write_text(
        '<html><head><meta charset="utf-8"></head><body>'
        '<pre style="font-family: Garuda; white-space: pre-wrap">' + body + "</pre></body></html>",
        encoding="utf-8",
    )
    pdf = tmp_path / "letter.pdf"
    subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    code, out, _err = run(pdf, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["source"] == "pdf_text" and data["ocr_seconds_per_page"] is None
    province, dla = data["letters"]
    assert province["fields"]["number"]["value"] == "นพ ๐๐๒๓.๕/ว ๑๕๗๘"
    assert province["forwards"] == dla["index"]
    assert len(province["rules"]) == 4 and len(dla["rules"]) == 4


def test_save_for_an_officer_puts_the_draft_in_their_area(actors):
    code, _out, _err = run(REFERENCE, "--save", "--officer", "province-officer@test.example")
    assert code == 0
    draft = CircularDraft.objects.get()
    assert draft.created_by == actors["province_officer"]
    assert draft.province.code == "48"


def test_save_for_someone_who_is_no_officer_exits_2(actors):
    code, _out, err = run(REFERENCE, "--save", "--officer", "lao-clerk@test.example")
    assert code == 2 and "lao-clerk@test.example" in err
    assert CircularDraft.objects.count() == 0


def test_save_without_an_officer_saves_nothing_and_exits_2(db):
    """No user is no area: a draft kept without its officer would be nobody's (it used to be
    DLA's, national by default)."""
    code, out, err = run(REFERENCE, "--save")
    assert code == 2 and "--officer" in err and out == ""
    assert CircularDraft.objects.count() == 0
