"""Drafts of circulars taken in: created from an upload or pasted text, read (OCR as a Celery
task, page by page), corrected by an officer, and published as circulars with their references
and rules. Each change is one function here, in one transaction; the permission checks are here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.scope import officer_area
from core import clock
from core.filetypes import sniff
from core.scoping import Action
from core.text import strip_invisible
from core.thai import (
    BANGKOK,
    ThaiDateError,
    normalize_number,
    parse_date,
    to_arabic_digits,
)
from maintenance.models import AccessRule
from maintenance.policy import AUTHORITY_CODES, Authority, CircularInfo, Policy, rule_from
from maintenance.services import record_discrepancies
from registry.models import Province

from ..models import (
    Circular,
    CircularDraft,
    CircularReference,
    DraftEvent,
    DraftPage,
    IntakeStatus,
    Urgency,
)
from . import limits
from .errors import no_letter
from .extract import OCR_DPI, IntakeError, extract, run_tool
from .layouts import BY_KIND, LetterKind
from .parse import ParseResult, SourceKind, parse, read_number, read_order_number
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
# What a letter must hold to be published: the parts that name it, as far as its kind has them
# (layouts.py: an announcement has no number and no recipients, a stamped letter no subject), and
# the issuing authority the portal files it under. Drafts stored before letters had a kind are
# held to the external letter's.
NAMING_FIELDS = ("number", "date", "subject", "recipients", "issuer_name")
LEGACY_REQUIRED_FIELDS = (*NAMING_FIELDS, "authority")


def required_fields(letter: dict) -> tuple[str, ...]:
    """The fields a parsed letter (a draft's dict) must have before it is published."""
    try:
        layout = BY_KIND[LetterKind(letter["kind"])]
    except (KeyError, ValueError):
        return LEGACY_REQUIRED_FIELDS
    return (*(name for name in NAMING_FIELDS if name in layout.fields), "authority")


CITED_KINDS = {"references": "reference", "enclosures": "enclosure"}


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
    """The area a new draft belongs to: its officer's. No user is no area (never DLA's)."""
    national, provinces, districts = officer_area(user)
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
    from ..tasks import start_reading

    transaction.on_commit(lambda: start_reading(draft.pk))
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
        proposal = propose(
            parse(
                extracted.text,
                extracted.source,
                digits=extracted.digits,
                doubts=extracted.doubts,
            )
        )
        if not proposal.parse.letters:
            raise no_letter()
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


def reparse(draft: CircularDraft) -> ParseResult:
    """The parse of a draft's stored reading, as `read_draft` made it: the text as read and the
    second digit reader's re-reads kept in `parsed["digits"]` and the doubtful words in
    `parsed["doubts"]` (officers' corrections aside)."""
    parsed = draft.parsed or {}
    return parse(
        draft.source_text,
        draft.source_kind,
        digits=parsed.get("digits"),
        doubts=parsed.get("doubts"),
    )


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


def _locked(draft_id: int, user, *, statuses=(IntakeStatus.REVIEW,)) -> CircularDraft:
    """The draft, locked, if the user may change it: an officer whose area holds it
    (PermissionDenied otherwise) and a draft in one of `statuses` (ReviewError otherwise)."""
    draft = (
        CircularDraft.objects.restrict(user, Action.CHANGE)
        .select_for_update(of=("self",))
        .filter(pk=draft_id)
        .first()
    )
    if draft is None:
        raise PermissionDenied(_("This draft is not in your area."))
    if draft.status not in statuses:
        raise ReviewError(_("This draft is not waiting for review."))
    return draft


def _save(draft: CircularDraft, user, event: DraftEvent, **data) -> None:
    """Save a draft's change with its history row: who (the user), when, and the event with its
    data as JSON (written as a sentence when read, in the reader's language: `describe`)."""
    draft._history_user = user
    draft._change_reason = json.dumps({"event": str(event), **data}, ensure_ascii=False)
    draft.save()


def read_event(reason: str | None) -> dict | None:
    """A history reason as the event and its data, or None for a row written otherwise."""
    try:
        value = json.loads(reason or "")
    except ValueError:
        return None
    return value if isinstance(value, dict) and value.get("event") in DraftEvent.values else None


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
    if cited and name.endswith(".text"):
        if not value:
            raise ReviewError(
                _("Type the line as the letter writes it, or delete the line instead.")
            )
        return value
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
        if problems or number is None:  # an order's or an announcement's: ๑๒/๒๕๖๘
            number, problems, _parts = read_order_number(value)
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
    cleared = _clear(target)
    _recompute_discrepancies(draft.parsed)
    shown = cleaned if field != "body" else None
    _save(
        draft,
        user,
        DraftEvent.FIELD_CORRECTED,
        letter=letter,
        field=field,
        value=shown[:200] if shown else shown,
        cleared=cleared,
    )
    return draft


def _field_of(letter: dict, field: str) -> dict | None:
    if field in EDITABLE_FIELDS:
        return letter["fields"].setdefault(field, {"value": "", "flags": [], "notes": []})
    m = re.fullmatch(r"(references|enclosures)\.(\d+)\.(number|date|text)", field)
    if m and int(m[2]) < len(letter.get(m[1], [])):
        return letter[m[1]][int(m[2])][m[3]]
    return None


def _clear(target: dict) -> list[str]:
    """Clear a field's or a rule's flags; their codes, for the history."""
    codes = [f["code"] for f in target.get("flags", [])]
    target["flags"] = []
    target["confidence"] = 1.0
    return codes


def _recompute_discrepancies(parsed: dict) -> None:
    """The disagreements between a forwarding letter's rules and its source's, from the values
    as they now are (corrected fields and rules): the policy engine's own view, as at reading."""
    infos, rules, clause_of = [], [], {}
    for letter in parsed.get("letters", []):
        n = letter["index"]
        issued = _value(letter, "date")
        try:
            issued_on = dt.date.fromisoformat(issued) if issued else dt.date.min
        except ValueError:
            issued_on = dt.date.min
        infos.append(
            CircularInfo(
                id=n + 1,
                number=_value(letter, "number") or "",
                authority_level=AUTHORITY_CODES.get(
                    _value(letter, "authority") or "", Authority.DISTRICT
                ),
                issued_on=issued_on,
                forwards_id=letter["forwards"] + 1 if letter.get("forwards") is not None else None,
            )
        )
        for k, rule in enumerate(letter.get("rules", [])):
            rid = (n + 1) * 1000 + k
            clause_of[rid] = (n, rule.get("clause") or "")
            when = {
                name: dt.datetime.fromisoformat(rule[name]) if rule.get(name) else None
                for name in ("starts_at", "ends_at")
            }
            rules.append(rule_from({**rule, **when}, id=rid, circular_id=n + 1))
    parsed["discrepancies"] = [
        {
            "forwarding_letter": clause_of[d.forwarding_rule_id][0],
            "source_letter": clause_of[d.source_rule_id][0],
            "forwarding_clause": clause_of[d.forwarding_rule_id][1],
            "source_clause": clause_of[d.source_rule_id][1],
            "field": d.field,
            "forwarding_value": d.forwarding_value.isoformat() if d.forwarding_value else None,
            "source_value": d.source_value.isoformat() if d.source_value else None,
        }
        for d in Policy(infos, rules).discrepancies
    ]


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


def _rule_of(letters: list, letter: int, rule: int) -> dict:
    if not 0 <= letter < len(letters) or not 0 <= rule < len(letters[letter].get("rules", [])):
        raise ReviewError(_("There is no such rule in this draft."))
    return letters[letter]["rules"][rule]


def _letter_of(letters: list, letter: int) -> dict:
    if not 0 <= letter < len(letters):
        raise ReviewError(_("There is no such letter in this draft."))
    return letters[letter]


def _apply_rule(
    target: dict,
    *,
    number: str,
    starts: str,
    ends: str,
    who: str | None,
    action: str | None,
    effect: str | None,
    clause: str | None,
) -> None:
    """Set a rule's who, action, effect, clause and window from what the officer chose and
    typed (Bangkok dates; the end day is included, as letters write it, and stored as the next
    midnight). Everything is checked before anything is set: a ReviewError leaves it as it was."""
    values = {}
    if clause is not None:
        if not typed(clause):
            raise ReviewError(_("Name the clause, e.g. ข้อ ๑."))
        values["clause"] = typed(clause, 100)
    if who is not None:
        if who not in WHO_CHOICES:
            raise ReviewError(_("Choose who the rule is for from the list."))
        values["entity_type"], values["identity_verified"] = WHO_CHOICES[who]
    if action is not None:
        if action not in AccessRule.Action.values:
            raise ReviewError(_("Choose the action from the list."))
        values["action"] = action
    if effect is not None:
        if effect not in AccessRule.Effect.values:
            raise ReviewError(_("Choose allow or deny."))
        values["effect"] = effect

    def day(raw):
        raw = to_arabic_digits(typed(raw, 100))
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
    values["starts_at"] = (
        dt.datetime.combine(first, midnight, BANGKOK).isoformat() if first else None
    )
    values["ends_at"] = (
        dt.datetime.combine(last + dt.timedelta(days=1), midnight, BANGKOK).isoformat()
        if last
        else None
    )
    target.update(values)
    target["reason_th"], target["reason_en"] = reasons_of(target, number)


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
    """Confirm or correct a proposed rule: who, action, effect and its window; its flags are
    cleared."""
    draft = _locked(draft_id, user)
    letters = draft.parsed.get("letters", [])
    target = _rule_of(letters, letter, rule)
    number = _value(letters[letter], "number") or ""
    _apply_rule(
        target,
        number=number,
        starts=starts,
        ends=ends,
        who=who,
        action=action,
        effect=effect,
        clause=clause,
    )
    cleared = _clear(target)
    _recompute_discrepancies(draft.parsed)
    _save(
        draft,
        user,
        DraftEvent.RULE_CORRECTED,
        letter=letter,
        rule=rule,
        clause=target["clause"],
        cleared=cleared,
    )
    return draft


@transaction.atomic
def add_rule(
    draft_id: int,
    *,
    letter: int,
    clause: str,
    who: str,
    action: str,
    effect: str,
    starts: str,
    ends: str,
    user,
) -> CircularDraft:
    """A rule the parser missed, as the officer reads it in the letter: clause, who, action,
    effect and its window (a first day, or only a last one: "ภายในวันที่ …"). It carries no
    flag: the officer wrote it."""
    draft = _locked(draft_id, user)
    letters = draft.parsed.get("letters", [])
    target = _letter_of(letters, letter)
    rule = {
        "clause": "",
        "entity_type": None,
        "identity_verified": None,
        "action": "",
        "effect": "",
        "starts_at": None,
        "ends_at": None,
        "clause_text": "",
        "reason_th": "",
        "reason_en": "",
        "start": -1,
        "end": -1,
        "flags": [],
        "added": True,
    }
    _apply_rule(  # every part given (strings, never None): each is checked
        rule,
        number=_value(target, "number") or "",
        starts=starts,
        ends=ends,
        who=who,
        action=action,
        effect=effect,
        clause=clause,
    )
    rule["clause_text"] = rule["clause"]
    target.setdefault("rules", []).append(rule)
    _recompute_discrepancies(draft.parsed)
    _save(
        draft,
        user,
        DraftEvent.RULE_ADDED,
        letter=letter,
        rule=len(target["rules"]) - 1,
        clause=rule["clause"],
    )
    return draft


@transaction.atomic
def delete_rule(draft_id: int, *, letter: int, rule: int, user) -> CircularDraft:
    """Take a proposed rule out of a letter (the parser read a rule the letter does not make).
    The history keeps what it said."""
    draft = _locked(draft_id, user)
    letters = draft.parsed.get("letters", [])
    target = _rule_of(letters, letter, rule)
    letters[letter]["rules"].pop(rule)
    _recompute_discrepancies(draft.parsed)
    _save(
        draft,
        user,
        DraftEvent.RULE_DELETED,
        letter=letter,
        rule=rule,
        clause=target.get("clause") or "",
        rule_data={k: target.get(k) for k in ("action", "effect", "starts_at", "ends_at")},
    )
    return draft


@transaction.atomic
def add_reference(
    draft_id: int, *, letter: int, kind: str, text: str, number: str, date: str, user
) -> CircularDraft:
    """A line of อ้างถึง (or สิ่งที่ส่งมาด้วย) the parser missed: as the letter writes it, with the
    number and the date of the letter it cites (either may be left empty)."""
    draft = _locked(draft_id, user)
    target = _letter_of(draft.parsed.get("letters", []), letter)
    if kind not in CITED_KINDS:
        raise ReviewError(_("Choose a reference or an enclosure."))
    line = _clean_value(f"{kind}.0.text", text)
    cited_number = _clean_value(f"{kind}.0.number", number)
    cited_date = _clean_value(f"{kind}.0.date", date)
    check_length(letter, f"{kind}.0.number", cited_number)

    def part(value):
        return {"value": value, "start": -1, "end": -1, "confidence": 1.0, "flags": [], "notes": []}

    target.setdefault(kind, []).append(
        {
            "kind": CITED_KINDS[kind],
            "text": part(line),
            "number": part(cited_number),
            "date": part(cited_date),
            "target": None,
            "added": True,
        }
    )
    _save(
        draft,
        user,
        DraftEvent.REFERENCE_ADDED,
        letter=letter,
        kind=kind,
        line=len(target[kind]) - 1,
        text=line[:200],
    )
    return draft


@transaction.atomic
def delete_reference(draft_id: int, *, letter: int, kind: str, line: int, user) -> CircularDraft:
    """Take a line of อ้างถึง or สิ่งที่ส่งมาด้วย out (the parser read one the letter does not
    have). A line naming another letter of this draft cannot go: the link is the draft's."""
    draft = _locked(draft_id, user)
    target = _letter_of(draft.parsed.get("letters", []), letter)
    lines = target.get(kind, []) if kind in CITED_KINDS else []
    if not 0 <= line < len(lines):
        raise ReviewError(_("There is no such line in this letter."))
    removed = lines.pop(line)
    _save(
        draft,
        user,
        DraftEvent.REFERENCE_DELETED,
        letter=letter,
        kind=kind,
        line=line,
        text=(removed["text"].get("value") or "")[:200],
    )
    return draft


@transaction.atomic
def mark_body_read(draft_id: int, *, letter: int, read: bool, user) -> CircularDraft:
    """Record that the officer has read a letter's text against the scan (or take it back).
    The text of a letter read by OCR is published only once this is recorded: who and when are
    in the draft's history."""
    draft = _locked(draft_id, user)
    target = _letter_of(draft.parsed.get("letters", []), letter)
    target["body_read"] = bool(read)
    _save(draft, user, DraftEvent.BODY_READ if read else DraftEvent.BODY_UNREAD, letter=letter)
    return draft


def body_needs_reading(draft: CircularDraft, letter: dict) -> bool:
    """Whether a letter's text waits for an officer to read it against the scan: text that OCR
    read (a text layer or typed text is the sender's own) and not yet marked as read."""
    return (
        draft.source_kind == SourceKind.OCR
        and bool(_value(letter, "body"))
        and not letter.get("body_read")
    )


@transaction.atomic
def discard_draft(draft_id: int, *, user, reason: str = "") -> CircularDraft:
    """Set a draft aside (a duplicate, a letter that is not a circular, a bad scan): it leaves
    the working list and is never published; it and its history are kept. Allowed while it is
    read, waits for review or could not be read; a published draft stays published."""
    draft = _locked(
        draft_id,
        user,
        statuses=(IntakeStatus.READING, IntakeStatus.REVIEW, IntakeStatus.FAILED),
    )
    draft.status = IntakeStatus.DISCARDED
    _save(draft, user, DraftEvent.DISCARDED, reason=typed(reason, 500))
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
        missing = [name for name in required_fields(letter) if not _value(letter, name)]
        existing = _existing(_value(letter, "number"), _value(letter, "date"))
        if existing is not None:
            circulars[n] = existing
            continue
        if missing:
            raise ReviewError(
                _("Letter %(n)s lacks: %(fields)s.") % {"n": n + 1, "fields": ", ".join(missing)}
            )
        if body_needs_reading(draft, letter):
            raise ReviewError(
                _(
                    "Letter %(n)s: its text was read by OCR. Read it against the scan and tick "
                    "“I have read the text against the scan” (or empty the text) before "
                    "publishing."
                )
                % {"n": n + 1}
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
    draft.published_at = clock.now()
    draft.published_by = user
    _save(
        draft,
        user,
        DraftEvent.PUBLISHED,
        circulars=[circulars[n].pk for n in created],
        linked=[c.pk for n, c in circulars.items() if n not in created],
    )
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
        # A district's letter belongs to the district's province, whatever the text says: a
        # letter filed under another province would bind no one (the rules match its area).
        if name and (province is None or province.pk != district.province_id):
            raise ReviewError(
                _(
                    "Letter %(n)s is a letter of %(district)s, in the province of %(province)s, "
                    "but “%(field)s” says “%(name)s”: correct it or leave it empty."
                )
                % {
                    "n": letter["index"] + 1,
                    "district": district.title_th,
                    "province": district.province.name_th,
                    "field": _("Province of the issuer"),
                    "name": name,
                }
            )
        province = district.province
    return {"authority": authority, "province": province, "district": district}


def _new_circular(letter: dict, draft: CircularDraft) -> Circular:
    """The circular as the public will read it: the reviewed values only. The date as written
    is kept where the sender's own text says it (typed, a text layer); from OCR it is Tesseract's
    reading, which the officer has replaced, so it is not published."""
    _check_lengths(letter)
    as_written = next(
        (
            note.removeprefix("as written: ")
            for note in (letter["fields"].get("date") or {}).get("notes", [])
            if note.startswith("as written: ")
        ),
        "",
    )
    if draft.source_kind == SourceKind.OCR:
        as_written = ""
    return Circular(
        kind=letter.get("kind") or LetterKind.EXTERNAL,
        number=_value(letter, "number") or "",
        urgency=_value(letter, "urgency") or Urgency.NORMAL,
        issuer_name=_value(letter, "issuer_name"),
        issuer_address=_value(letter, "issuer_address") or "",
        **_issuing_area(letter, draft),
        issued_on=dt.date.fromisoformat(_value(letter, "date")),
        date_as_written=as_written[:100],
        subject=_value(letter, "subject") or "",
        recipients=_value(letter, "recipients") or "",
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
