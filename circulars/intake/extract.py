"""From a file as it comes to text: a PDF's text layer, a scanned PDF or an image read by
Tesseract (tha+eng), or plain text. Page by page, so that a task can report progress.

Tools: Debian's poppler-utils (pdfinfo, pdftotext, pdftoppm) and tesseract-ocr with
tesseract-ocr-tha. Each bad file raises `IntakeError` with a message in Thai and English;
nothing is written anywhere but a temporary directory that is always removed.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.filetypes import sniff

from . import digits, limits, words
from .errors import IntakeError
from .parse import SourceKind

logger = logging.getLogger(__name__)

# A page with fewer Thai letters than this in its text layer is taken as a scan.
MIN_THAI_LETTERS = 20
OCR_DPI = 300
OCR_LANGUAGES = "tha+eng"
_THAI = re.compile(r"[\u0E01-\u0E4F]")
# Tesseract's OpenMP threads fight over a busy machine's cores: one thread read a page in 14 s
# where the default took 43 s (2 shared CPUs, load 11). A worker reads one page at a time.
_TOOL_ENV = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}


@dataclass
class Page:
    number: int
    text: str
    source: str
    seconds: float
    # On an OCR'd page, each run of digits the second reader re-read (`digits.Reread.as_dict`:
    # start in `text`, what Tesseract read, the digits now in the text, confidence 0–1; 0 where
    # the reader saw no digits there and Tesseract's reading was kept).
    digits: list[dict] = field(default_factory=list)
    # On an OCR'd page, the spans of `text` whose words are doubtful (`words.Doubt.as_dict`:
    # characters Tesseract read unsurely, lines beside ink it read nothing from).
    doubts: list[dict] = field(default_factory=list)


@dataclass
class Extracted:
    content_type: str
    pages: list[Page] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)

    @property
    def source(self) -> str:
        kinds = {p.source for p in self.pages}
        if SourceKind.OCR in kinds:
            return SourceKind.OCR
        return kinds.pop() if kinds else SourceKind.TEXT

    @property
    def digits(self) -> list[dict]:
        """The re-read digit runs of every OCR'd page, with `start` an offset into `text` and
        `page` the page's number: where the parser may flag a doubtful digit."""
        out, offset = [], 0
        for p in self.pages:
            out += [{**r, "start": r["start"] + offset, "page": p.number} for r in p.digits]
            offset += len(p.text) + 2
        return out

    @property
    def doubts(self) -> list[dict]:
        """The doubtful word spans of every OCR'd page (`Page.doubts`), with offsets into
        `text`: where the parser flags a field instead of taking Tesseract's words."""
        out, offset = [], 0
        for p in self.pages:
            out += [
                {**d, "start": d["start"] + offset, "end": d["end"] + offset, "page": p.number}
                for d in p.doubts
            ]
            offset += len(p.text) + 2
        return out

    @property
    def ocr_seconds_per_page(self) -> float | None:
        ocr = [p.seconds for p in self.pages if p.source == SourceKind.OCR]
        return sum(ocr) / len(ocr) if ocr else None


Progress = Callable[[int, int], None]


def run_tool(args: list[str], *, binary: bool = False) -> subprocess.CompletedProcess:
    tool = shutil.which(args[0])
    if tool is None:
        raise IntakeError(
            "tool_missing",
            f"เครื่องนี้ไม่มีโปรแกรม {args[0]} (ติดตั้ง poppler-utils, tesseract-ocr, tesseract-ocr-tha)",
            f"{args[0]} is not installed (poppler-utils, tesseract-ocr, tesseract-ocr-tha)",
        )
    seconds = limits.tool_seconds()  # INTAKE_TOOL_SECONDS, or what is left of the draft's budget
    try:
        return subprocess.run(
            [tool, *args[1:]],
            capture_output=True,
            timeout=seconds,
            check=False,
            text=not binary,
            env=_TOOL_ENV,
            preexec_fn=limits.tool_preexec(),  # noqa: PLW1509 - memory and CPU limits of the child
        )
    except subprocess.TimeoutExpired:
        raise IntakeError(
            "timeout",
            f"โปรแกรม {args[0]} อ่านไฟล์ไม่เสร็จภายใน {seconds:.0f} วินาที (ไฟล์อาจใหญ่หรือเสียหาย)",
            f"{args[0]} did not finish within {seconds:.0f} seconds (the file may be large or "
            "damaged).",
        ) from None


def thai_letters(text: str) -> int:
    return len(_THAI.findall(text))


def extract(data: bytes, *, progress: Progress | None = None) -> Extracted:
    """Text of a PDF, PNG, JPEG or UTF-8 text file given as bytes."""
    if not data or not data.strip():
        raise IntakeError("empty", "ไฟล์ว่างเปล่า", "The file is empty.")
    content_type = sniff(data[:16])
    limits.check_file(data, content_type, dpi=OCR_DPI)  # too many or too large pages: refused
    with tempfile.TemporaryDirectory(prefix="intake-") as tmp:
        if content_type == "application/pdf":
            result = _pdf(data, Path(tmp), progress)
        elif content_type in ("image/png", "image/jpeg"):
            path = Path(tmp) / ("page.png" if content_type == "image/png" else "page.jpg")
            path.write_bytes(data)
            result = Extracted(content_type, [_ocr(path, 1)])
            if progress:
                progress(1, 1)
        else:
            result = Extracted("text/plain", [_plain(data)])
            if progress:
                progress(1, 1)
    if thai_letters(result.text) < MIN_THAI_LETTERS:
        raise IntakeError(
            "no_thai",
            "ไม่พบข้อความภาษาไทยในไฟล์ (หนังสือราชการต้องมีข้อความภาษาไทย)",
            "No Thai text was found in the file.",
        )
    return result


