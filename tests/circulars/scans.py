"""Letters as scans for the OCR tests: text rendered with a Thai font from Debian's
fonts-thai-tlwg by Tesseract's text2image (Pango), pages turned into PNG and a scanned PDF."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest

FONTS = Path("/usr/share/fonts/truetype/tlwg")
REFERENCE = Path("/work/shared/reference/circulars-2568-04-elaas.th.txt")
if not REFERENCE.exists():
    REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference" / REFERENCE.name


def require_ocr_tools():
    missing = [t for t in ("tesseract", "text2image", "pdftoppm") if shutil.which(t) is None]
    if missing or not (FONTS / "Garuda.ttf").exists():
        pytest.skip(
            f"needs {', '.join(missing) or 'fonts-thai-tlwg'} "
            "(apt-get install tesseract-ocr tesseract-ocr-tha poppler-utils fonts-thai-tlwg)"
        )
    return pytest.importorskip("PIL.Image")


def render_pages(text: str, workdir: Path, *, font="Garuda", ptsize=12) -> list[bytes]:
    """A4 pages at 300 dpi, as PNG, of `text` (characters the font lacks are left out)."""
    image = require_ocr_tools()
    source = workdir / "letter.txt"
    source.write_text(text, encoding="utf-8")
    base = workdir / "letter"
    subprocess.run(
        [
            "text2image",
            f"--text={source}",
            f"--outputbase={base}",
            f"--font={font}",
            f"--fonts_dir={FONTS}",
            "--xsize=2480",
            "--ysize=3508",
            f"--ptsize={ptsize}",
            "--resolution=300",
            "--margin=150",
        ],
        check=True,
        capture_output=True,
        timeout=300,
        cwd=workdir,  # text2image writes a fonts.conf where it runs
    )
    pages = []
    with image.open(base.with_suffix(".tif")) as tif:
        for n in range(getattr(tif, "n_frames", 1)):
            tif.seek(n)
            out = io.BytesIO()
            tif.convert("L").save(out, format="PNG")
            pages.append(out.getvalue())
    return pages


def scanned_pdf(pages: list[bytes]) -> bytes:
    """The pages as one PDF of images, as a scanner makes it: no text layer."""
    image = require_ocr_tools()
    frames = [image.open(io.BytesIO(p)).convert("L") for p in pages]
    out = io.BytesIO()
    frames[0].save(out, format="PDF", save_all=True, append_images=frames[1:], resolution=300)
    return out.getvalue()


def dla_letter_text() -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    return text[text.index("ที่ มท ๐๘๐๘.๔/ว ปรับ") :]
