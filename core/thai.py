"""Thai conventions in one place: Thai digits, Buddhist-era dates, Bangkok time.

Everything here is pure Python so that views, forms, commands and the policy engine
share one reading of "๕ เม.ย. ๒๕๖๘" and one way to write 2 April 2025 back.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)

MONTHS_TH = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]
MONTHS_TH_ABBR = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
MONTHS_EN_ABBR = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]

# Every way a month is written in the letters we receive, OCR forms included ("เมษาฯ").
_MONTH_WORDS: dict[str, int] = {}
for _i, (_full, _abbr, _en) in enumerate(
    zip(MONTHS_TH, MONTHS_TH_ABBR, MONTHS_EN_ABBR, strict=True)
):
    for _word in (_full, _abbr, _abbr.replace(".", ""), _en.lower()):
        _MONTH_WORDS[_word] = _i + 1
    _MONTH_WORDS[_full[:-2] + "ฯ"] = _i + 1  # เมษาฯ, มีนาฯ: the abbreviation with ไปยาลน้อย
    _MONTH_WORDS[_full[:4] + "ฯ"] = _i + 1
# A misspelling as common as the word: ฏ (ปฏัก) for ฎ (ชฎา) in กรกฎาคม, as the Royal Society's
# lists of words often misspelt give it ("กรกฏาคม" in a news site's report of a governor's letter).
_MONTH_WORDS["กรกฏาคม"] = 7
for _i, _en in enumerate(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
):
    _MONTH_WORDS[_en] = _i + 1


# Terms a line must never break inside (`keep_together`, the `keep` filter, CSS `.keep`): the
# system's name, whose hyphen Chromium breaks after ("New e-|LAAS"), and Thai compounds that the
# browser's dictionary splits into words ("ยืนยันตัว|ตน") though an official reads them as one.
KEEP_TOGETHER: tuple[str, ...] = ("New e-LAAS", "e-LAAS", "ยืนยันตัวตน", "เลขประจำตัวประชาชน")


def to_arabic_digits(text: str) -> str:
    """'๐๘๐๘.๔' -> '0808.4'. Anything else is left as it is."""
    return text.translate(_TO_ARABIC)


def to_thai_digits(text: str) -> str:
    return str(text).translate(_TO_THAI)


def normalize_number(text: str) -> str:
    """The searchable form of a letter number: Arabic digits, one space, no space around '/'.

    'มท ๐๘๐๘.๔/ว ๑๕๔๑' and 'มท 0808.4 / ว1541' both become 'มท 0808.4/ว 1541'; 'กค405.4/ว.395'
    becomes 'กค 405.4/ว 395'.
    """
    value = to_arabic_digits(text or "").strip()
    value = re.sub(r"\s+", " ", value)
    value = re.sub(r"\s*/\s*", "/", value)
    value = re.sub(r"(ว)\.?\s*(\d)", r"\1 \2", value)  # ว.617, ว617, ว 617
    value = re.sub(r"^([ก-ฮ]{1,3})\.?\s*(\d)", r"\1 \2", value)  # กค405.4, นพ. 0023.5
    return value.lower()


def to_be_year(year: int) -> int:
    return year + BE_OFFSET


def _ce_year(year: int) -> int:
    """A year as typed: 2400 and above is taken as Buddhist era, below as Common Era."""
    return year - BE_OFFSET if year >= 2400 else year


class ThaiDateError(ValueError):
    """A date that cannot be read or does not exist."""


# The years (Common Era) a typed date may fall in: wide enough for any appointment order or
# circular, narrow enough that Bangkok midnight and the days around it stay representable.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def parse_date(text: str) -> dt.date:
    """Read a date as a Thai user types it.

    Accepts ISO dates in either era (2025-04-05, 2568-04-05), day/month/year (5/4/2568,
    05-04-2025), and words ("5 เม.ย. 2568", "๕ เมษายน ๒๕๖๘", "5 April 2025"), in Thai or
    Arabic digits. Years of 2400 and above are Buddhist era. Raises ThaiDateError, also for a
    year outside FIRST_YEAR to LAST_YEAR.
    """
    raw = (text or "").strip()
    value = to_arabic_digits(raw)
    if not value:
        raise ThaiDateError("empty")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if m:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", value)
        if m:
            day, month, year = int(m[1]), int(m[2]), int(m[3])
        else:
            m = re.fullmatch(r"(\d{1,2})\s*([^\d\s]+(?:\s[^\d\s]+)?)\s*(\d{4})", value)
            if not m:
                raise ThaiDateError(raw)
            day, year = int(m[1]), int(m[3])
            month = _MONTH_WORDS.get(m[2].strip().lower().rstrip(","))
            if month is None:
                raise ThaiDateError(raw)
    if not FIRST_YEAR <= _ce_year(year) <= LAST_YEAR:
        raise ThaiDateError(raw)
    try:
        return dt.date(_ce_year(year), month, day)
    except ValueError:
        raise ThaiDateError(raw) from None


def format_date(
    value: dt.date | dt.datetime | None, lang: str = "th", *, full: bool = False
) -> str:
    """2 เม.ย. 2568 in Thai (full: 2 เมษายน 2568), 2 Apr 2025 in English."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(BANGKOK).date() if value.tzinfo else value.date()
    if lang.startswith("th"):
        months = MONTHS_TH if full else MONTHS_TH_ABBR
        return f"{value.day} {months[value.month - 1]} {to_be_year(value.year)}"
    return f"{value.day} {MONTHS_EN_ABBR[value.month - 1]} {value.year}"


