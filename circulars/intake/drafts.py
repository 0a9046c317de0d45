"""Drafts of circulars taken in: created from an upload or pasted text, read (OCR as a Celery
task, page by page), corrected by an officer, and published as circulars with their references
and rules. Each change is one function here, in one transaction; the permission checks are here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import officer_area
from core.filetypes import sniff
from core.text import strip_invisible
from core.thai import (
    BANGKOK,
    ThaiDateError,
    normalize_number,
    parse_date,
    to_arabic_digits,
)
from maintenance.models import AccessRule
from maintenance.policy import AUTHORITY_CODES, Authority
from maintenance.services import record_discrepancies
from registry.models import Province

from ..models import Circular, CircularDraft, CircularReference, DraftPage, IntakeStatus, Urgency
from . import limits
from .extract import OCR_DPI, IntakeError, extract, run_tool
from .parse import SourceKind, parse, read_number
from .rules import propose, reasons_of

logger = logging.getLogger(__name__)

PAGE_IMAGE_DPI = 100
# What a draft says when its reading broke on something unforeseen (the log has the rest).
READING_BROKE = (
    "อ่านไฟล์ไม่สำเร็จเพราะเกิดข้อผิดพลาดในระบบ ลองส่งใหม่อีกครั้ง หรือแจ้งผู้ดูแลระบบ\n"
    "The file could not be read because of an error in the portal. Try again, or tell the "
    "administrators."
)
DATE_FIELDS = {"date"}
NUMBER_FIELDS = {"number"}
EDITABLE_FIELDS = (
    "number",
    "date",
    "urgency",
    "authority",
    "province_name",
    "issuer_name",
    "issuer_address",
    "subject",
    "recipients",
    "body",
    "signatory",
    "signatory_position",
    "contact_office",
    "contact_phone",
)
REQUIRED_FIELDS = ("number", "date", "subject", "recipients", "issuer_name", "authority")


class ReviewError(Exception):
    """A correction or a publication that cannot be made; `message` says why (translated)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- reading the flags out of a draft (pure) -------------------------------------------------


def cited_parts(letter: dict):
    for kind in ("references", "enclosures"):
        for i, cited in enumerate(letter.get(kind, [])):
            yield kind, i, cited


def open_flags(parsed: dict) -> list[dict]:
    """Every open flag of a draft: where it is (letter, field), its code and messages."""
    found = []
    for letter in parsed.get("letters", []):
        n = letter["index"]
        for name, f in letter["fields"].items():
            found += [{"letter": n, "field": name, **flag} for flag in f.get("flags", [])]
        for kind, i, cited in cited_parts(letter):
            for part in ("number", "date"):
                found += [
                    {"letter": n, "field": f"{kind}.{i}.{part}", **flag}
                    for flag in cited[part].get("flags", [])
                ]
        for i, rule in enumerate(letter.get("rules", [])):
            found += [{"letter": n, "field": f"rule.{i}", **flag} for flag in rule["flags"]]
    return found


# --- taking a letter in ------------------------------------------------------------------------


def check_upload(data: bytes, name: str) -> str:
    """The content type of an uploaded letter, or IntakeError (as for evidence: size, content)."""
    if not data:
        raise IntakeError("empty", "ไฟล์ว่างเปล่า", "The file is empty.")
    if len(data) > settings.EVIDENCE_MAX_BYTES:
        mb = settings.EVIDENCE_MAX_BYTES // 1024 // 1024
        raise IntakeError("too_big", f"ไฟล์ใหญ่เกิน {mb} MB", f"The file is larger than {mb} MB.")
    content_type = sniff(data[:16])
    if content_type is None and not name.lower().endswith(".txt"):
        raise IntakeError(
            "not_supported",
            "ไฟล์นี้ไม่ใช่ PDF, JPEG, PNG หรือข้อความ (.txt) ตามเนื้อในของไฟล์",
            "The file is not a PDF, JPEG, PNG or text (.txt) file, whatever its name.",
        )
    return content_type or "text/plain"


