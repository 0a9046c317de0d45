"""Where Tesseract's words on a scanned page are doubtful: its own low confidences, and ink it did
not read at all (a lost line, the end of a line dropped).

Tesseract reads Thai words well, but where it is wrong the text looks right: a dropped tone mark
or vowel (ทีได้ for ที่ได้) or a line that never reached the text gives a subject cut short or a
name misspelt that nothing downstream can tell from the truth. Two signs are on the page:

- its confidence in the characters it read (hOCR `x_conf`, with `hocr_char_boxes=1`), low where
  the glyph was unclear to it;
- ink it read nothing from: a band of ink rows between two of its lines that is as tall as a line
  (a lost line), or ink beyond a line's first or last word as wide as a few letters (words lost
  at the line's ends).

`doubts(text, hocr, gray)` gives both as spans of the page's text (the line with the weak
characters, the lines on either side of lost ink), for the parser to flag the fields they touch
instead of returning a confident wrong value. Pure numpy; a few hundredths of a second a page.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np

from .digits import binarize, hocr_lines

# A character Tesseract read with less confidence than this (0–100) makes its word doubtful.
# Chosen by measurement on the corpus rendered in Laksaman, Garuda and Loma at 300 dpi (README,
# Circular intake): the characters of words read wrong against those of words read right.
LOW_CONFIDENCE = 80.0
# Ink Tesseract read nothing from: a band at least this share of the page's median line height.
LOST_LINE_HEIGHT = 0.45
# … or a stretch beyond a line's words at least this many line heights wide.
LOST_WORDS_WIDTH = 1.5
# A row or column holds ink when it has at least this many ink pixels (specks are not text).
INK_PIXELS = 3
# A "line" of Tesseract's at most this share of the page's median line height whose box overlaps
# a full line's box is that line's marks: Thai tone marks and upper vowels stand above the
# letters, and Tesseract at times reads them as a line of their own (garbage such as "ยฆย devia
# ww a" over เจ้าหน้าทีท้องถิน, which then lacks its marks) or as letters at the end of the line
# ("… ทุกจังหวัด was"). Full lines measure 75–98 px at 16 pt and 300 dpi, such mark lines 37–55.
MARK_LINE_HEIGHT = 0.65


@dataclass(frozen=True)
class Doubt:
    """A span of the page's text whose reading is doubtful, and why."""

    start: int
    end: int
    kind: str  # "low_confidence" or "lost_ink"
    confidence: float  # the lowest character confidence (0–1); 0 for lost ink
    word: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Line:
    box: tuple[int, int, int, int]
    chars: list[tuple[str, tuple[int, int, int, int], float]]
    start: int = -1  # the line's span in the text (its first and last placed character)
    end: int = -1


def _hocr_lines(hocr: str) -> list[_Line]:
    return [_Line(box, chars) for box, chars in hocr_lines(hocr)]


def _place(text: str, lines: list[_Line]) -> list[list[int]]:
    """Each line's characters' offsets in `text` (-1 where one is not where it should be): hOCR
    holds the text's characters in the same order, without its spaces and line breaks."""
    cursor, out = 0, []
    for line in lines:
        offsets = []
        for ch, _box, _conf in line.chars:
            at = text.find(ch, cursor)
            if at < 0 or text[cursor:at].strip():
                offsets.append(-1)
                continue
            offsets.append(at)
            cursor = at + len(ch)
        placed = [o for o in offsets if o >= 0]
        if placed:
            line.start = text.rfind("\n", 0, placed[0]) + 1
            stop = text.find("\n", placed[-1])
            line.end = len(text) if stop < 0 else stop
        out.append(offsets)
    return out


