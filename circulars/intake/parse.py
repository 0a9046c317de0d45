"""Read a Thai official letter (หนังสือราชการ) from text as it comes: typed, pasted or OCR'd.

Pure Python, no ORM (as the policy engine): text in, `ParseResult` out. Every field carries
the span of source text it came from, a confidence, and flags. A flag is raised, with
candidates, wherever a date or a number does not read cleanly or is implausible (day 79, a year
far from the letter's others, a reference dated after its letter, digits read by OCR that
nothing else in the document confirms): the value of a flagged field is left empty, never
guessed; the officer picks a candidate or types the value.

Digits are read through `core.thai` (Thai and Arabic alike); translating Thai digits to Arabic
keeps every offset, so spans point into the text as received.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import statistics
from dataclasses import asdict, dataclass, field

from core.thai import (
    MONTH_WORDS,
    MONTHS_TH,
    MONTHS_TH_ABBR,
    ce_year,
    normalize_number,
    to_arabic_digits,
    to_be_year,
    to_thai_digits,
)

from . import thaidict
from .layouts import (  # noqa: F401
    ADDRESSED_ONLY,
    AT_END,
    BODY_ONLY_KIND,
    BODY_ONLY_OPENERS,
    BY_KIND,
    CREDIT_AFTER_RULE,
    CREDIT_LINES,
    DATE_LINE,
    EXTERNAL,
    FOOT,
    HEAD,
    ISSUER_OF,
    LAYOUTS,
    LETTER_PARTS,
    MENTION_DATE_WORDS,
    MENTION_FOOT_DATE_WORDS,
    MENTION_FROM,
    MENTION_NOUNS,
    MENTION_PARTS,
    MENTION_QUOTES,
    MENTION_SENDS,
    MENTION_STOPS,
    NONE,
    OFFICE_WORDS,
    POSITION_WORDS,
    RECIPIENT_STOPS,
    TITLE_ONLY,
    HeadPart,
    Layout,
)


class SourceKind:
    TEXT = "text"  # typed or pasted: digits as the sender wrote them (OCR damage is still found)
    PDF_TEXT = "pdf_text"  # a PDF's text layer
    OCR = "ocr"  # read by Tesseract: digits are never trusted without a second witness


# Thai digits Tesseract (tha) mixes up: each digit as read, with the digits it may have been.
# Measured on letters rendered with the TLWG fonts (Laksaman, Garuda; 16 pt, 300 dpi) and read
# back: ๘ is read ๕, ๔ is read ๕, ๖ is read ๒, ๗ is read ๓ (issue 21); also ๑/๗, ๙/๗, ๐/๘.
CONFUSABLE = {
    "0": "8",
    "1": "7",
    "2": "6",
    "3": "78",
    "4": "5",
    "5": "48",
    "6": "2",
    "7": "19",
    "8": "035",
    "9": "7",
}

# The four Tesseract makes most (issue 21, measured on Laksaman and Garuda at 16 pt, 300 dpi):
# readings with these come first among the candidates.
MEASURED_CONFUSIONS = {"5": "84", "2": "6", "3": "7"}

# Words OCR damages in these letters, and what they are. Each fix lowers the field's confidence
# and is listed in its notes; nothing here touches a digit.
WORD_FIXES: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"ท้องถิน(?!่)", "ท้องถิ่น"),
        (r"ท้องถิ่่น", "ท้องถิ่น"),
        (r"New\s*e-?\s*[A-Z]AAS", "New e-LAAS"),
        # OCR reads "New" as anything ("ไฟ๕๒"): inside the brackets of the system's name.
        (r"\((?!New )[^\s()]{1,6}\s*e-?\s*[A-Z]AAS\)", "(New e-LAAS)"),
        (r"(?<=หนังสือ)(?:รับ|การ|เจริญ)?ส่งเสริมการปกครองท้องถิ่น", "กรมส่งเสริมการปกครองท้องถิ่น"),
        (r"(?<=อธิบดี)(?:รับ|การ|เจริญ)?ส่งเสริมการปกครองท้องถิ่น", "กรมส่งเสริมการปกครองท้องถิ่น"),
        (r"(?<=จาก)การส่งเสริมการปกครองท้องถิ่น", "กรมส่งเสริมการปกครองท้องถิ่น"),
        (r"ระบบ(?:ชำ|ข้า)(?=\s)", "ระบบช้า"),
        (r"เช้าใช้งาน", "เข้าใช้งาน"),
        (r"ที่ล้างถัง", "ที่อ้างถึง"),
        # Tone marks Tesseract drops in the commonest words (scored on intake-corpus's renders):
        # ที่ before the words it stands before, ตั้ง in its compounds.
        (
            r"ที(?=(?:ได้|สุด|จะ|มี|ใช้|เกี่ยว|ผ่าน|อยู่|กำหนด|ประชุม|ตั้ง|ส่ง))"
            r"|(?<![ก-๙])ที(?=\s+[ก-ฮ]{1,3}\.?\s*[\d๐-๙])",
            "ที่",
        ),
        (r"(?:(?<=จัด)|(?<=แต่ง))ตัง(?!้)|ตัง(?=แต่)", "ตั้ง"),
    )
)

HEAD_KEYWORDS = ("เรื่อง", "เรียน", "อ้างถึง", "สิ่งที่ส่งมาด้วย")
# Tesseract drops Thai marks above and below the line ("เรือง", "ท", "สิงท์ส่งมาด้วย"): keywords
# are matched with the marks optional, and ํา (nikhahit + sara aa) read as ำ.
_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"


def _bare(word: str) -> str:
    return re.sub(f"[{_MARKS}]", "", word.replace("ํา", "ำ"))


def loose(word: str) -> str:
    """A pattern for `word` with its Thai marks optional, as OCR may have dropped them."""
    return "".join(re.escape(c) + f"[{_MARKS}]*" for c in _bare(word))


def bare(text: str) -> str:
    """Text without the marks OCR drops: compare two Thai texts this way, never show it."""
    return _bare(text)


def keyword_re(word: str) -> re.Pattern:
    return re.compile(r"^\s*" + loose(word))


_KEYWORD_RES = {k: keyword_re(k) for k in (*HEAD_KEYWORDS, "ขอแสดงความนับถือ", "ที่", "โทร", "ลงวันที่")}
# A numbered clause ("๑. …"), or one whose number OCR turned into a symbol ("®. …").
CLAUSE_RE = re.compile(r"^\s*(?:[\d๐-๙]{1,2}|[^\sก-๛A-Za-z0-9]{1,2})\.\s")
# ด้วย with its tone mark optional: a PDF's text layer drops it ("ดวยปรากฏวา").
BODY_OPENERS = re.compile(
    r"^\s*(ตามที่|ตาม\s|ด[\u0e48-\u0e4b]?วย|อนุสนธิ|ตามหนังสือ|เนื่องด้วย|เนื่องจาก|โดยที่|อาศัยอำนาจ"
    r"|ตามประกาศ|ตามคำสั่ง|ข้อ\s*[\d๐-๙]+\s)"
)


def starts_with(text: str, *words: str) -> re.Match | None:
    """The keyword `text` begins with (marks optional), as a match whose end is its length."""
    for word in words:
        m = _KEYWORD_RES.get(word, None) or keyword_re(word)
        found = m.match(text.replace("ํา", "ำ"))
        if found:
            return found
    return None


def head_keyword(text: str) -> str | None:
    return next((k for k in HEAD_KEYWORDS if starts_with(text, k)), None)


RECIPIENT_TITLES = (
    "นายอำเภอ",
    "นายกองค์การบริหารส่วน",
    "นายกเทศมนตรี",
    "นายกเมืองพัทยา",
    "ผู้ว่าราชการกรุงเทพมหานคร",
    "ผู้ว่าราชการจังหวัด",
    "ผู้ว่าราชการ",  # "ถึงผู้ว่าราชการทุกจังหวัด"
    "ปลัด",
    "ผู้อำนวยการ",
    "อธิบดี",
)
# Longest first: "ว่าที่ร้อยตรีหญิง" before "ว่าที่ร้อยตรี".
RANK_WORDS = tuple(
    f"ว่าที่{a}{b}{c}" for a in ("ร้อย", "พัน") for b in ("ตรี", "โท", "เอก") for c in ("หญิง", "")
)
RANKS = re.compile(
    r"(ว่าที่\s?(?:ร้อย|พัน)(?:ตรี|โท|เอก)(?:หญิง)?|(?:ร้อย|พัน)ตำรวจ(?:ตรี|โท|เอก)(?:หญิง)?|ดร\.)"
)
POSITION_TITLES = re.compile(r"^\s*(อธิบดี|ผู้ว่าราชการ|นายอำเภอ|ปลัด|นายก|รอง|ผู้อำนวยการ)")
URGENCIES = (("ด่วนที่สุด", "most_urgent"), ("ด่วนมาก", "very_urgent"), ("ด่วน", "urgent"))

_THAI = re.compile(r"[\u0E01-\u0E4F]")
_FOREIGN = re.compile(r"[\u0E80-\u0EFF\u0B00-\u0B7F\u4E00-\u9FFF\u0900-\u097F]")
MONTH_RE = "|".join(re.escape(w) for w in MONTH_WORDS)
# The era before a year: Buddhist (พ.ศ.), and the two a text may use instead, the Christian
# (ค.ศ. 2015) and the Rattanakosin (ร.ศ. 126, before 1912), read as such (read_date).
_YEAR_RE = r"(?:(?:พ\.\s?ศ\.|พุทธศักราช|ค\.\s?ศ\.|ร\.\s?ศ\.|รัตนโกสินทร์ศก)\s?)?(\d{2,5})"
_RATTANAKOSIN = re.compile(r"ร\.\s?ศ\.|รัตนโกสินทร์ศก")
_CHRISTIAN = re.compile(r"ค\.\s?ศ\.")
_DASH = r"\s*(?:[-–—]|ถึง(?:วันที่)?)\s*"
# A month's word as a text layer may break it: a space before a vowel that cannot begin a word
# ("พฤศจกิ ายน").
_MONTH_TOKEN = r"[ก-ฮ][ก-๎.]{1,8}(?:\s[ะาำ-ฺ็-๎][ก-๎.]{0,6})?ฯ?"
# A day (or a range of days), a month, a year; whitespace (line breaks included) between them.
DATE_RE = re.compile(
    rf"(?<!\d)(\d{{1,3}})(?:{_DASH}(\d{{1,3}}))?\s*({MONTH_RE}|{_MONTH_TOKEN})\s*{_YEAR_RE}(?!\d)"
)
# A letter's number as people write it: นพ ๐๐๒๓.๕/ว ๑๕๗๘, มท 0810.5/ว.617, มท 0201.2/ว2567,
# กค405.4/ว 395, ศธ 04001/ว1356 (a five-digit office code), กค 0402.3/026695 (no ว).
NUMBER_RE = re.compile(
    r"(?P<prefix>[ก-ฮ]{1,3})\.?\s*(?P<code>\d{3,5}(?:\.\d{1,3})*)\s*"
    r"(?:/\s*(?P<w>ว)?\.?|(?P<bare_w>ว)\.?)\s*(?P<serial>[^\s]+)"
)
# An order's or announcement's number: ๑๒๓/๒๕๖๘ (serial / Buddhist-era year), or ฉบับที่ ๒.
ORDER_NUMBER_RE = re.compile(r"(?<![\d.])(?P<serial>\d{1,5})(?:\s*/\s*(?P<year>\d{4}))?(?![\d/])")


@dataclass
class Flag:
    code: str
    message_th: str
    message_en: str
    candidates: list[str] = field(default_factory=list)


@dataclass
class Field:
    """A part of the letter: its value, where it came from, how sure we are, what is open."""

    value: str | None
    start: int = -1
    end: int = -1
    confidence: float = 1.0
    flags: list[Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parts: dict = field(default_factory=dict)  # a number's prefix, code and serial
    # The text holds no such part (a stamped letter has no เรื่อง; a cut letter no number):
    # the value is None and nothing is guessed. Not a flag: nothing is there to check.
    missing: bool = False

    @classmethod
    def absent(cls) -> Field:
        return cls(None, confidence=0.0, missing=True)

    @classmethod
    def from_dict(cls, data: dict) -> Field:
        flags = [Flag(**f) for f in data.get("flags", [])]
        known = {k: data[k] for k in ("start", "end", "confidence", "notes", "parts") if k in data}
        return cls(data.get("value"), flags=flags, missing=data.get("missing", False), **known)

    def flag(self, flag: Flag) -> None:
        self.flags.append(flag)
        self.confidence = min(self.confidence, 0.3)
        self.value = None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class Cited:
    """A line of อ้างถึง or สิ่งที่ส่งมาด้วย: the letter it names, its number and date."""

    kind: str  # "reference" or "enclosure"
    text: Field
    number: Field
    date: Field
    target: int | None = None  # index of the letter in this document it names

    @classmethod
    def from_dict(cls, data: dict) -> Cited:
        return cls(
            data["kind"],
            Field.from_dict(data["text"]),
            Field.from_dict(data["number"]),
            Field.from_dict(data["date"]),
            data.get("target"),
        )


@dataclass
class Letter:
    index: int
    start: int
    end: int
    fields: dict[str, Field]
    references: list[Cited] = field(default_factory=list)
    enclosures: list[Cited] = field(default_factory=list)
    clauses: list[Field] = field(default_factory=list)
    paragraphs: list[Field] = field(default_factory=list)
    forwards: int | None = None  # index of the letter this one forwards
    kind: str = "external"  # a layouts.LetterKind: external, internal, stamped, order, …
    cut: bool = False  # the text holds only part of the letter (no opening found)

    @classmethod
    def from_dict(cls, data: dict) -> Letter:
        paragraphs = [Field.from_dict(f) for f in data.get("paragraphs", [])]
        # A clause is one of the paragraphs (the same object, as the reader made it).
        spans = {(c.get("start"), c.get("end"), c.get("value")) for c in data.get("clauses", [])}
        clauses = [p for p in paragraphs if (p.start, p.end, p.value) in spans]
        return cls(
            data["index"],
            data.get("start", -1),
            data.get("end", -1),
            {name: Field.from_dict(f) for name, f in data.get("fields", {}).items()},
            [Cited.from_dict(c) for c in data.get("references", [])],
            [Cited.from_dict(c) for c in data.get("enclosures", [])],
            clauses,
            paragraphs,
            data.get("forwards"),
            data.get("kind", "external"),
            data.get("cut", False),
        )

    def value(self, name: str):
        f = self.fields.get(name)
        return f.value if f else None

    @property
    def authority(self) -> str | None:
        return self.value("authority")

    def all_fields(self):
        yield from self.fields.items()
        for kind, items in (("reference", self.references), ("enclosure", self.enclosures)):
            for i, c in enumerate(items, start=1):
                yield f"{kind}[{i}].number", c.number
                yield f"{kind}[{i}].date", c.date


@dataclass
class ParseResult:
    text: str
    source: str
    letters: list[Letter]
    # The second reader's re-reads of the OCR'd digit runs (`Extracted.digits`: start in `text`,
    # Tesseract's reading, the digits, confidence): kept so that a stored draft parses the same.
    digits: list[dict] = field(default_factory=list)
    # The doubtful word spans of an OCR'd text (`Extracted.doubts`), kept for the same reason.
    doubts: list[dict] = field(default_factory=list)

    @property
    def open_flags(self) -> list[tuple[int, str, Flag]]:
        return [
            (letter.index, name, flag)
            for letter in self.letters
            for name, f in letter.all_fields()
            for flag in f.flags
        ]

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "letters": [asdict(letter) for letter in self.letters],
            "digits": [dict(r) for r in self.digits],
            "doubts": [dict(d) for d in self.doubts],
        }

    @classmethod
    def from_dict(cls, data: dict, text: str = "") -> ParseResult:
        """The result as_dict wrote (a draft's `parsed`), typed again. Keys drafts add beside
        the parser's (a letter's "rules") are left out; the text is not stored in the dict."""
        return cls(
            text,
            data.get("source", SourceKind.TEXT),
            [Letter.from_dict(d) for d in data.get("letters", [])],
            list(data.get("digits", [])),
            list(data.get("doubts", [])),
        )


# --- small readers ----------------------------------------------------------------------------


def fix_words(text: str) -> tuple[str, list[str]]:
    notes = []
    for pattern, replacement in WORD_FIXES:
        text, n = pattern.subn(replacement, text)
        if n:
            notes.append(f"OCR word fixed: {pattern.pattern} -> {replacement} ({n})")
    return text, notes


def clean(text: str) -> str:
    """Markdown marks and spaces OCR leaves, without touching the words."""
    text = re.sub(r"^\s*#+\s*", "", text.replace("ํา", "ำ"))
    text = re.sub(r"\*[^*\s]*\*", "", text)
    text = re.sub(r"\s*[|¦]\s*$", "", text)  # a web page's column bar after the text
    return re.sub(r"[ \t]+", " ", text).strip()


def join_lines(lines: list[str]) -> str:
    """Lines of one paragraph: Thai wraps inside words, so Thai meets Thai with no space."""
    out = ""
    for line in lines:
        line = clean(line)
        if not line:
            continue
        if out and not (_THAI.match(line[0]) and _THAI.match(out[-1])):
            out += " "
        out += line
    return out


def is_garbage(line: str) -> bool:
    """A scanner's stray line: letters of another script (Lao, Odia, Chinese) and no Thai."""
    letters = [c for c in line if c.isalpha()]
    if not letters:
        return False
    foreign = sum(1 for c in letters if _FOREIGN.match(c))
    return foreign * 2 >= len(letters)


