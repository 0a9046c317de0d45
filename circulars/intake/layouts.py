"""The kinds of letter in the official correspondence regulation, as data.

ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ describes each kind of หนังสือราชการ by its parts and
where they sit. Each `Layout` below says the same: how a letter of the kind opens, which head
keyword fills which field, how its date is introduced and where, what closes the body and where
the signature sits. One reader (`parse.read_letter`) reads them all; a new layout is a new entry
here (and a fixture in tests/circulars/test_intake_parse.py), not a new branch in the reader.

Keywords are plain words, loosened by the reader (`parse.loose`: Thai marks optional, as OCR
drops them); titles are regular expressions, their marks optional where OCR drops them
(เร\u0e37?\u0e48?อง: เรื่อง or เรือง).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class LetterKind(StrEnum):
    EXTERNAL = "external"  # หนังสือภายนอก
    INTERNAL = "internal"  # หนังสือภายใน (บันทึกข้อความ)
    STAMPED = "stamped"  # หนังสือประทับตรา
    ORDER = "order"  # หนังสือสั่งการ: คำสั่ง
    REGULATION = "regulation"  # หนังสือสั่งการ: ระเบียบ
    BYLAW = "bylaw"  # หนังสือสั่งการ: ข้อบังคับ
    ANNOUNCEMENT = "announcement"  # หนังสือประชาสัมพันธ์: ประกาศ
    STATEMENT = "statement"  # หนังสือประชาสัมพันธ์: แถลงการณ์
    NEWS = "news"  # หนังสือประชาสัมพันธ์: ข่าว


# A date line confirms a title where the layout's keywords are missing (a statement: its title,
# then its date).
DATE_LINE = "<date>"
# The title line is enough: a news wire's dateline ("กรุงเทพ--8 มี.ค.--กระทรวงการต่างประเทศ")
# names its kind and its issuer in one line, and nothing else follows it.
TITLE_ONLY = "<title>"
# Where the letter's date is: a line that is a date (day, month, year), or after a keyword.
HEAD, FOOT = "head", "foot"
# Where the signature is: after the courtesy close, after the foot date, above nothing (stamp).
AFTER_CLOSING, AFTER_DATE, AT_END, NONE = "after_closing", "after_date", "at_end", "none"


@dataclass(frozen=True)
class HeadPart:
    """A keyword of the head and the field its text fills (to the next keyword).

    inline: the keyword may also stand inside a line ("ที่ … วันที่ …" of a บันทึกข้อความ)."""

    keywords: tuple[str, ...]
    field: str
    inline: bool = False


@dataclass(frozen=True)
class Layout:
    kind: LetterKind
    label_th: str
    # How a letter of this kind opens: a title line (regex, its named group "issuer" the
    # issuing office), or, with number_opens, the ที่ line of its number.
    titles: tuple[str, ...] = ()
    number_opens: bool = False
    # A title is a letter's only with one of these keywords within the next lines.
    confirm: tuple[str, ...] = ()
    head: tuple[HeadPart, ...] = ()
    # Unlabelled head lines (between the number and the first keyword) fill these, in order;
    # the one that is a date is the letter's date.
    positional: tuple[str, ...] = ()
    date_at: str = HEAD
    date_intro: tuple[str, ...] = ()  # words before the date ("สั่ง ณ วันที่"); none: a date line
    closing: tuple[str, ...] = ()  # the courtesy close that ends the body
    signature: str = AFTER_CLOSING
    # The office's name stands on the line above the foot date (the stamp of หนังสือประทับตรา,
    # the office of แถลงการณ์ and ข่าว): it is the issuer.
    foot_office: bool = False
    # Which head keyword must be there (all of one tuple) and which must not, to tell layouts
    # that open the same way apart (a stamped letter: ถึง and no เรื่อง).
    requires: tuple[tuple[str, ...], ...] = ()
    forbids: tuple[str, ...] = ()
    number_style: str = "letter"  # "letter": นพ ๐๐๒๓.๕/ว ๑๕๗๘; "order": ๑๒๓/๒๕๖๘
    # What ends the subject (a regulation's "ว่าด้วย … พ.ศ. ๒๕๔๗": the year is the title's own).
    subject_ends: tuple[str, ...] = ()
    fields: tuple[str, ...] = field(default=())  # the fields a letter of this kind has


SUBJECT = HeadPart(("เรื่อง",), "subject")
# In a title's own line ("คำสั่ง… ฉบับที่ ๖/๒๕๕๘ เรื่อง …") เรื่อง may follow inline.
SUBJECT_INLINE = HeadPart(("เรื่อง",), "subject", inline=True)
# "… พ.ศ. ๒๕๖๒ ลงวันที่ ๒๓ กันยายน ๒๕๖๒": a title line that dates itself.
DATED = HeadPart(("ลงวันที่",), "date", inline=True)
RECIPIENTS = HeadPart(("เรียน", "ถึง"), "recipients")
REFERENCES = HeadPart(("อ้างถึง",), "references")
ENCLOSURES = HeadPart(("สิ่งที่ส่งมาด้วย",), "enclosures")
ORDER_NUMBER = HeadPart(("ที่",), "number")
ISSUE_NUMBER = HeadPart(("ฉบับที่",), "number", inline=True)
ABOUT = HeadPart(("ว่าด้วย",), "subject")

LETTER_PARTS = (
    "number",
    "date",
    "issuer_name",
    "issuer_address",
    "subject",
    "recipients",
    "signatory",
    "signatory_position",
    "contact_office",
    "contact_phone",
)
ORDER_PARTS = ("number", "date", "issuer_name", "subject", "signatory", "signatory_position")

# A title's words up to its year, with no ว่าด้วย among them; the year (พ.ศ. ๒๕๕๑).
_NO_ABOUT = r"(?:(?!ว\u0e48?าด\u0e49?วย)[^()\n])+?"
_TITLE_YEAR = r"(?=\s*\(?\s*(?:พ\.\s?ศ\.|พุทธศักราช)\s*[\d๐-๙]{4})"

# ระเบียบ and ข้อบังคับ share a layout: a title, ว่าด้วย …, พ.ศ. …, the body, ประกาศ ณ วันที่.
REGULATION = Layout(
    LetterKind.REGULATION,
    "ระเบียบ",
    subject_ends=(
        r"\s*\(?\s*(?:พ\.\s?ศ\.|พุทธศักราช)\s*[\d๐-๙]{4}.*$",
        r"\s*\(\s*ฉบับที่\s*[\d๐-๙]+\s*\)\s*$",
    ),
    # "ระเบียบนี้", "ข้อบังคับนี้": a clause naming its own text, never a title. A title with no
    # ว่าด้วย and its year on the line ("ข้อบังคับการประชุมสภาผู้แทนราษฎร พ.ศ. ๒๕๕๑") names its
    # subject, not its issuer.
    titles=(
        rf"ระเบียบ(?!นี้)(?P<subject>{_NO_ABOUT}){_TITLE_YEAR}",
        r"ระเบียบ(?!นี้)(?P<issuer>\S.*?)??(?=\s*ว\u0e48?าด\u0e49?วย|$)",
    ),
    # ว่าด้วย, or the preamble of a title that has none ("อาศัยอำนาจตามความในมาตรา …").
    confirm=("ว่าด้วย", "อาศัยอำนาจ"),
    head=(ABOUT, HeadPart(("ฉบับที่",), "number"), DATED),
    date_at=FOOT,
    date_intro=("ประกาศ ณ วันที่", "ให้ไว้ ณ วันที่"),
    signature=AFTER_DATE,
    number_style="order",
    fields=("date", "issuer_name", "subject", "signatory", "signatory_position"),
)
BYLAW = replace(
    REGULATION,
    kind=LetterKind.BYLAW,
    label_th="ข้อบังคับ",
    titles=(
        rf"ข้อบังคับ(?!นี้)(?P<subject>{_NO_ABOUT}){_TITLE_YEAR}",
        r"ข้อบังคับ(?!นี้)(?P<issuer>\S.*?)??(?=\s*ว\u0e48?าด\u0e49?วย|$)",
    ),
)

# แถลงการณ์ and ข่าว share a layout: a title, เรื่อง, ฉบับที่, the text, the office and the date.
STATEMENT = Layout(
    LetterKind.STATEMENT,
    "แถลงการณ์",
    titles=(
        r"แถลงการณ์(?P<issuer>\S.*?)?(?=\s+เร\u0e37?\u0e48?อง|\s*\(?\s*ฉบับที่|$)",
        # ถ้อยแถลง: "ถ้อยแถลงของไทยต่อการทดลอง…", "ถ้อยแถลงกระทรวงการต่างประเทศ เรื่อง …": the
        # issuer is the word after ของ, up to what the statement is about.
        r"ถ้อยแถลง(?:ของ)?(?P<issuer>(?:ประเทศ|รัฐบาล|กระทรวง|กรม|สำนัก)?[ก-๙]+?)?"
        r"(?=ต่อ|เรื่อง|กรณี|เกี่ยวกับ|ใน|\s|$)",
    ),
    confirm=("เรื่อง", "ฉบับที่", DATE_LINE),
    head=(SUBJECT, ISSUE_NUMBER),
    date_at=FOOT,
    signature=NONE,
    foot_office=True,
    number_style="order",
    fields=("number", "date", "issuer_name", "subject"),
)
NEWS = replace(
    STATEMENT,
    kind=LetterKind.NEWS,
    label_th="ข่าว",
    titles=(
        r"ข่าว(?P<issuer>(?:กระทรวง|กรม|สำนัก|จังหวัด|อำเภอ|องค์การ|เทศบาล)\S*)",
        # A government site's press release: "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-…", then its date.
        r"(?:\S+-)?ข่าว(?:ทำเนียบรัฐบาล|ประชาสัมพันธ์|ทั่วไป)(?=[-\s]|$)",
    ),
)

# A news wire's repost of a ministry's release: its dateline is its title and names the issuer
# (and, in English, its date: group date_en, "December 6, 2015").
# "กรุงเทพ--8 มี.ค.--กระทรวงการต่างประเทศ" (place, day and month, the office), or the wire's
# category, its date line in English and the office: "ข่าวทั่วไป Sunday December 6, 2015 10:55
# —สำนักโฆษก".
NEWS_WIRE = replace(
    NEWS,
    titles=(
        r"[ก-๙]+\s*--[^-]{3,24}--\s*(?P<issuer>(?:กระทรวง|กรม|สำนัก|จังหวัด|องค์การ)\S*)",
        r"ข่าว[ก-๙]+\s(?:[A-Z][a-z]+day\s)?(?P<date_en>[A-Z][a-z]+ \d{1,2}, \d{4})?[^—]{0,60}—\s*"
        r"(?P<issuer>(?:กระทรวง|กรม|สำนัก|จังหวัด|องค์การ)\S*)",
    ),
    confirm=(TITLE_ONLY,),
)
# A ministry's weekly press briefing, titled with its day and where it was given ("ผลการแถลงข่าว
# ประจำสัปดาห์ วันพฤหัสบดีที่ ๒๕ มีนาคม ๒๕๖๔ เวลา ๑๑.๓๐ น. ณ กระทรวงการต่างประเทศ") or by whom.
PRESS_BRIEFING = replace(
    NEWS,
    titles=(
        r"(?:ผลการ)?แถลงข่าว[^ณ]{0,80}?ณ\s*(?P<issuer>(?:กระทรวง|กรม|สำนัก)\S*)\s*$",
        # "สรุปการแถลงข่าวประจำสัปดาห์โดยอธิบดีกรมสารนิเทศและโฆษกกระทรวงการต่างประเทศ …": the
        # spokesman speaks for the office named after โฆษก.
        # (the office's name whole: up to the date's words on the same line, so that a name a
        # scan's line wraps, "โฆษกกระทรวงการต่าง" / "ประเทศ เมื่อวันที่ …", is not taken half)
        r"(?:ผลการ|สรุปการ)?แถลงข่าว\S*\s*โดย\S*?โฆษก(?P<issuer>(?:กระทรวง|กรม|สำนัก)[ก-๙]+)"
        r"(?=\s+(?:เมื่อ)?วันที่)",
    ),
    confirm=(TITLE_ONLY,),
)

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        LetterKind.INTERNAL,
        "บันทึกข้อความ",
        titles=(r"บันทึกข้อความ", r"ส่วนราชการ"),
        confirm=("ส่วนราชการ", "ที่", "วันที่", "เรื่อง", "เรียน"),
        head=(
            HeadPart(("ส่วนราชการ",), "issuer_name"),
            HeadPart(("ที่",), "number"),
            HeadPart(("วันที่",), "date", inline=True),
            SUBJECT,
            RECIPIENTS,
            REFERENCES,
            ENCLOSURES,
        ),
        date_at=HEAD,
        date_intro=("วันที่",),
        signature=AT_END,
        fields=("number", "date", "issuer_name", "subject", "recipients", "signatory"),
    ),
    Layout(
        LetterKind.ORDER,
        "คำสั่ง",
        titles=(
            r"คำสั่ง(?!การ)(?!นี้)(?P<issuer>\S.*?)(?=\s*(?:ที่|ฉบับที่)\s*[\d๐-๙]|\s+เร\u0e37?\u0e48?อง|$)",
        ),
        confirm=("ที่", "ฉบับที่", "เรื่อง"),
        head=(ISSUE_NUMBER, ORDER_NUMBER, SUBJECT_INLINE),
        date_at=FOOT,
        date_intro=("สั่ง ณ วันที่",),
        signature=AFTER_DATE,
        number_style="order",
        fields=ORDER_PARTS,
    ),
    REGULATION,
    BYLAW,
    Layout(
        LetterKind.ANNOUNCEMENT,
        "ประกาศ",
        # ประกาศ, and แจ้งความ, its old name ("แจ้งความกระทรวงมหาดไทย ลงวันที่ 18 มกราคม ร.ศ. 126");
        # the issuer may stand a space away ("ประกาศ ก.อบต. เรื่อง …"), and is a name, not a
        # menu's path ("ประกาศ/ประชาสัมพันธ์/จดหมายข่าว").
        titles=(
            r"(?:ประกาศ|แจ้งความ)(?!นี้)(?!\s*ณ)(?!\s*ให้)(?!\s*เร\u0e37?\u0e48?อง)\s?"
            r"(?P<issuer>[ก-ฮ].*?)(?=\s+เร\u0e37?\u0e48?อง|\s*\(?\s*ฉบับที่|\s+ลงวันที่|$)",
        ),
        confirm=("เรื่อง", "ลงวันที่"),
        head=(SUBJECT_INLINE, HeadPart(("ฉบับที่",), "number"), DATED),
        date_at=FOOT,
        date_intro=("ประกาศ ณ วันที่",),
        signature=AFTER_DATE,
        number_style="order",
        fields=("date", "issuer_name", "subject", "signatory", "signatory_position"),
    ),
    STATEMENT,
    NEWS,
    NEWS_WIRE,
    PRESS_BRIEFING,
    # Two layouts open with the ที่ line of their number: a stamped letter has ถึง and no
    # เรื่อง; anything else is an external letter (เรียน written as ถึง included).
    Layout(
        LetterKind.STAMPED,
        "หนังสือประทับตรา",
        number_opens=True,
        head=(HeadPart(("ถึง",), "recipients"), REFERENCES, ENCLOSURES),
        positional=(),
        date_at=FOOT,
        signature=NONE,
        foot_office=True,
        requires=(("ถึง",),),
        forbids=("เรื่อง", "เรียน", "ขอแสดงความนับถือ"),
        fields=("number", "date", "issuer_name", "recipients", "contact_office", "contact_phone"),
    ),
    Layout(
        LetterKind.EXTERNAL,
        "หนังสือภายนอก",
        number_opens=True,
        head=(SUBJECT, RECIPIENTS, REFERENCES, ENCLOSURES),
        positional=("issuer_name", "issuer_address"),
        date_at=HEAD,
        closing=("ขอแสดงความนับถือ", "ด้วยความเคารพ"),
        signature=AFTER_CLOSING,
        fields=LETTER_PARTS,
    ),
)

# A text that is only a letter's body (an office's web copy with no head, "ด้วย สพฐ. ได้จัดสรร…"):
# it opens as the body of a หนังสือภายนอก opens, with the reason for writing (ด้วย, ตามที่,
# ตามหนังสือ, อนุสนธิ, เนื่องด้วย, เนื่องจาก). When nothing else in the text is a letter, it is one
# of this kind, cut, every part of its head missing.
BODY_ONLY_OPENERS = ("ตามที่", "ตามหนังสือ", "ด้วย", "อนุสนธิ", "เนื่องด้วย", "เนื่องจาก")
BODY_ONLY_KIND = LetterKind.EXTERNAL

# A title names its issuer after ของ as often as without it: "ข้อบังคับของประธานศาลฎีกา ว่าด้วย …".
ISSUER_OF = "ของ"

BY_KIND: dict[LetterKind, Layout] = {}
for _layout in LAYOUTS:  # a kind's first layout is its own (NEWS, not NEWS_WIRE)
    BY_KIND.setdefault(_layout.kind, _layout)
EXTERNAL = BY_KIND[LetterKind.EXTERNAL]

# A letter reported inside running text (a news repost, a download list, a list of references):
# "หนังสือกรมบัญชีกลาง ด่วนที่สุด ที่ กค 0402.3/026695 ลงวันที่ 29 มิถุนายน 2561 เรื่อง …".
# The word that names it says its kind; its parts follow inline, each after its keyword.
MENTION_NOUNS: dict[str, LetterKind] = {
    "หนังสือเวียน": LetterKind.EXTERNAL,
    # A letter sent by fax (ระเบียบงานสารบรรณ ข้อ 11, as amended in 2548: a letter may be sent
    # by โทรสาร): "โทรสารในราชการกระทรวงมหาดไทย ด่วนที่สุด ที่ มท 0230/ว 3518".
    "โทรสารในราชการ": LetterKind.EXTERNAL,
    "หนังสือ": LetterKind.EXTERNAL,
    "คำสั่ง": LetterKind.ORDER,
    "ประกาศ": LetterKind.ANNOUNCEMENT,
    "ระเบียบ": LetterKind.REGULATION,
    "ข้อบังคับ": LetterKind.BYLAW,
    "แถลงการณ์": LetterKind.STATEMENT,
}
MENTION_DATE_WORDS = ("ลงวันที่", "ลว.", "ลว", "ลง")
# A foot's words before a date name the letter's own date wherever they stand in the line:
# "คำสั่ง… ที่ ๓๔๒/๒๕๖๖ เรื่อง … (สั่ง ณ วันที่ ๑๓ พฤศจิกายน ๒๕๖๖)".
MENTION_FOOT_DATE_WORDS = ("สั่ง ณ วันที่", "ประกาศ ณ วันที่", "ให้ไว้ ณ วันที่")
MENTION_PARTS = (
    ("เรื่อง", "subject"),
    ("เรียน", "recipients"),
    ("ถึง", "recipients"),  # before an addressee only: "ถึงผู้ว่าราชการจังหวัด"
    ("แจ้ง", "recipients"),  # the same: "แจ้งสำนักงานเขตพื้นที่การศึกษา…"
)
ADDRESSED_ONLY = ("ถึง", "แจ้ง")
# A letter a news text names by its sender and then quotes ("… ได้โพสต์ภาพหนังสือจากสำนักงาน
# สาธารณสุขจังหวัดชัยภูมิ ระบุว่า ตามที่…"): the office after จาก sent it, the quotation's words
# end the office's name, and the quotation is the evidence that a letter is named.
MENTION_FROM = "จาก"
MENTION_QUOTES = ("มีใจความว่า", "ใจความว่า", "ระบุว่า", "ความว่า")
# Words after which running text no longer names the part: "… ถึงผู้ว่าราชการจังหวัด เพื่อแจ้ง…".
MENTION_STOPS = ("ซึ่ง", "ทั้งนี้", "โดยมี", "ดาวน์โหลด", "คลิก", "อ่านต่อ")
# What the letter does after its addressees: "ถึงนายอำเภอทุกอำเภอ … สั่งเตรียมการ…".
RECIPIENT_STOPS = ("เพื่อ", "ให้", "ขอให้", "ว่า", "สั่ง")
# The sender a news text names before the letter: "<ชื่อ> <ตำแหน่ง> ได้มีหนังสือ …",
# "<ส่วนราชการ> (<อักษรย่อ>) มีหนังสือ …"; a position's title word, stripped, names the office.
# (signing is sending: "… ปลัดกระทรวงมหาดไทย ได้ลงนามในโทรสาร…", "… ผู้ว่าราชการ จ.กาฬสินธุ์ ลงนาม
# หนังสือ…")
MENTION_SENDS = ("ได้มี", "ได้ออก", "ได้ส่ง", "ได้ลงนามใน", "ลงนามใน", "ลงนาม", "มี", "ออก", "ส่ง")
OFFICE_WORDS = ("สำนักงาน", "สำนัก", "กรม", "กระทรวง", "จังหวัด", "อำเภอ", "องค์การ", "เทศบาล", "คณะ")
POSITION_WORDS = ("อธิบดี", "ปลัด", "เลขาธิการ", "ผู้ว่าราชการ", "ผู้อำนวยการ", "นายก", "รัฐมนตรีว่าการ")

# A web page credits the office its text came from ("ข้อมูลจาก : กรมส่งเสริมการปกครองท้องถิ่น"), or
# a press release ends with its unit under a rule ("--------", "กลุ่มประชาสัมพันธ์และเผยแพร่
# สำนักโฆษก"): when the page holds one letter and it names no issuer, that office issued it. A
# credit that names no office (a web address, a newspaper) is no issuer.
CREDIT_LINES = (r"^\s*ข้อมูลจาก\s*:?\s*(?P<office>\S.*?)\s*$",)
CREDIT_AFTER_RULE = True  # the first short line after a closing rule (----) is a credit line