def _area_of(user) -> dict:
    national, provinces, districts = officer_area(user) if user else (True, set(), set())
    if national:
        return {}
    if provinces:
        return {"province_id": min(provinces)}
    if districts:
        return {"district_id": min(districts)}
    raise PermissionDenied(_("Only officers take circulars in."))


@transaction.atomic
def create_draft(*, data: bytes, name: str, user) -> CircularDraft:
    """Store what was uploaded and queue its reading (after commit)."""
    content_type = check_upload(data, name)
    limits.check_upload(data, content_type, user=user, dpi=OCR_DPI)  # pages, pixels, officer
    draft = CircularDraft.objects.create(
        created_by=user,
        file_name=name[:200],
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        status=IntakeStatus.READING,
        **_area_of(user),
    )
    from ..tasks import read_draft_task

    transaction.on_commit(lambda: read_draft_task.delay(draft.pk))
    return draft


@limits.within_budget  # INTAKE_DRAFT_SECONDS for every tool it starts
def read_draft(draft_id: int) -> bool:
    """Read a draft's file: text layer or OCR, page by page (progress in pages_done), then parse.
    Runs once: a draft no longer READING is left alone. Nothing is stored half-way: the pages,
    the text and the parse are written together; a bad file leaves FAILED with the reason, and so
    does any other error (a generic reason, the details in the log): it never stays READING."""
    draft = CircularDraft.objects.filter(pk=draft_id, status=IntakeStatus.READING).first()
    if draft is None:
        return False
    data = bytes(draft.data)

    def progress(page, pages):
        CircularDraft.objects.filter(pk=draft_id).update(pages_done=page, pages_total=pages)

    try:
        extracted = extract(data, progress=progress)
        proposal = propose(parse(extracted.text, extracted.source))
        if not proposal.parse.letters:
            raise IntakeError(
                "no_letter",
                "ไม่พบหนังสือราชการในไฟล์ (ไม่มีบรรทัด ที่ … และ เรื่อง …)",
                "No official letter was found (no ที่ … and เรื่อง … lines).",
            )
        images = page_images(data, draft.content_type)
        with transaction.atomic():
            draft = CircularDraft.objects.select_for_update().get(pk=draft_id)
            if draft.status != IntakeStatus.READING:
                return False
            _store_reading(draft, extracted, proposal, images)
    except IntakeError as exc:
        _fail(draft_id, f"{exc.message_th}\n{exc.message_en}")
        return False
    except Exception:
        # Anything else would leave the draft READING for ever: it fails, and the log says why.
        logger.exception("reading circular draft %s failed", draft_id)
        _fail(draft_id, READING_BROKE)
        return False
    return True


def _fail(draft_id: int, error: str) -> None:
    CircularDraft.objects.filter(pk=draft_id, status=IntakeStatus.READING).update(
        status=IntakeStatus.FAILED, error=error
    )


def _store_reading(draft, extracted, proposal, images) -> None:
    draft.source_kind = extracted.source
    draft.source_text = extracted.text
    draft.ocr_seconds_per_page = extracted.ocr_seconds_per_page
    draft.parsed = _jsonable(proposal.as_dict())
    draft.pages_total = draft.pages_done = len(extracted.pages)
    draft.status = IntakeStatus.REVIEW
    draft.save()
    DraftPage.objects.filter(draft=draft).delete()
    texts = {p.number: p.text for p in extracted.pages}
    DraftPage.objects.bulk_create(
        DraftPage(draft=draft, number=n, image=image, text=texts.get(n, ""))
        for n, image in enumerate(images, start=1)
    )


@transaction.atomic
def save_draft(*, data: bytes, name: str, extracted, proposal, user) -> CircularDraft:
    """A draft from a reading already done (the intake_circular command's --save)."""
    draft = CircularDraft.objects.create(
        created_by=user,
        file_name=name[:200],
        content_type=extracted.content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        status=IntakeStatus.READING,
        **_area_of(user),
    )
    _store_reading(draft, extracted, proposal, page_images(data, extracted.content_type))
    return draft


