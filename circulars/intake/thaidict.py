"""Thai words OCR damaged that no other sign shows: a word that is in no dictionary, while the
same letters with one consonant's marks read back are (ซีง for ซึ่ง, ท้องถิน for ท้องถิ่น).

Tesseract drops a tone mark or an upper vowel, or reads one upper vowel as another (ี for ึ),
at full confidence; where the damaged word does not recur elsewhere in the letter, nothing on
the page tells it from the truth (`parse._MarkedText` catches it only where it recurs). A Thai
dictionary does: Thai writes no spaces between words, so a run of letters is cut into the
dictionary's words (fewest letters left outside any word, then fewest words), and a stretch left
outside is checked against the same run with the marks above or below one consonant near it
changed the way OCR damages them (some dropped, an upper vowel read as another: never letters
changed, never marks taken away). Where that makes every letter of the stretch and its
neighbouring words dictionary words, the reading is doubtful and the repaired run is a
candidate. A name or an abbreviation the dictionary lacks is left alone unless one mark place
makes it a word.

The dictionary is libthai's (Debian's libthai-data: /usr/share/libthai/thbrk.tri, the ~25,000
words of libthai's own word breaker, read at run time, not copied here), a double-array trie in
libdatrie's file format, read here in pure Python (a quarter of a second, once a process). ICU's
Thai break iterator (PyICU) was tried first: it cuts ซีง as one word of the same status as
ซึ่ง, so it cannot tell a word it knows from one it does not. Without the file (a machine
without libthai-data) `known()` is empty and nothing is flagged by this check.
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache
from pathlib import Path

DICTIONARY = Path("/usr/share/libthai/thbrk.tri")

# Marks written above or below a consonant (the upper vowels, ุ ู, the tone marks, ็ ์ ํ).
MARKS = frozenset(
    "\u0e31"
    + "".join(map(chr, range(0x0E34, 0x0E3B)))
    + "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d"
)
# Vowels written after the consonant, and before it: no word starts with the former or ends
# with the latter.
_FOLLOWING = frozenset("ะาำๅ")
_LEADING = frozenset("เแโใไ")
_VOWELS = _FOLLOWING | _LEADING
_CONSONANT = range(0x0E01, 0x0E2F)
# What may stand above or below one consonant: an upper or lower vowel and a tone mark (or ์).
_VOWEL_PLACES = ("", "\u0e31", "\u0e34", "\u0e35", "\u0e36", "\u0e37", "\u0e47", "\u0e38", "\u0e39")
_TONE_PLACES = ("", "\u0e48", "\u0e49", "\u0e4a", "\u0e4b", "\u0e4c")
# The upper vowels OCR takes for one another (ี for ึ): one mark's place.
_ABOVE = str.maketrans("\u0e35\u0e36\u0e37", "\u0e34\u0e34\u0e34")
# The longest word tried when cutting a run (libthai's longest are under 30 letters).
LONGEST = 30
# A run of Thai letters shorter than this is an abbreviation's part (พ, มท), not checked.
SHORTEST_RUN = 3
# Candidates offered for one field at most.
MOST_CANDIDATES = 6


@lru_cache(maxsize=1)
def known() -> frozenset[str]:
    """The dictionary's words (empty when the file is not there or not a libdatrie file)."""
    try:
        return frozenset(_trie_words(DICTIONARY.read_bytes()))
    except (OSError, ValueError, struct.error, IndexError):
        return frozenset()


