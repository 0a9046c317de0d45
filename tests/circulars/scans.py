"""Letters as scans for the OCR tests: text rendered with a Thai font from Debian's
fonts-thai-tlwg by Tesseract's text2image (Pango), pages turned into PNG and a scanned PDF."""

from pathlib import Path

import pytest

from circulars.intake import render

FONTS = render.FONTS  # Debian's fonts-thai-tlwg

REFERENCE = Path("/work/shared/reference/circulars-2568-04-elaas.th.txt")
if not REFERENCE.exists():
    REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference" / REFERENCE.name


def require_ocr_tools():
    missing = render.missing_tools()
    if missing:
        pytest.skip(
            f"needs {', '.join(missing)} (apt-get install tesseract-ocr tesseract-ocr-tha "
            "poppler-utils fonts-thai-tlwg; Pillow is a development dependency)"
        )


def render_pages(text: str, workdir: Path, *, font="Garuda", ptsize=12) -> list[bytes]:
    """A4 pages at 300 dpi, as PNG, of `text` (characters the font lacks are left out)."""
    require_ocr_tools()
    return render.render_pages(text, workdir, font=font, ptsize=ptsize, dpi=300)


def scanned_pdf(pages: list[bytes]) -> bytes:
    """The pages as one PDF of images, as a scanner makes it: no text layer."""
    require_ocr_tools()
    return render.scanned_pdf(pages, dpi=300)


def dla_letter_text() -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    return text[text.index("ที่ มท ๐๘๐๘.๔/ว ปรับ") :]
