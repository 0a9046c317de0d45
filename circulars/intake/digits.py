"""A second reader for the digits on a scanned page.

Tesseract's `tha` model reads Thai words well but confuses Thai digits consistently (๘→๕, ๔→๕,
๖→๒, ๗→๓ in Laksaman and Garuda), and sometimes drops one or reads a number as Latin letters.
This module keeps Tesseract's words and re-reads only the digits: for every line of Tesseract's
hOCR (with `hocr_char_boxes=1`) it cuts the line's ink into glyph columns (connected components,
marks above and below a letter joined to it), classifies each with a small model trained on Thai
and Arabic digits rendered from the TLWG fonts (`digits_model.py`; the weights ship as
`digits_model.npz`), and replaces each run of digits Tesseract read with the run of glyphs it
covers on the page. Each replacement is reported with its confidence, so the parser can flag the
doubtful ones.

CPU only: numpy and Pillow; about a tenth of a second a page beside Tesseract's seconds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL = Path(__file__).with_name("digits_model.npz")
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
ARABIC_DIGITS = "0123456789"
CLASSES = THAI_DIGITS + ARABIC_DIGITS + "?"  # "?": not a digit
REJECT = len(CLASSES) - 1
SIDE = 16  # glyphs are scaled into SIDE x SIDE
# A run of digits is re-read only when every glyph in it is at least this sure; below, the
# reading is still used but reported as doubtful.
SURE = 0.9
_DIGIT = re.compile(f"[{THAI_DIGITS}{ARABIC_DIGITS}]+")
# Thai letters, vowels and marks; not the signs ๆ and ฯ, which a scan's digits are read as too
# (โทร ๗ ๘๘๗๑ read โทร ๆ ๘๘๗๑)
_THAI_LETTER = re.compile(r"[\u0E01-\u0E2E\u0E30-\u0E45\u0E47-\u0E4E]")
_SEPARATOR = re.compile(r"[\s./\-:,()]")
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_XBOX = re.compile(r"x_bboxes (\d+) (\d+) (\d+) (\d+)")
_XCONF = re.compile(r"x_conf ([\d.]+)")
_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Reread:
    """One run of digits in a page's text as Tesseract read it and as the second reader did."""

    start: int  # offset of the run in the page's new text
    tesseract: str
    digits: str
    confidence: float

    def as_dict(self) -> dict:
        return asdict(self)