def days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def digit_variants(digits: str) -> list[str]:
    """What OCR may have misread as `digits` (Arabic): one digit changed, or one dropped."""
    out = []
    for i, d in enumerate(digits):
        for alt in CONFUSABLE.get(d, ""):
            out.append(digits[:i] + alt + digits[i + 1 :])
        if len(digits) > 1:
            out.append(digits[:i] + digits[i + 1 :])
    return list(dict.fromkeys(v for v in out if v))


@dataclass
class DateRead:
    start: int
    end: int
    raw: str
    day: int | None
    day_end: int | None
    month: int | None
    year: int | None  # Common Era
    year_digits: str
    problems: list[Flag]

    def first(self) -> dt.date | None:
        if self.problems or None in (self.day, self.month, self.year):
            return None
        return dt.date(self.year, self.month, self.day)

    def last(self) -> dt.date | None:
        if self.first() is None:
            return None
        return dt.date(self.year, self.month, self.day_end or self.day)


def read_date(text: str, m: re.Match, offset: int = 0) -> DateRead:
    """The date `m` (a match of the date pattern: day, day the range ends, month, year) found
    in `text`, its parts read and what keeps it from reading as flags with candidates."""
    from core.thai import month_number

    day_s, end_s, month_s, year_s = m.group(1), m.group(2), m.group(3), m.group(4)
    raw = text[m.start() : m.end()]
    month = month_number(month_s) or _month_by_letters(month_s)
    year, era = _read_year(raw, year_s, month)
    day, day_end = int(day_s), int(end_s) if end_s else None
    parts = _DateParts(year, month, day)
    problems = _month_and_year_problems(parts, month_s, year_s, era)
    if month and year:
        problems += _day_problems(parts, day_end, day_s, end_s)
    return DateRead(
        offset + m.start(),
        offset + m.end(),
        raw,
        day,
        day_end,
        month,
        year,
        year_s,
        problems,
    )


def _read_year(raw: str, year_s: str, month: int | None) -> tuple[int | None, str | None]:
    """The year (Common Era) of a date written `raw`, and its era when not the Buddhist."""
    # A two-digit year is the Buddhist era's, as letters abbreviate it ("๑๘ มี.ค. ๖๓").
    year = ce_year(int(year_s)) if len(year_s) == 4 else None
    if len(year_s) == 2:
        year = ce_year(2500 + int(year_s))
    if _RATTANAKOSIN.search(raw) and len(year_s) in (2, 3):
        # ร.ศ. N ran from 1 April 1781 + N to 31 March: January to March are the next year's.
        return int(year_s) + 1781 + (1 if month is not None and month <= 3 else 0), "rattanakosin"
    if _CHRISTIAN.search(raw) and len(year_s) == 4:
        return int(year_s), "christian"
    return year, None


@dataclass
class _DateParts:
    """The parts of a date that read (None where one did not)."""

    year: int | None
    month: int | None
    day: int

    def iso(self, years=None, months=None, days=None) -> list[str]:
        """Candidate dates, ISO, from the parts that read and the alternatives of one that did
        not; where the others do not read either, the alternatives as they are."""
        out = []
        for y in years or [self.year]:
            for mo in months or [self.month]:
                for d in days or [self.day]:
                    if None in (y, mo, d):
                        continue
                    try:
                        out.append(dt.date(y, mo, d).isoformat())
                    except ValueError:
                        continue
        return list(dict.fromkeys(out))


def _month_and_year_problems(
    parts: _DateParts, month_s: str, year_s: str, era: str | None
) -> list[Flag]:
    problems = []
    if parts.month is None:
        months = [int(c) for c in _month_candidates(month_s)]
        problems.append(
            Flag(
                "month_unreadable",
                f"อ่านชื่อเดือนไม่ได้: “{month_s}”",
                f"The month cannot be read: “{month_s}”",
                parts.iso(months=months) or [str(c) for c in months],
            )
        )
    if len(year_s) == 2 and parts.month is None and era is None:
        # An abbreviated year is the sender's, unless the date around it is damaged too.
        problems.append(
            Flag(
                "year_short",
                f"ปีเขียนสองหลัก ({to_thai_digits(year_s)}) ในวันที่ที่อ่านไม่ครบ",
                f"A two-digit year ({year_s}) in a date that does not read",
                [str(2500 + int(year_s))],
            )
        )
    if len(year_s) not in (2, 4) and era is None:
        years = [v for v in digit_variants(year_s) if len(v) == 4 and v.startswith("25")]
        problems.append(
            Flag(
                "year_unreadable",
                f"ปี “{to_thai_digits(year_s)}” ไม่ใช่ปีสี่หลัก",
                f"The year “{year_s}” is not four digits",
                parts.iso(years=[ce_year(int(v)) for v in years]) or years,
            )
        )
    return problems


def _day_problems(
    parts: _DateParts, day_end: int | None, day_s: str, end_s: str | None
) -> list[Flag]:
    """A day (or a range's last day) the month does not have; a range that ends before it
    starts. Only where the month and year read."""
    problems = []
    year, month, day = parts.year, parts.month, parts.day
    limit = days_in_month(year, month)
    for value, digits in ((day, day_s), (day_end, end_s)):
        if value is not None and not 1 <= value <= limit:
            cands = sorted(
                {int(v) for v in digit_variants(digits) if 1 <= int(v) <= limit},
            )
            problems.append(
                Flag(
                    "day_out_of_range",
                    f"วันที่ {to_thai_digits(digits)} ไม่มีในเดือนนี้",
                    f"Day {digits} does not exist in that month",
                    [dt.date(year, month, c).isoformat() for c in cands],
                )
            )
    if day_end is not None and day_end < day:
        problems.append(
            Flag(
                "range_reversed",
                "วันสิ้นสุดอยู่ก่อนวันเริ่ม",
                "The range ends before it starts",
            )
        )
    return problems


def _month_by_letters(word: str) -> int | None:
    """A month whose letters are all there with a vowel or tone mark displaced or a space
    inside, as a PDF's text layer leaves it ("พฤศจกิ ายน"): the same consonants and vowels in
    order, marks aside, are that month and no other."""
    letters = bare(re.sub(r"\s", "", word)).replace("ํ", "")
    if len(letters) < 4:
        return None
    found = [i + 1 for i, full in enumerate(MONTHS_TH) if bare(full) == letters]
    return found[0] if len(found) == 1 else None


def _month_candidates(word: str) -> list[str]:
    word = word.replace(".", "")
    out = []
    for i, (full, abbr) in enumerate(zip(MONTHS_TH, MONTHS_TH_ABBR, strict=True)):
        a = abbr.replace(".", "")
        same = sum(1 for x, y in zip(word, a, strict=False) if x == y)
        if len(word) == len(a) and same >= len(a) - 1:
            out.append(str(i + 1))
        elif full.startswith(word[:3]) and len(word) >= 3:
            out.append(str(i + 1))
    return out


def find_dates(text: str, offset: int = 0) -> list[DateRead]:
    arabic = to_arabic_digits(text)
    return [read_date(text, m, offset) for m in DATE_RE.finditer(arabic)]


def read_number(raw: str) -> tuple[str | None, list[Flag], dict]:
    """'นพ ๐๐๒๓.๕/ว ๑๕๗๘' -> the number as written (tidied), its problems, its parts."""
    m = NUMBER_RE.search(to_arabic_digits(raw))
    if not m:
        return (
            None,
            [Flag("number_unreadable", "อ่านเลขที่หนังสือไม่ได้", "The number cannot be read")],
            {},
        )
    parts = m.groupdict()
    parts["w"] = parts.pop("w") or parts.pop("bare_w")
    parts.pop("bare_w", None)
    serial = parts["serial"].rstrip(".,")
    if not re.fullmatch(r"\d{1,6}", serial):
        return (
            None,
            [
                Flag(
                    "number_unreadable",
                    f"เลขลำดับหนังสือ “{serial}” ไม่ใช่ตัวเลข",
                    f"The serial “{serial}” is not a number",
                )
            ],
            parts,
        )
    thai = any(c in raw for c in "๐๑๒๓๔๕๖๗๘๙")
    digits = to_thai_digits if thai else str
    value = (
        f"{parts['prefix']} {digits(parts['code'])}/{'ว ' if parts['w'] else ''}{digits(serial)}"
    )
    parts["serial"] = serial
    return value, [], parts


def read_order_number(raw: str) -> tuple[str | None, list[Flag], dict]:
    """'๑๒๓/๒๕๖๘' (an order's serial and Buddhist-era year) or '๒' (ฉบับที่): as written, tidied."""
    arabic = to_arabic_digits(raw).strip()
    m = ORDER_NUMBER_RE.match(arabic)
    if m and not re.match(r"\s|[)\][]|$", arabic[m.end() :]):
        m = None  # "0505.5/ว …": the start of a letter's number, not an order's
    if not m:
        return (
            None,
            [Flag("number_unreadable", "อ่านเลขที่ไม่ได้", "The number cannot be read")],
            {},
        )
    parts = {"serial": m["serial"], "year": m["year"]}
    thai = any(c in raw for c in "๐๑๒๓๔๕๖๗๘๙")
    digits = to_thai_digits if thai else str
    value = digits(m["serial"] + (f"/{m['year']}" if m["year"] else ""))
    return value, [], parts


def _number_key(parts: dict) -> tuple:
    return (parts.get("prefix"), parts.get("code"))


# --- the document -------------------------------------------------------------------------------


@dataclass
class Line:
    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return clean(self.text)

    def tail(self, at: int) -> Line:
        """The rest of the line from character `at` (its span kept in the source text)."""
        return Line(self.start + at, self.end, self.text[at:])


def _lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return out


# The ที่ line of a letter's number ("ที่ นพ ๐๐๒๓.๕/ว ๑๕๗๘"; OCR's "ที" for "ที่"), short: a
# sentence that wraps to a line beginning "ที่ มท …" runs on past it.
_HEAD_NUMBER = re.compile(rf"^\s*ท[{_MARKS}]*\s+[ก-ฮ]{{1,3}}\.?\s*[\d๐-๙]")
# A number line whose ที่ OCR damaged ("NWN ๐๘๐๘.๔/ว …"): a short word, then four digits.
_LOOSE_NUMBER = re.compile(r"^\s*(?:\S{1,4}\s+)?\S{1,4}\.?\s*[\d๐-๙]{4}")
_SEPARATOR = re.compile(r"^[-_=*~.·•\s]{3,}$")
CONTACT_RE = re.compile(
    r"^(สำนัก|กลุ่ม|กอง|ฝ่าย|ส่วน|งาน|ศูนย์|โทร|โทรสาร|ผู้ประสานงาน|ไปรษณีย์|E-?mail|อีเมล|www\.|https?:)",
    re.IGNORECASE,
)
_NAME_LINE = re.compile(r"\(\s*[^()]{3,60}\s*\)")
# Keywords that end with a short word must be followed by a space, a digit or a colon: "ถึง"
# opens a part, "ถึงวันที่" does not; "เรื่องเดิม" is a memo's body, not its เรื่อง.
_BOUNDARY = r"(?=[\s:：]|[\d๐-๙]|$)"
BOUNDARIES = {word: _BOUNDARY for word in ("ที่", "ถึง", "เรียน", "วันที่", "ฉบับที่", "ลงวันที่")} | {
    "เรื่อง": r"(?!เดิม)"
}


def _boundary(word: str) -> str:
    return BOUNDARIES.get(word, "")


def _left(word: str) -> str:
    """A short keyword inside a line starts a word ("ไม่มีเลขที่" holds no ที่)."""
    return r"(?<![ก-๙])" if word in BOUNDARIES else ""


def _kw(word: str) -> re.Pattern:
    """A keyword at the start of a line, its Thai marks optional, any spacing inside it."""
    body = r"\s*".join(loose(w) for w in word.split())
    return re.compile(r"^\s*\(?\s*" + body + _boundary(word))


@functools.cache
def _kw_cached(word: str) -> re.Pattern:
    return _kw(word)


def kw_match(text: str, word: str) -> re.Match | None:
    return _kw_cached(word).match(text.replace("ํา", "ำ"))


def _inline_kw(word: str) -> re.Pattern:
    body = r"\s*".join(loose(w) for w in word.split())
    return re.compile(r"\s" + body + (_boundary(word) or r"(?=\S)"))


_WEEKDAYS = "จันทร์|อังคาร|พุธ|พฤหัสบดี|ศุกร์|เสาร์|อาทิตย์"


def _date_line(text: str) -> bool:
    """A line that is a date and little else ("๒ เมษายน ๒๕๖๘", "วันที่ ๒ เม.ย. ๖๘")."""
    s = clean(text)
    # A date in brackets under a title: "(๒๙ สิงหาคม ๒๕๖๐)".
    bracketed = re.fullmatch(r"\(\s*(.+?)\s*\)", s)
    s = bracketed.group(1) if bracketed else s
    # A time after the date ("๑๒ สิงหาคม ๒๕๕๘, ๒๑.๑๕ น.") is still a date line.
    s = re.sub(r"[,\s]*(?:เวลา\s*)?[\d๐-๙]{1,2}[.:][\d๐-๙]{2}\s*(?:น\.?)?\s*$", "", s)
    found = find_dates(s)
    if not found:
        return False
    d = found[0]
    # "วันที่ ๒ …", or with the weekday: "วันพุธที่ 26 สิงหาคม 2563".
    lead = re.match(rf"^\s*(?:วัน(?:{_WEEKDAYS})?ที่\s*)?[\d๐-๙]", s)
    return lead is not None and d.start <= lead.end() and len(s) - d.end <= 4