def format_datetime(value: dt.datetime | None, lang: str = "th") -> str:
    """Bangkok wall time with the date in the user's era: '5 เม.ย. 2568 00:00 น.'."""
    if value is None:
        return ""
    local = value.astimezone(BANGKOK)
    clock = local.strftime("%H:%M")
    if local.second:
        clock = local.strftime("%H:%M:%S")
    if lang.startswith("th"):
        return f"{format_date(local, lang)} {clock} น."
    return f"{format_date(local, lang)} {clock}"


MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_deadline(end: dt.datetime | None, lang: str = "th") -> str:
    """A deadline as a Thai letter writes it, from the exclusive end of a window.

    22 Apr 2025 00:00 Bangkok (the window's last second is 21 Apr 23:59:59) reads
    'ภายในวันที่ ๒๑ เมษายน ๒๕๖๘' in Thai and 'by 21 April 2025' in English. An end that is not a
    Bangkok midnight keeps its time: 'ภายในวันที่ ๒๑ เมษายน ๒๕๖๘ เวลา ๑๖.๓๐ น.', 'by 21 April
    2025, 16:30'. Every page, e-mail and message that shows a deadline goes through here.
    """
    if end is None:
        return ""
    if lang.startswith("th"):
        return f"ภายในวันที่ {format_last_day(end, lang)}"
    return f"by {format_last_day(end, lang)}"


def format_last_day(end: dt.datetime | None, lang: str = "th") -> str:
    """The last day inside a window that ends (exclusively) at `end`, as a letter writes it:
    22 Apr 2025 00:00 Bangkok is '๒๑ เมษายน ๒๕๖๘' ('21 April 2025'); 21 Apr 16:30 keeps its time,
    '๒๑ เมษายน ๒๕๖๘ เวลา ๑๖.๓๐ น.' ('21 April 2025, 16:30')."""
    if end is None:
        return ""
    local = end.astimezone(BANGKOK)
    at_midnight = local.time() == dt.time.min
    last = (local - dt.timedelta(seconds=1)).date() if at_midnight else local.date()
    if lang.startswith("th"):
        text = f"{last.day} {MONTHS_TH[last.month - 1]} {to_be_year(last.year)}"
        return to_thai_digits(text if at_midnight else text + _time_th(local))
    text = f"{last.day} {MONTHS_EN[last.month - 1]} {last.year}"
    return text if at_midnight else f"{text}, {local:%H:%M}"