def page_images(data: bytes, content_type: str) -> list[bytes]:
    """The pages as PNG or JPEG for the review page: an image as it is, a PDF's pages rendered."""
    if content_type in ("image/png", "image/jpeg"):
        return [data]
    if content_type != "application/pdf" or shutil.which("pdftoppm") is None:
        return []
    with tempfile.TemporaryDirectory(prefix="intake-pages-") as tmp:
        path = Path(tmp) / "letter.pdf"
        path.write_bytes(data)
        run_tool(
            ["pdftoppm", "-r", str(PAGE_IMAGE_DPI), "-png", str(path), str(Path(tmp) / "p")],
            binary=True,
        )
        return [p.read_bytes() for p in sorted(Path(tmp).glob("p-*.png"))]


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# --- the officer's corrections --------------------------------------------------------------------


def _locked(draft_id: int, user) -> CircularDraft:
    draft = (
        CircularDraft.objects.visible_to(user)
        .select_for_update(of=("self",))
        .filter(pk=draft_id)
        .first()
    )
    if draft is None:
        raise PermissionDenied(_("This draft is not in your area."))
    if draft.status != IntakeStatus.REVIEW:
        raise ReviewError(_("This draft is not waiting for review."))
    return draft


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def typed(raw: str | None, max_length: int = 5000) -> str:
    """What an officer typed, as kept: no control or invisible characters, at most max_length."""
    return _CONTROLS.sub("", strip_invisible(raw or "")).strip()[:max_length]


def _model_field(name: str):
    """The model field a draft's field is kept in at publication, or None (the date, the
    province's name, the authority are turned into other values first)."""
    cited = re.fullmatch(r"(?:references|enclosures)\.\d+\.(number|date)", name)
    model = CircularReference if cited else Circular
    try:
        return model._meta.get_field(f"cited_{cited[1]}" if cited else name)
    except FieldDoesNotExist:
        return None


def check_length(letter: int, name: str, value) -> None:
    """ReviewError when a value is longer than the model's field takes (the database would
    refuse it at publication)."""
    field = _model_field(name)
    limit = getattr(field, "max_length", None)
    if isinstance(value, str) and limit and len(value) > limit:
        raise ReviewError(
            _("Letter %(n)s: %(field)s is too long (%(length)s characters; at most %(max)s).")
            % {"n": letter + 1, "field": field.verbose_name, "length": len(value), "max": limit}
        )


def _check_lengths(letter: dict) -> None:
    """Every value of a letter, as the parser made it or an officer typed it, against its field."""
    for name in EDITABLE_FIELDS:
        check_length(letter["index"], name, _value(letter, name))
    for kind, i, cited in cited_parts(letter):
        check_length(letter["index"], f"{kind}.{i}.number", cited["number"].get("value"))


def _clean_value(name: str, raw: str) -> str | None:
    value = typed(raw, 200_000 if name == "body" else 5000)
    cited = name.startswith(("references.", "enclosures."))
    if cited and not value:
        return None  # the officer leaves a cited number or date the copy does not show empty
    if name.endswith("date"):
        if not value:
            raise ReviewError(_("Type the date, e.g. 9 เม.ย. 2568."))
        try:
            return parse_date(value).isoformat()
        except ThaiDateError:
            raise ReviewError(
                _("“%(value)s” is not a date: type it as 9 เม.ย. 2568 or 9/4/2568.")
                % {"value": value}
            ) from None
    if name.endswith("number"):
        number, problems, _parts = read_number(value)
        if problems or number is None:
            raise ReviewError(
                _("“%(value)s” is not a letter number such as มท ๐๘๐๘.๔/ว ๑๕๔๑.") % {"value": value}
            )
        return number
    if name == "urgency" and value not in Urgency.values:
        raise ReviewError(_("Choose an urgency from the list."))
    if name == "authority" and value not in AUTHORITY_CODES:
        raise ReviewError(_("Choose the issuing authority from the list."))
    return value


