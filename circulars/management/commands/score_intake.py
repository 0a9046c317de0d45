"""python manage.py score_intake [--corpus DIR] [--ocr] [--fonts Laksaman,Garuda,Loma]
[--dpi 300] [--only SLUG,...] [--json]: how the circular intake reads the corpus of real Thai
official texts (tests/circulars/corpus), per kind and per source, against what each text says.

Typed: each text is parsed as it was found (typed, a PDF's text layer, or OCR output as
published). With --ocr: each text is also drawn in each font at --dpi, put in a scanned PDF and
read back by the real extraction (Tesseract), then parsed; about 8 s a page on one core.
"""

import json
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from circulars.intake import render
from circulars.intake.extract import IntakeError, extract
from circulars.intake.parse import ParseResult, SourceKind, parse
from circulars.intake.score import DEFAULT_CORPUS, Report, load_corpus, problems_in, score_parse

AS_FOUND = {"typed": SourceKind.TEXT, "pdf_text": SourceKind.PDF_TEXT, "ocr": SourceKind.OCR}


class Command(BaseCommand):
    help = (
        "Score the circular intake on the corpus of real Thai official texts: right, flagged "
        "with the right candidate, flagged without it, silently wrong, invented, missed; per "
        "kind and per source (typed, OCR'd). Exits 1 when anything is silently wrong or invented."
    )

    def add_arguments(self, parser):
        parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="Corpus directory.")
        parser.add_argument(
            "--ocr", action="store_true", help="Also render each text and read it back by OCR."
        )
        parser.add_argument(
            "--fonts",
            default="Laksaman,Garuda,Loma",
            help="TLWG fonts to render in, comma-separated (with --ocr).",
        )
        parser.add_argument("--dpi", type=int, default=300, help="Render resolution (with --ocr).")
        parser.add_argument("--ptsize", type=int, default=16, help="Font size in points.")
        parser.add_argument("--only", default="", help="Only these slugs, comma-separated.")
        parser.add_argument(
            "--renders",
            metavar="DIR",
            default="",
            help="With --ocr: keep each scan as DIR/<font>/<slug>.pdf (they are not committed).",
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, corpus, ocr, fonts, dpi, ptsize, only, renders, json: bool, **options):
        items = load_corpus(Path(corpus))
        if only:
            wanted = {s.strip() for s in only.split(",") if s.strip()}
            items = [i for i in items if i.slug in wanted]
        if not items:
            raise CommandError(f"no corpus items in {corpus}")
        bad = {i.slug: problems_in(i) for i in items if problems_in(i)}
        if bad:
            raise CommandError(f"malformed corpus items: {bad}")
        report = Report()
        for item in items:
            report.rows += score_parse(item, parse(item.text, AS_FOUND[item.found_as]))
        timings = {}
        if ocr:
            fonts_list = [f.strip() for f in fonts.split(",") if f.strip()]
            for font in fonts_list:
                missing = render.missing_tools(font)
                if missing:
                    raise CommandError(f"--ocr needs {', '.join(missing)}")
            for font in fonts_list:
                pages = seconds = 0.0
                for item in items:
                    keep = Path(renders) / font / f"{item.slug}.pdf" if renders else None
                    result, n, took = self._read_back(item.text, font, dpi, ptsize, keep)
                    pages, seconds = pages + n, seconds + took
                    report.rows += score_parse(item, result, f"ocr:{font}")
                    self.stderr.write(f"{font} {item.slug}: {n} page(s), {took:.1f} s")
                timings[font] = round(seconds / pages, 2) if pages else None
        if json:
            payload = report.as_dict()
            payload["items"] = len(items)
            payload["ocr_seconds_per_page"] = timings
            payload["dpi"] = dpi if ocr else None
            self.stdout.write(_dumps(payload))
        else:
            self.stdout.write(f"{len(items)} texts, {len(report.rows)} fields")
            self.stdout.write(report.table())
            for font, per_page in timings.items():
                self.stdout.write(f"OCR {font} at {dpi} dpi: {per_page} s a page")

    def _read_back(self, text: str, font: str, dpi: int, ptsize: int, keep: Path | None):
        """The parse of `text` drawn in `font` and read back; its pages and OCR seconds."""
        with tempfile.TemporaryDirectory(prefix="score-intake-") as tmp:
            pages = render.render_pages(text, Path(tmp), font=font, ptsize=ptsize, dpi=dpi)
        scan = render.scanned_pdf(pages, dpi=dpi)
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            keep.write_bytes(scan)
        started = time.monotonic()
        try:
            extracted = extract(scan)
        except IntakeError:
            # Nothing Thai was read back: the intake refuses the file, so nothing is found.
            return ParseResult("", SourceKind.OCR, []), len(pages), time.monotonic() - started
        seconds = sum(p.seconds for p in extracted.pages)
        return (
            parse(
                extracted.text,
                extracted.source,
                digits=extracted.digits,
                doubts=extracted.doubts,
            ),
            len(pages),
            seconds,
        )


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)
