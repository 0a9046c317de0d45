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
import re
import statistics
from dataclasses import asdict, dataclass, field

from core.thai import (
    MONTH_WORDS,
    MONTHS_TH,
    MONTHS_TH_ABBR,
    ce_year,
    to_arabic_digits,
    to_be_year,
    to_thai_digits,
)


class SourceKind:
    TEXT = "text"  # typed or pasted: digits as the sender wrote them (OCR damage is still found)
    PDF_TEXT = "pdf_text"  # a PDF's text layer
    OCR = "ocr"  # read by Tesseract: digits are never trusted without a second witness


# Thai digits Tesseract (tha) mixes up, each with the digits it is taken for. Measured on letters
# rendered with the TLWG fonts and read back: ๔ and ๕, ๖ and ๒, ๘ and ๕/๓, ๑ and ๗, ๙ and ๗.
CONFUSABLE = {
    "0": "8",
    "1": "7",
    "2": "6",
    "3": "8",
    "4": "5",
    "5": "48",
    "6": "2",
    "7": "19",
    "8": "035",
    "9": "7",
}

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
BODY_OPENERS = re.compile(r"^\s*(ตามที่|ด้วย|อนุสนธิ|ตามหนังสือ|เนื่องด้วย|เนื่องจาก)")


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
_YEAR_RE = r"(?:พ\.\s?ศ\.\s?)?(\d{2,5})"
_DASH = r"\s*(?:[-–—]|ถึง(?:วันที่)?)\s*"
# A day (or a range of days), a month, a year; whitespace (line breaks included) between them.
DATE_RE = re.compile(
    rf"(?<!\d)(\d{{1,3}})(?:{_DASH}(\d{{1,3}}))?\s*({MONTH_RE}|[ก-ฮ][ก-๎.]{{1,8}}ฯ?)\s*{_YEAR_RE}(?!\d)"
)
NUMBER_RE = re.compile(
    r"(?P<prefix>[ก-ฮ]{1,3})\.?\s*(?P<code>\d{4}(?:\.\d{1,3})*)\s*"
    r"(?:/\s*(?P<w>ว)?|(?P<bare_w>ว))\s*(?P<serial>[^\s]+)"
)


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
        }


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
    from core.thai import month_number

    day_s, end_s, month_s, year_s = m.group(1), m.group(2), m.group(3), m.group(4)
    raw = text[m.start() : m.end()]
    problems = []
    month = month_number(month_s)
    if month is None:
        problems.append(
            Flag(
                "month_unreadable",
                f"อ่านชื่อเดือนไม่ได้: “{month_s}”",
                f"The month cannot be read: “{month_s}”",
                _month_candidates(month_s),
            )
        )
    year = None
    if len(year_s) == 4:
        year = ce_year(int(year_s))
    elif len(year_s) == 2:
        problems.append(
            Flag(
                "year_short",
                f"ปีเขียนสองหลัก ({to_thai_digits(year_s)})",
                f"A two-digit year ({year_s})",
                [str(2500 + int(year_s))],
            )
        )
    else:
        problems.append(
            Flag(
                "year_unreadable",
                f"ปี “{to_thai_digits(year_s)}” ไม่ใช่ปีสี่หลัก",
                f"The year “{year_s}” is not four digits",
                [v for v in digit_variants(year_s) if len(v) == 4 and v.startswith("25")],
            )
        )
    day, day_end = int(day_s), int(end_s) if end_s else None
    if month and year:
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
    if not re.fullmatch(r"\d{1,5}", serial):
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


def _lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return out


_HEAD_NUMBER = re.compile(rf"^\s*ท[{_MARKS}]*\s+[ก-ฮ]{{1,3}}\.?\s*[\d๐-๙]")


# A number line whose ที่ OCR damaged ("NWN ๐๘๐๘.๔/ว …"): a short word, then four digits.
_LOOSE_NUMBER = re.compile(r"^\s*(?:\S{1,4}\s+)?\S{1,4}\.?\s*[\d๐-๙]{4}")


