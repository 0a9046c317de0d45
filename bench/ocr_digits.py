"""Thai digits read from scans: Tesseract alone against Tesseract with the second reader
(circulars/intake/digits.py), per digit and per field, and OCR time per page on one core.

    .venv/bin/python bench/ocr_digits.py              # 3 fonts x 300/200 dpi x clean/scanned
    .venv/bin/python bench/ocr_digits.py --quick      # Laksaman, 300 dpi, clean only

The lines read are not the model's training material (that is single glyphs): the lines of the
reference letters that hold digits (/work/shared/reference/circulars-2568-04-elaas.th.txt), the
numbers, dates, references and body sentences of circulars/data/elaas-2568-04.json, and letter
numbers, dates and phone numbers with random digits (seeded). Each is rendered by text2image
(Pango) at 16 pt in Laksaman, Garuda and Loma at 300 and 200 dpi, clean and "printed and
scanned" (turned 1–2°, blurred, Gaussian noise), and read by Tesseract (tha+eng, --psm 4) with
OMP_THREAD_LIMIT=1 on CPU 0.

A digit is right when it survives the alignment of the line's digits with the truth's (edit
distance); a field (letter number, date, reference date, other) is right when every digit run
of its line is read exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from circulars.intake import digits  # noqa: E402

FONTS = Path("/usr/share/fonts/truetype/tlwg")
REFERENCE = Path("/work/shared/reference/circulars-2568-04-elaas.th.txt")
DATA = ROOT / "circulars/data/elaas-2568-04.json"
DIGIT = re.compile(r"[๐-๙0-9]+")
MONTHS = "มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม"
TH = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _short(line: str, width: int = 40) -> list[str]:
    """A long line cut into pieces of whole words, keeping the pieces with digits."""
    out, piece = [], ""
    for word in line.split():
        if len(piece) + len(word) + 1 > width and piece:
            out.append(piece)
            piece = ""
        piece = f"{piece} {word}".strip()
    out.append(piece)
    return [p for p in out if DIGIT.search(p)]


def corpus() -> list[tuple[str, str]]:
    """(kind, line): kind is number, date, reference or other."""
    lines: list[tuple[str, str]] = []
    for raw in REFERENCE.read_text(encoding="utf-8").splitlines():
        for piece in _short(raw.strip()):
            kind = "number" if piece.startswith("ที่ ") else "other"
            if "ลงวันที่" in piece:
                kind = "reference"
            elif re.fullmatch(r"[๐-๙]{1,2} \S+ [๐-๙]{4}", piece):
                kind = "date"
            lines.append((kind, piece))
    for c in json.loads(DATA.read_text(encoding="utf-8"))["circulars"]:
        lines.append(("number", f"ที่ {c['number']}"))
        if DIGIT.search(c["date_as_written"]):
            lines.append(("date", c["date_as_written"]))
        for ref in c["references"]:
            for piece in _short(ref.get("text") or f"ที่ {ref['cited_number']}"):
                lines.append(("reference", piece))
        for piece in _short(c["body"].replace("\n", " ")):
            lines.append(("other", piece))
    rng = random.Random(2568)
    months = MONTHS.split()
    offices = ["มท", "นพ", "กค", "ศธ", "สธ", "ขก", "ชม"]
    for _ in range(12):
        code = f"{rng.randint(0, 999):04d}.{rng.randint(1, 9)}"
        number = f"ที่ {rng.choice(offices)} {code}/ว {rng.randint(1, 9999)}".translate(TH)
        lines.append(("number", number))
        date = f"{rng.randint(1, 31)} {rng.choice(months)} {rng.randint(2540, 2570)}"
        lines.append(("date", date.translate(TH)))
        lines.append(
            (
                "reference",
                f"อ้างถึง หนังสือ ที่ {rng.choice(offices)} {code}/ว {rng.randint(1, 999)} "
                f"ลงวันที่ {rng.randint(1, 31)} {rng.choice(months)} {rng.randint(2550, 2569)}",
            )
        )
        phone = f"โทร {rng.randint(0, 9)} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"
        lines.append(("other", phone.translate(TH)))
    return [(k, line.translate(TH) if k == "reference" else line) for k, line in lines]


def render(lines: list[str], workdir: Path, font: str, dpi: int) -> list[Image.Image]:
    source = workdir / "t.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = workdir / f"t-{font}-{dpi}"
    subprocess.run(
        ["text2image", f"--text={source}", f"--outputbase={base}", f"--font={font}"]
        + [f"--fonts_dir={FONTS}", f"--xsize={2480 * dpi // 300}", f"--ysize={3508 * dpi // 300}"]
        + ["--ptsize=16", f"--resolution={dpi}", f"--margin={150 * dpi // 300}"],
        check=True,
        capture_output=True,
        cwd=workdir,
    )
    pages = []
    with Image.open(base.with_suffix(".tif")) as tif:
        for n in range(getattr(tif, "n_frames", 1)):
            tif.seek(n)
            pages.append(tif.convert("L"))
    return pages


def scanned(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Printed and scanned: turned 1–2° either way, slightly blurred, Gaussian noise."""
    angle = float(rng.uniform(1, 2)) * (1 if rng.random() < 0.5 else -1)
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=True)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    gray = np.asarray(page, np.float32) + rng.normal(0, 12, (page.height, page.width))
    return Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))