def _head_part(layout: Layout, text: str) -> tuple[HeadPart, re.Match] | None:
    for part in layout.head:
        for word in part.keywords:
            m = kw_match(text, word)
            if m:
                return part, m
    return None


def _title(layout: Layout, text: str) -> re.Match | None:
    """The title a letter of `layout` opens with, at the start of the line (after a list's
    numbering: "4.ระเบียบกระทรวงมหาดไทยว่าด้วย…")."""
    s = text.replace("ํา", "ำ")
    lead = r"(?:[\d๐-๙]{1,3}(?:[.)]\s*|\s+))?(?:ร่าง\s*)?"  # a list's number; a draft
    for pattern in layout.titles:
        # At the start of the line, or after a column gap (a page title beside it).
        m = re.match(r"^\s*" + lead + pattern, s) or re.search(r"(?<=\S)\s{3,}" + lead + pattern, s)
        if m:
            return m
    return None


def _any_keyword(text: str) -> str | None:
    """The head keyword of any layout `text` begins with."""
    for layout in LAYOUTS:
        hit = _head_part(layout, text)
        if hit:
            return hit[1].group(0).strip()
    return None


def _closing(layout: Layout, text: str) -> bool:
    return any(starts_with(text, w) for w in layout.closing)


def _foot_intro(layout: Layout, text: str) -> re.Match | None:
    for w in layout.date_intro:
        m = kw_match(text, w)
        if m:
            return m
    return None


# Words after a foot date that make its line a sentence, not a foot: "ประกาศ ณ วันที่ ๑๗
# มีนาคม พ.ศ. ๒๕๖๓ ความแจ้งแล้วนั้น" is a body quoting an announcement (its line broken there
# by OCR or a page's width), while a letter's foot date stands alone on its line, the signature
# under it (ระเบียบงานสารบรรณ's layouts of คำสั่ง, ระเบียบ, ประกาศ).
FOOT_LINE_AFTER_DATE = 4


def _foot_line(layout: Layout, text: str) -> bool:
    """`text` is a foot date line of `layout`: its words, a date and little else (a date OCR
    damaged past reading is given the benefit of the doubt)."""
    m = _foot_intro(layout, text) if layout.date_at == FOOT else None
    if m is None:
        return False
    rest = clean(text[m.end() :])
    found = find_dates(rest)
    return not found or len(rest) - found[0].end <= FOOT_LINE_AFTER_DATE


def _is_part(text: str) -> bool:
    """A line only a letter has: a courtesy close, a head keyword, a foot date line."""
    if any(_closing(lay, text) or _foot_line(lay, text) for lay in LAYOUTS):
        return True
    return any(kw_match(text, w) for w in ("เรื่อง", "เรียน", "อ้างถึง", "สิ่งที่ส่งมาด้วย"))


def _number_opening(lines: list[Line], i: int) -> bool:
    s = lines[i].stripped
    if not _HEAD_NUMBER.match(s) or len(s) > 60 or "ลงวันที่" in s:
        return False
    # A letter's head follows: a เรื่อง, เรียน or ถึง line within a dozen lines.
    return any(
        kw_match(ln.stripped, w) for ln in lines[i + 1 : i + 14] for w in ("เรื่อง", "เรียน", "ถึง")
    )


def _title_rest(layout: Layout, text: str) -> str:
    m = _title(layout, text)
    return text[m.end() :].strip() if m else ""


def _title_opening(lines: list[Line], i: int) -> Layout | None:
    # As received: a title may stand after a column gap ("…ข้าราชการ   ประกาศ ก.อบต. เรื่อง …").
    s = lines[i].text.replace("ํา", "ำ")
    for layout in LAYOUTS:
        m = _title(layout, s) if layout.titles else None
        if not m:
            continue
        after = s[
            m.start("issuer") if "issuer" in m.groupdict() and m.group("issuer") else m.end() :
        ]
        nxt = [ln for ln in lines[i + 1 : i + 6] if ln.stripped]
        for word in layout.confirm:
            if word == TITLE_ONLY:
                return layout
            if word == DATE_LINE:
                if any(_date_line(ln.text) for ln in nxt[:2]):
                    return layout
            elif re.search(_left(word) + loose(word) + _boundary(word), after) or any(
                kw_match(ln.stripped, word) for ln in nxt
            ):
                return layout
    return None


@dataclass
class Segment:
    start: int
    end: int
    layout: Layout | None  # None: opened by a number, stamped or external by what it holds
    cut: bool = False


def find_letters(lines: list[Line], subjects: set[int] = frozenset()) -> list[Segment]:
    """Where each letter of the text begins: a title (คำสั่ง…, ประกาศ…, บันทึกข้อความ), the ที่
    line of a number, or, for a letter that came cut, its first part (a date line, เรื่อง or
    เรียน, the opening words of a body) before a courtesy close. `subjects`: lines that are the
    subject of a letter named on a line above (`subjects_below`), which open no letter."""
    starts: list[Segment] = []
    covered = -1
    for i, line in enumerate(lines):
        if i <= covered or not line.stripped or i in subjects:
            continue
        s = line.stripped
        layout = _title_opening(lines, i)
        if layout is not None:
            starts.append(Segment(i, 0, layout))
            # A title whose line holds its head (a list of regulations, one a line) covers
            # only itself; one on its own line, the head lines under it.
            one_line = layout.date_at == FOOT and _head_part(layout, _title_rest(layout, s))
            covered = i if one_line else i + 6
            continue
        if _number_opening(lines, i):
            starts.append(Segment(i, 0, None))
            covered = _head_end(lines, i)
            continue
        if kw_match(s, "เรื่อง") or (kw_match(s, "เรียน") and not starts):
            # A head with no number line above it (OCR damaged the ที่, or the text was cut):
            # the letter begins at a number-like line or a date line just above, else here.
            floor = max(covered + 1, starts[-1].start + 1 if starts else 0, i - 12)
            window = range(i - 1, floor - 1, -1)
            dated = next((j for j in window if _date_line(lines[j].text)), None)
            numbered = next((j for j in window if _loose_number(lines[j])), None)
            addressed = any(
                kw_match(ln.stripped, w) for ln in lines[i : i + 7] for w in ("เรียน", "ถึง")
            )
            if numbered is None and dated is None and not addressed:
                continue  # a line that begins "เรื่อง" in running text
            found = numbered if numbered is not None else dated if dated is not None else i
            starts.append(Segment(found, 0, None, cut=numbered is None))
            covered = _head_end(lines, i)
    # Text before the first letter that holds a letter's end (a courtesy close, สั่ง ณ วันที่)
    # is a letter cut at the top: it begins at its first date line, part or body opener.
    first = starts[0].start if starts else len(lines)
    head = lines[:first]
    if any(_is_part(ln.stripped) for k, ln in enumerate(head) if k not in subjects):
        at = next(
            (
                k
                for k, ln in enumerate(head)
                if _date_line(ln.text) or _is_part(ln.stripped) or BODY_OPENERS.match(ln.stripped)
            ),
            0,
        )
        layout = next(
            (lay for lay in LAYOUTS if any(_foot_line(lay, ln.stripped) for ln in head)),
            None,
        )
        starts.insert(0, Segment(at, 0, layout, cut=True))
    for k, seg in enumerate(starts):
        seg.end = starts[k + 1].start if k + 1 < len(starts) else len(lines)
    return starts


def _joined(parts: list[Line]) -> Line:
    """Lines read as one: each gap between them a space, so every offset stays the source's."""
    text = parts[0].text
    for prev, nxt in zip(parts, parts[1:], strict=False):
        text += " " * (nxt.start - prev.end) + nxt.text
    return Line(parts[0].start, parts[-1].end, text)


def _join_broken_numbers(lines: list[Line]) -> list[Line]:
    """A word processor's copy breaks the head's columns into lines: "ที่" / "มท" / "0802.3/
    1393   กรมส่งเสริม…". A ที่ line with nothing after it but a short code, followed within two
    lines by the digits of a number, is one number line (the lines after it are left blank)."""
    out = list(lines)
    for i, line in enumerate(lines):
        if not re.fullmatch(rf"ท[{_MARKS}]*(?:\s+[ก-ฮ]{{1,3}}\.?)?", line.stripped):
            continue
        taken = [line]
        for nxt in lines[i + 1 : i + 4]:
            if not nxt.stripped:
                break
            taken.append(nxt)
            if _HEAD_NUMBER.match(clean(_joined(taken).text)):
                out[i] = _joined(taken)
                for k in range(i + 1, i + len(taken)):
                    out[k] = Line(lines[k].start, lines[k].start, "")
                break
            if len(nxt.stripped) > 4:
                break
    return out


_RUN_ON_NUMBER = re.compile(
    rf"(?:^|\s)(ท[{_MARKS}]*\s+[ก-ฮ]{{1,3}}\.?\s*[\d๐-๙]{{3,5}}[\d๐-๙.]*\s*/)"
)
_RUN_ON_OPENER = re.compile(rf"\s(?=(?:ตามที่|ด[{_MARKS}]*ว[{_MARKS}]*ย|อนุสนธิ|เนื่องด[{_MARKS}]*วย))")


def _split_run_on_heads(lines: list[Line]) -> list[Line]:
    """A PDF's text layer may run a letter's head into one line: "ท่ี นร ๑๐๐๒/ว ๕๐ สำนัก… ๑๗
    พฤศจกิ ายน ๒๕๓๐ เรื่อง … เรียน … ดวยปรากฏวา …". Such a line (a number, then เรื่อง, then
    เรียน) is read as the lines it was: the number with what follows it up to the date (the
    sender and address, whose boundary the line no longer shows, so no issuer is taken), the
    date, เรื่อง, เรียน and the body from its opening word. Spans stay the source's."""
    out: list[Line] = []
    for line in lines:
        text = line.text
        num = _RUN_ON_NUMBER.search(text)
        subject = re.search(r"\sเรื่อง\s", text[num.end() :]) if num else None
        if subject is None:
            out.append(line)
            continue
        at_subject = num.end() + subject.start() + 1
        to = re.search(r"\sเรียน\s", text[at_subject:])
        if to is None:
            out.append(line)
            continue
        at_to = at_subject + to.start() + 1
        cuts = [num.start(1), at_subject, at_to]
        dates = list(DATE_RE.finditer(to_arabic_digits(text[:at_subject])))
        if (
            dates
            and dates[-1].start() > num.end()
            and not text[dates[-1].end() : at_subject].strip()
        ):
            cuts.insert(1, dates[-1].start())
        opener = _RUN_ON_OPENER.search(text, at_to)
        if opener:
            cuts.append(opener.start() + 1)
        if num.start(1) > 0:
            out.append(Line(line.start, line.start + num.start(1), text[: num.start(1)]))
        for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True):
            piece = text[a:b].rstrip()
            out.append(Line(line.start + a, line.start + a + len(piece), piece))
    return out


def _loose_number(line: Line) -> bool:
    return bool(_LOOSE_NUMBER.match(line.stripped)) and not _date_line(line.text)


def _head_end(lines: list[Line], i: int) -> int:
    """The last line of the head that starts at line i: its last keyword line before the body's
    first words (OCR leaves blank and noise lines between them), at least six lines on."""
    last = i + 6
    for j in range(i + 1, min(len(lines), i + 30)):
        s = lines[j].stripped
        if BODY_OPENERS.match(s) or CLAUSE_RE.match(s):
            break
        if any(kw_match(s, w) for w in ("เรื่อง", "เรียน", "ถึง", "อ้างถึง", "สิ่งที่ส่งมาด้วย")):
            last = max(last, j)
    return last


def _layout_for(lines: list[Line]) -> Layout:
    """A letter opened by its number: the first layout whose required keywords it has and
    whose forbidden ones it lacks (layouts.py: stamped, then external)."""
    found = set()
    for ln in lines:
        s = ln.stripped
        for word in ("เรื่อง", "เรียน", "ถึง", "อ้างถึง", "สิ่งที่ส่งมาด้วย"):
            if kw_match(s, word):
                found.add(word)
        for layout in LAYOUTS:
            for word in layout.closing:
                if starts_with(s, word):
                    found.add(word)
    for layout in LAYOUTS:
        if not layout.number_opens:
            continue
        if layout.requires and not any(all(w in found for w in req) for req in layout.requires):
            continue
        if any(w in found for w in layout.forbids):
            continue
        return layout
    return EXTERNAL


def is_noise(line: str) -> bool:
    """A row OCR makes of marks above a line ("a   al ~ a"): no run of three Thai letters, no
    Latin word, no number of four digits."""
    if not line.strip():
        return False
    if re.search(r"[\u0e01-\u0e4e]{3}", line) or re.search(r"[A-Za-z]{4}", line):
        return False
    return not re.search(r"[\d๐-๙]{4}", line)


def parse(
    text: str,
    source: str = SourceKind.TEXT,
    digits: list[dict] | None = None,
    doubts: list[dict] | None = None,
) -> ParseResult:
    """`digits`: the second reader's re-reads of an OCR'd text (`Extracted.digits`); None for a
    typed text. A number or date whose every digit it read surely is not flagged. `doubts`:
    the spans of an OCR'd text whose words Tesseract read unsurely or beside ink it did not read
    (`Extracted.doubts`): a field of words there is flagged, not taken."""
    received = text
    if source == SourceKind.OCR:
        # Blank the noise rows in place: every offset still points into the text received.
        text = "".join(
            (" " * len(raw.rstrip("\r\n")) + raw[len(raw.rstrip("\r\n")) :])
            if is_noise(raw)
            else raw
            for raw in text.splitlines(keepends=True)
        )
    lines = _split_run_on_heads(_join_broken_numbers(_lines(text)))
    letters = []
    # OCR and pdftotext put blank lines anywhere (page and block gaps): not paragraphs.
    ocr = source in (SourceKind.OCR, SourceKind.PDF_TEXT)
    taken: set[int] = set()
    below = subjects_below(lines)
    for seg in find_letters(lines, set(below.values())):
        part = lines[seg.start : seg.end]
        layout = seg.layout or _layout_for(part)
        above = lines[max(0, seg.start - 4) : seg.start]
        letters.append(read_letter(0, part, above, layout, ocr, cut=seg.cut))
        taken.update(range(seg.start, seg.end))
    # Letters a web page or a list reports in a line of running text, outside any letter.
    run_ons: list[tuple[Field, Flag]] = []
    mentions = find_mentions(lines, taken, wrapped=ocr, below=below, run_ons=run_ons)
    opened = {id(letter) for letter in letters}  # found as letters, not mentioned in a line
    letters += mentions
    letters.sort(key=lambda letter: letter.start)
    letters = _merge_repeated_titles(_merge_cited_only(letters), lines)
    letters = _merge_same_number(_merge_repeated_mentions(letters))
    # flagged once the letters are merged: a flagged subject has no value to tell two apart
    for f, flag in run_ons:
        if f.value and not f.flagged:
            f.flag(flag)
    if not letters:
        body = _body_only(lines)
        if body:
            letters.append(read_letter(0, body, [], BY_KIND[BODY_ONLY_KIND], ocr, cut=True))
    for index, letter in enumerate(letters):
        letter.index = index
    if len(letters) == 1:
        _credit(letters[0], lines)
    _link(letters)
    _check_dates(letters, text, source)
    if source == SourceKind.OCR:
        _distrust_ocr_digits(letters, text, digits or [], opened)
        _distrust_ocr_words(letters, text, doubts or [])
    return ParseResult(received, source, letters, list(digits or []), list(doubts or []))


