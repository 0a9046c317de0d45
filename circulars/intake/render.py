"""A text drawn as a scanned letter: pages rendered in a Thai font of Debian's fonts-thai-tlwg by
Tesseract's text2image (Pango), and put together as a PDF of images with no text layer, as a
scanner makes it. For measuring OCR (`manage.py score_intake --ocr`) and for the OCR tests;
needs text2image (tesseract-ocr) and Pillow (a development dependency), imported when used.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

FONTS = Path("/usr/share/fonts/truetype/tlwg")
A4_MM = (210, 297)
MM_PER_INCH = 25.4
RENDER_TIMEOUT = 300  # seconds for one text


def missing_tools(font: str = "Garuda") -> list[str]:
    """What this machine lacks to render and read back a letter in `font` (empty: nothing)."""
    missing = [t for t in ("tesseract", "text2image", "pdftoppm") if shutil.which(t) is None]
    if not (FONTS / f"{font}.ttf").exists():
        missing.append(f"{FONTS / font}.ttf (fonts-thai-tlwg)")
    try:
        import PIL  # noqa: F401
    except ImportError:
        missing.append("Pillow")
    return missing


def render_pages(text: str, workdir: Path, *, font="Garuda", ptsize=12, dpi=300) -> list[bytes]:
    """A4 pages of `text` at `dpi`, as greyscale PNG (characters the font lacks are left out)."""
    from PIL import Image

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
            f"--xsize={round(A4_MM[0] / MM_PER_INCH * dpi)}",  # 2480 at 300 dpi
            f"--ysize={round(A4_MM[1] / MM_PER_INCH * dpi)}",  # 3508
            f"--ptsize={ptsize}",
            f"--resolution={dpi}",
            f"--margin={round(dpi / 2)}",
        ],
        check=True,
        capture_output=True,
        timeout=RENDER_TIMEOUT,
        cwd=workdir,  # text2image writes a fonts.conf where it runs
    )
    pages = []
    with Image.open(base.with_suffix(".tif")) as tif:
        for n in range(getattr(tif, "n_frames", 1)):
            tif.seek(n)
            out = io.BytesIO()
            tif.convert("L").save(out, format="PNG")
            pages.append(out.getvalue())
    return pages


def scanned_pdf(pages: list[bytes], dpi: int = 300) -> bytes:
    """The pages as one PDF of images, as a scanner makes it: no text layer."""
    from PIL import Image

    frames = [Image.open(io.BytesIO(p)).convert("L") for p in pages]
    out = io.BytesIO()
    frames[0].save(out, format="PDF", save_all=True, append_images=frames[1:], resolution=dpi)
    return out.getvalue()