def ocr(path: Path, *, hocr: bool) -> tuple[str, str, float]:
    base = path.with_name(path.stem + "-ocr")
    args = ["taskset", "-c", "0", "tesseract", str(path), str(base), "-l", "tha+eng", "--psm", "4"]
    if hocr:
        args += ["-c", "hocr_char_boxes=1", "txt", "hocr"]
    started = time.monotonic()
    subprocess.run(args, check=True, capture_output=True, env=ENV)
    text = base.with_suffix(".txt").read_text(encoding="utf-8")
    h = base.with_suffix(".hocr").read_text(encoding="utf-8") if hocr else ""
    return text, h, time.monotonic() - started


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def _align(truth: list[tuple[str, str]], read: list[str]) -> list[str | None]:
    """The OCR line that stands for each truth line (by their text), in order: a global
    alignment, so that lines that look alike (every "โทร …") do not pull it off course."""
    a = [re.sub(r"\s+", "", line) for _k, line in truth]  # digits too: every "โทร …" differs
    b = [re.sub(r"\s+", "", line) for line in read]
    n, m = len(a), len(b)
    best = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sim = SequenceMatcher(None, a[i - 1], b[j - 1]).ratio()
            best[i, j] = max(best[i - 1, j], best[i, j - 1], best[i - 1, j - 1] + sim)
    out: list[str | None] = [None] * n
    i, j = n, m
    while i > 0 and j > 0:
        if best[i, j] == best[i - 1, j]:
            i -= 1
        elif best[i, j] == best[i, j - 1]:
            j -= 1
        else:
            out[i - 1] = read[j - 1]
            i, j = i - 1, j - 1
    return out


def score(truth: list[tuple[str, str]], text: str, tally: dict) -> None:
    """Add the digits and fields of `truth` found in `text` (lines matched by their letters)."""
    read = [line for line in text.splitlines() if line.strip()]
    for (kind, line), got_line in zip(truth, _align(truth, read), strict=True):
        want = DIGIT.findall(line)
        got = DIGIT.findall(got_line) if got_line is not None else []
        n = sum(len(w) for w in want)
        tally["digits"] += n
        tally["digits_right"] += max(n - _distance("".join(want), "".join(got)), 0)
        f = tally.setdefault(kind, [0, 0])
        f[0] += 1
        f[1] += got == want


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--dump", type=Path, help="write each variant's OCR texts here")
    parser.add_argument("--fonts", default="Laksaman,Garuda,Loma")
    parser.add_argument("--dpis", default="300,200")
    parser.add_argument("--pages", default="clean,scanned")
    parser.add_argument("--rescore", type=Path, help="score the texts --dump wrote there again")
    parser.add_argument(
        "--keep", type=Path, help="also keep each page's image, Tesseract text and hOCR here"
    )
    parser.add_argument(
        "--reread",
        type=Path,
        help="score the pages --keep kept, the second reader run again (the current model)",
    )
    args = parser.parse_args()
    truth = corpus()
    if args.rescore:
        return rescore(truth, args.rescore)
    if args.reread:
        return reread_kept(truth, args.reread)
    fonts = ["Laksaman"] if args.quick else args.fonts.split(",")
    dpis = [300] if args.quick else [int(d) for d in args.dpis.split(",")]
    kinds = ["clean"] if args.quick else args.pages.split(",")
    rng = np.random.default_rng(7)
    rows = []
    times = {"before": [], "after": []}
    with tempfile.TemporaryDirectory(prefix="ocr-digits-") as tmp:
        workdir = Path(tmp)
        for font in fonts:
            for dpi in dpis:
                pages = render([line for _k, line in truth], workdir, font, dpi)
                for kind in kinds:
                    before = {"digits": 0, "digits_right": 0}
                    after = {"digits": 0, "digits_right": 0}
                    text_before, text_after = [], []
                    for n, page in enumerate(pages):
                        image = scanned(page, rng) if kind == "scanned" else page
                        path = workdir / f"p-{font}-{dpi}-{kind}-{n}.png"
                        image.save(path)
                        # as the intake reads a page: Tesseract with hOCR, then the second reader
                        started = time.monotonic()
                        text, hocr, seconds = ocr(path, hocr=True)
                        new, _found = digits.reread(text, hocr, digits.page_gray(path))
                        intake_seconds = time.monotonic() - started
                        if args.keep:
                            args.keep.mkdir(parents=True, exist_ok=True)
                            image.save(args.keep / path.name)
                            (args.keep / f"{path.stem}.txt").write_text(text, encoding="utf-8")
                            (args.keep / f"{path.stem}.hocr").write_text(hocr, encoding="utf-8")
                        text_before.append(text)
                        text_after.append(new)
                        if kind == "clean" and dpi == 300:
                            _t, _h, alone = ocr(path, hocr=False)
                            times["before"].append(alone)
                            times["after"].append(intake_seconds)
                    if args.dump:
                        args.dump.mkdir(parents=True, exist_ok=True)
                        name = f"{font}-{dpi}-{kind}"
                        (args.dump / f"{name}.tesseract.txt").write_text("\n".join(text_before))
                        (args.dump / f"{name}.reader.txt").write_text("\n".join(text_after))
                    score(truth, "\n".join(text_before), before)
                    score(truth, "\n".join(text_after), after)
                    rows.append((font, dpi, kind, before, after))
                    print(_row(rows[-1]), flush=True)
    print()
    print(_table(rows))
    if times["before"]:
        b, a = np.mean(times["before"]), np.mean(times["after"])
        print(
            f"\nOCR time per page, one core (taskset -c 0, OMP_THREAD_LIMIT=1), 300 dpi clean, "
            f"{len(times['before'])} pages: Tesseract alone {b:.1f} s; "
            f"Tesseract with hOCR and the second reader {a:.1f} s"
        )
    return 0