@transaction.atomic
def correct_field(draft_id: int, *, letter: int, field: str, value: str, user) -> CircularDraft:
    """Set a field of a letter (or a reference's number or date) to what the officer typed or
    chose: its flags are cleared, and who cleared them is kept in the field's notes."""
    draft = _locked(draft_id, user)
    letters = draft.parsed.get("letters", [])
    if not 0 <= letter < len(letters):
        raise ReviewError(_("There is no such letter in this draft."))
    target = _field_of(letters[letter], field)
    if target is None:
        raise ReviewError(_("There is no such field in this letter."))
    cleaned = _clean_value(field, value)
    check_length(letter, field, cleaned)
    target["value"] = cleaned
    _clear(target, user)
    draft.save(update_fields=["parsed"])
    return draft


def _field_of(letter: dict, field: str) -> dict | None:
    if field in EDITABLE_FIELDS:
        return letter["fields"].setdefault(field, {"value": "", "flags": [], "notes": []})
    m = re.fullmatch(r"(references|enclosures)\.(\d+)\.(number|date)", field)
    if m and int(m[2]) < len(letter.get(m[1], [])):
        return letter[m[1]][int(m[2])][m[3]]
    return None


def _clear(target: dict, user) -> None:
    if target.get("flags"):
        who = getattr(user, "email", "") or "?"
        target.setdefault("notes", []).append(
            f"flags cleared by {who} at {timezone.now().astimezone(BANGKOK).isoformat()}: "
            + ", ".join(f["code"] for f in target["flags"])
        )
    target["flags"] = []
    target["confidence"] = 1.0


WHO_CHOICES = {
    "any": (None, None),
    "lao": (AccessRule.EntityType.LAO, None),
    "lao_unverified": (AccessRule.EntityType.LAO, False),
    "lao_verified": (AccessRule.EntityType.LAO, True),
    "unit": (AccessRule.EntityType.UNIT, None),
}


def who_key(rule: dict) -> str:
    pair = (rule.get("entity_type"), rule.get("identity_verified"))
    return next((k for k, v in WHO_CHOICES.items() if v == pair), "any")


@transaction.atomic
def correct_rule(
    draft_id: int,
    *,
    letter: int,
    rule: int,
    starts: str,
    ends: str,
    user,
    who: str | None = None,
    action: str | None = None,
    effect: str | None = None,
    clause: str | None = None,
) -> CircularDraft:
    """Confirm or correct a proposed rule: who, action, effect and its window (Bangkok dates;
    the end day is included, as letters write it, and stored as the next midnight); its flags
    are cleared."""
    draft = _locked(draft_id, user)
    letters = draft.parsed.get("letters", [])
    if not 0 <= letter < len(letters) or not 0 <= rule < len(letters[letter].get("rules", [])):
        raise ReviewError(_("There is no such rule in this draft."))
    target = letters[letter]["rules"][rule]
    if clause is not None:
        if not typed(clause):
            raise ReviewError(_("Name the clause, e.g. ข้อ ๑."))
        target["clause"] = typed(clause, 100)
    if who is not None:
        if who not in WHO_CHOICES:
            raise ReviewError(_("Choose who the rule is for from the list."))
        target["entity_type"], target["identity_verified"] = WHO_CHOICES[who]
    if action is not None:
        if action not in AccessRule.Action.values:
            raise ReviewError(_("Choose the action from the list."))
        target["action"] = action
    if effect is not None:
        if effect not in AccessRule.Effect.values:
            raise ReviewError(_("Choose allow or deny."))
        target["effect"] = effect

    def day(raw):
        raw = to_arabic_digits((raw or "").strip())
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ThaiDateError:
            raise ReviewError(
                _("“%(value)s” is not a date: type it as 5 เม.ย. 2568.") % {"value": raw}
            ) from None

    first, last = day(starts), day(ends)
    if first is None and (target.get("starts_at") or last is None):
        raise ReviewError(_("Type the first day of the rule, e.g. 5 เม.ย. 2568."))
    if first and last and last < first:
        raise ReviewError(_("The last day is before the first."))
    midnight = dt.time.min
    target["starts_at"] = (
        dt.datetime.combine(first, midnight, BANGKOK).isoformat() if first else None
    )
    target["ends_at"] = (
        dt.datetime.combine(last + dt.timedelta(days=1), midnight, BANGKOK).isoformat()
        if last
        else None
    )
    number = _value(letters[letter], "number") or ""
    target["reason_th"], target["reason_en"] = reasons_of(target, number)
    _clear(target, user)
    draft.save(update_fields=["parsed"])
    return draft


