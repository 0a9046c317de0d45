"""Circular intake, measured: per field right / flagged / silently wrong on the reference OCR text
and on its rendered-and-OCR'd copy, and the OCR seconds per page.

    .venv/bin/python bench/intake_ocr.py                 # both; renders and OCRs (minutes)
    .venv/bin/python bench/intake_ocr.py --text-only     # the reference text only (a second)
    .venv/bin/python bench/intake_ocr.py --ptsize 10 --font Loma

The seconds per page are this machine's; the ratio that travels is OCR seconds per page over the
seconds Tesseract takes for a fixed one-line image measured in the same run (`--baseline`).
No database: the parser, the rule proposal and the scoring are pure.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.local")

import django  # noqa: E402

django.setup()

from circulars.intake.extract import extract  # noqa: E402
from circulars.intake.parse import SourceKind, parse  # noqa: E402
from circulars.intake.rules import propose  # noqa: E402
from circulars.intake.score import FLAGGED, RIGHT, WRONG, score  # noqa: E402
from circulars.services import DEFAULT_DATA  # noqa: E402
from tests.circulars.scans import REFERENCE, render_pages, scanned_pdf  # noqa: E402


def baseline_seconds(workdir: Path) -> float:
    """Tesseract on one rendered line: the unit the OCR time is divided by."""
    (workdir / "base").mkdir()
    pages = render_pages("เรื่อง การเข้าใช้งานระบบบัญชีคอมพิวเตอร์ ๑๒๓๔", workdir / "base")
    path = workdir / "base.png"
    path.write_bytes(pages[0])
    started = time.monotonic()
    subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "tha+eng"],
        capture_output=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return time.monotonic() - started


def report(title: str, result) -> None:
    print(f"\n## {title}\n")
    print(result.table())
    print(
        f"\n{title}: right {result.count(RIGHT)}, flagged {result.count(FLAGGED)}, "
        f"silently wrong {result.count(WRONG)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--text-only", action="store_true")
    parser.add_argument("--font", default="Garuda")
    parser.add_argument("--ptsize", type=int, default=12)
    args = parser.parse_args()
    truth = json.loads(DEFAULT_DATA.read_text(encoding="utf-8"))
    text = REFERENCE.read_text(encoding="utf-8")
    report("reference text", score(propose(parse(text, SourceKind.TEXT)), truth))
    if args.text_only:
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        workdir = Path(tmp)
        pages = render_pages(text, workdir, font=args.font, ptsize=args.ptsize)
        extracted = extract(scanned_pdf(pages))
        base = baseline_seconds(workdir)
    result = score(propose(parse(extracted.text, extracted.source)), truth)
    report(f"rendered ({args.font} {args.ptsize} pt, 300 dpi) and OCR'd copy", result)
    per_page = extracted.ocr_seconds_per_page or 0.0
    print(
        f"\nOCR: {len(extracted.pages)} pages, {per_page:.1f} s a page "
        f"({', '.join(f'{p.seconds:.1f}' for p in extracted.pages)}); one-line baseline "
        f"{base:.2f} s; ratio {per_page / base:.1f} baselines a page"
    )
    return 0 if result.count(WRONG) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