def _trie_words(data: bytes) -> list[str]:
    """Every key of a libdatrie file: an alpha map (the Unicode ranges of its letters), a double
    array (base and check per cell; cell 2 the root) and the tails (a key's last letters)."""
    pos = 0

    def ints(n: int, fmt: str = "i", size: int = 4):
        nonlocal pos
        got = struct.unpack_from(f">{n}{fmt}", data, pos)
        pos += n * size
        return got

    if ints(1, "I")[0] != 0xD9FCD9FC:
        raise ValueError("not a libdatrie file")
    (n_ranges,) = ints(1)
    letters: dict[int, str] = {}
    for _ in range(n_ranges):
        first, last = ints(2)
        for cp in range(first, last + 1):
            letters[len(letters) + 1] = chr(cp)
    signature, n_cells = ints(2, "I")
    if signature != 0xDAFCDAFC:
        raise ValueError("no double array")
    cells = ints(2 * (n_cells - 1))
    base = (0, *cells[0::2])
    check = (0, *cells[1::2])
    if ints(1, "I")[0] != 0xDFFCDFFC:
        raise ValueError("no tails")
    _first_free, n_tails = ints(2)
    tails = []
    for _ in range(n_tails):
        ints(2)  # next free, data
        (length,) = ints(1, "h", 2)
        tails.append(data[pos : pos + length])
        pos += length
    children: dict[int, list[tuple[int, int]]] = {}
    for t in range(3, n_cells):
        s = check[t]
        if 0 < s < n_cells and base[s] > 0:
            children.setdefault(s, []).append((t - base[s], t))
    out, stack = [], [(2, "")]
    while stack:
        state, prefix = stack.pop()
        if base[state] < 0:  # the rest of the key is in a tail
            tail = tails[-base[state] - 1]
            tail = tail.split(b"\0", 1)[0]
            out.append(prefix + "".join(letters.get(b, "") for b in tail))
            continue
        for code, t in children.get(state, ()):
            if code == 0:
                out.append(prefix)
            elif code in letters:
                stack.append((t, prefix + letters[code]))
    return out


def _can_cut(run: str, at: int) -> bool:
    """A word may begin at `at`: not before a mark or a following vowel, not after a leading
    vowel."""
    if at in (0, len(run)):
        return True
    return run[at] not in MARKS and run[at] not in _FOLLOWING and run[at - 1] not in _LEADING


def cut(run: str, words: frozenset[str] | None = None) -> list[tuple[str, bool]]:
    """`run` (Thai letters) cut into words: the fewest letters outside any dictionary word, then
    the fewest pieces; each piece with whether the dictionary holds it."""
    words = known() if words is None else words
    n = len(run)
    worst = (n + 1, n + 1)
    best = [worst] * (n + 1)
    back: list[tuple[int, bool]] = [(0, False)] * (n + 1)
    best[0] = (0, 0)
    for i in range(n):
        if best[i] == worst or not _can_cut(run, i):
            continue
        outside, pieces = best[i]
        for j in range(i + 1, min(n, i + LONGEST) + 1):
            if not _can_cut(run, j):
                continue
            word = run[i:j]
            hit = word in words
            cost = (outside + (0 if hit else j - i), pieces + 1)
            if cost < best[j]:
                best[j] = cost
                back[j] = (i, hit)
    out, j = [], n
    while j > 0:
        i, hit = back[j]
        out.append((run[i:j], hit))
        j = i
    return out[::-1]


def _drops_marks(full: str, short: str) -> bool:
    """`short` is `full` with some of its marks left out or an upper vowel read as another."""
    j = 0
    full_, short_ = full.translate(_ABOVE), short.translate(_ABOVE)
    for c in full_:
        if j < len(short_) and short_[j] == c:
            j += 1
        elif c not in MARKS:
            return False
    return j == len(short_)


def _consonants(word: str) -> int:
    return sum(1 for c in word if ord(c) in _CONSONANT)


def _mark_variants(window: str, where: bool = False):
    """`window` with the marks of one of its consonants replaced by marks of which OCR's could
    be a damaged reading (more marks, or an upper vowel for another); with `where`, each with
    the consonant's offset."""
    for i, c in enumerate(window):
        if ord(c) not in _CONSONANT:
            continue
        j = i + 1
        while j < len(window) and window[j] in MARKS:
            j += 1
        read = window[i + 1 : j]
        for vowel in _VOWEL_PLACES:
            for tone in _TONE_PLACES:
                marks = vowel + tone
                if marks != read and _drops_marks(marks, read):
                    variant = window[: i + 1] + marks + window[j:]
                    yield (i, variant) if where else variant


