"""python manage.py intake_circular PATH [--json] [--save]: read a letter as it came (PDF, scan,
image or text), print what was found in it, and optionally keep it as a draft for review."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from circulars.intake.errors import no_letter
from circulars.intake.extract import IntakeError, extract
from circulars.intake.parse import parse
from circulars.intake.rules import propose

EXIT_BAD_FILE = 2


class Command(BaseCommand):
    help = (
        "Read a circular from a PDF (text layer, or OCR of scanned pages), a PNG/JPEG/TIFF scan "
        "or a text file; print its parts, confidence, flags and proposed rules. Bad files exit 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="Print the parse as JSON.")
        parser.add_argument(
            "--save", action="store_true", help="Keep a draft for an officer to review."
        )
        parser.add_argument(
            "--officer",
            metavar="EMAIL",
            help="With --save (needed): the officer taking it in (the draft is in their area).",
        )
        parser.add_argument(
            "--ocr-text",
            action="store_true",
            help="The text file is OCR output: trust none of its digits.",
        )

    def handle(self, *args, path, json: bool, save: bool, ocr_text: bool, officer=None, **options):
        try:
            user = _officer(officer) if officer else None
            data = _read(Path(path))
            extracted = extract(data, progress=self._progress)
            source = "ocr" if ocr_text else extracted.source
            proposal = propose(parse(extracted.text, source, digits=extracted.digits))
            if not proposal.parse.letters:
                raise no_letter()
            if save and user is None:
                raise IntakeError(
                    "no_officer",
                    "ใส่ --officer ด้วย: ฉบับร่างเป็นของพื้นที่ของเจ้าหน้าที่ผู้รับเข้า",
                    "--save needs --officer: a draft belongs to the area of the officer taking "
                    "it in.",
                )
        except IntakeError as exc:
            self.stderr.write(f"{path}: {exc.message_th}\n{path}: {exc.message_en}")
            sys.exit(EXIT_BAD_FILE)
        payload = proposal.as_dict()
        payload["pages"] = [
            {"page": p.number, "source": p.source, "seconds": round(p.seconds, 2)}
            for p in extracted.pages
        ]
        payload["ocr_seconds_per_page"] = extracted.ocr_seconds_per_page
        if save:
            from circulars.intake.drafts import save_draft

            draft = save_draft(
                data=data,
                name=Path(path).name,
                extracted=extracted,
                proposal=proposal,
                user=user,
            )
            payload["draft"] = draft.pk
        if json:
            self.stdout.write(_dumps(payload))
        else:
            self.stdout.write(_summary(proposal, payload))

    def _progress(self, page: int, pages: int) -> None:
        if pages > 1:
            self.stderr.write(f"page {page}/{pages}")


def _officer(email: str):
    from accounts.models import User
    from accounts.scope import is_officer

    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None or not is_officer(user):
        raise IntakeError(
            "no_officer",
            f"ไม่พบเจ้าหน้าที่ที่ใช้อีเมล {email}",
            f"No officer has the e-mail address {email}.",
        )
    return user


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise IntakeError("not_found", f"ไม่พบไฟล์ {path}", f"No such file: {path}")
    size = path.stat().st_size
    if size > settings.EVIDENCE_MAX_BYTES:
        raise IntakeError(
            "too_big",
            f"ไฟล์ใหญ่เกิน {settings.EVIDENCE_MAX_BYTES // 1024 // 1024} MB",
            f"The file is larger than {settings.EVIDENCE_MAX_BYTES // 1024 // 1024} MB.",
        )
    return path.read_bytes()


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def _summary(proposal, payload) -> str:
    lines = []
    for letter in proposal.parse.letters:
        lines.append(f"— หนังสือ {letter.index + 1} —")
        for name, f in letter.all_fields():
            if name == "body":
                continue
            mark = " ⚑ " + "; ".join(fl.message_th for fl in f.flags) if f.flags else ""
            value = (f.value or "").replace("\n", " / ")
            lines.append(f"  {name}: {value} ({f.confidence:.1f}){mark}")
        if letter.forwards is not None:
            lines.append(f"  forwards: หนังสือ {letter.forwards + 1}")
        for rule in proposal.rules.get(letter.index, []):
            flags = " ⚑" if rule.flags else ""
            lines.append(f"  rule {rule.clause}: {rule.reason_th}{flags}")
    for d in proposal.discrepancies:
        lines.append(
            f"discrepancy: หนังสือ {d.forwarding_letter + 1} {d.forwarding_clause} "
            f"{d.field} {d.forwarding_value} ≠ หนังสือ {d.source_letter + 1} {d.source_value}"
        )
    lines.append(f"open flags: {payload['open_flags']}")
    if "draft" in payload:
        lines.append(f"draft: {payload['draft']}")
    return "\n".join(lines)
