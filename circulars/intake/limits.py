"""Bounds on the work one letter taken in may cause (issue 26).

Before them a 644 KB PDF of 5,000 blank pages held a Celery worker for 29 minutes, a 946 KB PNG of
30,000 x 30,000 pixels made Tesseract take 3.4 GB, and a decision e-mail waited 28 minutes
behind two such letters. Now:

- **Refused before any page is rasterised**, in the officer's request (`check_upload`, from
  `drafts.create_draft`) and again before reading (`check_file`, from `extract.extract`): a PDF
  of more than INTAKE_MAX_PAGES pages (counted by `pdfinfo`), a PDF page or an image of more than
  INTAKE_MAX_IMAGE_PIXELS pixels (a page as OCR renders it, at its DPI; an image by the size its
  header declares, read by Pillow without decoding it).
- **Per officer**: at most INTAKE_READING_DRAFTS_PER_OFFICER drafts being read at once and
  INTAKE_DRAFTS_PER_HOUR taken in an hour.
- **Per tool run** (pdfinfo, pdftotext, pdftoppm, tesseract): an address-space limit of
  INTAKE_TOOL_MEMORY_MB (RLIMIT_AS, set in the child before it starts) and INTAKE_TOOL_SECONDS.
- **Per draft**: INTAKE_DRAFT_SECONDS in all (`within_budget` around `drafts.read_draft`); each
  tool gets at most what is left, and none starts once it is spent.
- Reading runs on its own Celery queue, "intake" (settings.CELERY_TASK_ROUTES), with its own
  worker: mail and reminders never wait behind OCR.

Every refusal is an IntakeError with its message in Thai and English.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import io
import re
import resource
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from core import clock

from ..models import CircularDraft, IntakeStatus
from .errors import IntakeError

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "intake_deadline", default=None
)
_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.M)
_PAGES = re.compile(r"^Pages:\s+(\d+)", re.M)
_INFO_SECONDS = 10  # pdfinfo reads the page tree, it renders nothing


# --- the officer ---------------------------------------------------------------------------------


def check_officer(user) -> None:
    """Refuse a new draft beyond the officer's drafts being read at once, or per hour."""
    mine = CircularDraft.objects.filter(created_by=user)
    reading = mine.filter(status=IntakeStatus.READING).count()
    most = settings.INTAKE_READING_DRAFTS_PER_OFFICER
    if reading >= most:
        raise IntakeError(
            "too_many_reading",
            f"ท่านมีหนังสือที่กำลังอ่านอยู่ {reading} ฉบับ (รับได้ครั้งละไม่เกิน {most} ฉบับ): "
            "รอให้อ่านเสร็จก่อน แล้วจึงนำเข้าฉบับถัดไป",
            f"{reading} of your letters are being read (at most {most} at once): wait until "
            "they are done, then take in the next.",
        )
    last_hour = mine.filter(created_at__gte=clock.now() - dt.timedelta(hours=1)).count()
    most = settings.INTAKE_DRAFTS_PER_HOUR
    if last_hour >= most:
        raise IntakeError(
            "too_many_per_hour",
            f"ท่านนำเข้าหนังสือแล้ว {last_hour} ฉบับในหนึ่งชั่วโมงที่ผ่านมา ซึ่งเป็นจำนวนสูงสุด โปรดลองใหม่ภายหลัง",
            f"You have taken in {last_hour} letters in the last hour, the most allowed: try "
            "again later.",
        )


def check_upload(data: bytes, content_type: str, *, user, dpi: int) -> None:
    """Everything refused in the officer's request, before a draft is stored or queued."""
    check_officer(user)
    check_file(data, content_type, dpi=dpi)


# --- the file ------------------------------------------------------------------------------------


def check_file(data: bytes, content_type: str | None, *, dpi: int) -> None:
    """Refuse a PDF or an image whose pages would be too many or too large to rasterise at `dpi`;
    anything else (a damaged file, text) is left for the reading to judge."""
    if content_type == "application/pdf":
        _check_pdf(data, dpi)
    elif content_type in ("image/png", "image/jpeg"):
        _check_image(data)


def _too_large(what_th: str, what_en: str, width: float | None, height: float | None):
    most = f"{settings.INTAKE_MAX_IMAGE_PIXELS / 1e6:,.0f}"
    size_th = f" มีขนาด {width:,.0f} × {height:,.0f} จุด" if width and height else ""
    size_en = f" is {width:,.0f} x {height:,.0f} pixels," if width and height else ""
    return IntakeError(
        "too_large",
        f"{what_th}{size_th} เกินกว่าที่อ่านได้ (ไม่เกิน {most} ล้านจุด): สแกนใหม่ที่ 300 dpi ขนาดกระดาษปกติ",
        f"{what_en}{size_en} more than can be read (at most {most} million pixels): scan it "
        "again at 300 dpi, ordinary paper size.",
    )


