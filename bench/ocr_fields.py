"""Fields of the corpus read back by OCR, as `manage.py score_intake --ocr` scores them, with
Tesseract's output kept on disk so that a change to what follows Tesseract (the digit reader,
the word checks, the parser) is scored again in seconds instead of an hour.

    .venv/bin/python bench/ocr_fields.py --fonts Laksaman,Garuda,Loma --cache /tmp/ocr-cache
    .venv/bin/python bench/ocr_fields.py --fonts Garuda --only slug1,slug2 --cache /tmp/ocr-cache
    .venv/bin/python bench/ocr_fields.py --fonts Laksaman,Garuda --only subset   # README's 22
    .venv/bin/python bench/ocr_fields.py --fonts Laksaman --only subset --no-doubts  # before

Each page is drawn by text2image at --dpi (16 pt, as score_intake), put in a scanned PDF and
read by the real extraction (`circulars.intake.extract.extract`); the one thing changed is that
a Tesseract run whose image and arguments were seen before gives back its files from the cache.
A change to Tesseract's arguments or to the image it is given (preprocessing) misses the cache
and reads again. Prints the per-font counts as JSON (the verdicts of circulars/intake/score.py)
and the OCR seconds per page of the pages read fresh (cache hits are not timed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.test")

import django  # noqa: E402

django.setup()

from circulars.intake import extract as extract_mod  # noqa: E402
from circulars.intake import render  # noqa: E402
from circulars.intake.parse import ParseResult, SourceKind, parse  # noqa: E402
from circulars.intake.score import (  # noqa: E402
    Report,
    counts_of,
    load_corpus,
    score_parse,
    summary,
)

# The 22 texts measured for README (Circular intake, "Words OCR damaged"): `--only subset`.
SUBSET = (
    "banmaikhonburi-moi-regulation-travel,bsru-bylaws-several,"
    "chiangmainews-moi-permsec-letter-2559,chiangraireport-rajabhat-rectors-statement-2,"
    "cmi4-mof-regulation-advance-2562,ddc-r36-rabies-several,dla-mt0802-3-1393-2546,"
    "dla-mt0810-5-1350-2546,ejan-obec-letter-news-2563,kruupdate-obec-letter-news-2562,"
    "moe360-obec-04006-w1181-2563,namsongkram-school-memo-2552,obec-04001-w1356-2563,"
    "opssueksa-kk0308-w145-2560,opssueksa-moe-letters-several,"
    "poonamtongtin-mt0801-3-w269-news,sesa17-kk405-4-w395-2559,tlhr-ncpo-orders-news-2558,"
    "yotathai-mt0801-2-w7-2555,yotathai-mt0893-4-w1333-2555,immchonburi-orders-several,"
    "lawreform-moi-announcement-tao-2542"
)
# Eight letters of it read in Loma too.
LOMA = (
    "dla-mt0802-3-1393-2546,dla-mt0810-5-1350-2546,ejan-obec-letter-news-2563,"
    "namsongkram-school-memo-2552,obec-04001-w1356-2563,yotathai-mt0801-2-w7-2555,"
    "ddc-r36-rabies-several,bsru-bylaws-several"
)

_real_run_tool = extract_mod.run_tool
STATS = {"hits": 0, "fresh": 0, "fresh_seconds": 0.0}


def cached_run_tool(cache: Path):
    """`run_tool` with Tesseract's outputs kept under `cache`, keyed by image and arguments."""

    def run(args, *, binary=False):
        if Path(args[0]).name != "tesseract":
            return _real_run_tool(args, binary=binary)
        image, base = Path(args[1]), Path(args[2])
        key = hashlib.sha256(image.read_bytes() + "\0".join(args[3:]).encode()).hexdigest()[:24]
        folder = cache / "tesseract" / key
        if folder.exists():
            STATS["hits"] += 1
            for kept in folder.iterdir():
                shutil.copy(kept, base.with_suffix(kept.suffix))
            return _Done()
        started = time.monotonic()
        done = _real_run_tool(args, binary=binary)
        STATS["fresh"] += 1
        STATS["fresh_seconds"] += time.monotonic() - started
        if done.returncode == 0:
            folder.mkdir(parents=True, exist_ok=True)
            for made in base.parent.glob(base.name + ".*"):
                shutil.copy(made, folder / ("x" + made.suffix))
        return done

    return run


