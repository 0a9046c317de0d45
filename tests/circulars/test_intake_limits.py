"""Intake's work is bounded (issue 26, finding 1; circulars/intake/limits.py): a 5,000-page PDF
and a 30,000 x 30,000-pixel PNG are refused in the officer's request, before anything is
rasterised; an officer has a few drafts read at once and a number an hour; each tool runs under a
memory and time limit and each draft within a total budget; reading runs on its own queue.
Timings are in bench/intake_limits.py, not here."""

import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from circulars.intake import drafts, extract, limits
from circulars.models import CircularDraft, IntakeStatus
from tests.actors import login
from tests.circulars.bombs import blank_pdf, huge_png


@pytest.fixture
def officer(client, actors, nakhon_phanom):
    login(client, actors["province_officer"])
    return actors["province_officer"]


@pytest.fixture
def rasterised(monkeypatch):
    """Every tool the reading starts, by name: none may be pdftoppm or tesseract."""
    started = []
    real = extract.run_tool

    def watched(args, **kwargs):
        started.append(args[0])
        return real(args, **kwargs)

    monkeypatch.setattr(extract, "run_tool", watched)
    monkeypatch.setattr(drafts, "run_tool", watched)
    return started


def take_in(client, data: bytes, name: str):
    with translation.override("th"):
        return client.post(
            "/circulars/intake/",
            {"file": SimpleUploadedFile(name, data)},
            HTTP_ACCEPT_LANGUAGE="th",
        )


def test_a_pdf_of_5000_blank_pages_is_refused_before_any_page_is_rasterised(
    client, officer, rasterised
):
    response = take_in(client, blank_pdf(5000), "blank.pdf")
    assert response.status_code == 400
    assert "ไฟล์ PDF มี 5,000 หน้า เกินกว่าที่นำเข้าได้ (ไม่เกิน 50 หน้า)" in response.content.decode()
    assert not CircularDraft.objects.exists()
    assert not {"pdftoppm", "tesseract"} & set(rasterised)


def test_a_pdf_of_the_most_pages_allowed_passes_the_check(settings, db):
    settings.INTAKE_MAX_PAGES = 3
    limits.check_file(blank_pdf(3), "application/pdf", dpi=extract.OCR_DPI)
    with pytest.raises(extract.IntakeError) as caught:
        limits.check_file(blank_pdf(4), "application/pdf", dpi=extract.OCR_DPI)
    assert caught.value.code == "too_many_pages"


def test_a_png_of_30000_by_30000_pixels_is_refused_from_its_header(client, officer, rasterised):
    response = take_in(client, huge_png(30_000, 30_000), "scan.png")
    assert response.status_code == 400
    assert "ภาพ มีขนาด 30,000 × 30,000 จุด เกินกว่าที่อ่านได้" in response.content.decode()
    assert not CircularDraft.objects.exists()
    assert rasterised == []


def test_a_pdf_page_too_large_to_rasterise_is_refused(db):
    poster = blank_pdf(1, width=14_400, height=14_400)  # 5 m a side: 60,000 pixels at 300 dpi
    with pytest.raises(extract.IntakeError) as caught:
        extract.extract(poster)
    assert caught.value.code == "too_large"
    assert "หน้า 1 ของ PDF" in caught.value.message_th


def test_an_image_of_ordinary_size_passes_the_check(db):
    limits.check_file(huge_png(2480, 3508), "image/png", dpi=extract.OCR_DPI)  # A4 at 300 dpi


def test_an_officer_with_drafts_being_read_takes_in_no_more_until_they_are_done(
    client, officer, settings
):
    settings.INTAKE_READING_DRAFTS_PER_OFFICER = 1
    CircularDraft.objects.create(
        created_by=officer, content_type="text/plain", data=b"x", status=IntakeStatus.READING
    )
    response = take_in(client, "ที่ มท ๐๘๐๘.๔/ว ๑๕๔๑".encode(), "letter.txt")
    assert response.status_code == 400
    assert "ท่านมีหนังสือที่กำลังอ่านอยู่ 1 ฉบับ" in response.content.decode()
    assert CircularDraft.objects.count() == 1
    CircularDraft.objects.update(status=IntakeStatus.REVIEW)
    limits.check_officer(officer)  # read: the next may come


def test_an_officer_takes_in_at_most_the_hours_drafts(officer, settings):
    settings.INTAKE_DRAFTS_PER_HOUR = 2
    for _ in range(2):
        CircularDraft.objects.create(
            created_by=officer, content_type="text/plain", data=b"x", status=IntakeStatus.FAILED
        )
    with pytest.raises(extract.IntakeError) as caught:
        limits.check_officer(officer)
    assert caught.value.code == "too_many_per_hour"
    assert "ในหนึ่งชั่วโมงที่ผ่านมา" in caught.value.message_th


def test_a_tool_runs_under_the_memory_limit(settings):
    settings.INTAKE_TOOL_MEMORY_MB = 300
    grab = "x = bytearray(600 * 1024 * 1024); print('got it')"
    done = extract.run_tool([sys.executable, "-c", grab])
    assert done.returncode != 0 and "got it" not in done.stdout
    assert "MemoryError" in done.stderr
    small = extract.run_tool([sys.executable, "-c", "x = bytearray(10 * 1024 * 1024); print('ok')"])
    assert small.stdout.strip() == "ok"


def test_a_draft_stops_at_its_budget_and_starts_no_tool_after_it(settings):
    settings.INTAKE_DRAFT_SECONDS = 1
    settings.INTAKE_TOOL_SECONDS = 60
    codes = []

    @limits.within_budget
    def reading():
        for _ in range(2):
            try:
                extract.run_tool(["sleep", "5"])
            except extract.IntakeError as exc:
                codes.append(exc.code)

    reading()
    assert codes == ["timeout", "over_budget"]
    extract.run_tool(["true"])  # outside a draft: no budget left over


def test_reading_goes_to_the_intake_queue_and_mail_to_the_default_one():
    from elaas_portal.celery import app

    route = app.amqp.router.route
    assert route({}, "circulars.tasks.read_draft_task")["queue"].name == "intake"
    assert route({}, "notifications.tasks.deliver_pending")["queue"].name == "celery"