def repairs(run: str, words: frozenset[str] | None = None) -> list[str]:
    """The readings of a run of Thai letters with one stretch outside the dictionary made
    dictionary words by the marks of one consonant in it or in the words beside it (or, when
    every letter is in a word, words side by side that such marks join into one): empty when
    no such change does."""
    words = known() if words is None else words
    if not words or len(run) < SHORTEST_RUN or not any(c in MARKS or c in _VOWELS for c in run):
        return []  # no dictionary, or an abbreviation (อบต, สพฐ): consonants alone
    pieces = cut(run, words)
    at = 0
    starts = []
    for piece, _hit in pieces:
        starts.append(at)
        at += len(piece)
    if all(hit for _p, hit in pieces):
        return _joined_by_a_mark(run, pieces, starts, words)
    found: list[str] = []
    for k, (_piece, hit) in enumerate(pieces):
        if hit:
            continue
        # the stretch with the words on either side: a mark lost over the word before it
        # leaves a letter outside (ซีง is cut ซี and ง)
        a = starts[max(0, k - 1)]
        b = starts[k + 2] if k + 2 < len(pieces) else len(run)
        window = run[a:b]
        before = len(cut(window, words))
        for variant in _mark_variants(window):
            pieces_now = cut(variant, words)
            # every letter in a word, and in no more pieces than before: marks put on a name
            # cut it into short words (สตม as สู้ ตม), a repair joins letters into words
            if all(h for _p, h in pieces_now) and len(pieces_now) <= before:
                repaired = run[:a] + variant + run[b:]
                if repaired not in found:
                    found.append(repaired)
    return found


# Dictionary words side by side that one consonant's marks join into one word: the most
# pieces looked at together.
JOINED_PIECES = 3


def _joined_by_a_mark(run: str, pieces, starts: list[int], words: frozenset[str]) -> list[str]:
    """A run cut wholly into words can still be damaged: a dropped mark may leave short words
    (เจ้าหน้าที for เจ้าหน้าที่ is เจ้า หน้า ที). Two or three words side by side that one
    consonant's marks, put back, make one dictionary word give that repair."""
    found: list[str] = []
    for k in range(len(pieces)):
        for n in range(2, JOINED_PIECES + 1):
            if k + n > len(pieces):
                break
            a = starts[k]
            b = starts[k + n] if k + n < len(pieces) else len(run)
            # only the marks over a word of one consonant (ที, ได, ให: where OCR's lost tone
            # mark leaves another word); a word of two consonants or more read without a mark
            # (ขอ in ขอความ) is as often the word as written
            singles = {
                i
                for j in range(k, k + n)
                if _consonants(pieces[j][0]) == 1
                for i in range(starts[j], starts[j] + len(pieces[j][0]))
            }
            for at, variant in _mark_variants(run[a:b], where=True):
                if a + at in singles and variant in words:
                    repaired = run[:a] + variant + run[b:]
                    if repaired not in found:
                        found.append(repaired)
    return found


def doubtful_words(value: str, words: frozenset[str] | None = None) -> list[tuple[str, list[str]]]:
    """The runs of Thai letters in `value` that look damaged, each with its repairs."""
    out = []
    for m in re.finditer(r"[\u0e01-\u0e3a\u0e40-\u0e4e]+", value.replace("ํา", "ำ")):
        fixes = repairs(m.group(), words)
        if fixes:
            out.append((m.group(), fixes))
    return out


def repaired_values(value: str, words: frozenset[str] | None = None) -> list[str]:
    """`value` with each damaged run replaced by its repairs (the first repair of the others),
    at most `MOST_CANDIDATES`."""
    value = value.replace("ํา", "ำ")
    damaged = doubtful_words(value, words)
    if not damaged:
        return []
    out: list[str] = []
    for n, (_run, fixes) in enumerate(damaged):
        for fix in fixes:
            text = value
            for m, (other, other_fixes) in enumerate(damaged):
                text = text.replace(other, fix if m == n else other_fixes[0], 1)
            if text not in out:
                out.append(text)
    return out[:MOST_CANDIDATES]