def _merge_repeated_titles(letters: list[Letter], lines: list[Line] = ()) -> list[Letter]:
    """A web page heads a letter with its title: a title line with nothing under it, right
    above the letter of the same kind and subject (or, with no subject, the same title line),
    is that letter's (its parts fill the gaps)."""
    out: list[Letter] = []
    for letter in letters:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == letter.kind
            and any(lay.titles for lay in LAYOUTS if lay.kind == letter.kind)
            and not prev.fields["number"].value
            and not prev.value("body")
            and prev.value("date") is None
            and (
                _same_subject(prev.value("subject"), letter.value("subject"))
                or _same_title(prev, letter, lines)
            )
        ):
            for name, f in prev.fields.items():
                if letter.fields.get(name) is None or letter.fields[name].missing:
                    letter.fields[name] = f
            letter.start = prev.start
            out[-1] = letter
            continue
        out.append(letter)
    return out


def _merge_repeated_mentions(letters: list[Letter]) -> list[Letter]:
    """A news page names its one letter twice, in its lead and in the reporter's sentence
    ("มหาดไทย ส่งหนังสือด่วนที่สุด ถึง ผู้ว่าราชการทุกจังหวัด …" and "… ปลัดกระทรวงมหาดไทย ส่ง
    หนังสือด่วนที่สุด ถึงผู้ว่าราชการทุกจังหวัด …"): two letters named in running text, of one
    kind, with no number and no subject to tell them apart, no dates that differ and the same
    first addressee, are one (the lead may leave the number out that the report gives: "ผู้ว่า
    ราชการจังหวัด…ลงนามหนังสือด่วนที่สุดถึงนายอำเภอทุกอำเภอ …" then "… ลงนามหนังสือด่วนที่สุด
    ที่ กส 0023.3/ว4029 ลงวันที่ … ถึงนายอำเภอทุกอำเภอ …"); the fuller reading is kept, the other
    fills its gaps."""
    out: list[Letter] = []
    for letter in letters:
        prev = out[-1] if out else None
        if prev is not None and _one_mention(prev, letter):
            keep, other = (letter, prev) if _filled(letter) >= _filled(prev) else (prev, letter)
            for name, f in other.fields.items():
                if keep.fields.get(name) is None or keep.fields[name].missing:
                    keep.fields[name] = f
            keep.start = min(keep.start, other.start)
            out[-1] = keep
            continue
        out.append(letter)
    return out


def _body_only(lines: list[Line]) -> list[Line]:
    """The lines of a text that is only a letter's body: its first line opens as a body does
    (layouts.BODY_ONLY_OPENERS); none otherwise."""
    first = next((k for k, ln in enumerate(lines) if ln.stripped), None)
    opener = r"\s*(?:" + "|".join(re.escape(w) for w in BODY_ONLY_OPENERS) + ")"
    if first is None or not re.match(opener, lines[first].text):
        return []
    return lines[first:]


def _merge_same_number(letters: list[Letter]) -> list[Letter]:
    """A letter's number (ที่: the sender's code and its register number) is one letter's: a page
    that names a letter by its number ("หนังสือสำนักงาน… ที่ ชย 0032.006/3567", its title) and
    then gives the letter itself holds one letter, read twice. Two letters of one kind with the
    same number, whose dates and subjects do not differ, are one: the letter opened as such (or
    the fuller reading) is kept, the other fills its gaps."""
    out: list[Letter] = []
    for letter in letters:
        twin = next((prev for prev in out if _same_letter(prev, letter)), None)
        if twin is None:
            out.append(letter)
            continue
        keep, other = (twin, letter) if _fuller(twin, letter) else (letter, twin)
        for name, f in other.fields.items():
            if keep.fields.get(name) is None or keep.fields[name].missing:
                keep.fields[name] = f
        keep.references = keep.references or other.references
        keep.enclosures = keep.enclosures or other.enclosures
        keep.start, keep.end = min(keep.start, other.start), max(keep.end, other.end)
        out[out.index(twin)] = keep
    return out


def _same_letter(a: Letter, b: Letter) -> bool:
    na, nb = a.value("number"), b.value("number")
    if not (na and nb and a.kind == b.kind) or normalize_number(na) != normalize_number(nb):
        return False
    da, db = a.value("date"), b.value("date")
    sa, sb = a.value("subject"), b.value("subject")
    return not (da and db and da != db) and not (sa and sb and not _same_subject(sa, sb))


def _fuller(a: Letter, b: Letter) -> bool:
    """Whether `a` is the better reading to keep: the letter opened as such, else the fuller."""
    if a.cut != b.cut:
        return not a.cut
    return _filled(a) >= _filled(b)


def _filled(letter: Letter) -> int:
    return sum(1 for name in ALL_FIELDS if letter.value(name))


def _one_mention(a: Letter, b: Letter) -> bool:
    if not (a.cut and b.cut and a.kind == b.kind):
        return False
    # The lead names the letter without its number, the report with it: one number at most.
    if (a.fields["number"].value and b.fields["number"].value) or a.value("subject"):
        return False
    if b.value("subject") or a.references or b.references:
        return False
    da, db = a.value("date"), b.value("date")
    if da and db and da != db:
        return False
    first = [bare((x.value("recipients") or "").split("\n")[0]) for x in (a, b)]
    return bool(first[0]) and first[0] == first[1]


def _same_title(a: Letter, b: Letter, lines: list[Line]) -> bool:
    """Two letters that open with the same line (a page's title, then its heading)."""
    first = [next((ln.stripped for ln in lines if ln.start >= x.start), "") for x in (a, b)]
    return len(first[0]) >= 8 and bare(first[0]) == bare(first[1])


def _credit(letter: Letter, lines: list[Line]) -> None:
    """The office a page credits (layouts.CREDIT_LINES, or the line under a closing rule) issued
    its one letter, when the letter names no issuer. A credited name that stops partway through
    a longer name the text spells out ("ข้อมูลจาก : กรมส่งเสร", the page cut) is not taken."""
    if letter.value("issuer_name") or letter.fields["issuer_name"].flagged:
        return
    found = None
    for k, line in enumerate(lines):
        for pattern in CREDIT_LINES:
            m = re.match(pattern, line.text)
            if m:
                found = (line, m.start("office"), m.group("office"))
        s = line.stripped
        if CREDIT_AFTER_RULE and _SEPARATOR.match(s) and len(s) >= 6:
            after = next((ln for ln in lines[k + 1 :] if ln.stripped), None)
            if after is not None and len(after.stripped) <= 80 and after.start >= letter.start:
                found = (after, len(after.text) - len(after.text.lstrip()), after.stripped)
    if found is None:
        return
    line, at, office = found
    office = clean(office)
    if not re.search(_OFFICE_RE, office) or re.search(r"https?:|www\.", office):
        return
    fixed, notes = fix_words(office)  # OCR's "ท้องถิน" is ท้องถิ่น, as in every other field
    f = Field(fixed, line.start + at, line.start + at + len(office), 0.8, [], notes)
    f.notes.append("from the page's credit line")
    core = re.sub("^" + _OFFICE_RE, "", office)
    rest = "".join(ln.text + "\n" for ln in lines if ln is not line)
    if core and re.search(re.escape(core) + r"[ก-๙]", rest):
        return  # cut short: the text has no whole name to offer, so none is taken
    letter.fields["issuer_name"] = f