def split_letters(lines: list[Line]) -> list[tuple[int, int]]:
    """One letter per เรื่อง line; each begins at the ที่ line above its เรื่อง (or, where OCR
    damaged the ที่, at a line shaped like a number), within a dozen lines."""
    subjects = [i for i, ln in enumerate(lines) if starts_with(ln.stripped, "เรื่อง")]
    starts = []
    for k, i in enumerate(subjects):
        floor = subjects[k - 1] + 1 if k else 0
        window = range(i - 1, max(floor, i - 13) - 1, -1)
        found = next((j for j in window if _HEAD_NUMBER.match(lines[j].stripped)), None)
        if found is None:
            found = next((j for j in window if _LOOSE_NUMBER.match(lines[j].stripped)), None)
        if found is not None and (not starts or found > starts[-1]):
            starts.append(found)
    return [(a, starts[k + 1] if k + 1 < len(starts) else len(lines)) for k, a in enumerate(starts)]


def is_noise(line: str) -> bool:
    """A row OCR makes of marks above a line ("a   al ~ a"): no run of three Thai letters, no
    Latin word, no number of four digits."""
    if not line.strip():
        return False
    if re.search(r"[\u0e01-\u0e4e]{3}", line) or re.search(r"[A-Za-z]{4}", line):
        return False
    return not re.search(r"[\d๐-๙]{4}", line)


def parse(text: str, source: str = SourceKind.TEXT) -> ParseResult:
    received = text
    if source == SourceKind.OCR:
        # Blank the noise rows in place: every offset still points into the text received.
        text = "".join(
            (" " * len(raw.rstrip("\r\n")) + raw[len(raw.rstrip("\r\n")) :])
            if is_noise(raw)
            else raw
            for raw in text.splitlines(keepends=True)
        )
    lines = _lines(text)
    letters = []
    for index, (a, b) in enumerate(split_letters(lines)):
        # OCR and pdftotext put blank lines anywhere (page and block gaps): not paragraphs.
        ocr = source in (SourceKind.OCR, SourceKind.PDF_TEXT)
        letters.append(_parse_letter(index, lines[a:b], lines[max(0, a - 4) : a], ocr))
    _link(letters)
    _check_dates(letters, text)
    if source == SourceKind.OCR:
        _distrust_ocr_digits(letters)
    return ParseResult(received, source, letters)


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