# --- publishing -----------------------------------------------------------------------------------


def _value(letter: dict, name: str):
    return (letter["fields"].get(name) or {}).get("value")


def _existing(number: str | None, date: str | None) -> Circular | None:
    """The circular already in the portal with this number and date (ISO). Thai numbers start
    again each year, so a number names a letter only with its date (the unique constraint's
    pair). A reference that cites no date is matched by its number alone: the latest such
    letter, as good a guess as the citation allows."""
    if not number:
        return None
    found = Circular.objects.filter(number_normalized=normalize_number(number))
    if date:
        found = found.filter(issued_on=dt.date.fromisoformat(date))
    return found.order_by("-issued_on", "-id").first()


@transaction.atomic
def publish_draft(draft_id: int, *, user) -> list[Circular]:
    """Create the draft's letters as circulars (history kept), with their references and rules,
    linked to the letters they forward; a letter already in the portal is linked, not copied.
    Refused while a flag is open, and for a letter the user may not publish (an officer of the
    issuing level, for their area). The policy sees the rules at once."""
    from ..services import may_publish

    draft = _locked(draft_id, user)
    parsed = draft.parsed
    flags = open_flags(parsed)
    if flags:
        raise ReviewError(
            _("%(n)s flags are still open: check each one against the source first.")
            % {"n": len(flags)}
        )
    letters = parsed.get("letters", [])
    circulars: dict[int, Circular] = {}
    created: list[int] = []
    for letter in letters:
        n = letter["index"]
        missing = [name for name in REQUIRED_FIELDS if not _value(letter, name)]
        existing = _existing(_value(letter, "number"), _value(letter, "date"))
        if existing is not None:
            circulars[n] = existing
            continue
        if missing:
            raise ReviewError(
                _("Letter %(n)s lacks: %(fields)s.") % {"n": n + 1, "fields": ", ".join(missing)}
            )
        circular = _new_circular(letter, draft)
        if not may_publish(user, circular):
            raise PermissionDenied(
                _(
                    "Letter %(n)s (%(number)s) is issued by another level or area: only its own "
                    "officers may publish it."
                )
                % {"n": n + 1, "number": circular.number}
            )
        circular.save()
        circulars[n] = circular
        created.append(n)
    for letter in letters:
        n = letter["index"]
        if n not in created:
            continue
        circular = circulars[n]
        if letter.get("forwards") is not None and letter["forwards"] in circulars:
            circular.forwards = circulars[letter["forwards"]]
            circular.save()
        _create_references(circular, letter, circulars)
        for rule in letter.get("rules", []):
            AccessRule.objects.create(circular=circular, **_rule_values(rule, circular.number))
    record_discrepancies()
    draft.status = IntakeStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = user
    draft.save()
    draft.circulars.set(circulars.values())
    return [circulars[n] for n in created]


