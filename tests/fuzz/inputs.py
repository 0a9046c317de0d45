"""What the fuzz tests type: hostile text, ids that exist and ids that do not, query strings and
form bodies built from the parameter names each view reads.

Text includes NUL and other control characters, invisible direction marks, Thai digits, huge
numbers, the first and last days of the calendar in every notation the portal reads, and very
long strings; the generated text of hypothesis fills the gaps between.
"""

import functools
import io
import string
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

THAI_DIGITS = str.maketrans(string.digits, "๐๑๒๓๔๕๖๗๘๙")

# One value of each kind that has broken a parser somewhere: drawn often.
HOSTILE = [
    "\x00",
    "\x1f\x7f",
    "\u202e\u200b",
    "²",
    "٣",
    "๔๘๐๑",
    "9" * 30,
    "-1",
    "0001-01-01",
    "9999-12-31",
    "31/12/9999",
    "a" * 5000,
    "https://evil.example/",
    "%",
    "",
]
# Many more of each kind: drawn now and then.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "ก\x00",
    "\x01\x08\x0b\x0c\x1b\x1f\x7f",
    "\t\r\n",
    "\u202e\u2066ผกก\u2069",  # right-to-left override, isolates
    "\u200b\u200c\u200d\ufeff",  # zero-width, BOM
    "\u200f4801",
    "๔๘",
    "๔๘๐๑",
    "๖๔๘๐๑๙๙",
    "๕/๔/๒๕๖๘",
    "0",
    "-1",
    "-0",
    "00000000000000000000001",
    "9" * 30,
    "-" + "9" * 30,
    "๙" * 30,
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "1_000",
    "²",  # digits Python's isdigit() accepts and int() does not
    "¹²³",
    "①",
    "٣",  # Arabic-Indic three: int() reads it
    "１２",  # full-width
    "𝟙𝟚",  # mathematical digits
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2025-04-21T23:59:59+07:00",
    "2568-04-05T00:00:00",
    "2025-02-29",
    "1/1/0001",
    "31/12/9999",
    "31/12/99999",
    "29/2/2567",
    "5 เม.ย. 2568",
    "32 ธ.ค. 9999",
    "true",
    "null",
    "[]",
    "{}",
    "%",
    "%00",
    "%FF",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "🙂",
    "\uffff",
    "a" * 5000,
    "ก" * 3000,
    "1" * 2000,
]


def _thai(text: str) -> str:
    return text.translate(THAI_DIGITS)


# Text a person cannot type but a program can send: anything but lone surrogates (which no
# encoding carries over HTTP).
_ANY_CHAR = st.characters(exclude_categories=("Cs",))

text_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(NASTY),
    st.text(_ANY_CHAR, max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.integers(min_value=0, max_value=10**12).map(lambda n: _thai(str(n))),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: f"{d.day}/{d.month}/{d.year + 543}"),
    st.datetimes().map(lambda d: d.isoformat()),
    st.text(st.sampled_from("0123456789๐๑๒๓๔๕๖๗๘๙-/.:T+ "), max_size=30),
)

# Names of no parameter any view reads.
random_names = st.one_of(
    st.text(_ANY_CHAR, min_size=1, max_size=12), st.sampled_from(["", "\x00", "a[]", "q q"])
)


def slot_values(known: list[str], *, allow_slash: bool = False):
    """Values for one part of a path: ones that exist, and anything else."""
    junk = text_values if allow_slash else text_values.filter(lambda v: "/" not in v)
    options = [junk]
    if known:
        options.insert(0, st.sampled_from(known))
    return st.one_of(*options)


def encode_path_value(value: str, *, allow_slash: bool = False) -> str:
    return quote(value, safe="/" if allow_slash else "")


@functools.cache
def _value_for(values: tuple[str, ...]):
    if not values:
        return text_values
    return st.one_of(st.sampled_from(values), text_values)


def pairs(names: list[str], *, extra_names: list[str], values: dict[str, tuple[str, ...]]):
    """(name, value) pairs: mostly the view's own names, some of everyone's, some made up; names
    may repeat. A name's values: those it takes when all is well (`values`), and anything."""
    name = st.one_of(
        *([st.sampled_from(names)] * 3 if names else []),
        st.sampled_from(extra_names),
        random_names,
    )
    pair = name.flatmap(lambda n: _pair(n, values.get(n, ())))
    return st.lists(pair, max_size=6)


@functools.lru_cache(maxsize=8192)
def _pair(name: str, values: tuple[str, ...]):
    """The strategy of one name's pair, built once: hypothesis validates each new strategy object
    it draws from, which cost more than the draw when a new one was made for every pair."""
    return st.tuples(st.just(name), _value_for(values))


def query_string(items: list[tuple[str, str]]) -> str:
    return urlencode(items)


# Raw query strings and bodies no browser sends: broken percent escapes, bytes that are not UTF-8.
RAW_QUERIES = ["%", "%%", "%zz", "a=%FF%FE", "=&=&&", "a=1;b=2", "page=%00", "q=%C0%80"]
RAW_BODIES = [b"%", b"a=%FF%FE", b"\xff\xfe\x00", b"=&=", b"q=%00&page=%C0%80", b"\x00" * 64]

_FILE_CONTENT = st.one_of(
    st.sampled_from(
        [
            b"%PDF-1.4 appointment order",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 16,
            b"\xff\xd8\xff\xe0",
            b"",
            b"MZ\x90\x00",
            b"<html><script>alert(1)</script>",
        ]
    ),
    st.binary(max_size=64),
)
_FILE_NAME = st.one_of(
    st.sampled_from(
        [
            "order.pdf",
            "a\x00.pdf",
            "\u202efdp.exe",
            "ก" * 300 + ".pdf",
            "",
            ".",
            "..",
            "con",
            "order.PDF",
            "x.png",
        ]
    ),
    st.text(_ANY_CHAR.filter(lambda c: c not in '/\\"\r\n'), max_size=20),
)


class Upload(io.BytesIO):
    """A file for the test client's multipart body, its name sent as given (Django's own
    SimpleUploadedFile refuses the names a hostile client may send)."""

    def __init__(self, name: str, content: bytes):
        super().__init__(content)
        self.name = name
        self.content_type = "application/pdf"

    def __repr__(self):
        return f"Upload({self.name!r:.60}, {self.getvalue()!r:.40})"


uploads = st.builds(Upload, _FILE_NAME, _FILE_CONTENT)