def reread_kept(truth: list[tuple[str, str]], folder: Path) -> int:
    """The pages --keep kept, each re-read by the current model; per digit of the truth, how
    often it was read right (digits aligned by position in their run)."""
    groups: dict[tuple, list[Path]] = {}
    for png in sorted(folder.glob("p-*.png")):
        _p, font, dpi, kind, _n = png.stem.split("-")
        groups.setdefault((font, int(dpi), kind), []).append(png)
    rows = []
    per_digit: dict[tuple, dict[str, list[int]]] = {}
    for (font, dpi, kind), pngs in groups.items():
        pngs.sort(key=lambda p: int(p.stem.split("-")[-1]))
        before = {"digits": 0, "digits_right": 0}
        after = {"digits": 0, "digits_right": 0}
        texts, news = [], []
        for png in pngs:
            text = png.with_suffix(".txt").read_text(encoding="utf-8")
            hocr = png.with_suffix(".hocr").read_text(encoding="utf-8")
            new, _found = digits.reread(text, hocr, digits.page_gray(png))
            texts.append(text)
            news.append(new)
        score(truth, "\n".join(texts), before)
        score(truth, "\n".join(news), after)
        rows.append((font, dpi, kind, before, after))
        tally = per_digit.setdefault((font, dpi, kind), {})
        read = [line for line in "\n".join(news).splitlines() if line.strip()]
        for (_k, line), got_line in zip(truth, _align(truth, read), strict=True):
            want = "".join(DIGIT.findall(line))
            got = "".join(DIGIT.findall(got_line or ""))
            for i, d in enumerate(want):
                t = tally.setdefault(d, [0, 0])
                t[0] += 1
                t[1] += len(got) == len(want) and got[i] == d
    print(_table(rows))
    print("\nper digit (runs read to the right length; right/all):")
    for key, tally in per_digit.items():
        cells = " ".join(f"{d}:{r}/{n}" for d, (n, r) in sorted(tally.items()))
        print(f"{key[0]} {key[1]} {key[2]}: {cells}")
    return 0


def rescore(truth: list[tuple[str, str]], folder: Path) -> int:
    rows = []
    for reader in sorted(folder.glob("*.reader.txt")):
        font, dpi, kind = reader.name.split(".")[0].split("-")
        before = {"digits": 0, "digits_right": 0}
        after = {"digits": 0, "digits_right": 0}
        score(
            truth, reader.with_name(reader.name.replace("reader", "tesseract")).read_text(), before
        )
        score(truth, reader.read_text(), after)
        rows.append((font, int(dpi), kind, before, after))
    print(_table(rows))
    return 0


FIELDS = ("number", "date", "reference", "other")


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}% ({right}/{total})" if total else "—"


def _row(row) -> str:
    font, dpi, kind, before, after = row
    parts = [f"{font:9} {dpi} {kind:7}"]
    for name, t in (("tesseract", before), ("+reader", after)):
        fields = " ".join(f"{k} {t[k][1]}/{t[k][0]}" for k in FIELDS if k in t)
        parts.append(f"{name}: digits {_pct(t['digits_right'], t['digits'])} fields {fields}")
    return " | ".join(parts)


def _table(rows) -> str:
    head = "| font | dpi | page | digits right: Tesseract | with reader | "
    head += " | ".join(f"{k}: Tesseract | with reader" for k in FIELDS) + " |"
    out = [head, "|" + " --- |" * (5 + 2 * len(FIELDS))]
    for font, dpi, kind, before, after in rows:
        cells = [font, str(dpi), kind, _pct(before["digits_right"], before["digits"])]
        cells.append(_pct(after["digits_right"], after["digits"]))
        for k in FIELDS:
            cells += [_pct(before[k][1], before[k][0]), _pct(after[k][1], after[k][0])]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