def _time_th(local: dt.datetime) -> str:
    return f" เวลา {local:%H.%M} น."


def format_since(start: dt.datetime | None, lang: str = "th") -> str:
    """A start as a Thai letter writes it: 4 Apr 2025 00:00 Bangkok reads
    'ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘', 'from 4 April 2025'; a start that is not a Bangkok midnight
    keeps its time ('ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘ เวลา ๐๘.๓๐ น.', 'from 4 April 2025, 08:30')."""
    if start is None:
        return ""
    local = start.astimezone(BANGKOK)
    at_midnight = local.time() == dt.time.min
    day = local.date()
    if lang.startswith("th"):
        text = f"ตั้งแต่วันที่ {day.day} {MONTHS_TH[day.month - 1]} {to_be_year(day.year)}"
        return to_thai_digits(text if at_midnight else text + _time_th(local))
    text = f"from {day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return text if at_midnight else f"{text}, {local:%H:%M}"


def format_window(start: dt.datetime | None, end: dt.datetime | None, lang: str = "th") -> str:
    """A half-open window [start, end) as a Thai letter writes it: 5 Apr 00:00 to 22 Apr 00:00
    reads 'ระหว่างวันที่ ๕ – ๒๑ เมษายน ๒๕๖๘' ('5–21 April 2025'); across months or years each
    side keeps what differs ('ระหว่างวันที่ ๒๕ มีนาคม – ๒๑ เมษายน ๒๕๖๘'). A side that is not a
    Bangkok midnight falls back to 'from … by …'; an open side to the other one alone."""
    if start is None:
        return format_deadline(end, lang)
    if end is None:
        return format_since(start, lang)
    first, stop = start.astimezone(BANGKOK), end.astimezone(BANGKOK)
    if first.time() != dt.time.min or stop.time() != dt.time.min or stop <= first:
        return f"{format_since(start, lang)} {format_deadline(end, lang)}"
    a, b = first.date(), (stop - dt.timedelta(days=1)).date()
    if lang.startswith("th"):
        months, year = MONTHS_TH, to_be_year
    else:
        months, year = MONTHS_EN, int
    if a == b:
        left = ""
    elif (a.year, a.month) == (b.year, b.month):
        left = f"{a.day}"
    elif a.year == b.year:
        left = f"{a.day} {months[a.month - 1]}"
    else:
        left = f"{a.day} {months[a.month - 1]} {year(a.year)}"
    right = f"{b.day} {months[b.month - 1]} {year(b.year)}"
    if lang.startswith("th"):
        span = f"{left} – {right}" if left else right
        return to_thai_digits(f"ระหว่างวันที่ {span}" if left else f"วันที่ {span}")
    return (
        f"{left}–{right}" if left and left.isdigit() else (f"{left} – {right}" if left else right)
    )


def bangkok_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BANGKOK)


# Every way a month is written, longest first: what a parser puts in a regular expression.
MONTH_WORDS: tuple[str, ...] = tuple(sorted(_MONTH_WORDS, key=len, reverse=True))


def month_number(word: str) -> int | None:
    """1-12 for a month as letters write it ('เมษายน', 'เม.ย.', 'เมษาฯ', 'Apr'), else None."""
    value = (word or "").strip().lower().rstrip(",")
    return _MONTH_WORDS.get(value) or _MONTH_WORDS.get(value.replace(" ", ""))


def ce_year(year: int) -> int:
    """A year as written in a letter: 2400 and above is Buddhist era, below Common Era."""
    return _ce_year(year)


def format_date_thai_digits(value: dt.date, *, full: bool = False) -> str:
    """'๑ มี.ค. ๒๕๖๘' (full: '๑ มีนาคม ๒๕๖๘'): a date as a Thai letter writes it."""
    return to_thai_digits(format_date(value, "th", full=full))