# -- glyphs ---------------------------------------------------------------------------------


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as True, by Otsu's threshold on the region's histogram."""
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return np.zeros(gray.shape, bool)
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    threshold = int(np.argmax(between))
    if hist[: threshold + 1].sum() == total:  # a blank region
        return np.zeros(gray.shape, bool)
    return gray <= threshold


def components(ink: np.ndarray) -> list[tuple[int, int, int, int, np.ndarray]]:
    """Connected components (8-connected) as (top, left, bottom, right, mask) from row runs."""
    parent: list[int] = []
    runs: list[tuple[int, int, int]] = []  # row, start, end (exclusive)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    padded = np.zeros((ink.shape[0], ink.shape[1] + 2), np.int8)
    padded[:, 1:-1] = ink
    edges = np.diff(padded, axis=1)
    previous: list[int] = []
    for y in range(ink.shape[0]):
        starts = np.flatnonzero(edges[y] == 1)
        ends = np.flatnonzero(edges[y] == -1)
        current = []
        j = 0
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            k = len(runs)
            runs.append((y, s, e))
            parent.append(k)
            current.append(k)
            # runs of the row above that touch this one (8-connected: one pixel of slack)
            while j < len(previous) and runs[previous[j]][2] < s:
                j += 1
            m = j
            while m < len(previous) and runs[previous[m]][1] <= e:
                a, b = find(previous[m]), find(k)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                m += 1
        previous = current
    groups: dict[int, list[int]] = {}
    for k in range(len(runs)):
        groups.setdefault(find(k), []).append(k)
    out = []
    for members in groups.values():
        rows = [runs[k] for k in members]
        top = min(r[0] for r in rows)
        bottom = max(r[0] for r in rows) + 1
        left = min(r[1] for r in rows)
        right = max(r[2] for r in rows)
        mask = np.zeros((bottom - top, right - left), bool)
        for y, s, e in rows:
            mask[y - top, s - left : e - left] = True
        out.append((top, left, bottom, right, mask))
    return out


@dataclass
class Glyph:
    left: int
    right: int
    top: int
    bottom: int
    mask: np.ndarray


def glyphs(ink: np.ndarray, *, min_pixels: int = 6) -> list[Glyph]:
    """The ink's glyph columns left to right: components whose horizontal extents mostly
    overlap (a letter and its marks) are one glyph; specks are dropped."""
    parts = [c for c in components(ink) if c[4].sum() >= min_pixels]
    parts.sort(key=lambda c: c[1])
    columns: list[list] = []
    for part in parts:
        top, left, bottom, right, _mask = part
        if columns:
            last = columns[-1]
            c_left = min(p[1] for p in last)
            c_right = max(p[3] for p in last)
            c_top = min(p[0] for p in last)
            c_bottom = max(p[2] for p in last)
            overlap = min(right, c_right) - max(left, c_left)
            stacked = min(bottom, c_bottom) - max(top, c_top)  # a mark above or below
            if overlap > 0.5 * min(right - left, c_right - c_left) and stacked < 0.3 * min(
                bottom - top, c_bottom - c_top
            ):
                last.append(part)
                continue
        columns.append([part])
    out = []
    for parts_ in columns:
        top = min(p[0] for p in parts_)
        left = min(p[1] for p in parts_)
        bottom = max(p[2] for p in parts_)
        right = max(p[3] for p in parts_)
        mask = np.zeros((bottom - top, right - left), bool)
        for t, le, b, r, m in parts_:
            mask[t - top : b - top, le - left : r - left] |= m
        out.append(Glyph(left, right, top, bottom, mask))
    return out


def features(mask: np.ndarray) -> np.ndarray:
    """The glyph centred in a square, scaled to SIDE x SIDE grey levels, and its aspect ratio."""
    from PIL import Image

    h, w = mask.shape
    side = max(h, w)
    square = np.zeros((side, side), np.uint8)
    y, x = (side - h) // 2, (side - w) // 2
    square[y : y + h, x : x + w] = mask * 255
    small = Image.fromarray(square).resize((SIDE, SIDE), Image.Resampling.BOX)
    pixels = np.asarray(small, np.float32).ravel() / 255.0
    return np.concatenate([pixels, [np.log(w / h)]]).astype(np.float32)


# -- the model ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def predict(model: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Class probabilities of the rows of `x` (a one-hidden-layer network)."""
    x = (x - model["mean"]) / model["scale"]
    hidden = np.maximum(x @ model["w1"] + model["b1"], 0)
    logits = hidden @ model["w2"] + model["b2"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def classify(masks: list[np.ndarray], model: dict | None = None) -> list[tuple[str, float]]:
    """(character, probability) of each glyph; "?" when it is not a digit."""
    if not masks:
        return []
    model = model or load_model()
    p = predict(model, np.stack([features(m) for m in masks]))
    best = p.argmax(axis=1)
    return [(CLASSES[b], float(p[i, b])) for i, b in enumerate(best)]


# -- a page ---------------------------------------------------------------------------------


@dataclass
class _Char:
    text: str
    left: int
    right: int


def hocr_lines(hocr: str) -> list[tuple[tuple[int, int, int, int], list[tuple]]]:
    """Tesseract's hOCR lines: each line's box, and its characters as (text, box, confidence)
    (100 where hOCR gives none). Shared by this reader and the doubts (`words.py`)."""
    root = ET.fromstring(hocr.encode("utf-8"))
    out = []
    for span in root.iter(f"{_NS}span"):
        if span.get("class") not in ("ocr_line", "ocr_textfloat", "ocr_header", "ocr_caption"):
            continue
        box = _BBOX.search(span.get("title", ""))
        if not box:
            continue
        chars = []
        for c in span.iter(f"{_NS}span"):
            if c.get("class") != "ocrx_cinfo" or not c.text:
                continue
            b, conf = _XBOX.search(c.get("title", "")), _XCONF.search(c.get("title", ""))
            if b:
                chars.append(
                    (
                        c.text,
                        tuple(int(v) for v in b.groups()),
                        float(conf.group(1)) if conf else 100.0,
                    )
                )
        out.append((tuple(int(v) for v in box.groups()), chars))
    return out


def _lines(hocr: str) -> list[tuple[tuple[int, int, int, int], list[_Char]]]:
    return [
        (box, [_Char(text, b[0], b[2]) for text, b, _conf in chars])
        for box, chars in hocr_lines(hocr)
    ]


def reread(text: str, hocr: str, gray: np.ndarray) -> tuple[str, list[Reread]]:
    """`text` (Tesseract's plain text of the page) with its digit runs replaced by what the
    second reader sees at their place in `gray` (the page, 8-bit grey), and the replacements."""
    # Where each character of the hOCR lines is in the text: hOCR holds the same characters in
    # the same order, without the spaces and line breaks.
    lines = _lines(hocr)
    position: list[tuple[int, int, _Char]] = []  # (line, offset in text, char)
    cursor = 0
    for n, (_box, chars) in enumerate(lines):
        for c in chars:
            at = text.find(c.text, cursor)
            if at < 0 or text[cursor:at].strip():
                continue  # not where it should be: leave this character alone
            position.append((n, at, c))
            cursor = at + len(c.text)
    # Tesseract's digit runs per line, with their extent on the page.
    runs: dict[int, list[list[tuple[int, _Char]]]] = {}
    last_end = -2
    for n, at, c in position:
        if not _DIGIT.fullmatch(c.text):
            last_end = -2
            continue
        line_runs = runs.setdefault(n, [])
        if line_runs and last_end == at and line_runs[-1]:
            line_runs[-1].append((at, c))
        else:
            line_runs.append([(at, c)])
        last_end = at + len(c.text)
    replacements: list[tuple[int, int, str, float]] = []  # start, end, digits, confidence
    model = load_model()
    by_line: dict[int, list[tuple[int, _Char]]] = {}
    for n, at, c in position:
        by_line.setdefault(n, []).append((at, c))
    for n, (box, _chars) in enumerate(lines):
        line_runs = runs.get(n, [])
        if not line_runs and not any(c.text.isascii() for _a, c in by_line.get(n, [])):
            continue
        found, body = _line_digits(gray, *box, model)
        slack = 0.3 * body
        chosen: dict[int, list[int]] = {}
        for i, run in enumerate(line_runs):
            r_left = min(c.left for _at, c in run) - slack
            r_right = max(c.right for _at, c in run) + slack
            overlaps = [min(g[1], r_right) - max(g[0], r_left) for g in found]
            if overlaps and max(overlaps) > 0:
                chosen.setdefault(int(np.argmax(overlaps)), []).append(i)
        for k, claims in chosen.items():
            if len(claims) > 1:  # of several claimants, those whose middle is over the glyphs
                g_left, g_right = found[k][0] - slack, found[k][1] + slack
                inner = [
                    i
                    for i in claims
                    if g_left
                    <= (
                        min(c.left for _a, c in line_runs[i])
                        + max(c.right for _a, c in line_runs[i])
                    )
                    / 2
                    <= g_right
                ]
                chosen[k] = inner or claims
        taken = set()
        claimed = {i for v in chosen.values() for i in v}
        heads = _number_heads(text, by_line.get(n, []), found, slack)
        replacements += [(start, end, "ที่", 0.0) for start, end in heads]
        for i, run in enumerate(line_runs):
            if i not in claimed:  # no digits seen there: Tesseract's reading stays, doubtful
                start, end = run[0][0], run[-1][0] + len(run[-1][1].text)
                if any(h_start <= start and end <= h_end for h_start, h_end in heads):
                    continue
                replacements.append((start, end, text[start:end], 0.0))
        for g, claims in chosen.items():
            first, last = line_runs[claims[0]], line_runs[claims[-1]]
            start = first[0][0]
            end = last[-1][0] + len(last[-1][1].text)
            if re.search(r"[\s./\-:,()]", text[start:end]) and len(claims) > 1:
                # two of Tesseract's runs, apart, over one run of glyphs: keep them, doubtful
                for i in claims:
                    run = line_runs[i]
                    s_, e_ = run[0][0], run[-1][0] + len(run[-1][1].text)
                    replacements.append((s_, e_, text[s_:e_], 0.0))
                continue
            g_left, g_right, digits, confidence = found[g]
            taken.add(g)
            # what Tesseract read inside the digits' extent goes with them: «๕ for ๙, ๐๙๗๗ส๘
            for at, c in reversed(by_line[n]):
                if at + len(c.text) == start and _stand_in(c, g_left, g_right):
                    start = at
            for at, c in by_line[n]:
                if at == end and _stand_in(c, g_left, g_right):
                    end = at + len(c.text)
            replacements.append((start, end, digits, confidence))
        # digits Tesseract read as Latin letters or signs (๓๖๗ as "moa", ๗๙ as "al’", ๔ as «),
        # or as Thai letters inside a number (๐๘๐๘.ดต/ว) or as a list item's number (ไต. for
        # ๒.): replaced when the reader is sure of each digit
        for k, (g_left, g_right, digits, confidence) in enumerate(found):
            if k in taken or confidence < SURE or not all(d in THAI_DIGITS for d in digits):
                continue
            inside = [
                (at, c)
                for at, c in by_line.get(n, [])
                if c.left >= g_left - slack and c.right <= g_right + slack
            ]
            if inside:
                inside = _whole_token(text, inside, by_line.get(n, []), g_left, g_right)
            thai = any(_THAI_LETTER.search(c.text) for _a, c in inside)
            # Latin letters and signs a scan's digits were read as come more than one a glyph
            # (๗๙ read "eve’", ๖๔ "A.n.ve"); Thai letters one a glyph, or one more
            most = len(digits) + 1 if thai else 2 * len(digits) + 1
            if not inside or len(inside) > most:
                continue
            start, end = inside[0][0], inside[-1][0] + len(inside[-1][1].text)
            span = text[start:end]
            if _DIGIT.search(span) or "\n" in span or (thai and " " in span):
                continue
            if (not thai and _token(text, start, end)) or any(
                f(text, start, end) for f in (_in_number, _list_item, _day)
            ):
                replacements.append((start, end, digits, confidence))
    new = []
    done: list[Reread] = []
    cursor = 0
    shift = 0
    for start, end, digits, confidence in sorted(replacements):
        new.append(text[cursor:start])
        done.append(Reread(start + shift, text[start:end], digits, round(confidence, 3)))
        new.append(digits)
        shift += len(digits) - (end - start)
        cursor = end
    new.append(text[cursor:])
    return "".join(new), done


# A letter's number as the correspondence regulation writes it: ที่, the office's letters, its
# code of four or five digits (ที่ มท ๐๘๐๘.๔/ว ๑๕๔๑, ที่ ศธ ๐๔๐๐๑/ว๑๓๕๖). Tesseract reads the
# tall ที่ of a scan as Latin or digits ("11 มท ๐๘๐๘", "N UN ๐๗๓๔"), and then the line is no
# number line at all.
_NUMBER_HEAD = re.compile(r"(?:^|(?<=[\s(]))([A-Za-z0-9|!]{1,3}) (\S{2,4}) ?(\S)")


def _number_heads(text: str, line: list[tuple[int, _Char]], found: list, slack: float):
    """The spans of a line's text that stand for the ที่ of a letter's number: a token of one
    to three Latin letters or digits where the reader sees no digit (a true digit there is a
    number, not a ที่), then the office's letters (no digits), then a run of four or five
    digits the reader is sure of (however Tesseract read them: "N AT coca" for ที่ ศธ ๐๐๔๕)."""
    if not line:
        return []
    first, last = line[0][0], line[-1][0] + len(line[-1][1].text)
    out = []
    for m in _NUMBER_HEAD.finditer(text, first, last):
        if _DIGIT.search(m.group(2)):
            continue
        head = [c for at, c in line if m.start(1) <= at < m.end(1)]
        code = [c for at, c in line if at == m.start(3)]
        if not head or not code:
            continue
        left, right = min(c.left for c in head), max(c.right for c in head)
        if any(min(g[1], right + slack) - max(g[0], left - slack) > 0 for g in found):
            continue
        if not any(
            g[0] - 2 * slack <= code[0].left <= g[1] and len(g[2]) in (4, 5) and g[3] >= SURE
            for g in found
        ):
            continue
        out.append((m.start(1), m.end(1)))
    return out


_SERIAL = re.compile(r"[./]\s?ว\.?\s?$")


def _in_number(text: str, start: int, end: int) -> bool:
    """Letters between a number's dot or slash and its digits (๐๘๐๘.ดต/ว for ๐๘๐๘.๓/ว), or in
    the place of its serial after /ว (/ว สฝัง for /ว ๙๙๖)."""
    before = text[max(start - 2, 0) : start]
    after = text[end : end + 2]
    return (
        (len(before) == 2 and before[1] in "./-" and _DIGIT.match(before[0]) is not None)
        or (len(after) == 2 and after[0] in "./-" and _DIGIT.match(after[1]) is not None)
        or _SERIAL.search(text[max(start - 5, 0) : start]) is not None
    )


_MONTH = re.compile(
    r" ?(?:มกรา|กุมภา|มีนา|เมษา|พฤษภา|มิถุนา|กรกฎา|สิงหา|กันยา|ตุลา|พฤศจิกา|ธันวา"
    r"|ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|ธ\.ค\.)"
)


def _day(text: str, start: int, end: int) -> bool:
    """The span stands before a month's name: a day (๗๙ เมษาฯ read as ขซ๓ เมษาฯ)."""
    return _MONTH.match(text, end) is not None


def _token(text: str, start: int, end: int) -> bool:
    """The span is a word of its own (moa, of, «), not part of one (the L of e-LAAS)."""
    edge = " \n\t().,:;"
    return (start == 0 or text[start - 1] in edge) and (end == len(text) or text[end] in edge)


def _list_item(text: str, start: int, end: int) -> bool:
    """A line that starts with the span (after its indent) and a dot: an item's number (๒. read
    as ไต.)."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and text[end : end + 1] in (".", ")")


def _whole_token(text, inside, line, g_left, g_right):
    """The characters over a run of glyphs, grown to the whole token they begin or end inside
    (Tesseract's boxes of "coca" for ๐๐๔๕, or the ไ of ไต. for ๒., need not fall within the
    glyphs' own): a neighbour joins when it touches the span in the text, is no separator
    (space . / - : , parentheses) and no digit, and its box's middle lies within a run's width
    of the glyphs."""
    chars = list(inside)
    order = [at for at, _c in line]
    first, last = order.index(chars[0][0]), order.index(chars[-1][0])
    while first > 0:
        at, c = line[first - 1]
        if at + len(c.text) != chars[0][0] or _SEPARATOR.search(c.text) or _DIGIT.search(c.text):
            break
        if not g_left - (g_right - g_left) <= (c.left + c.right) / 2 <= g_right:
            break
        chars.insert(0, (at, c))
        first -= 1
    while last + 1 < len(line):
        at, c = line[last + 1]
        prev_at, prev = chars[-1]
        if prev_at + len(prev.text) != at or _SEPARATOR.search(c.text) or _DIGIT.search(c.text):
            break
        if not g_left <= (c.left + c.right) / 2 <= g_right + (g_right - g_left):
            break
        chars.append((at, c))
        last += 1
    return chars


def _stand_in(c: _Char, left: int, right: int) -> bool:
    centre = (c.left + c.right) / 2
    return not re.search(r"[\s./\-:,()]", c.text) and left <= centre <= right


def _line_digits(gray, left, top, right, bottom, model):
    """Runs of digit glyphs on a line, as (left, right, digits, lowest probability), and the
    line's median glyph height."""
    pad = 4
    y0, x0 = max(top - pad, 0), max(left - pad, 0)
    region = gray[y0 : bottom + pad, x0 : right + pad]
    if region.size == 0:
        return [], 0
    found = glyphs(binarize(region))
    if not found:
        return [], 0
    heights = sorted(g.bottom - g.top for g in found)
    body = heights[len(heights) // 2]
    read = classify([g.mask for g in found], model)
    # a speck (a dot, a comma) is no digit, nor is a glyph the model hardly knows
    read = [
        ("?", p) if c != "?" and (g.bottom - g.top < 0.4 * body or p < 0.5) else (c, p)
        for g, (c, p) in zip(found, read, strict=True)
    ]
    sure = [g for g, (c, p) in zip(found, read, strict=True) if c != "?" and p >= SURE]
    digit_w = sorted(g.right - g.left for g in sure)[len(sure) // 2] if sure else body
    digit_h = sorted(g.bottom - g.top for g in sure)[len(sure) // 2] if sure else body
    found, read = _split_touching(found, read, body, (digit_w, digit_h), model)
    runs: list[list[tuple[Glyph, str, float]]] = []
    previous: Glyph | None = None
    for g, (char, p) in zip(found, read, strict=True):
        if char == "?":
            previous = None
            continue
        if previous is not None and g.left - previous.right <= 0.25 * body and runs:
            runs[-1].append((g, char, p))
        else:
            runs.append([(g, char, p)])
        previous = g
    # Thai and Arabic digits are not mixed in one number: a slash read as 1 in ๔/ว is no digit
    mixed = []
    for run in runs:
        thai = sum(ch in THAI_DIGITS for _g, ch, _p in run)
        script = THAI_DIGITS if 2 * thai >= len(run) else ARABIC_DIGITS
        piece: list[tuple[Glyph, str, float]] = []
        for item in run:
            if item[1] in script:
                piece.append(item)
            else:
                if piece:
                    mixed.append(piece)
                piece = []
        if piece:
            mixed.append(piece)
    out = []
    for run in mixed:
        digits = "".join(ch for _g, ch, _p in run)
        out.append(
            (
                run[0][0].left + x0,
                run[-1][0].right + x0,
                digits,
                min(p for _g, _c, p in run),
            )
        )
    return out, body


def _trim(g: Glyph) -> Glyph | None:
    rows = np.flatnonzero(g.mask.any(axis=1))
    cols = np.flatnonzero(g.mask.any(axis=0))
    if len(rows) == 0 or len(cols) == 0:
        return None
    mask = g.mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return Glyph(
        g.left + cols[0], g.left + cols[-1] + 1, g.top + rows[0], g.top + rows[-1] + 1, mask
    )


def _largest(g: Glyph) -> Glyph | None:
    g = _trim(g)
    if g is None:
        return None
    parts = components(g.mask)
    top, left, bottom, right, mask = max(parts, key=lambda c: c[4].sum())
    return Glyph(g.left + left, g.left + right, g.top + top, g.top + bottom, mask)


def _split_touching(found, read, body, digit_size, model, depth=0):
    """Digits that touch (tight kerning, blur) make one wide glyph that is no digit; so does a
    digit touching a slash (๔/ว). Cut it in two where the pieces read best, again if need be,
    and keep the pieces that are surely digits."""
    out_g, out_r = [], []
    digit_w, digit_h = digit_size
    for g, r in zip(found, read, strict=True):
        w, h = g.right - g.left, g.bottom - g.top
        # not surely a digit, or wider and taller than one: ๓ touching a slash passes for ๗
        # two digits that touch can pass for one (๕๖ for ๗ at 200 dpi)
        unsure = (
            r[0] == "?"
            or r[1] < SURE
            or (w > 1.4 * digit_w and h > 1.12 * digit_h)
            or w > 1.6 * digit_w
        )
        if depth > 2 or not unsure or w < 1.3 * min(h, body, digit_w) or h < 0.6 * body:
            out_g.append(g)
            out_r.append(r)
            continue
        pairs = []
        for cut in range(int(0.3 * w), int(0.7 * w) + 1, 2):
            left = _largest(Glyph(g.left, g.left + cut, g.top, g.bottom, g.mask[:, :cut]))
            right = _largest(Glyph(g.left + cut, g.right, g.top, g.bottom, g.mask[:, cut:]))
            if left is not None and right is not None:
                pairs.append((left, right))
        if not pairs:
            out_g.append(g)
            out_r.append(r)
            continue
        reads = classify([p.mask for pair in pairs for p in pair], model)
        best = None
        for i, pair in enumerate(pairs):
            (lc, lp), (rc, rp) = reads[2 * i], reads[2 * i + 1]
            if lc != "?" and rc != "?":
                score = 1 + min(lp, rp)
            elif lc != "?" or rc != "?":
                # a digit and a slash or letter: the digit no wider than the line's digits
                piece = pair[0] if lc != "?" else pair[1]
                if piece.right - piece.left > 1.15 * digit_w:
                    continue
                score = lp if lc != "?" else rp
                if score < SURE:
                    continue
            else:
                continue
            if best is None or score > best[0]:
                best = (score, pair, (reads[2 * i], reads[2 * i + 1]))
        if best is None:
            out_g.append(g)
            out_r.append(r)
            continue
        more_g, more_r = _split_touching(
            list(best[1]), list(best[2]), body, digit_size, model, depth + 1
        )
        out_g.extend(more_g)
        out_r.extend(more_r)
    return out_g, out_r


def page_gray(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("L"))