def _plain(data: bytes) -> Page:
    if b"\x00" in data[:4096]:
        raise IntakeError(
            "not_supported",
            "ไฟล์นี้ไม่ใช่ PDF, PNG, JPEG หรือข้อความ",
            "The file is not a PDF, PNG, JPEG or text file (its content says otherwise).",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp874")  # Thai Windows text, as older systems save it
        except UnicodeDecodeError:
            raise IntakeError(
                "not_supported",
                "ไฟล์นี้ไม่ใช่ PDF, PNG, JPEG หรือข้อความ UTF-8",
                "The file is not a PDF, PNG, JPEG or UTF-8 text.",
            ) from None
    return Page(1, text, SourceKind.TEXT, 0.0)


def _pdf(data: bytes, tmp: Path, progress: Progress | None) -> Extracted:
    path = tmp / "letter.pdf"
    path.write_bytes(data)
    info = run_tool(["pdfinfo", str(path)])
    if info.returncode != 0:
        if "Incorrect password" in info.stderr or "encrypt" in info.stderr.lower():
            raise _encrypted()
        raise IntakeError(
            "bad_pdf",
            "อ่านไฟล์ PDF ไม่ได้ (ไฟล์อาจเสียหาย)",
            "The PDF cannot be read (it may be damaged).",
        )
    if re.search(r"^Encrypted:\s+yes", info.stdout, re.M):
        raise _encrypted()
    m = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    pages = int(m.group(1)) if m else 0
    if pages == 0:
        raise IntakeError("empty", "ไฟล์ PDF ไม่มีหน้า", "The PDF has no pages.")
    out = Extracted("application/pdf")
    if progress:
        progress(0, pages)  # the review page shows "0 of N pages" before the first is done
    for n in range(1, pages + 1):
        started = time.monotonic()
        layer = run_tool(["pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(path), "-"])
        text = layer.stdout if layer.returncode == 0 else ""
        if thai_letters(text) >= MIN_THAI_LETTERS:
            out.pages.append(Page(n, text, SourceKind.PDF_TEXT, time.monotonic() - started))
        else:
            prefix = tmp / f"p{n}"
            run_tool(
                ["pdftoppm", "-r", str(OCR_DPI), "-gray", "-png", "-singlefile"]
                + ["-f", str(n), "-l", str(n), str(path), str(prefix)]
            )
            image = prefix.with_suffix(".png")
            if not image.exists():
                raise IntakeError(
                    "bad_pdf",
                    f"แปลงหน้า {n} ของ PDF เป็นภาพไม่ได้",
                    f"Page {n} of the PDF cannot be rendered.",
                )
            out.pages.append(_ocr(image, n))
        if progress:
            progress(n, pages)
    return out


def _ocr(image: Path, number: int) -> Page:
    """Tesseract reads the words; its digits are re-read from the page by `digits.reread`."""
    started = time.monotonic()
    base = image.with_name(f"{image.stem}-ocr")
    done = run_tool(
        ["tesseract", str(image), str(base), "-l", OCR_LANGUAGES, "--psm", "4"]
        + ["-c", "hocr_char_boxes=1", "txt", "hocr"]
    )
    txt, hocr = base.with_suffix(".txt"), base.with_suffix(".hocr")
    if done.returncode != 0 or not txt.exists():
        raise IntakeError(
            "bad_image",
            "อ่านภาพไม่ได้ (ไฟล์ภาพอาจเสียหาย)",
            "The image cannot be read (it may be damaged).",
        )
    text = txt.read_text(encoding="utf-8")
    reread: list[dict] = []
    doubtful: list[dict] = []
    try:
        markup, gray = hocr.read_text(encoding="utf-8"), digits.page_gray(image)
        text, marks = words.mark_lines(text, markup)
        found_words = marks + words.doubts(text, markup, gray)
        text, found = digits.reread(text, markup, gray)
        reread = [r.as_dict() for r in found]
        doubtful = [d.as_dict() for d in words.shifted(found_words, reread)]
    except (OSError, ValueError, ET.ParseError):
        # No model file or an hOCR Tesseract wrote badly: Tesseract's digits stay, all doubtful.
        logger.exception("second digit reader failed on page %s", number)
    return Page(number, text, SourceKind.OCR, time.monotonic() - started, reread, doubtful)


def _encrypted() -> IntakeError:
    return IntakeError(
        "encrypted",
        "ไฟล์ PDF ถูกเข้ารหัส: ขอฉบับที่ไม่มีรหัสผ่าน",
        "The PDF is encrypted: ask for a copy without a password.",
    )