class _Done:
    returncode = 0
    stdout = ""
    stderr = ""


def pages_of(item, font: str, dpi: int, cache: Path) -> list[bytes]:
    folder = cache / "renders" / f"{font}-{dpi}"
    folder.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(item.text.encode()).hexdigest()[:12]
    found = sorted(folder.glob(f"{item.slug}-{key}-*.png"))
    if found:
        return [p.read_bytes() for p in found]
    with tempfile.TemporaryDirectory(prefix="ocr-fields-") as tmp:
        pages = render.render_pages(item.text, Path(tmp), font=font, ptsize=16, dpi=dpi)
    for n, png in enumerate(pages):
        (folder / f"{item.slug}-{key}-{n:03d}.png").write_bytes(png)
    return pages


# What follows Tesseract: a change to any of these reads the kept Tesseract output again.
_AFTER_TESSERACT = ("digits.py", "digits_model.npz", "words.py", "extract.py")


def extracted(item, font: str, dpi: int, scan_pages: list[bytes], cache: Path):
    """`extract` of the scan, kept under `cache` until the code after Tesseract changes."""
    code = hashlib.sha256()
    for name in _AFTER_TESSERACT:
        path = ROOT / "circulars/intake" / name
        code.update(path.read_bytes() if path.exists() else b"")  # (an older tree: no words.py)
    key = hashlib.sha256(b"".join(scan_pages) + code.digest()).hexdigest()[:24]
    kept = cache / "extracted" / f"{font}-{dpi}-{item.slug}-{key}.json"
    if kept.exists():
        data = json.loads(kept.read_text(encoding="utf-8"))
        pages = [extract_mod.Page(**p) for p in data["pages"]]
        return extract_mod.Extracted(data["content_type"], pages)
    got = extract_mod.extract(render.scanned_pdf(scan_pages, dpi=dpi))
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(
        json.dumps(
            {"content_type": got.content_type, "pages": [p.__dict__ for p in got.pages]},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fonts", default="Laksaman,Garuda,Loma")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--only", default="")
    ap.add_argument("--cache", default="/tmp/ocr-fields-cache")
    ap.add_argument(
        "--no-doubts", action="store_true", help="Parse without the doubtful words (as before)."
    )
    ap.add_argument("--problems", action="store_true", help="List silently wrong and invented.")
    ap.add_argument("--rows", default="", help="Write every row (JSON lines) to this file.")
    args = ap.parse_args()
    cache = Path(args.cache)
    extract_mod.run_tool = cached_run_tool(cache)
    items = load_corpus()
    if args.only:
        only = {"subset": SUBSET, "loma": LOMA}.get(args.only, args.only)
        wanted = {s.strip() for s in only.split(",") if s.strip()}
        items = [i for i in items if i.slug in wanted]
    out, rows_out = {}, []
    for font in [f.strip() for f in args.fonts.split(",") if f.strip()]:
        report = Report()
        before = dict(STATS)
        pages = 0
        for item in items:
            scan_pages = pages_of(item, font, args.dpi, cache)
            try:
                got = extracted(item, font, args.dpi, scan_pages, cache)
                more = {} if args.no_doubts else {"doubts": got.doubts}
                result = parse(got.text, got.source, digits=got.digits, **more)
            except extract_mod.IntakeError:
                result = ParseResult("", SourceKind.OCR, [])
            if STATS["fresh"] > before["fresh"]:
                pages += len(scan_pages)
            report.rows += score_parse(item, result, f"ocr:{font}")
        fresh = STATS["fresh"] - before["fresh"]
        seconds = STATS["fresh_seconds"] - before["fresh_seconds"]
        out[font] = {
            **summary(counts_of(report.rows)),
            "tesseract_seconds_per_fresh_page": round(seconds / fresh, 2) if fresh else None,
        }
        if args.problems:
            out[font]["problems"] = report.as_dict()["problems"]
        rows_out += [
            {k: str(v) if v is not None else None for k, v in r.__dict__.items()}
            for r in report.rows
        ]
    if args.rows:
        Path(args.rows).write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in rows_out), encoding="utf-8"
        )
    print(
        json.dumps(
            {"items": len(items), "dpi": args.dpi, "fonts": out}, ensure_ascii=False, indent=1
        )
    )


if __name__ == "__main__":
    main()