def _parse_letter(index: int, lines: list[Line], above: list[Line], ocr: bool) -> Letter:
    fields: dict[str, Field] = {}
    number_line = lines[0]
    raw_number = re.sub(rf"^\s*(?:ท[{_MARKS}]*|\S{{1,4}}(?=\s))\s*", "", number_line.stripped)
    value, problems, parts = read_number(raw_number)
    fields["number"] = Field(value, number_line.start, number_line.end)
    for p in problems:
        fields["number"].flag(p)
    fields["number"].parts = parts

    urgency = "normal"
    for line in [*above, number_line]:
        for word, code in URGENCIES:
            if word in line.stripped:
                urgency = code
                break
    fields["urgency"] = Field(urgency, number_line.start, number_line.end, 0.9)

    # Head: issuer, address and date sit between the number and เรื่อง.
    i = 1
    head = []
    while i < len(lines) and not head_keyword(lines[i].stripped):
        if lines[i].stripped:
            head.append(lines[i])
        i += 1
    date_line = None
    rest = []
    for line in head:
        arabic = to_arabic_digits(line.stripped)
        if date_line is None and (re.match(r"^\d", arabic) or is_garbage(line.text)):
            date_line = line
        else:
            rest.append(line)
    if rest:
        fields["issuer_name"] = _field(rest[:1], rest[0].stripped)
    else:
        fields["issuer_name"] = Field(None, confidence=0.0)
    if len(rest) > 1:
        address = " ".join(ln.stripped for ln in rest[1:])
        fields["issuer_address"] = _field(rest[1:], address)
        code = re.search(r"(\d+)\s*$", to_arabic_digits(address))
        if not code or len(code.group(1)) != 5:
            fields["issuer_address"].flag(
                Flag(
                    "postcode",
                    "รหัสไปรษณีย์ต้องมีห้าหลัก",
                    "A postcode has five digits",
                    [address],
                )
            )
    else:
        fields["issuer_address"] = Field("", confidence=0.5)
    fields["date"] = _date_field(date_line)

    # Parts that begin with a keyword, each to the next keyword; a line after a blank one
    # continues a part only when it is its date (ลงวันที่ …). The body opens with ตามที่, ด้วย….
    sections: dict[str, list[Line]] = {}
    current, blank = None, False
    while i < len(lines):
        s = lines[i].stripped
        key = head_keyword(s)
        if key:
            current, blank = key, False
            sections[key] = [lines[i]]
        elif not s:
            blank = True
        elif current and (not blank or starts_with(s, "ลงวันที่")) and not BODY_OPENERS.match(s):
            sections[current].append(lines[i])
            blank = False
        elif "เรื่อง" in sections and "เรียน" in sections:
            break
        i += 1

    for key, name in (("เรื่อง", "subject"), ("เรียน", "recipients")):
        part = sections.get(key)
        if part:
            joined = join_lines([ln.stripped for ln in part])
            value = joined[starts_with(joined, key).end() :].strip()
            fields[name] = _field(part, value)
        else:
            fields[name] = Field(None, confidence=0.0)
            fields[name].flag(Flag("missing", f"ไม่พบ{key}", f"No {key} line"))
    if fields["recipients"].value:
        fields["recipients"].value = split_recipients(fields["recipients"].value)

    letter = Letter(index, lines[0].start, lines[-1].end, fields)
    for key, kind, bucket in (
        ("อ้างถึง", "reference", letter.references),
        ("สิ่งที่ส่งมาด้วย", "enclosure", letter.enclosures),
    ):
        part = sections.get(key)
        if part:
            bucket.append(_cited(kind, part, key))

    # Body to ขอแสดงความนับถือ; then signature and contact.
    body_lines, j = [], i
    while j < len(lines) and not starts_with(lines[j].stripped, "ขอแสดงความนับถือ"):
        body_lines.append(lines[j])
        j += 1
    _body(letter, body_lines, ocr)
    _signature(letter, lines[j + 1 :] if j < len(lines) else [])
    _authority(letter)
    return letter


def split_recipients(value: str) -> str:
    """'นายอำเภอ ทุกอำเภอ นายก… และนายก…' -> one addressee a line."""
    pattern = "|".join(re.escape(t) for t in RECIPIENT_TITLES)
    pieces = re.split(rf"\s+(?:และ\s*)?(?=(?:และ)?(?:{pattern}))", value)
    out = [re.sub(r"^และ\s*", "", p).strip() for p in pieces]
    return "\n".join(p for p in out if p)