def _issuing_area(letter: dict, draft: CircularDraft) -> dict:
    """The province and district that issued a letter. The province is found by the name the
    letter writes; a letter of the draft's own level (a province's or a district's officer taking
    in their own letter) falls back to the draft's area, as letters seldom name their district.
    A province's or a district's letter whose area is still unknown is a ReviewError naming the
    field to check, not a refusal of the officer."""
    authority = AUTHORITY_CODES[_value(letter, "authority")]
    name = _value(letter, "province_name")
    province = Province.objects.filter(name_th=name).first() if name else None
    district = None
    if authority == Authority.PROVINCE:
        province = province or draft.province
        if province is None:
            raise ReviewError(
                _(
                    "Letter %(n)s is a province's letter, but no province in the registry is "
                    "named “%(name)s”: check “%(field)s”."
                )
                % {
                    "n": letter["index"] + 1,
                    "name": name or "",
                    "field": _("Province of the issuer"),
                }
            )
    elif authority == Authority.DISTRICT:
        district = draft.district
        if district is None:
            raise ReviewError(
                _(
                    "Letter %(n)s is a district's letter, but its district is not known: a "
                    "district's letter is taken in by its own officers. Check “%(field)s”."
                )
                % {"n": letter["index"] + 1, "field": _("Issuing authority")}
            )
    return {"authority": authority, "province": province, "district": district}


def _new_circular(letter: dict, draft: CircularDraft) -> Circular:
    _check_lengths(letter)
    date_note = next(
        (
            note
            for note in (letter["fields"].get("date") or {}).get("notes", [])
            if note.startswith("flags cleared")
        ),
        "",
    )
    as_written = next(
        (
            note.removeprefix("as written: ")
            for note in (letter["fields"].get("date") or {}).get("notes", [])
            if note.startswith("as written: ")
        ),
        "",
    )
    return Circular(
        number=_value(letter, "number"),
        urgency=_value(letter, "urgency") or Urgency.NORMAL,
        issuer_name=_value(letter, "issuer_name"),
        issuer_address=_value(letter, "issuer_address") or "",
        **_issuing_area(letter, draft),
        issued_on=dt.date.fromisoformat(_value(letter, "date")),
        date_as_written=as_written[:100],
        date_note=date_note,
        subject=_value(letter, "subject"),
        recipients=_value(letter, "recipients"),
        body=_value(letter, "body") or "",
        signatory=_value(letter, "signatory") or "",
        signatory_position=_value(letter, "signatory_position") or "",
        contact_office=_value(letter, "contact_office") or "",
        contact_phone=_value(letter, "contact_phone") or "",
        source_text=draft.source_text[letter["start"] : letter["end"]],
    )


def _create_references(circular: Circular, letter: dict, circulars: dict) -> None:
    for kind, model_kind in (
        ("references", CircularReference.Kind.REFERENCE),
        ("enclosures", CircularReference.Kind.ENCLOSURE),
    ):
        for position, cited in enumerate(letter.get(kind, []), start=1):
            number = cited["number"].get("value") or ""
            date = cited["date"].get("value")
            target = circulars.get(cited.get("target")) if cited.get("target") is not None else None
            CircularReference.objects.create(
                circular=circular,
                kind=model_kind,
                position=position,
                text=cited["text"].get("value") or "",
                cited_number=number,
                cited_date=dt.date.fromisoformat(date) if date else None,
                target=target or _existing(number, date),
            )


def _rule_values(rule: dict, number: str) -> dict:
    """A rule as AccessRule takes it; its reasons rebuilt from what it now says (the number too
    may have been corrected after the rule was)."""

    def instant(v):
        return dt.datetime.fromisoformat(v) if v else None

    reason_th, reason_en = reasons_of(rule, number)

    return {
        "clause": rule["clause"][:100],
        "entity_type": rule["entity_type"],
        "identity_verified": rule["identity_verified"],
        "action": rule["action"],
        "effect": rule["effect"],
        "starts_at": instant(rule["starts_at"]),
        "ends_at": instant(rule["ends_at"]),
        "clause_text": rule["clause_text"],
        "reason_th": reason_th[:500],
        "reason_en": reason_en[:500],
    }


def source_kind_label(kind: str) -> str:
    return {
        SourceKind.TEXT: _("text as typed or pasted"),
        SourceKind.PDF_TEXT: _("the PDF's text layer"),
        SourceKind.OCR: _("OCR (Tesseract, Thai and English)"),
    }.get(kind, kind)
