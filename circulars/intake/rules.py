"""Access rules proposed from a parsed letter's date phrases, and where a forwarding letter's
rules disagree with its source's.

Pure Python, no ORM. A proposal has the shape `load_circulars` writes (`maintenance.AccessRule`):
who (LAOs verified or not, units, or both), action, effect, a half-open window in Bangkok time
(5-21 April is 5 April 00:00 to 22 April 00:00), the clause and its text. The disagreements are
found by the policy engine itself (`maintenance.policy.Policy`), so intake and the published
policy cannot differ on what counts as one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from core.thai import (
    BANGKOK,
    bangkok_midnight,
    format_date_thai_digits,
    to_arabic_digits,
    to_thai_digits,
)
from maintenance.models import AccessRule
from maintenance.policy import AUTHORITY_CODES, Authority, CircularInfo, Policy, rule_from

from .parse import (
    CONFUSABLE,
    DATE_RE,
    MONTH_RE,
    READER_TRUSTED,
    DateRead,
    Flag,
    Letter,
    ParseResult,
    SourceKind,
    bare,
    find_dates,
    loose,
    read_date,
    reader_sureness,
)

Action = AccessRule.Action
Effect = AccessRule.Effect
EntityType = AccessRule.EntityType


_LAO = "องค์กรปกครองส่วนท้องถิ่น"
_UNIT = "หน่วยงานภายใต้สังกัด"
# "ตั้งแต่วันที่ ๕ – ๒๑ เมษายน", "ระหว่างวันที่ …", "ภายในวันที่ …": what the words before a date
# make of it.
_LEADS = ("ตั้งแต่", "ระหว่าง", "ภายใน")
_LEAD_RE = rf"({'|'.join(loose(w) for w in _LEADS)})\s*{loose('วันที่')}"
_LEAD = re.compile(_LEAD_RE + r"[\s«»\"'.,:;]*$")
_ONWARD = re.compile(r"^\s*" + loose("เป็นต้นไป"))
# A lead whose day OCR lost ("ตั้งแต่วันที่ wey มีนาคม ๒๕๒๕"): the rule is proposed, its date flagged.
_DAMAGED = re.compile(_LEAD_RE + rf"\s*(?P<day>\S{{0,8}}?)\s*(?P<month>{MONTH_RE})\s*\d{{2,5}}")


@dataclass
class ProposedRule:
    clause: str
    entity_type: str | None
    identity_verified: bool | None
    action: str
    effect: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    clause_text: str
    reason_th: str
    reason_en: str
    start: int = -1  # span of the date phrase in the source text
    end: int = -1
    flags: list[Flag] = field(default_factory=list)
    date_text: str = ""  # the date phrase as the paragraph reads it (to find it in the source)

    def as_dict(self) -> dict:
        out = dict(self.__dict__)
        for name in ("starts_at", "ends_at"):
            out[name] = out[name].isoformat() if out[name] else None
        out["flags"] = [f.__dict__ for f in self.flags]
        return out


def _who(context: str) -> tuple[str | None, bool | None]:
    # "…ขององค์กรปกครองส่วนท้องถิ่น" is "of the LAOs" (the system's name, the units'): not a subject.
    # Compared without marks: OCR drops them ("ทียังไม่ได้").
    text, lao, unit = bare(context), bare(_LAO), bare(_UNIT)
    units = unit in text
    plain = text.replace(f"{unit}ของ{lao}", "").replace(f"ของ{lao}", "")
    laos = lao in plain
    if units and not laos:
        return EntityType.UNIT, None
    if laos and not units:
        if re.search(rf"{lao}{bare('ที่ยังไม่ได้')}\S*{bare('ยืนยันตัวตน')}", plain):
            return EntityType.LAO, False
        if re.search(rf"{lao}{bare('ที่')}\S*{bare('ยืนยันตัวตนแล้ว')}", plain):
            return EntityType.LAO, True
        return EntityType.LAO, None
    return None, None


def _what(context: str) -> tuple[str, str] | None:
    text = bare(context)

    def has(*words):
        return any(bare(w) in text for w in words)

    only = rf"({bare('ดำเนินการ')}|{bare('ให้')})\s*{bare('เฉพาะ')}\s*(การ)?\s*{bare('ยืนยันตัวตน')}"
    if re.search(only, text):
        return Action.VERIFY_IDENTITY, Effect.ALLOW
    if has("ปิดปรับปรุง", "ปิดระบบ", "งดใช้"):
        return Action.USE_SYSTEM, Effect.DENY
    if has("ยืนยันตัวตน") and has("ให้"):
        return Action.VERIFY_IDENTITY, Effect.ALLOW
    if has("เข้าใช้งาน", "ใช้งานระบบ"):
        return Action.USE_SYSTEM, Effect.ALLOW
    return None


def _label(action: str, effect: str, day: dt.date | None, clause_no: str | None) -> str:
    if clause_no:
        return f"ข้อ {to_thai_digits(clause_no)}"
    what = "ปิดปรับปรุงระบบ" if effect == Effect.DENY else "เปิดใช้งาน"
    if action == Action.VERIFY_IDENTITY:
        what = "ยืนยันตัวตน"
    return f"ความเป็นมา: {what} {format_date_thai_digits(day) if day else ''}".strip()


_WHO_TEXT = {
    (EntityType.LAO, False): ("อปท. ที่ยังไม่ได้ยืนยันตัวตน", "LAOs that have not verified"),
    (EntityType.LAO, True): ("อปท. ที่ยืนยันตัวตนแล้ว", "LAOs that have verified"),
    (EntityType.LAO, None): ("อปท.", "LAOs"),
    (EntityType.UNIT, None): ("หน่วยงานภายใต้สังกัด อปท.", "units under LAOs"),
    (None, None): ("อปท. และหน่วยงานภายใต้สังกัด", "LAOs and their units"),
}
_WHAT_TEXT = {
    (Action.USE_SYSTEM, Effect.ALLOW): ("เข้าใช้งานระบบ New e-LAAS ได้", "may use New e-LAAS"),
    (Action.USE_SYSTEM, Effect.DENY): ("เข้าใช้งานระบบ New e-LAAS ไม่ได้", "may not use New e-LAAS"),
    (Action.VERIFY_IDENTITY, Effect.ALLOW): ("ยืนยันตัวตนได้", "may verify their identity"),
    (Action.VERIFY_IDENTITY, Effect.DENY): ("ยืนยันตัวตนไม่ได้", "may not verify their identity"),
}


def _reasons(who, what, first: dt.date | None, last: dt.date | None, number: str):
    th_who, en_who = _WHO_TEXT[who]
    th_what, en_what = _WHAT_TEXT[what]
    if first and last:
        th_when = (
            f"ตั้งแต่วันที่ {format_date_thai_digits(first, full=True)} "
            f"ถึงวันที่ {format_date_thai_digits(last, full=True)}"
        )
        en_when = f"from {first:%-d %B %Y} to {last:%-d %B %Y}"
    elif first:
        th_when = f"ตั้งแต่วันที่ {format_date_thai_digits(first, full=True)} เป็นต้นไป"
        en_when = f"from {first:%-d %B %Y} onward"
    else:
        th_when = f"ภายในวันที่ {format_date_thai_digits(last, full=True)}" if last else ""
        en_when = f"until {last:%-d %B %Y}" if last else ""
    src = f" (หนังสือที่ {number})" if number else ""
    return (
        f"{th_who} {th_what} {th_when}{src}",
        f"{en_who[0].upper()}{en_who[1:]} {en_what} {en_when}" + (f" ({number})" if number else ""),
    )


def reasons_of(rule: dict, number: str) -> tuple[str, str]:
    """The Thai and English reasons of a rule as it stands now (who, what, its window in Bangkok
    days, the letter's number), as a parsed rule's dict holds it: what an officer corrected is
    what the reasons tell, never the parser's first reading."""

    def day(value, back=0):
        if not value:
            return None
        return (
            dt.datetime.fromisoformat(value).astimezone(BANGKOK) - dt.timedelta(days=back)
        ).date()

    who = (rule.get("entity_type"), rule.get("identity_verified"))
    if who[0] != EntityType.LAO:
        who = (who[0], None)
    what = (rule["action"], rule["effect"])
    return _reasons(who, what, day(rule.get("starts_at")), day(rule.get("ends_at"), 1), number)


def _date_phrases(text: str, arabic: str):
    """(match, DateRead, lead) for each date after ตั้งแต่/ระหว่าง/ภายในวันที่, in order; a date
    whose day OCR lost comes as a DateRead with a problem, its window left empty."""
    found = []
    for m in DATE_RE.finditer(arabic):
        lead = _LEAD.search(arabic[max(0, m.start() - 30) : m.start()])
        if lead:
            found.append((m, read_date(text, m), bare(lead.group(1))))
    for m in _DAMAGED.finditer(arabic):
        if any(f[0].start() <= m.end("month") and m.start("day") <= f[0].end() for f in found):
            continue  # read cleanly above
        raw = text[m.start("day") : m.end()]
        problem = Flag(
            "date_unreadable",
            f"อ่านวันที่ไม่ได้: “{raw}”",
            f"The date cannot be read: “{raw}”",
        )
        d = DateRead(m.start(), m.end(), raw, None, None, None, None, "", [problem])
        found.append((m, d, bare(m.group(1))))
    return sorted(found, key=lambda f: f[0].start())


def propose_rules(letter: Letter) -> list[ProposedRule]:
    """Every date phrase of the body with a subject and an action before it becomes a rule."""
    out = []
    number = letter.value("number") or ""
    for para in letter.paragraphs:
        text = para.value or ""
        arabic = to_arabic_digits(text)
        m_clause = re.match(r"^(\d{1,2})\.\s", arabic)
        clause_no = m_clause.group(1) if m_clause else None
        if clause_no is None and any(para is c for c in letter.clauses):
            # Its number damaged by OCR: the clauses are numbered in order.
            clause_no = str(next(k for k, c in enumerate(letter.clauses, 1) if c is para))
        context_from = 0
        for m, d, kind in _date_phrases(text, arabic):
            context = text[context_from : m.start()]
            clause_context = text[: m.start()] if clause_no else context
            what = _what(clause_context if clause_no else context)
            if what is None:
                continue
            who = _who(clause_context)
            first, last = d.first(), d.last()
            onward = bool(_ONWARD.match(arabic[m.end() :]))
            starts = ends = None
            if kind == bare("ภายใน"):
                ends = bangkok_midnight(last + dt.timedelta(days=1)) if last else None
            else:
                starts = bangkok_midnight(first) if first else None
                if d.day_end is not None or (kind == bare("ระหว่าง") and not onward):
                    ends = bangkok_midnight(last + dt.timedelta(days=1)) if last else None
            if who == (EntityType.UNIT, None) or who[0] is None:
                who = (who[0], None)
            th, en = _reasons(who, what, first if starts else None, last if ends else None, number)
            rule = ProposedRule(
                clause=_label(what[0], what[1], first, clause_no),
                entity_type=who[0],
                identity_verified=who[1],
                action=what[0],
                effect=what[1],
                starts_at=starts,
                ends_at=ends,
                clause_text=text[: m.end()] if clause_no else text[context_from : m.end()].strip(),
                reason_th=th,
                reason_en=en,
                start=para.start,
                end=para.end,
                flags=list(d.problems),
                date_text=text[m.start() : m.end()],
            )
            out.append(rule)
            context_from = m.end()
    return out


@dataclass
class ProposedDiscrepancy:
    forwarding_letter: int
    source_letter: int
    forwarding_clause: str
    source_clause: str
    field: str
    forwarding_value: dt.datetime | None
    source_value: dt.datetime | None

    def as_dict(self) -> dict:
        out = dict(self.__dict__)
        for name in ("forwarding_value", "source_value"):
            out[name] = out[name].isoformat() if out[name] else None
        return out


def discrepancies(
    letters: list[Letter], rules: dict[int, list[ProposedRule]]
) -> list[ProposedDiscrepancy]:
    """Where a forwarding letter's proposed rules differ from its source's (the policy's view)."""
    infos, plain, clause_of = [], [], {}
    for letter in letters:
        issued = letter.value("date")
        infos.append(
            CircularInfo(
                id=letter.index + 1,
                number=letter.value("number") or "",
                authority_level=AUTHORITY_CODES.get(letter.authority or "", Authority.DISTRICT),
                issued_on=dt.date.fromisoformat(issued) if issued else dt.date.min,
                forwards_id=letter.forwards + 1 if letter.forwards is not None else None,
            )
        )
        for k, r in enumerate(rules.get(letter.index, [])):
            rid = (letter.index + 1) * 1000 + k
            clause_of[rid] = (letter.index, r.clause)
            plain.append(rule_from(r, id=rid, circular_id=letter.index + 1))
    policy = Policy(infos, plain)
    return [
        ProposedDiscrepancy(
            forwarding_letter=clause_of[d.forwarding_rule_id][0],
            source_letter=clause_of[d.source_rule_id][0],
            forwarding_clause=clause_of[d.forwarding_rule_id][1],
            source_clause=clause_of[d.source_rule_id][1],
            field=d.field,
            forwarding_value=d.forwarding_value,
            source_value=d.source_value,
        )
        for d in policy.discrepancies
    ]


@dataclass
class Proposal:
    """A parse, the rules it proposes per letter, and the disagreements between letters."""

    parse: ParseResult
    rules: dict[int, list[ProposedRule]]
    discrepancies: list[ProposedDiscrepancy]

    @property
    def open_flags(self) -> list[tuple[int, str, Flag]]:
        found = list(self.parse.open_flags)
        for index, rules in self.rules.items():
            for k, rule in enumerate(rules, start=1):
                found.extend((index, f"rule[{k}]", flag) for flag in rule.flags)
        return found

    def as_dict(self) -> dict:
        out = self.parse.as_dict()
        for letter in out["letters"]:
            letter["rules"] = [r.as_dict() for r in self.rules.get(letter["index"], [])]
        out["discrepancies"] = [d.as_dict() for d in self.discrepancies]
        out["open_flags"] = len(self.open_flags)
        return out


def propose(parse_result: ParseResult) -> Proposal:
    rules = {letter.index: propose_rules(letter) for letter in parse_result.letters}
    if parse_result.source == SourceKind.OCR:
        _distrust_ocr_rule_dates(parse_result, rules)
    return Proposal(parse_result, rules, discrepancies(parse_result.letters, rules))


def _distrust_ocr_rule_dates(parse_result: ParseResult, rules: dict) -> None:
    """Every rule whose dates Tesseract read is flagged for the officer to confirm; the same
    clause's window in the other letters of the document is offered beside the reading."""
    by_key: dict[tuple, list[ProposedRule]] = {}
    for rs in rules.values():
        for r in rs:
            key = (r.entity_type, r.identity_verified, r.action, r.effect)
            by_key.setdefault(key, []).append(r)

    def window(r: ProposedRule) -> str:
        return " / ".join(v.isoformat() if v else "" for v in (r.starts_at, r.ends_at))

    sure = reader_sureness(parse_result.text, parse_result.digits)
    letters = {letter.index: letter for letter in parse_result.letters}
    for index, rs in rules.items():
        for r in rs:
            if _rule_dates_read(r, letters.get(index), parse_result, sure):
                continue  # both readers and the letter's dates agree: no click needed
            others = by_key[(r.entity_type, r.identity_verified, r.action, r.effect)]
            r.flags.append(
                Flag(
                    "ocr_digits",
                    "ข้อนี้อ่านด้วย OCR: โปรดตรวจผู้ที่เกี่ยวข้อง การกระทำ และวันที่กับต้นฉบับ",
                    "This clause was read by OCR: check who, what and the dates against the scan",
                    list(dict.fromkeys([window(r), *(window(o) for o in others if o is not r)])),
                )
            )


def _agree(tesseract: str, reader: str) -> bool:
    """The second reader's digits are Tesseract's reading, digit for digit, or a glyph confusion
    Tesseract `tha` is known to make (`CONFUSABLE`: ๖ read ๒, ๘ read ๕, …): the two readers saw
    the same glyphs, one of them through its known blind spot."""
    t, r = to_arabic_digits(tesseract), to_arabic_digits(reader)
    return len(t) == len(r) and all(
        a == b or b in CONFUSABLE.get(a, "") for a, b in zip(t, r, strict=True)
    )


def _rule_dates_read(r: ProposedRule, letter, parse_result: ParseResult, sure: list[float]) -> bool:
    """A rule's dates, read by OCR, are taken without the officer's click when (1) its date
    phrase is found in the OCR'd text once, inside its paragraph; (2) every digit of it was
    re-read by the second reader at READER_TRUSTED or surer from a Tesseract run of as many
    digits, which the reader's reading agrees with (`_agree`); (3) no word of the phrase is
    doubtful (`words.py`); (4) the dates agree with the letter's own: the letter's date was
    read (not flagged) or, without it, at least two of the document's dates say the same year;
    the rule's years are within one of that year, and a window does not end before it starts.
    Anything else stays flagged."""
    if r.flags or not r.date_text or r.start < 0 or letter is None:
        return False
    text = parse_result.text
    year = _reference_year(letter, text)
    if year is None:
        return False
    pattern = r"\s*".join(re.escape(c) for c in r.date_text if not c.isspace())
    hits = list(re.finditer(pattern, text[r.start : r.end]))
    if len(hits) != 1:
        return False
    start, end = r.start + hits[0].start(), r.start + hits[0].end()
    offsets = [k for k in range(start, end) if re.match(r"\d", to_arabic_digits(text[k]))]
    if not offsets or any(k >= len(sure) or sure[k] < READER_TRUSTED for k in offsets):
        return False
    for run in parse_result.digits:
        at = int(run.get("start", -1))
        if at < end and at + len(str(run.get("digits", ""))) > start:
            if not _agree(str(run.get("tesseract", "")), str(run.get("digits", ""))):
                return False
    for d in parse_result.doubts:
        if d.get("kind") == "low_confidence" and int(d["start"]) < end and int(d["end"]) > start:
            return False
    days = [v.astimezone(BANGKOK).date() for v in (r.starts_at, r.ends_at) if v is not None]
    if not days or any(abs(d.year - year) > 1 for d in days):
        return False
    return not (r.starts_at and r.ends_at and r.ends_at <= r.starts_at)


def _reference_year(letter, text: str) -> int | None:
    """The year the letter's rules should be near: its own date's, when read and not flagged;
    else the year at least two of the document's dates say (the commonest)."""
    own = letter.fields.get("date")
    if own is not None and own.value and not own.flagged:
        return int(own.value[:4])
    years = Counter(d.year for d in find_dates(text) if d.first() is not None)
    if not years:
        return None
    year, count = years.most_common(1)[0]
    return year if count >= 2 else None