def _date_field(line: Line | None) -> Field:
    if line is None:
        f = Field(None, confidence=0.0)
        f.flag(Flag("date_missing", "ไม่พบวันที่ของหนังสือ", "The letter's date is missing"))
        return f
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
    raw = joined[starts_with(joined, key).end() :].strip()
    text_value, notes = fix_words(raw)
    text_field = Field(text_value, part[0].start, part[-1].end, 0.9 if notes else 1.0, [], notes)
    m = re.search(r"ที่\s+(.+?)(?=\s+(?:ลงวันที่|จำนวน|ลว\.)|$)", raw) or re.search(
        r"(?<![ก-ฮ])([ก-ฮ]{1,3}\.?\s*[\d๐-๙]{4}\S*(?:\s*ว\s*[\d๐-๙]+)?)", raw
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
        f["signatory"] = Field(None, confidence=0.0)
        f["signatory"].flag(Flag("missing", "ไม่พบชื่อผู้ลงนาม", "No signatory found"))
        f["signatory_position"] = Field("", confidence=0.0)
        contact = useful
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
            if re.match(r"^(สำนัก|กลุ่มงาน|โทร|ฝ่าย|กอง)", lines[k].stripped):
                break
            position.append(lines[k])
            k += 1
        f["signatory_position"] = _field(position, " ".join(ln.stripped for ln in position), 0.9)
        contact = [ln for ln in lines[k:] if ln.stripped and not is_garbage(ln.text)]
    office = [ln for ln in contact if not re.match(r"^(โทร|ผู้ประสานงาน|E-?mail)", ln.stripped)]
    phone = [ln for ln in contact if starts_with(ln.stripped, "โทร")]
    f["contact_office"] = _field(office, " ".join(ln.stripped for ln in office), 0.8)
    f["contact_phone"] = (
        _field(phone[:1], phone[0].stripped, 0.7) if phone else Field("", confidence=0.5)
    )


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
            # The enclosure line is a second witness for a damaged number or date.
            if other.fields["number"].flagged and cited.number.value:
                for flag in other.fields["number"].flags:
                    flag.candidates.insert(0, cited.number.value)
            if other.fields["date"].flagged and cited.date.value:
                for flag in other.fields["date"].flags:
                    flag.candidates.insert(0, cited.date.value)


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


def _check_dates(letters: list[Letter], text: str) -> None:
    # The year most dates of the document say, body included.
    years = [d.year for d in find_dates(text) if d.first() is not None]
    usual = statistics.mode(years) if years else None  # the year most dates say
    for letter in letters:
        own = letter.fields["date"]
        cited_dates = [c.date for c in letter.references + letter.enclosures]
        for f in [own, *cited_dates]:
            if f.value and usual and abs(int(f.value[:4]) - usual) > 1:
                f.flag(
                    Flag(
                        "year_far",
                        "ปีห่างจากปีอื่นในหนังสือ",
                        "The year is far from the others in the letter",
                        [f"{int(usual)}{f.value[4:] if f.value else ''}"],
                    )
                )
        for f in [own, *cited_dates]:
            for flag in f.flags:
                if usual and flag.code in ("year_unreadable", "year_short"):
                    be = str(to_be_year(int(usual)))
                    flag.candidates = [be, *(c for c in flag.candidates if c != be)]
        if own.value:
            for c in cited_dates:
                if c.value and c.value > own.value:
                    c.flag(
                        Flag(
                            "reference_after_letter",
                            "หนังสือที่อ้างถึงลงวันที่หลังหนังสือนี้",
                            "The letter cited is dated after this letter",
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


def _distrust_ocr_digits(letters: list[Letter]) -> None:
    """Digits Tesseract read are never taken silently: each number and date it read is flagged,
    the reading first among the candidates, so that the officer confirms it against the scan.
    (A second occurrence is no witness: the same font makes the same mistake twice.)"""
    for letter in letters:
        for name, f in letter.all_fields():
            if name in ("body", "urgency", "authority", "province_name"):
                continue
            if not f.value or not re.search(r"\d", to_arabic_digits(f.value)):
                continue
            f.flag(
                Flag(
                    "ocr_digits",
                    "ตัวเลขนี้อ่านด้วย OCR: โปรดตรวจกับต้นฉบับ",
                    "Digits read by OCR: check them against the scan",
                    [f.value, *_number_variants(f)],
                )
            )


def _number_variants(f: Field) -> list[str]:
    """A letter number with its serial as OCR may have misread it (dates: the reading only)."""
    serial = f.parts.get("serial")
    if not serial or not f.value:
        return []
    head = f.value[: len(f.value) - len(serial)]
    thai = any(c in f.value for c in "๐๑๒๓๔๕๖๗๘๙")
    return [head + (to_thai_digits(v) if thai else v) for v in digit_variants(serial)[:6]]