def _check_image(data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # the header only: nothing is decoded
                width, height = image.size
    except Image.DecompressionBombError:
        # Over Pillow's own bound (Image.MAX_IMAGE_PIXELS x 2), far over ours: the header says so.
        width, height = _png_size(data)
        raise _too_large("ภาพ", "The image", width, height) from None
    except (UnidentifiedImageError, OSError, ValueError):
        return  # not an image Pillow reads: Tesseract says so
    if width * height > settings.INTAKE_MAX_IMAGE_PIXELS:
        raise _too_large("ภาพ", "The image", width, height)


def _png_size(data: bytes) -> tuple[int | None, int | None]:
    """A PNG's width and height from its IHDR (None for another kind)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None, None


def _check_pdf(data: bytes, dpi: int) -> None:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return  # the reading says the tool is missing
    with tempfile.TemporaryDirectory(prefix="intake-limits-") as tmp:
        path = Path(tmp) / "letter.pdf"
        path.write_bytes(data)
        info = _info(pdfinfo, path)
        m = _PAGES.search(info)
        if m is None:
            return  # unreadable or encrypted: the reading says which
        pages, most = int(m.group(1)), settings.INTAKE_MAX_PAGES
        if pages > most:
            raise IntakeError(
                "too_many_pages",
                f"ไฟล์ PDF มี {pages:,} หน้า เกินกว่าที่นำเข้าได้ (ไม่เกิน {most} หน้า): "
                f"แยกเป็นไฟล์ละไม่เกิน {most} หน้า",
                f"The PDF has {pages:,} pages, more than can be taken in (at most {most}): "
                f"split it into files of at most {most} pages.",
            )
        if pages == 0:
            return
        for number, width, height in _PAGE_SIZE.findall(
            _info(pdfinfo, path, "-f", "1", "-l", str(pages))
        ):
            pixels_w, pixels_h = float(width) / 72 * dpi, float(height) / 72 * dpi
            if pixels_w * pixels_h > settings.INTAKE_MAX_IMAGE_PIXELS:
                raise _too_large(
                    f"หน้า {number} ของ PDF", f"Page {number} of the PDF", pixels_w, pixels_h
                )


def _info(pdfinfo: str, path: Path, *pages: str) -> str:
    try:
        done = subprocess.run(
            [pdfinfo, *pages, str(path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_INFO_SECONDS,
            preexec_fn=tool_preexec(),  # noqa: PLW1509 - a single-threaded child setting limits
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise IntakeError(
            "bad_pdf",
            "อ่านโครงสร้างไฟล์ PDF ไม่เสร็จในเวลาที่กำหนด (ไฟล์อาจเสียหายหรือซับซ้อนเกินไป)",
            "The PDF's structure could not be read in time (it may be damaged or too complex).",
        ) from None
    return done.stdout if done.returncode == 0 else ""


# --- the tools -----------------------------------------------------------------------------------


def tool_preexec():
    """The function a tool's child process runs before it starts: its memory and CPU limits."""
    memory = settings.INTAKE_TOOL_MEMORY_MB * 1024 * 1024
    cpu = int(settings.INTAKE_TOOL_SECONDS) + 1

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))

    return limit


def tool_seconds() -> float:
    """How long the next tool may run: INTAKE_TOOL_SECONDS, or what is left of the draft's
    budget; none left is the draft's end (IntakeError)."""
    seconds = float(settings.INTAKE_TOOL_SECONDS)
    deadline = _deadline.get()
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            budget = settings.INTAKE_DRAFT_SECONDS
            raise IntakeError(
                "over_budget",
                f"อ่านหนังสือไม่เสร็จภายใน {budget} วินาที (ไฟล์อาจยาวหรือซับซ้อนเกินไป): "
                "แยกไฟล์ หรือส่งฉบับที่มีข้อความ (ไม่ใช่ภาพสแกน)",
                f"The letter was not read within {budget} seconds (the file may be too long or "
                "complex): split it, or send a copy with a text layer (not a scan).",
            )
        seconds = min(seconds, left)
    return seconds


def within_budget(func):
    """Run `func` (a draft's reading) with INTAKE_DRAFT_SECONDS for all the tools it starts."""

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        token = _deadline.set(time.monotonic() + settings.INTAKE_DRAFT_SECONDS)
        try:
            return func(*args, **kwargs)
        finally:
            _deadline.reset(token)

    return wrapped