def _word_span(text: str, at: int) -> tuple[int, int]:
    """The whitespace-delimited word of `text` around offset `at`."""
    start = at
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = at
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def doubts(text: str, hocr: str, gray: np.ndarray | None = None) -> list[Doubt]:
    """The doubtful spans of a page's `text` (Tesseract's plain text), from its `hocr` and, when
    given, the page's image (8-bit grey) for ink it read nothing from."""
    lines = _hocr_lines(hocr)
    offsets = _place(text, lines)
    found: list[Doubt] = []
    for line, offs in zip(lines, offsets, strict=True):
        for (ch, _box, conf), at in zip(line.chars, offs, strict=True):
            if at >= 0 and conf < LOW_CONFIDENCE and not ch.isspace():
                start, end = _word_span(text, at)
                found.append(
                    Doubt(start, end, "low_confidence", round(conf / 100, 3), text[start:end])
                )
    found += _latin_in_thai(text)
    found += _order_turned_back(text, lines)
    if gray is not None:
        found += _lost_ink(text, lines, gray)
    merged: dict[tuple[int, int, str], Doubt] = {}
    for d in found:
        key = (d.start, d.end, d.kind)
        if key not in merged or d.confidence < merged[key].confidence:
            merged[key] = d
    return sorted(merged.values(), key=lambda d: (d.start, d.end, d.kind))


# A short lower-case Latin word between Thai words: Tesseract (tha+eng) read a Thai word as
# Latin letters, และ as "was" (แ as w, ล as a, ะ as s). Thai letters write English words as
# names and acronyms (VDO, DOPA Channel, e-LAAS), seldom as a short lower-case word alone.
_LATIN_WORD = re.compile(r"(?<!\S)[a-z]{1,4}(?!\S)")
_THAI = re.compile(r"[\u0E01-\u0E2E]")


def _latin_in_thai(text: str) -> list[Doubt]:
    found = []
    for m in _LATIN_WORD.finditer(text):
        before = text[max(0, m.start() - 200) : m.start()].split()
        after = text[m.end() : m.end() + 200].split(maxsplit=1)
        if before and after and _THAI.search(before[-1]) and _THAI.search(after[0]):
            found.append(Doubt(m.start(), m.end(), "low_confidence", 0.0, m.group()))
    return found


def _order_turned_back(text: str, lines: list[_Line]) -> list[Doubt]:
    """A line after which Tesseract's reading order goes back up the page (the next line it
    read stands above it): what follows this line on the page comes later in the text or not
    at all, so a field on it may be cut (a memo's subject whose second line was read after the
    date line above it)."""
    read = [ln for ln in lines if ln.start >= 0 and ln.chars]
    if len(read) < 2:
        return []
    height = float(np.median([ln.box[3] - ln.box[1] for ln in read]))
    found = []
    for line, after in zip(read, read[1:], strict=False):
        if after.box[3] < line.box[1] - 0.5 * height:
            found.append(Doubt(line.start, line.end, "lost_ink", 0.0, text[line.start : line.end]))
    return found


def mark_lines(text: str, hocr: str) -> tuple[str, list[Doubt]]:
    """`text` with the lines Tesseract made of another line's marks blanked in place (spaces:
    every offset still points where it did), and a `lost_ink` doubt on each line whose marks
    they were: its words may lack their tone marks and vowels, and the garbage no longer cuts a
    field in two or joins its value."""
    lines = _hocr_lines(hocr)
    offsets = _place(text, lines)
    heights = [ln.box[3] - ln.box[1] for ln in lines if ln.chars]
    if len(heights) < 2:
        return text, []
    # the full lines' height: the upper quartile (a page may hold as many mark lines as lines)
    tall = MARK_LINE_HEIGHT * float(np.percentile(heights, 75))
    chars = list(text)
    found = []
    for line, offs in zip(lines, offsets, strict=True):
        x0, y0, x1, y1 = line.box
        if not line.chars or y1 - y0 > tall:
            continue
        owners = [
            o
            for o in lines
            if o is not line
            and o.chars
            and o.box[3] - o.box[1] > tall
            and min(y1, o.box[3]) > max(y0, o.box[1])
            and min(x1, o.box[2]) > max(x0, o.box[0])
        ]
        if not owners:
            continue
        for (ch, _box, _conf), at in zip(line.chars, offs, strict=True):
            if at >= 0:
                chars[at : at + len(ch)] = " " * len(ch)
        # the full line above it too: a field there may run on past the garbage (as beside a
        # band of ink read as nothing, `_lost_ink`)
        above = [
            o
            for o in lines
            if o.chars and o.box[3] - o.box[1] > tall and o.box[1] < y0 and o not in owners
        ]
        if above:
            owners.append(max(above, key=lambda o: o.box[1]))
        for o in owners:
            if o.start >= 0:
                found.append(Doubt(o.start, o.end, "lost_ink", 0.0, text[o.start : o.end]))
    return "".join(chars), found