def _same_subject(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    a, b = bare(a.rstrip("ฯ ")), bare(b.rstrip("ฯ "))
    n = min(len(a), len(b), 30)
    return n >= 8 and a[:n] == b[:n]


def _merge_cited_only(letters: list[Letter]) -> list[Letter]:
    """A cut letter that is only อ้างถึง or สิ่งที่ส่งมาด้วย lines, right after another letter,
    is that letter's: a web page lists a letter's enclosures under the line naming it."""
    out: list[Letter] = []
    for letter in letters:
        bare = letter.cut and not any(
            f.value for name, f in letter.fields.items() if name in ALL_FIELDS
        )
        if bare and out and (letter.references or letter.enclosures):
            out[-1].references += letter.references
            out[-1].enclosures += letter.enclosures
            out[-1].end = letter.end
            continue
        out.append(letter)
    return out


def _field(lines: list[Line], value: str, confidence: float = 1.0) -> Field:
    fixed, notes = fix_words(value)
    return Field(
        fixed,
        lines[0].start if lines else -1,
        lines[-1].end if lines else -1,
        confidence if not notes else min(confidence, 0.8),
        [],
        notes,
    )


ALL_FIELDS = LETTER_PARTS  # every letter has them all, missing where its text does not


def _number_field(line: Line, raw: str, style: str) -> Field:
    """The number on `line` (`raw`: its text after ที่), read in the layout's style first."""
    # A letter's number is read as an order's (๑๒๓/๒๕๖๘) only when it has no letters before it.
    if style == "letter":
        bare_digits = re.match(r"^\s*[\d๐-๙]", raw)
        readers = (read_number, read_order_number) if bare_digits else (read_number,)
    else:
        readers = (read_order_number, read_number)
    found = None
    for reader in readers:
        value, problems, parts = reader(raw)
        if value:
            found = (value, problems, parts)
            break
        found = found or (value, problems, parts)
    value, problems, parts = found
    f = Field(value, line.start, line.end)
    for p in problems:
        f.flag(p)
    f.parts = parts
    return f


def read_letter(
    index: int, lines: list[Line], above: list[Line], layout: Layout, ocr: bool, cut: bool = False
) -> Letter:
    """One letter, read as its layout describes it: opening, head keywords, body, the date where
    the layout puts it, signature, contact. A part the text does not hold stays None, missing."""
    fields: dict[str, Field] = {name: Field.absent() for name in ALL_FIELDS}
    opening = lines[0] if lines else None
    start = _read_opening(layout, opening, fields, cut)
    fields["urgency"] = _urgency(opening, [*above, *lines[:2]])
    head = _read_head(layout, lines, start, ocr)
    date_line = _positional_parts(layout, head.positional, fields)
    date_line = _keyword_parts(layout, head, fields, date_line)
    _flag_strays(fields, head.strays)
    _head_date(layout, fields, date_line, cut)

    letter = Letter(index, lines[0].start if lines else -1, lines[-1].end if lines else -1, fields)
    letter.kind = str(layout.kind)
    letter.cut = cut
    for key, kind, bucket in (
        ("references", "reference", letter.references),
        ("enclosures", "enclosure", letter.enclosures),
    ):
        part = head.sections.get(key)
        if part:
            bucket.append(_cited(kind, part, head.keys[key].keywords[0]))

    body_lines, tail = _read_foot(layout, lines, head.end, fields)
    _body(letter, body_lines, ocr)
    if layout.signature == NONE:
        _contact(letter, tail)
    else:
        _signature(letter, tail)
    _authority(letter)
    return letter


@dataclass
class _Opening:
    """What a letter's first line gave beyond its fields: where the head goes on, and the lines
    it leaves to the head (the title line's rest) or to the positional parts (the issuer a
    column away from the number)."""

    next_line: int = 0
    head_lines: list[Line] = field(default_factory=list)
    positional: list[Line] = field(default_factory=list)


def _read_opening(
    layout: Layout, opening: Line | None, fields: dict[str, Field], cut: bool
) -> _Opening:
    """The opening line: the ที่ line of a letter's number, or a title (its issuer, subject,
    or an English date line)."""
    if opening is None:
        return _Opening()
    if layout.number_opens and (
        _HEAD_NUMBER.match(opening.stripped) or (not cut and _loose_number(opening))
    ):
        return _read_number_opening(layout, opening, fields)
    if layout.titles:
        m = _title(layout, opening.text)
        if m:
            return _read_title_opening(opening, m, fields)
    return _Opening()


def _read_number_opening(layout: Layout, opening: Line, fields: dict[str, Field]) -> _Opening:
    raw = re.sub(rf"^\s*(?:ท[{_MARKS}]*|\S{{1,4}}(?=\s))\s*", "", opening.stripped)
    raw = re.sub(r"\[\d+\]", "", raw)
    fields["number"] = _number_field(opening, raw, layout.number_style)
    # The issuer beside the number, a column away ("ที่ มท 0802.3/1393      กรมส่งเสริม…").
    m = NUMBER_RE.search(to_arabic_digits(opening.text))
    if m and layout.positional and re.match(r"\s{3,}[ก-๙]", opening.text[m.end() :]):
        gap = len(opening.text[m.end() :]) - len(opening.text[m.end() :].lstrip())
        return _Opening(1, positional=[opening.tail(m.end() + gap)])
    return _Opening(1)


def _read_title_opening(opening: Line, m: re.Match, fields: dict[str, Field]) -> _Opening:
    raw_issuer = m.groupdict().get("issuer") or ""
    # "ข้อบังคับของประธานศาลฎีกา": the issuer is what follows ของ (no office's name begins
    # with it).
    lead = re.match(rf"\s*(?:{ISSUER_OF}\s*)?", raw_issuer).end()
    issuer = raw_issuer[lead:].strip()
    if re.search(r"[ก-ฮ]{2}", issuer):  # not "ฯ" of "ข้อบังคับฯ"
        k = m.start("issuer") + lead
        fields["issuer_name"] = _field(
            [Line(opening.start + k, opening.start + m.end("issuer"), issuer)], issuer
        )
    english = m.groupdict().get("date_en")
    if english:  # a wire's date line in English: "Sunday December 6, 2015 10:55"
        try:
            day = dt.datetime.strptime(english, "%B %d, %Y").date()
        except ValueError:
            day = None
        if day is not None:
            k = m.start("date_en")
            fields["date"] = Field(
                day.isoformat(), opening.start + k, opening.start + m.end("date_en"), 0.9
            )
    subject = (m.groupdict().get("subject") or "").strip()
    if re.search(r"[ก-ฮ]{2}", subject):
        k = m.start("subject")
        fields["subject"] = _field(
            [Line(opening.start + k, opening.start + m.end("subject"), subject)], subject
        )
    rest = opening.text[m.end() :]
    return _Opening(1, head_lines=[opening.tail(m.end())] if rest.strip() else [])


def _urgency(opening: Line | None, near: list[Line]) -> Field:
    """ด่วนที่สุด, ด่วนมาก, ด่วน: above the letter or on its first two lines."""
    urgency = "normal"
    for line in near:
        for word, code in URGENCIES:
            if word in line.stripped:
                urgency = code
                break
    return Field(urgency, opening.start if opening else -1, opening.end if opening else -1, 0.9)


@dataclass
class _Head:
    """A letter's head as read: its keyword parts (each its lines and the part that named
    them), the unlabelled lines before the first keyword, and where the body begins."""

    sections: dict[str, list[Line]] = field(default_factory=dict)
    keys: dict[str, HeadPart] = field(default_factory=dict)
    positional: list[Line] = field(default_factory=list)
    # Parts read from the title's own line: running text may follow them.
    inline: set[str] = field(default_factory=set)
    # OCR: stray lines skipped right after a part, which may be its end (a subject's last words
    # set apart by the blank lines Tesseract puts anywhere): the part is flagged, not cut.
    strays: dict[str, list[Line]] = field(default_factory=dict)
    end: int = 0  # the first line of the body


def _read_head(layout: Layout, lines: list[Line], start: _Opening, ocr: bool) -> _Head:
    """Head: keyword parts, each to the next keyword; a line after a blank one continues a part
    only when it is its date (ลงวันที่ …). Unlabelled lines before the first keyword are the
    layout's positional parts (issuer, address, date). The body opens with ตามที่, ด้วย…."""
    head = _Head(positional=list(start.positional))
    i = start.next_line
    current, blank = None, False
    queue = list(start.head_lines)
    while True:
        if queue:
            line, at = queue.pop(0), None
        elif i < len(lines):
            line, at = lines[i], i
            i += 1
        else:
            break
        s = line.stripped
        if not s:
            blank = True
            continue
        if _closing(layout, s) or (layout.date_at == FOOT and _foot_intro(layout, s)):
            i = at if at is not None else i
            break
        hit = _head_part(layout, s)
        if hit:
            part, _m = hit
            line = _split_inline(layout, part, line, queue)
            current, blank = part.field, False
            head.sections[current] = [line]
            head.keys[current] = part
            if at is None:
                head.inline.add(current)
            continue
        if (
            current is None
            and layout.positional
            and not BODY_OPENERS.match(s)
            and not CLAUSE_RE.match(s)
        ):
            head.positional.append(line)
            continue
        ends = blank and _ends_subject(layout, current, head, s)
        if current and (not blank or starts_with(s, "ลงวันที่") or ends) and not BODY_OPENERS.match(s):
            if ends:  # "… พ.ศ. ๒๕๖๒ ลงวันที่ …": the title dates itself after its year
                line = _split_inline(layout, head.keys[current], line, queue)
            if not (_SEPARATOR.match(s) or re.match(r"^\(?\s*(พ\.\s?ศ\.|ฉบับที่)", s)):
                head.sections[current].append(line)
            blank = False
            continue
        if _SEPARATOR.match(s) or is_garbage(line.text) or re.match(r"^\(?\s*(พ\.\s?ศ\.|ฉบับที่)", s):
            continue
        # A stray line in the head (OCR): skipped when a keyword not yet seen follows closely.
        if not BODY_OPENERS.match(s) and not CLAUSE_RE.match(s):
            ahead = [ln.stripped for ln in lines[i : i + 4] if ln.stripped]
            if any(
                _head_part(layout, t) and _head_part(layout, t)[0].field not in head.sections
                for t in ahead
            ):
                if ocr and current is not None:
                    head.strays.setdefault(current, []).append(line)
                continue
        i = at if at is not None else i
        break
    head.end = i
    return head


def _ends_subject(layout: Layout, current: str | None, head: _Head, s: str) -> bool:
    """A line after a blank one that ends a subject which has not reached its end yet: a
    title's "ว่าด้วย …" ends with the title's year (`Layout.subject_ends`), so a subject line
    without it, a blank line (OCR, a PDF's text layer) and a line that holds it are one."""
    if current != "subject" or not layout.subject_ends or current not in head.sections:
        return False
    so_far = join_lines([ln.text for ln in head.sections[current]])
    if any(re.search(end, so_far) for end in layout.subject_ends):
        return False
    return any(re.search(end, s) for end in layout.subject_ends) and not _is_part(s)


def _split_inline(layout: Layout, part: HeadPart, line: Line, queue: list[Line]) -> Line:
    """A second keyword inside the line ("ที่ … วันที่ …"): the line splits there, its rest
    read next."""
    for other in layout.head:
        if not other.inline or other is part:
            continue
        for word in other.keywords:
            found = _inline_kw(word).search(line.text)
            if found:
                queue.insert(0, line.tail(found.start() + 1))
                line = Line(line.start, line.start + found.start(), line.text[: found.start()])
                break
    return line


def _positional_parts(layout: Layout, positional: list[Line], fields: dict[str, Field]):
    """Unlabelled head lines: the date line (returned), then the issuer and its address."""
    date_line = None
    rest = []
    for line in positional:
        arabic = to_arabic_digits(line.stripped)
        if (
            date_line is None
            and layout.date_at == HEAD
            and (
                re.match(r"^\d", arabic)
                or is_garbage(line.text)
                # a month and a year whose day OCR garbled: "ole เมษาฯ ๒๕๒๕"
                or re.search(rf"(?:{MONTH_RE})\s*(?:พ\.\s?ศ\.\s?)?\d{{4}}\s*$", arabic)
            )
        ):
            date_line = line
        else:
            rest.append(line)
    if date_line is not None and not find_dates(date_line.text):
        # The year on a line of its own under the day and month ("25  พฤศจิกายน" / "2546").
        k = positional.index(date_line)
        year = next((ln for ln in positional[k + 1 :] if ln.stripped), None)
        if year is not None and re.fullmatch(r"[\d๐-๙]{4}", year.stripped):
            joined = _joined(positional[k : positional.index(year) + 1])
            if find_dates(joined.text):
                date_line = joined
                rest = [ln for ln in rest if ln is not year]
    if rest and "issuer_name" in layout.positional:
        fields["issuer_name"] = _field(rest[:1], rest[0].stripped)
    if len(rest) > 1 and "issuer_address" in layout.positional:
        address = " ".join(ln.stripped for ln in rest[1:])
        fields["issuer_address"] = _field(rest[1:], address)
        code = re.search(r"(?<![\d.])(\d{3,6})\s*$", to_arabic_digits(address))
        if code and len(code.group(1)) != 5:
            fields["issuer_address"].flag(
                Flag("postcode", "รหัสไปรษณีย์ต้องมีห้าหลัก", "A postcode has five digits", [address])
            )
    return date_line


def _keyword_parts(layout: Layout, head: _Head, fields: dict[str, Field], date_line):
    """Each keyword part's text, its keyword cut off, into its field; a date part's line is the
    letter's date line (returned: the positional one otherwise)."""
    for name, part in head.sections.items():
        keyword = head.keys[name]
        joined = join_lines([ln.stripped for ln in part])
        m = next((kw_match(joined, w) for w in keyword.keywords if kw_match(joined, w)), None)
        value = joined[m.end() :].strip(" :") if m else joined
        if name in ("references", "enclosures"):
            continue
        if name == "number":
            fields["number"] = _number_field(part[0], value, layout.number_style)
        elif name == "date":
            date_line = part[0]
        elif value:
            if name == "subject":
                for end in layout.subject_ends:
                    value = re.sub(end, "", value).strip()
            if name in head.inline:
                stop = _MENTION_STOP.search(value)
                value = value[: stop.start()].strip() if stop else value
            if name == "issuer_name" and re.search(r"\.{5,}\s*$", value):
                continue  # a form's blank ("โรงเรียน......"): no office is named
            fields[name] = _field(part, value)
    if fields["recipients"].value:
        fields["recipients"].value = split_recipients(fields["recipients"].value)
    return date_line


def _flag_strays(fields: dict[str, Field], strays: dict[str, list[Line]]) -> None:
    """OCR: a part followed by lines set apart is flagged with its longer reading."""
    for name, skipped in strays.items():
        f = fields.get(name)
        if name in WORD_FIELDS and f is not None and f.value and not f.flagged:
            longer = join_lines([f.value, *(ln.text for ln in skipped)])
            reading = f.value
            f.flag(
                Flag(
                    "ocr_lines",
                    "บรรทัดถัดไปที่ OCR แยกออกมาอาจเป็นส่วนท้ายของช่องนี้: โปรดตรวจกับต้นฉบับ",
                    "A line OCR set apart after this part may be its end: check against the scan",
                    [reading, longer],
                )
            )


def _head_date(layout: Layout, fields: dict[str, Field], date_line, cut: bool) -> None:
    """The date in the head (a head-dated letter's, or a title line that dates itself)."""
    if layout.date_at == HEAD or date_line is not None:
        # A foot-dated letter may date itself in its title line ("… ลงวันที่ ๒๓ กันยายน ๒๕๖๒").
        fields["date"] = _date_field(date_line)
    whole = not cut and not fields["number"].missing  # opened by its number line
    if date_line is None and layout.date_at == HEAD and whole:
        # A whole letter's head (its number line to its เรื่อง) holds no date line: damaged.
        fields["date"].flag(
            Flag("date_missing", "ไม่พบบรรทัดวันที่ในหัวหนังสือ", "The head has no date line")
        )


def _read_foot(
    layout: Layout, lines: list[Line], j: int, fields: dict[str, Field]
) -> tuple[list[Line], list[Line]]:
    """Body to the foot: the courtesy close, the foot date, or the signature's name line. A
    foot-dated letter's date and (with foot_office) the office's stamp above it are read here.
    Returns the body's lines and what follows the foot (signature or contact)."""
    end = _foot(layout, lines, j)
    body_lines = lines[j:end]
    tail = lines[end:]
    if layout.date_at == FOOT and tail:
        date_at = next((k for k, ln in enumerate(tail[:3]) if ln.stripped), 0)
        foot_date, used = _foot_date(layout, tail, date_at)
        if not foot_date.missing or fields["date"].missing:
            fields["date"] = foot_date
        if layout.foot_office and end > j:
            body_lines = _foot_office(body_lines, fields)
        tail = tail[date_at + used :]
    elif tail and _closing(layout, tail[0].stripped):
        tail = tail[1:]
    return body_lines, tail


def _foot_office(body_lines: list[Line], fields: dict[str, Field]) -> list[Line]:
    """The office's name (the stamp) is the last line of text above the foot date: the issuer
    when the head named none. Returns the body without it."""
    office_at = next(
        (k for k in range(len(body_lines) - 1, -1, -1) if body_lines[k].stripped), None
    )
    office_line = body_lines[office_at].stripped if office_at is not None else ""
    if office_line and len(office_line) <= 80 and re.search(_OFFICE_RE, office_line):
        office = body_lines[office_at]
        if fields["issuer_name"].value is None:
            fields["issuer_name"] = _field([office], office.stripped)
        return body_lines[:office_at]
    return body_lines


def _foot(layout: Layout, lines: list[Line], j: int) -> int:
    """Where the body of a letter ends (the courtesy close, the foot date, or the signature)."""
    for k in range(j, len(lines)):
        s = lines[k].stripped
        if _closing(layout, s) or (
            layout.date_intro and layout.date_at == FOOT and _foot_intro(layout, s)
        ):
            return k
    if layout.date_at == FOOT:
        # No words before the date (a statement, a stamped letter, or an announcement whose
        # "ประกาศ ณ วันที่" was left out): the last line that is a date.
        dates = [k for k in range(j, len(lines)) if _date_line(lines[k].text)]
        if dates:
            return dates[-1]
    # No courtesy close: the body ends above the signature's name and the short lines over it.
    names = [k for k in range(j, len(lines)) if _NAME_LINE.fullmatch(lines[k].stripped)]
    if names:
        k = names[0]
        while k > j and (not lines[k - 1].stripped or len(lines[k - 1].stripped) <= 25):
            k -= 1
        return k
    return len(lines)


def _foot_date(layout: Layout, tail: list[Line], at: int) -> tuple[Field, int]:
    """The date at the foot (after สั่ง ณ วันที่, or a date line) and how many lines it took."""
    line = tail[at]
    m = _foot_intro(layout, line.stripped) if layout.date_intro else None
    if m is None and not _date_line(line.text):
        return Field.absent(), 0
    f = _date_field(line)
    if f.flagged and f.flags[0].code == "date_unreadable" and at + 1 < len(tail):
        # "ประกาศ ณ วันที่ ๑๕ มีนาคม" / "พ.ศ. ๒๕๖๘": the date wraps onto the next line.
        nxt = next((k for k in range(at + 1, min(len(tail), at + 3)) if tail[k].stripped), None)
        if nxt is not None:
            text = line.text + "\n" * (nxt - at) + tail[nxt].text
            wrapped = _date_field(Line(line.start, tail[nxt].end, text))
            if not (wrapped.flagged and wrapped.flags[0].code == "date_unreadable"):
                return wrapped, nxt - at + 1
    return f, 1


def _contact(letter: Letter, lines: list[Line]) -> None:
    """A letter with no signature (stamped, a statement): what follows its foot is contact."""
    _fill_contact(letter.fields, _contact_lines(lines))


def _fill_contact(f: dict[str, Field], contact: list[Line]) -> None:
    office = [ln for ln in contact if not re.match(r"^(โทร|ผู้ประสานงาน|E-?mail|อีเมล)", ln.stripped)]
    phone = [ln for ln in contact if starts_with(ln.stripped, "โทร")]
    if office:
        f["contact_office"] = _field(office, " ".join(ln.stripped for ln in office), 0.8)
    if phone:
        f["contact_phone"] = _field(phone[:1], phone[0].stripped, 0.7)


def _contact_lines(lines: list[Line]) -> list[Line]:
    """The contact block: lines that name an office, a phone, a coordinator or an address, from
    the first such line to the first line that does not (a web page's text after the letter)."""
    out = []
    for ln in lines:
        s = ln.stripped
        if not s or is_garbage(ln.text):
            continue
        if CONTACT_RE.match(s):
            out.append(ln)
        elif out:
            break
    return out


# --- letters reported inside running text -------------------------------------------------------

_NOUN_RE = re.compile("|".join(re.escape(n) for n in MENTION_NOUNS))
# A number as a mention writes it: a letter's (มท 0809.3/ว 3334), an order's (7/2562), or an
# OCSC circular's bare "ว 10".
_MENTION_NUMBER = re.compile(
    r"(?P<letter>[ก-ฮ]{1,3}\.?\s*[\d๐-๙]{3,5}(?:\.[\d๐-๙]{1,3})*\s*/\s*(?:ว\.?\s*)?[\d๐-๙]{1,6})"
    r"|(?P<order>(?<![\d๐-๙./])[\d๐-๙]{1,5}\s*/\s*[\d๐-๙]{4}(?![\d๐-๙]))"
    r"|(?P<circular>(?<![ก-ฮ])ว\.?\s*[\d๐-๙]{1,5}(?![\d๐-๙/]))"
    # Any other code after ที่: "ที่ อศจ.ว.อ 010" (a college's own numbering).
    r"|(?<=ที่\s)(?P<other>[ก-ฮ][ก-ฮ.]{1,12}\s*[\d๐-๙]{1,6})(?=\s|$)"
)
_MENTION_DATE = re.compile(
    r"(?:" + "|".join(re.escape(w) for w in MENTION_DATE_WORDS) + r")\s*(?=[\d๐-๙])"
)
_MENTION_FOOT_DATE = re.compile(
    r"\(?\s*(?:" + "|".join(r"\s*".join(w.split()) for w in MENTION_FOOT_DATE_WORDS) + r")\s*"
)
_MENTION_STOP = re.compile(
    r"\s+(?:" + "|".join(MENTION_STOPS) + r"|>>|https?://)|\s{2,}|\[\d+\]|\s*\(?ลงวันที่"
    r"|\s*" + _MENTION_FOOT_DATE.pattern
)
# ขอให้ ends the addressees even where OCR lost the space before it ("…ทั่วประเทศขอให้จัด…").
_RECIPIENT_STOP = re.compile(
    _MENTION_STOP.pattern + r"|\s+(?:" + "|".join(RECIPIENT_STOPS) + r")|(?<=[ก-๙])ขอให้"
)


# ถึง/แจ้ง may cling to the word before ("หนังสือด่วนที่สุดถึงผู้อำนวยการ"): the addressee's title
# after them is what makes them a part.
_ADDRESSEE = (
    r"(?:"
    + "|".join(ADDRESSED_ONLY)
    + r")\s*(?=(?:"
    + "|".join(RECIPIENT_TITLES + OFFICE_WORDS)
    + "))"
)


def _quoted_from(text: str, at: int) -> re.Match | None:
    """After a noun at `at`: "จาก<office> ระบุว่า …", a letter's sender, then its quotation."""
    quotes = "|".join(MENTION_QUOTES)
    return re.compile(rf"\s*{MENTION_FROM}\s*(?P<office>{_OFFICE_RE}\S*?)\s*(?:{quotes})").match(
        text, at
    )


def _mention_evidence(text: str, at: int) -> bool:
    """The noun at `at` names a letter: a number or a date follows before its subject."""
    if _quoted_from(text, _NOUN_RE.match(text, at).end()):
        return True
    window = text[at : at + 160]
    cut = re.search(r"เรื่อง", window)
    head = window[: cut.start()] if cut else window
    if _MENTION_NUMBER.search(head) or _MENTION_DATE.search(head):
        return True
    addressed = re.search(r"\sเรียน\s", window) or re.search(_ADDRESSEE, window[:40])
    sent = re.search(_SENDS_RE, text[:at])
    if addressed and ("เรื่อง" in window or sent):
        return True
    if _office_dated(text, _NOUN_RE.match(text, at).end()):
        return True  # "ประกาศกระทรวงมหาดไทย 8 ม.ย.63": named by its office, then its date
    # "<อธิบดี…> ออกประกาศกรมอุตุนิยมวิทยา เรื่อง …": sent, named by its office, with a subject.
    noun = _NOUN_RE.match(text, at)
    return bool(sent and "เรื่อง" in window and re.match(_OFFICE_RE, text[noun.end() :]))


def _office_dated(text: str, at: int) -> re.Match | None:
    """The date right after an office's name at `at` ("กระทรวงมหาดไทย 8 ม.ย.63"), if any."""
    office = re.match(_OFFICE_RE + r"\S*\s+", text[at:])
    if office is None:
        return None
    return DATE_RE.match(to_arabic_digits(text), at + office.end())


def _mention_starts(text: str) -> list[int]:
    """Where the nouns of the letters a line of running text names begin."""
    # A noun that opens a subject ("เรื่อง ประกาศกำหนด…") names no letter of its own.
    return [
        m.start()
        for m in _NOUN_RE.finditer(text)
        if _mention_evidence(text, m.start())
        and not re.search(r"เรื่อง\s*$", text[: m.start()])
        and not re.match(r"\s*ณ\s", text[m.end() :])  # ประกาศ ณ วันที่: a date's words
    ]


_SUBJECT_KW = re.compile(r"(?<![ก-๙])" + loose("เรื่อง") + r"(?!เดิม)")
_SUBJECT_AT_END = re.compile(_SUBJECT_KW.pattern + r"\s*[:：]?\s*$")
# Blank lines a web page's or OCR's break may leave between a letter's name and its subject.
SUBJECT_BELOW_WITHIN = 3


def subjects_below(lines: list[Line]) -> dict[int, int]:
    """A line naming a letter by its number or date ("หนังสือกรม… ที่ … ลงวันที่ …") whose
    subject is not on it, because the line was broken after its เรื่อง or before it (a web
    page's list, OCR's line breaks, blank lines between): the next line that is not blank,
    within `SUBJECT_BELOW_WITHIN`, holds the subject, when the named letter's line ends with
    เรื่อง or that line begins with it. {line naming the letter: the subject's line}. Such a
    subject line opens no letter of its own, whatever it begins with (a subject that names a
    regulation, "ระเบียบกระทรวง… ว่าด้วย …", is no regulation's title)."""
    found: dict[int, int] = {}
    for k, line in enumerate(lines):
        if not line.stripped:
            continue
        starts = _mention_starts(line.text)
        if not starts:
            continue
        last = line.text[starts[-1] :].replace("ํา", "ำ")
        nxt = next(
            (
                j
                for j in range(k + 1, min(len(lines), k + 1 + SUBJECT_BELOW_WITHIN + 1))
                if lines[j].stripped
            ),
            None,
        )
        if nxt is None or nxt - k - 1 > SUBJECT_BELOW_WITHIN:
            continue
        if _SUBJECT_AT_END.search(last) or (
            not _SUBJECT_KW.search(last) and kw_match(lines[nxt].stripped, "เรื่อง")
        ):
            found[k] = nxt
    return found


def find_mentions(
    lines: list[Line],
    taken: set[int],
    wrapped: bool = False,
    below: dict[int, int] | None = None,
    run_ons: list | None = None,
) -> list[Letter]:
    """Letters named in running text, line by line. `wrapped`: the source breaks lines at the
    page's width (OCR, a PDF's text layer), so a part at a line's end runs on to the next.
    `below`: the lines whose named letter's subject stands on a line below (`subjects_below`);
    `run_ons` gets the flags of such subjects that may run on over a blank line."""
    below = below or {}
    run_ons = [] if run_ons is None else run_ons
    out = []
    for k, line in enumerate(lines):
        if k in taken or not line.stripped:
            continue
        text = line.text
        starts = _mention_starts(text)
        for n, at in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(text)
            more = []
            last = n + 1 == len(starts)
            if last and k in below:
                more = _run_on(lines, below[k], [lines[below[k]]])
            elif wrapped and last:
                more = _run_on(lines, k, [])
            letter = read_mention(line, at, end, more)
            if letter is not None and last and k in below:
                flag = _subject_below(letter, line, at, end, lines, below[k], more, wrapped)
                if flag is not None:
                    run_ons.append((letter.fields["subject"], flag))
            if letter is not None:
                out.append(letter)
    return out


def _run_on(lines: list[Line], k: int, more: list[Line], blanks: bool = False) -> list[Line]:
    """`more` and the lines after line `k` a paragraph runs on to: OCR leaves a blank line
    inside a paragraph, so over it, then to the next blank (two lines at most); with `blanks`,
    over every blank line (a source that sets each line apart), to a line that names another
    letter, opens a part or a bracket, two lines at most."""
    more = list(more)
    for nxt in lines[k + 1 : k + 7 if blanks else k + 5]:
        if not nxt.stripped:
            if more and not blanks:
                break
            continue
        s = nxt.stripped
        if _NOUN_RE.match(s) or s[0] == "(" or len(more) == 2 or (blanks and _is_part(s)):
            break
        more.append(nxt)
    return more


def _subject_below(
    letter: Letter, line: Line, at: int, end: int, lines: list[Line], j: int, more, wrapped
) -> Flag | None:
    """The subject of a letter named on `line` that stands on line `j` below it (after the
    line's closing เรื่อง, or after its own): read to the first blank line; when the source
    sets its lines apart with blank lines (OCR, a PDF's text layer) and a line that may go on
    with it follows the blank, the subject is flagged with that longer reading (up to the
    letter's number or date, which end a subject) as a candidate: it may have been cut (the
    flag, given back to be raised once the letters are merged)."""
    if letter.fields["subject"].missing:
        subject = _subject_line(more)
        if subject is None:
            return None
        letter.fields["subject"] = subject
    f = letter.fields["subject"]
    if not wrapped or not f.value or f.flagged:
        return None
    longer_lines = _run_on(lines, j, [lines[j]], blanks=True)
    if len(longer_lines) <= len(more):
        return None
    other = read_mention(line, at, end, longer_lines)
    longer = other.fields["subject"] if other is not None else None
    if longer is None or longer.missing:
        longer = _subject_line(longer_lines)
    if longer is None or not longer.value:
        return None
    value = _MENTION_NUMBER_OR_DATE.split(longer.value, maxsplit=1)[0].strip()
    if not value or value == f.value:
        return None
    return Flag(
        "ocr_lines",
        "บรรทัดถัดไปที่ OCR แยกออกมาอาจเป็นส่วนท้ายของช่องนี้: โปรดตรวจกับต้นฉบับ",
        "A line OCR set apart after this part may be its end: check against the scan",
        [f.value, value],
    )


# A letter's number ("มท 0810.5/ว.617") or its date's words after a subject end the subject.
_MENTION_NUMBER_OR_DATE = re.compile(
    r"\s+(?=[ก-ฮ]{1,3}\.?\s*[\d๐-๙]{3,5}(?:\.[\d๐-๙]{1,3})*\s*/)|\s*\(?\s*ลง\s*วันที่"
)


def _subject_line(more: list[Line]) -> Field | None:
    """The subject a line below a named letter gives after its เรื่อง, on to a stop."""
    first = more[0]
    m = _kw_cached("เรื่อง").match(first.text.replace("ํา", "ำ"))
    if m is None:
        return None
    run = join_lines([first.text[m.end() :], *(ln.text for ln in more[1:])])
    stop = _MENTION_STOP.search(run)
    value = (run[: stop.start()] if stop else run).strip(" :")
    if not value:
        return None
    return _field([Line(first.start + m.end(), more[-1].end, value)], fix_words(value)[0])


def read_mention(line: Line, at: int, end: int, more: list[Line] = ()) -> Letter | None:
    """A letter named in a line of running text at `at` (its noun) up to `end`: its parts,
    each after its keyword; `more`, the lines a wrapped source runs its last part on to."""
    text = line.text[:end]
    noun = _NOUN_RE.match(text, at)
    kind = MENTION_NOUNS[noun.group(0)]
    fields: dict[str, Field] = {name: Field.absent() for name in ALL_FIELDS}
    pos = noun.end()
    mention = _Mention(line, text)
    marks, num = _mention_marks(text, pos)
    quoted = _quoted_from(text, pos)
    if quoted and not marks:
        # Named by its sender and quoted: the sender is all the text gives of its head.
        fields["issuer_name"] = mention.field(
            quoted.start("office"), quoted.end("office"), quoted["office"]
        )
        fields["urgency"] = Field("normal", line.start + at, line.start + end, 0.9)
        return _mentioned(Letter(0, line.start + at, line.start + end, fields, kind=str(kind)))
    if not marks:
        return None
    urgency = "normal"
    for word, code in URGENCIES:
        if word in text[pos : marks[0][0]]:
            urgency = code
            break
    fields["urgency"] = Field(urgency, line.start + at, line.start + end, 0.9)
    issuer = _mention_issuer(text[pos : marks[0][0]])
    if issuer:
        k = text.find(issuer, pos)
        fields["issuer_name"] = mention.field(k, k + len(issuer), issuer)
    _sender(fields, line, text[:at])
    for k, (a, b, name) in enumerate(marks):
        nxt = marks[k + 1][0] if k + 1 < len(marks) else len(text)
        if name == "number":
            fields["number"] = mention.number(num, a, b)
        elif name == "date":
            f = mention.date(b, nxt)
            if f is not None:
                fields["date"] = f
        else:
            f = mention.words(name, b, nxt, more)
            if f is not None:
                fields[name] = f
    if fields["recipients"].value:
        fields["recipients"].value = split_recipients(fields["recipients"].value)
    dated = mention.sentence_date(at) if fields["date"].missing else None
    if dated is not None:
        fields["date"] = dated
    return _mentioned(Letter(0, line.start + at, line.start + end, fields, kind=str(kind)))


def _mentioned(letter: Letter) -> Letter:
    """A mentioned letter is a cut one: its body empty, its authority from its parts."""
    letter.cut = True
    _body(letter, [], False)
    _authority(letter)
    return letter


def _mention_marks(text: str, pos: int) -> tuple[list[tuple[int, int, str]], re.Match | None]:
    """Where each part of a letter named at `pos` begins, in order: (start, end of its
    keyword, field); and the number's match, if the letter has one."""
    # The parts, each from its keyword to the next one.
    marks = []
    titles = "|".join(RECIPIENT_TITLES + OFFICE_WORDS)
    for word, name in MENTION_PARTS:
        # ถึง names recipients only before an addressee's title: "ถึงผู้ว่าราชการจังหวัด".
        right = rf"\s*(?=(?:{titles}))" if word in ADDRESSED_ONLY else _boundary(word)
        left = "" if word in ADDRESSED_ONLY else r"(?<![ก-๙])"
        m = re.compile(left + loose(word) + right).search(text, pos)
        if m and not any(name == other for _a, _b, other in marks):
            marks.append((m.start(), m.end(), name))
    first_part = min([m[0] for m in marks], default=len(text))
    num = _mention_number(text, pos, first_part)
    if num:
        marks.append((num.start(), num.end(), "number"))
    # Its date: after ลงวันที่ (ลว., ลง) before the subject, or right after its number; after
    # สั่ง ณ วันที่ (ประกาศ ณ วันที่) anywhere.
    foot = _MENTION_FOOT_DATE.search(text, pos)
    for date_kw in _MENTION_DATE.finditer(text, pos):
        if date_kw.start() < first_part or (num and 0 <= date_kw.start() - num.end() <= 3):
            marks.append((date_kw.start(), date_kw.end(), "date"))
            break
    else:
        if foot:
            marks.append((foot.start(), foot.end(), "date"))
    dated = _office_dated(text, pos)
    if dated and not any(name == "date" for _a, _b, name in marks):
        marks.append((dated.start(), dated.start(), "date"))
    marks.sort()
    return marks, num


def _mention_number(text: str, pos: int, first_part: int) -> re.Match | None:
    """The number of a letter named at `pos`, if it has one (`first_part`: where its first
    keyword part begins)."""
    num = _MENTION_NUMBER.search(text, pos)
    # After the subject only a letter's own number shape counts, or an announcement's running
    # number after its issue: "เรื่อง … ฉบับที่ 1 (204/2568)".
    issue = num and re.search(r"ฉบับที่\s*[\d๐-๙]+\s*\(\s*$", text[: num.start()])
    if num and num.start() > first_part and not num.group("letter") and not issue:
        return None
    # An order's number follows ที่ (ฉบับที่) as a word of its own: "ภาคเรียนที่ ๑/๒๕๕๕",
    # "ครั้งที่ ๒/๒๕๖๘" count a term or a meeting, not a letter.
    before = text[pos : num.start()] if num else ""
    if (
        num
        and num.group("order")
        and re.search(rf"[ก-๙]ท[{_MARKS}]*\s*$", before)
        and not re.search(rf"ฉบับ\s*ท[{_MARKS}]*\s*$", before)
    ):
        return None
    return num


def _mention_issuer(issuer: str) -> str | None:
    """The words between a letter's noun and its first part name its issuer ("หนังสือ
    กรมบัญชีกลาง ด่วนที่สุด ที่ …"), its urgency and the ที่ before its number aside."""
    for word, _code in URGENCIES:  # marks optional: OCR reads ด่วนที่สุด as ด่วนทีสุด
        issuer = re.sub(loose(word), " ", issuer)
    tee = rf"(?:ท[{_MARKS}]*|N)"  # ที่, or OCR's ที or N
    issuer = re.sub(rf"(?:\s*(?:ฉบับ)?{tee}\s*)+$|\s*ฉบับ$", "", issuer)
    issuer = re.sub(rf"^\s*{tee}(?:\s+[ก-ฮ]{{1,3}}\.?(?=\s|$))?(?=\s|$)", "", issuer)
    issuer = issuer.strip(" :,(")
    if len(issuer) >= 2 and not re.match(r"^[\d๐-๙]", issuer):
        return issuer
    return None


@dataclass
class _Mention:
    """The line a letter is named in, and how each of its parts is read there (offsets are the
    line's)."""

    line: Line
    text: str

    def field(self, a: int, b: int, value: str) -> Field:
        start = self.line.start
        return _field([Line(start + a, start + b, self.text[a:b])], value)

    def number(self, num: re.Match, a: int, b: int) -> Field:
        raw = num.group(0)
        if num.group("other"):
            return self.field(a, b, " ".join(raw.split()))
        if num.group("circular"):
            digits = re.sub(r"\D", "", to_arabic_digits(raw))
            value = "ว " + (to_thai_digits(digits) if re.search("[๐-๙]", raw) else digits)
            f = self.field(a, b, value)
            f.parts = {"serial": digits}
            return f
        style = "letter" if num.group("letter") else "order"
        return _number_field(Line(self.line.start + a, self.line.start + b, raw), raw, style)

    def date(self, b: int, nxt: int) -> Field | None:
        """The date right after its keyword (ending at `b`), if there is one."""
        start = self.line.start
        found = find_dates(self.text[b:nxt], start + b)
        if not (found and found[0].start - (start + b) <= 2):
            return None
        d = found[0]
        f = Field(None, d.start, d.end)
        for p in d.problems:
            f.flag(p)
        if not d.problems:
            f.value = d.first().isoformat()
        return f

    def words(self, name: str, b: int, nxt: int, more: list[Line]) -> Field | None:
        """A part of words (subject, recipients) from its keyword's end `b` to the next part
        or a stop; on into `more` when it runs past the line's end."""
        start = self.line.start
        stops = _RECIPIENT_STOP if name == "recipients" else _MENTION_STOP
        value = self.text[b:nxt]
        stop = stops.search(value)
        if stop is None and nxt == len(self.text) and more:
            # The part runs on past the line's end (a wrapped source): to a stop or a blank.
            run = join_lines([value, *(ln.text for ln in more)])
            stop = stops.search(run)
            value = run[: stop.start()] if stop else run
            if value.strip():
                return _field(
                    [Line(start + b, more[-1].end, value)], fix_words(value.strip(" :"))[0]
                )
            return None
        value = (value[: stop.start()] if stop else value).strip(" :")
        if name == "subject":  # its issue before the number: "… ฉบับที่ 1 ("
            value = re.sub(r"\s*(?:ฉบับที่\s*[\d๐-๙]+)?\s*\(?\s*$", "", value)
        return self.field(b, b + len(value), fix_words(value)[0]) if value else None

    def sentence_date(self, at: int) -> Field | None:
        """ "เมื่อวันที่ ๑๐ กุมภาพันธ์ ๒๕๖๔ … ได้มีหนังสือ": the sentence before the noun at `at`
        dates the letter."""
        start = self.line.start
        before = list(find_dates(self.text[:at], start))
        if before and re.search(r"(?:วันที่|\(|^)\s*$", self.text[: before[-1].start - start]):
            d = before[-1]
            if not d.problems:
                return Field(d.first().isoformat(), d.start, d.end, 0.8)
        return None


_OFFICE_RE = "(?:" + "|".join(OFFICE_WORDS) + ")"
_SENDS_RE = r"\s*(?:" + "|".join(MENTION_SENDS) + r")$"


def _sender(fields: dict[str, Field], line: Line, prefix: str) -> None:
    """The sender a news text names just before the letter: an office ("สำนักงาน… (สพฐ.) มี"),
    or a person and their position ("นายประยูร รัตนเสนีย์ อธิบดีกรม… ได้มี")."""
    m = re.search(_SENDS_RE, prefix)
    if not m:
        return
    head = prefix[: m.start()].rstrip()
    head = re.sub(r"\s*\([^()]{1,20}\)$", "", head)  # the office's initials
    name = r"(?P<name>(?:นาย|นางสาว|นาง|น\.ส\.|ดร\.)\S+\s+\S+)\s+"
    position = r"(?P<pos>(?:" + "|".join(POSITION_WORDS) + r")\S*"
    person = re.search(name + position + ")$", head)
    if person is None:
        # The position in more than one word, up to the verb: its province abbreviated
        # ("ผู้ว่าราชการ จ.กาฬสินธุ์"), or a second title after it ("ปลัดกระทรวงมหาดไทย
        # หัวหน้าผู้รับผิดชอบในการแก้ไขสถานการณ์ฉุกเฉิน…"): the words as written.
        person = re.search(name + position + r"(?:\s+\S+){1,12})$", head)
    if person:
        a = line.start
        if fields["signatory"].missing:
            fields["signatory"] = Field(
                person["name"], a + person.start("name"), a + person.end("name"), 0.8
            )
            fields["signatory_position"] = Field(
                person["pos"], a + person.start("pos"), a + person.end("pos"), 0.8
            )
        office = re.sub("^(?:" + "|".join(POSITION_WORDS) + ")", "", person["pos"].split()[0])
        # The head of a กรม, a กระทรวง, a จังหวัด heads that office; a committee's secretary
        # (เลขาธิการคณะกรรมการ…) heads its office, not the committee: no issuer from it.
        if (
            fields["issuer_name"].missing
            and re.match(_OFFICE_RE, office)
            and not office.startswith("คณะ")
        ):
            fields["issuer_name"] = Field(
                office, a + person.end("pos") - len(office), a + person.end("pos"), 0.8
            )
        return
    office = re.search(rf"(?:^|[\s)])(?P<office>{_OFFICE_RE}\S*)$", head)
    # A position with no name: the office it heads ("ผู้ว่าราชการจังหวัดกาฬสินธุ์ลงนามหนังสือ…").
    office = office or re.search(
        r"(?:^|[\s)])(?:" + "|".join(POSITION_WORDS) + rf")(?P<office>{_OFFICE_RE}\S*)$", head
    )
    if office and fields["issuer_name"].missing:
        a = line.start
        fields["issuer_name"] = Field(
            office["office"], a + office.start("office"), a + office.end("office"), 0.8
        )


def split_recipients(value: str) -> str:
    """'นายอำเภอ ทุกอำเภอ นายก… และนายก…' -> one addressee a line."""
    pattern = "|".join(re.escape(t) for t in RECIPIENT_TITLES)
    pieces = re.split(rf"\s+(?:และ\s*)?(?=(?:และ)?(?:{pattern}))", value)
    out = [re.sub(r"^และ\s*", "", p).strip() for p in pieces]
    return "\n".join(p for p in out if p)


def _date_field(line: Line | None) -> Field:
    if line is None:
        return Field.absent()
    f = Field(None, line.start, line.end)
    f.notes.append(f"as written: {line.stripped}")
    dates = find_dates(line.text, line.start)
    if not dates:
        f.flag(
            Flag(
                "date_unreadable",
                f"อ่านวันที่ไม่ได้: “{line.stripped}”",
                f"The date cannot be read: “{line.stripped}”",
            )
        )
        return f
    d = dates[0]
    for p in d.problems:
        f.flag(p)
    if not d.problems:
        f.value = d.first().isoformat()
    return f


def _cited(kind: str, part: list[Line], key: str) -> Cited:
    joined = join_lines([ln.text for ln in part])
    opened = kw_match(joined, key) or starts_with(joined, key)  # "(อ้างถึง …" too
    raw = joined[opened.end() if opened else 0 :].strip()
    text_value, notes = fix_words(raw)
    text_field = Field(text_value, part[0].start, part[-1].end, 0.9 if notes else 1.0, [], notes)
    # "ที่ มท ๐๘๐๘.๔/ว ๑๕๔๑" (OCR: "ที มท …"), else a number standing alone in the line.
    m = re.search(r"(?<![ก-๙])ที่?\s+(.+?)(?=\s+(?:ลงวันที่|ลว\.|จำนวน)|$)", raw) or re.search(
        r"(?<![ก-ฮ])([ก-ฮ]{1,3}\.?\s*[\d๐-๙]{3,5}(?:\.[\d๐-๙]{1,3})*\s*"
        r"(?:/\s*(?:ว\.?)?\s*[\d๐-๙]+|ว\.?\s*[\d๐-๙]+)?)",
        raw,
    )
    number = Field(None, part[0].start, part[-1].end)
    if m:
        value, problems, parts = read_number(m.group(1))
        number.value = value
        number.parts = parts
        if value and re.search(r"/\S*/", to_arabic_digits(m.group(1))):
            problems.append(
                Flag(
                    "number_malformed",
                    f"เลขที่ “{m.group(1)}” มีเครื่องหมาย / เกิน",
                    f"The number “{m.group(1)}” has a stray '/'",
                )
            )
        for p in problems:
            number.flag(p)
    else:
        number.flag(Flag("number_missing", "ไม่พบเลขที่หนังสือ", "No number found"))
    date = Field(None, part[0].start, part[-1].end)
    # Only the date after ลงวันที่ (a number such as ๑ ชุด must not be read as a day).
    after = re.search(_KEYWORD_RES["ลงวันที่"].pattern.removeprefix("^\\s*") + r"|ลว\.", raw)
    dates = find_dates(raw[after.end() :]) if after else []
    if dates:
        d = dates[0]
        for p in d.problems:
            date.flag(p)
        if not d.problems:
            date.value = d.first().isoformat()
    else:
        tail = raw[after.end() :].strip() if after else ""
        date.flag(
            Flag(
                "date_unreadable",
                f"อ่านวันที่ที่อ้างถึงไม่ได้: “{tail}”",
                f"The cited date cannot be read: “{tail}”",
            )
        )
    return Cited(kind, text_field, number, date)


def _body(letter: Letter, lines: list[Line], ocr: bool) -> None:
    """Paragraphs split at blank lines (OCR puts blank lines anywhere: there only at clauses)."""
    paragraphs: list[list[Line]] = []
    block: list[Line] = []
    for line in lines:
        s = line.stripped
        if not s and ocr:
            continue
        if not s:
            if block:
                paragraphs.append(block)
                block = []
            continue
        if is_garbage(line.text) or line.text.lstrip().startswith("#"):
            continue  # a stray line of the scan
        # A numbered clause starts a paragraph even without a blank line before it.
        if block and CLAUSE_RE.match(s):
            paragraphs.append(block)
            block = []
        block.append(line)
    if block:
        paragraphs.append(block)
    for p in paragraphs:
        value = join_lines([ln.text for ln in p])
        f = _field(p, value)
        letter.paragraphs.append(f)
        if CLAUSE_RE.match(value):
            letter.clauses.append(f)
    letter.fields["body"] = Field(
        "\n\n".join(p.value for p in letter.paragraphs),
        lines[0].start if lines else -1,
        lines[-1].end if lines else -1,
        min([p.confidence for p in letter.paragraphs] or [1.0]),
    )


def _signature(letter: Letter, lines: list[Line]) -> None:
    useful = [ln for ln in lines if ln.stripped and not is_garbage(ln.text)]
    name_at = next(
        (k for k, ln in enumerate(useful) if re.fullmatch(r"\(\s*.+?\s*\)", ln.stripped)), None
    )
    f = letter.fields
    if name_at is None:
        f["signatory"] = Field.absent()
        f["signatory_position"] = Field.absent()
        contact = _contact_lines(useful)
    else:
        name_line = useful[name_at]
        name = name_line.stripped.strip("() ")
        rank = ""
        unclear = []
        for ln in useful[:name_at]:
            m = RANKS.search(ln.stripped)
            damaged = next((r for r in RANK_WORDS if bare(r) in bare(ln.stripped)), None)
            if m or damaged:
                rank = m.group(1) if m else damaged
            elif re.search(r"[ก-ฮ]{3}", ln.stripped):
                unclear.append(ln.stripped)
        f["signatory"] = Field(
            f"{rank} {name}".strip(), name_line.start, name_line.end, 0.9 if rank else 1.0
        )
        if unclear and not rank:
            # A line between the courtesy and the name may be a rank (ว่าที่ร้อยตรี) OCR damaged.
            f["signatory"].flag(
                Flag(
                    "signatory_prefix",
                    "มีข้อความเหนือชื่อผู้ลงนามที่อ่านไม่ชัด (อาจเป็นยศ): โปรดตรวจ",
                    "A line above the signatory's name is unclear (a rank?): check it",
                    [name, *(f"{u} {name}" for u in unclear)],
                )
            )
        # The position: the lines after the name up to a blank line or the contact block.
        position = []
        k = lines.index(name_line) + 1
        while k < len(lines) and not lines[k].stripped:
            k += 1
        while k < len(lines):
            if not lines[k].stripped:
                # OCR leaves blank lines inside a position: "…ปฏิบัติราชการแทน", "", "อธิบดี…"
                upcoming = next((ln for ln in lines[k + 1 :] if ln.stripped), None)
                if upcoming is None or not POSITION_TITLES.match(upcoming.stripped):
                    break
                k += 1
                continue
            if CONTACT_RE.match(lines[k].stripped) or len(position) >= 3:
                break
            position.append(lines[k])
            k += 1
        if position:
            value = " ".join(ln.stripped for ln in position)
            f["signatory_position"] = _field(position, value, 0.9)
        contact = _contact_lines(lines[k:])
    _fill_contact(f, contact)


def _authority(letter: Letter) -> None:
    parts = letter.fields["number"].parts
    issuer = letter.value("issuer_name") or ""
    authority, province = None, None
    if parts.get("prefix") == "มท" and str(parts.get("code", "")).startswith("08"):
        authority = "dla"
    elif "กรมส่งเสริมการปกครองท้องถิ่น" in issuer:
        authority = "dla"
    elif "อำเภอ" in issuer:
        authority = "district"
    elif "จังหวัด" in issuer:
        authority = "province"
    m = re.search(r"จังหวัด(\S+)", issuer)
    if m:
        province = m.group(1)
    letter.fields["authority"] = Field(authority, confidence=0.8 if authority else 0.0)
    letter.fields["province_name"] = Field(province, confidence=0.8 if province else 0.0)


def _parts(f: Field) -> dict:
    return f.parts


# --- across letters: the forwarded letter, date sanity, OCR digits ---------------------------


def _link(letters: list[Letter]) -> None:
    """An enclosure naming a later letter of the document (same issuing unit, same serial or
    an unreadable one) links the two: the first forwards the second. Where OCR damaged both
    numbers, an enclosure that names the issuer of the letter right after it links them too."""
    for letter in letters:
        for cited in letter.enclosures + letter.references:
            other = _cited_letter(letter, cited, letters)
            if other is None:
                continue
            cited.target = other.index
            if cited.kind == "enclosure":
                letter.forwards = other.index
            # The enclosure line is a second witness for a damaged or missing number or date.
            for name, th, en in (
                ("number", "ไม่พบเลขที่หนังสือ", "The letter's number is not in the text"),
                ("date", "ไม่พบวันที่ของหนังสือ", "The letter's date is not in the text"),
            ):
                own, witness = other.fields[name], getattr(cited, name).value
                if not witness:
                    continue
                if own.missing and not own.flagged:
                    own.flag(
                        Flag(
                            f"{name}_missing",
                            f"{th}: หนังสืออีกฉบับในไฟล์อ้างถึงด้วยค่านี้",
                            f"{en}: another letter in the file cites it so",
                        )
                    )
                for flag in own.flags:
                    flag.candidates.insert(0, witness)


def _cited_letter(letter: Letter, cited: Cited, letters: list[Letter]) -> Letter | None:
    key = _number_key(_parts(cited.number))
    for other in letters:
        if other is letter or key == (None, None):
            continue
        own = _parts(other.fields["number"])
        if _number_key(own) != key:
            continue
        same = own.get("serial") == _parts(cited.number).get("serial")
        if same or other.fields["number"].value is None:
            return other
    following = letters[letter.index + 1] if letter.index + 1 < len(letters) else None
    issuer = following.value("issuer_name") if following else None
    if (
        cited.kind == "enclosure"
        and issuer
        and issuer in (cited.text.value or "")
        and following.fields["number"].value is None
    ):
        cited.text.notes.append("linked by the issuer's name: both numbers are damaged")
        cited.text.confidence = min(cited.text.confidence, 0.6)
        return following
    return None


def _check_dates(letters: list[Letter], text: str, source: str = SourceKind.TEXT) -> None:
    """Dates that contradict the letter are flagged, with the readings the glyph confusions and
    the letter's other dates allow. A typed or text-layer date is trusted as written: a year
    long before the letter is no flag there (a letter cites a 13-year-old regulation); only
    OCR'd digits far from the document's year are."""
    years = [d.year for d in find_dates(text) if d.first() is not None]
    usual = statistics.mode(years) if years else None  # the year most dates say
    for letter in letters:
        own = letter.fields["date"]
        cited_dates = [c.date for c in letter.references + letter.enclosures]
        if source == SourceKind.OCR:
            for f in [own, *cited_dates]:
                if f.value and usual and abs(int(f.value[:4]) - usual) > 1:
                    reading = f.value
                    f.flag(
                        Flag(
                            "year_far",
                            "ปีห่างจากปีอื่นในหนังสือ (อ่านด้วย OCR)",
                            "The year is far from the others in the letter (read by OCR)",
                            date_variants(
                                reading, usual, keep=lambda c: abs(int(c[:4]) - usual) <= 1
                            )
                            + [reading],
                        )
                    )
        for f in [own, *cited_dates]:
            for flag in f.flags:
                if usual and flag.code in ("year_unreadable", "year_short"):
                    near = [c for c in flag.candidates if c[:4] == str(usual)]
                    flag.candidates = near + [c for c in flag.candidates if c not in near]
        if own.value:
            for c in cited_dates:
                if c.value and c.value > own.value:
                    reading = c.value
                    c.flag(
                        Flag(
                            "reference_after_letter",
                            "หนังสือที่อ้างถึงลงวันที่หลังหนังสือนี้",
                            "The letter cited is dated after this letter",
                            date_variants(reading, usual, keep=lambda v, top=own.value: v <= top),
                        )
                    )
        else:
            # A letter is dated no earlier than what it cites: narrow the candidates.
            floor = max((c.value for c in cited_dates if c.value), default=None)
            for flag in own.flags:
                if floor:
                    kept = [c for c in flag.candidates if c >= floor]
                    flag.candidates = kept or flag.candidates
                    flag.message_en += f" (it cites a letter of {floor}: not earlier)"
                    flag.message_th += f" (อ้างถึงหนังสือลงวันที่ {floor} จึงไม่ก่อนวันนั้น)"


def substitutions(digits: str, changes: int = 2) -> list[str]:
    """`digits` (Arabic) with up to `changes` of them replaced by what OCR may have read them
    for: the measured confusions first (fewest changes first), then the rest of CONFUSABLE."""
    out: dict[str, None] = {}
    for table in (MEASURED_CONFUSIONS, CONFUSABLE):
        frontier = [digits]
        for _n in range(changes):
            nxt = []
            for v in frontier:
                for i, d in enumerate(v):
                    if v[i] != digits[i]:
                        continue
                    for alt in table.get(d, ""):
                        w = v[:i] + alt + v[i + 1 :]
                        if w != digits and w not in out:
                            out[w] = None
                            nxt.append(w)
            frontier = nxt
    return list(out)


def date_variants(value: str, usual: int | None = None, keep=None, limit: int = 12) -> list[str]:
    """Dates (ISO) OCR may have misread as `value`: the Buddhist-era year with up to two digits
    confused, the day with one (or one dropped); no year after next year. The document's usual
    year first, then the latest years (letters arrive recent)."""
    d = dt.date.fromisoformat(value)
    be = to_be_year(d.year)
    last = to_be_year(dt.date.today().year) + 1
    years = [be, *(int(y) for y in substitutions(str(be)))]
    days = [d.day, *(int(v) for v in digit_variants(str(d.day)) if v and int(v) > 0)]
    out = []
    for y in years:
        if not 2400 <= y <= last:
            continue
        for day in days:
            try:
                c = dt.date(ce_year(y), d.month, day).isoformat()
            except ValueError:
                continue
            if c != value and (keep is None or keep(c)):
                out.append(c)
    out = list(dict.fromkeys(out))
    out.sort(
        key=lambda c: (usual is None or int(c[:4]) != usual, -int(c[:4]), abs(int(c[8:]) - d.day))
    )
    return out[:limit]


# A number or date read by OCR is taken without the officer's click only when the second digit
# reader (digits.py) re-read every one of its digits at least this sure. Chosen by measurement
# (score_intake --ocr, 300 dpi, Laksaman/Garuda/Loma): see README, Circular intake.
READER_TRUSTED = 0.9
# What such a field's confidence is lowered to: read by a machine twice, not by a person.
READER_CONFIDENCE = 0.85
READER_NOTE = "digits read by the second reader"


def reader_sureness(text: str, digits: list[dict]) -> list[float]:
    """Per offset of `text`, how sure the second reader is of the digit there: its confidence
    where it re-read a run whose Tesseract reading held a digit and as many characters; 0
    elsewhere (Tesseract's own digits, noise the reader turned into digits, which the reader's
    author warns of, or a run whose length the two readers disagree on)."""
    sure = [0.0] * len(text)
    for r in digits:
        start, read = int(r.get("start", -1)), str(r.get("digits", ""))
        tesseract = str(r.get("tesseract", ""))
        if start < 0 or not re.search(r"\d", to_arabic_digits(tesseract)):
            continue
        if len(read) != len(tesseract):
            # The reader saw more or fewer glyphs than Tesseract (1175 re-read 75, ว1356 read
            # 21356 and re-read 356): a digit dropped or a letter taken for one. No witness.
            continue
        if text[start : start + len(read)] != read:
            continue  # not this text's re-read (another page's text, or edited): no witness
        for k in range(start, start + len(read)):
            sure[k] = float(r.get("confidence", 0.0))
    return sure


def _reader_read(f: Field, text: str, sure: list[float], is_date: bool) -> bool:
    """Every digit of the field's span re-read surely, and the value plausible."""
    if f.start < 0 or f.end > len(text) or f.end <= f.start:
        return False
    offsets = [k for k in range(f.start, f.end) if re.match(r"\d", to_arabic_digits(text[k]))]
    if not offsets or any(sure[k] < READER_TRUSTED for k in offsets):
        return False
    if not is_date and "/" not in str(f.value):
        return False  # a letter's number has its slash (ที่ มท ๐๘๐๙.๓/ว ๓๑, ๗/๒๕๖๒): a part of one
    if is_date:
        # A letter is not dated after today; years too far from the others are flagged already.
        try:
            return dt.date.fromisoformat(str(f.value)[:10]) <= dt.date.today()
        except ValueError:
            return False
    return True


# The kinds whose number and date stand where the layout says (a ที่ line, a date line): in a
# bylaw, an announcement or a news page, a web page's own dates ("วันที่ 2 เมษายน 2556 เวลา
# 20:10 น.") are taken for the letter's on OCR'd text; there the reader is no witness.
READER_KINDS = frozenset({"external", "internal", "stamped", "order"})


def _distrust_ocr_digits(
    letters: list[Letter], text: str = "", digits: list[dict] = (), opened: set[int] = frozenset()
) -> None:
    """Digits Tesseract read are never taken silently: each number and date it read is flagged,
    the reading first among the candidates, so that the officer confirms it against the scan.
    (A second occurrence is no witness: the same font makes the same mistake twice, so the
    document's usual year is no witness either: the latest readings come first.) The second
    reader is a witness: a field whose every digit it re-read at READER_TRUSTED or surer, and
    whose value passed the date checks, is taken with a note and a little less confidence, in a
    letter of one of READER_KINDS found as a letter (`opened`) or the document's only one: of
    several letters a web page lists in running text OCR loses some, and which is which shifts."""
    sure = reader_sureness(text, list(digits))
    for letter in letters:
        alone = len(letters) == 1
        witnessed = (alone or id(letter) in opened) and letter.kind in READER_KINDS
        for name, f in letter.all_fields():
            if name in ("body", "urgency", "authority", "province_name"):
                continue
            if not f.value or not re.search(r"\d", to_arabic_digits(f.value)):
                continue
            is_date = name == "date" or name.endswith(".date")
            is_number = name == "number" or name.endswith(".number")
            # Only numbers and dates: a subject or a name with digits in it is words Tesseract read.
            if witnessed and (is_date or is_number) and _reader_read(f, text, sure, is_date):
                f.confidence = min(f.confidence, READER_CONFIDENCE)
                f.notes.append(READER_NOTE)
                continue
            variants = date_variants(f.value) if is_date else _number_variants(f)
            f.flag(
                Flag(
                    "ocr_digits",
                    "ตัวเลขนี้อ่านด้วย OCR: โปรดตรวจกับต้นฉบับ",
                    "Digits read by OCR: check them against the scan",
                    [f.value, *variants],
                )
            )


def _number_variants(f: Field) -> list[str]:
    """A letter number with its serial as OCR may have misread it (dates: the reading only)."""
    serial = f.parts.get("serial")
    if not serial or not f.value:
        return []
    head = f.value[: len(f.value) - len(serial)]
    thai = any(c in f.value for c in "๐๑๒๓๔๕๖๗๘๙")
    dropped = [v for v in digit_variants(serial) if len(v) < len(serial)]
    variants = substitutions(serial, 2) + dropped
    return [head + (to_thai_digits(v) if thai else v) for v in variants[:16]]


# Fields of words (not digits) a doubtful OCR reading may have damaged silently: a dropped tone
# mark or a lost line gives a value that looks right. Their value is flagged, the reading kept as
# the first candidate.
WORD_FIELDS = ("subject", "recipients", "issuer_name", "signatory", "signatory_position")
# A person's name: no dictionary holds it, so a word outside the dictionary there is no sign.
NAME_FIELDS = frozenset({"signatory"})


def _value_span(f: Field, text: str) -> tuple[int, int]:
    """Where the field's value stands in `text`: from its first word to its last inside the
    field's lines (the keyword before it, เรื่อง or เรียน, is not the value); the lines when the
    words are not found as they are (joined or repaired)."""
    value = str(f.value or "").split()
    if not value or f.start < 0:
        return f.start, f.end
    first = text.find(value[0], f.start, f.end)
    last = text.rfind(value[-1], max(first, f.start), f.end)
    if first < 0 or last < 0:
        return f.start, f.end
    return first, last + len(value[-1])


def _distrust_ocr_words(letters: list[Letter], text: str, doubts: list[dict]) -> None:
    """A field of words whose value holds a word Tesseract read unsurely, or stands on a line
    beside ink Tesseract read nothing from (its end or its start may be lost), is flagged with
    the reading (and what the letter itself says elsewhere) as candidates: the officer confirms
    it against the scan instead of the draft holding a confident wrong value. Tesseract drops a
    tone mark or a vowel with full confidence (สิงปลูกสร้าง, 99 %): so a value whose words stand
    elsewhere in the text with more marks (สิ่งปลูกสร้าง in the body) is flagged too, the words
    as marked there first among the candidates; and so is a value with a word in no Thai
    dictionary that one consonant's marks, put back, make words (ซีง for ซึ่ง: `thaidict`), the
    repaired readings first."""
    marked = _MarkedText(text)
    for letter in letters:
        for name in WORD_FIELDS:
            f = letter.fields.get(name)
            if f is None or not f.value or f.flagged or f.start < 0:
                continue
            restored = marked.restore(f.value, f.start, f.end)
            if restored != f.value.replace("ํา", "ำ"):
                reading = f.value
                f.flag(
                    Flag(
                        "ocr_marks",
                        "ข้อความเดียวกันที่อื่นในหนังสือมีวรรณยุกต์หรือสระที่ OCR อาจทำหล่น: โปรดตรวจกับต้นฉบับ",
                        "The same words elsewhere in the letter have marks OCR may have dropped "
                        "here: check against the scan",
                        [restored, reading],
                    )
                )
                continue
            repaired = [] if name in NAME_FIELDS else thaidict.repaired_values(f.value)
            if repaired:
                reading = f.value
                f.flag(
                    Flag(
                        "ocr_spelling",
                        "มีคำที่ไม่อยู่ในพจนานุกรม แต่จะเป็นคำถ้าเติมหรือแก้วรรณยุกต์หรือสระที่ OCR อาจทำหล่น: "
                        "โปรดตรวจกับต้นฉบับ",
                        "A word is in no dictionary but would be with a mark OCR may have dropped "
                        "or misread: check against the scan",
                        [*repaired, reading],
                    )
                )
                continue
            start, end = _value_span(f, text)
            hits = [
                d
                for d in doubts
                if int(d["start"]) < (end if d.get("kind") == "low_confidence" else f.end)
                and int(d["end"]) > (start if d.get("kind") == "low_confidence" else f.start)
            ]
            if not hits:
                continue
            reading = f.value
            weak = [d.get("word", "") for d in hits if d.get("kind") == "low_confidence"]
            lost = any(d.get("kind") == "lost_ink" for d in hits)
            if lost:
                th = "บรรทัดข้างเคียงในภาพอ่านด้วย OCR ไม่ได้: ข้อความนี้อาจขาดหรือผิด โปรดตรวจกับต้นฉบับ"
                en = "OCR lost ink beside this line: the text may be cut or wrong; check the scan"
            else:
                th = f"OCR อ่านคำเหล่านี้ไม่แน่ใจ: {' '.join(weak)} โปรดตรวจกับต้นฉบับ"
                en = f"OCR was unsure of these words: {' '.join(weak)}; check them against the scan"
            f.flag(Flag("ocr_words", th, en, [reading]))


_MARK_RE = re.compile(f"[{_MARKS}]")
# Shortest run of letters (marks aside) compared with the rest of the text: shorter runs (สิง,
# ที) are parts of too many other words.
MARKED_RUN = 5


class _MarkedText:
    """The text without its marks, with where each remaining character stands in the text."""

    def __init__(self, text: str):
        self.text = text.replace("ํา", "ำ")
        self.keep = [i for i, c in enumerate(self.text) if not _MARK_RE.match(c)]
        self.bare = "".join(self.text[i] for i in self.keep)

    def _original(self, k: int, n: int) -> tuple[int, str]:
        """The text of the `n` bare characters from bare offset `k`, with their marks."""
        start = self.keep[k]
        end = self.keep[k + n - 1] + 1
        while end < len(self.text) and _MARK_RE.match(self.text[end]):
            end += 1
        return start, self.text[start:end]

    def restore(self, value: str, start: int, end: int) -> str:
        """`value` with each run of its words that stands elsewhere in the text (outside
        [start, end), the field's own lines) with the same letters and more marks, those marks
        included (OCR drops marks; it seldom adds them)."""
        out = []
        for token in value.replace("ํา", "ำ").split(" "):
            out.append(self._restore_token(token, start, end))
        return " ".join(out)

    def _restore_token(self, token: str, start: int, end: int) -> str:
        letters = [i for i, c in enumerate(token) if not _MARK_RE.match(c)]
        plain = "".join(token[i] for i in letters)
        if len(plain) < MARKED_RUN or not re.search(r"[ก-ฮ]", plain):
            return token
        for n in range(len(plain), MARKED_RUN - 1, -1):
            for i in range(0, len(plain) - n + 1):
                piece = plain[i : i + n]
                a = letters[i]
                b = letters[i + n - 1] + 1
                while b < len(token) and _MARK_RE.match(token[b]):
                    b += 1
                mine = token[a:b]
                for m in re.finditer(re.escape(piece), self.bare):
                    at, other = self._original(m.start(), n)
                    if start <= at < end or other == mine:
                        continue
                    if len(other) > len(mine) and _drops_marks(other, mine):
                        return token[:a] + other + self._restore_token(token[b:], start, end)
        return token


# The vowels above a consonant Tesseract takes for one another (ซีง for ซึ่ง): one mark's place.
_ABOVE = str.maketrans("\u0e35\u0e36\u0e37", "\u0e34\u0e34\u0e34")


def _drops_marks(full: str, short: str) -> bool:
    """`short` is `full` with some of its marks left out or an upper vowel read as another
    (ี for ึ), and nothing else changed."""
    j = 0
    full_, short_ = full.translate(_ABOVE), short.translate(_ABOVE)
    for c in full_:
        if j < len(short_) and short_[j] == c:
            j += 1
        elif not _MARK_RE.match(c):
            return False
    return j == len(short_)