def _lost_ink(text: str, lines: list[_Line], gray: np.ndarray) -> list[Doubt]:
    read = [ln for ln in lines if ln.start >= 0 and ln.chars]
    if not read:
        return []
    heights = [ln.box[3] - ln.box[1] for ln in read]
    height = float(np.median(heights))
    if height < 8:
        return []
    ink = binarize(gray)
    h, w = ink.shape
    left = max(0, min(ln.box[0] for ln in read))
    right = min(w, max(ln.box[2] for ln in read))
    covered = np.zeros(h, bool)
    for ln in lines:
        covered[max(0, ln.box[1] - 2) : min(h, ln.box[3] + 3)] = True
    rows = ink[:, left:right].sum(axis=1) >= INK_PIXELS
    lost = rows & ~covered
    found = []
    top = min(ln.box[1] for ln in read)
    bottom = max(ln.box[3] for ln in read)
    y = 0
    while y < h:
        if not lost[y]:
            y += 1
            continue
        start = y
        while y < h and lost[y]:
            y += 1
        band = (start, y)
        if band[1] - band[0] < LOST_LINE_HEIGHT * height or band[1] < top or band[0] > bottom:
            continue  # a speck, a rule, or ink above or below everything read (a letterhead)
        above = [ln for ln in read if ln.box[3] <= band[0] + 2]
        below = [ln for ln in read if ln.box[1] >= band[1] - 2]
        for ln in ([max(above, key=lambda ln: ln.box[3])] if above else []) + (
            [min(below, key=lambda ln: ln.box[1])] if below else []
        ):
            found.append(Doubt(ln.start, ln.end, "lost_ink", 0.0, text[ln.start : ln.end]))
    for ln in read:
        x0, y0, x1, y1 = ln.box
        band = ink[max(0, y0) : min(h, y1), :]
        cols = np.flatnonzero(band.sum(axis=0) >= INK_PIXELS)
        if not len(cols):
            continue
        chars_left = min(b[0] for _c, b, _f in ln.chars)
        chars_right = max(b[2] for _c, b, _f in ln.chars)
        before = cols[cols < chars_left - height * 0.5]
        after = cols[cols > chars_right + height * 0.5]
        # ink of a neighbouring column of text (a two-column page) is not lost: only ink that
        # lies within the extent of the page's read lines
        before = before[before >= left]
        after = after[after <= right]
        for part in (before, after):
            if len(part) and part.max() - part.min() >= LOST_WORDS_WIDTH * height:
                found.append(Doubt(ln.start, ln.end, "lost_ink", 0.0, text[ln.start : ln.end]))
    return found


def shifted(found: list[Doubt], rereads: list[dict]) -> list[Doubt]:
    """`found` (offsets into Tesseract's text) moved into the text after the digit reader's
    replacements (`digits.Reread.as_dict`: start in the new text, Tesseract's reading, the
    digits put there)."""
    # (old offset, shift after it): each replacement moves what follows it
    steps, total = [], 0
    for r in sorted(rereads, key=lambda r: r["start"]):
        old_start = r["start"] - total
        total += len(r["digits"]) - len(r["tesseract"])
        steps.append((old_start + len(r["tesseract"]), total))

    def move(offset: int) -> int:
        shift = 0
        for old_end, after in steps:
            if offset >= old_end:
                shift = after
        return offset + shift

    return [Doubt(move(d.start), move(d.end), d.kind, d.confidence, d.word) for d in found]
