"""How a parse compares with what a letter really says. Pure Python (no ORM); the tests, the
bench and `manage.py score_intake` use it.

Two kinds of truth:

- The corpus of real texts (tests/circulars/corpus/<slug>.txt with <slug>.json): per letter its
  kind, number, date, subject, recipients, issuer, signatory, position and references, as written
  in the text, or null where the text does not say. `score_corpus` judges every expected field:

  right                              the value is the truth and no flag is open on it (or the
                                     truth is null and no value is given)
  flagged with the right candidate   a flag is open, and its value or one of its candidates is
                                     the truth
  flagged without it                 a flag is open; neither its value nor its candidates are
  silently wrong                     no flag, and the value is not the truth
  invented                           a value where the truth is null
  missed                             the truth is there; no value and no flag

  Values are compared as written, after folding Thai digits to Arabic, ํา to ำ and runs of
  whitespace to one space; numbers also in `normalize_number`'s form; dates as ISO days. A truth
  may list several acceptable spellings. A field the parser has no name for yet (such as "kind")
  is missed, never an error.

- The hand-typed reference letters (circulars/data/*.json) and their proposed rules: `score`
  judges a proposal right, flagged or silently wrong (the OCR tests and the bench use it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from core.thai import ThaiDateError, normalize_number, parse_date, to_arabic_digits

from .parse import Field
from .rules import Proposal

RIGHT = "right"
FLAGGED_RIGHT = "flagged with the right candidate"
FLAGGED_WRONG = "flagged without it"
WRONG = "silently wrong"
INVENTED = "invented"
MISSED = "missed"
VERDICTS = (RIGHT, FLAGGED_RIGHT, FLAGGED_WRONG, WRONG, INVENTED, MISSED)
FLAGGED = "flagged"  # the reference letters' one verdict for an open flag

KINDS = {
    "external": "หนังสือภายนอก",
    "internal": "หนังสือภายใน",
    "stamped": "หนังสือประทับตรา",
    "order": "คำสั่ง",
    "regulation": "ระเบียบ",
    "bylaw": "ข้อบังคับ",
    "announcement": "ประกาศ",
    "statement": "แถลงการณ์",
    "news": "ข่าว",
}
SHAPES = ("whole", "cut", "reposted", "several")
FOUND_AS = ("typed", "ocr", "pdf_text")
CORPUS_FIELDS = (
    "kind",
    "number",
    "date",
    "subject",
    "recipients",
    "issuer_name",
    "signatory",
    "signatory_position",
)
REFERENCE_PARTS = ("number", "date")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "circulars" / "corpus"


# --- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One text of the corpus and what it really says."""

    slug: str
    text: str
    meta: dict

    @property
    def letters(self) -> list[dict]:
        return self.meta["letters"]

    @property
    def found_as(self) -> str:
        return self.meta["found_as"]


def load_corpus(directory: Path = DEFAULT_CORPUS) -> list[Item]:
    """Every <slug>.txt with its <slug>.json, in slug order."""
    items = []
    for path in sorted(Path(directory).glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        items.append(Item(path.stem, text, meta))
    return items


def problems_in(item: Item) -> list[str]:
    """What is wrong with an item's description (empty when it is well-formed)."""
    meta, found = item.meta, []
    for key in ("source_url", "source", "retrieved", "found_as", "shape", "notes", "letters"):
        if key not in meta:
            found.append(f"no {key}")
    if not str(meta.get("source_url", "")).startswith(("http://", "https://")):
        found.append("source_url is not an address")
    if not str(meta.get("source", "")).strip():
        found.append("source names nothing")
    if meta.get("found_as") not in FOUND_AS:
        found.append(f"found_as {meta.get('found_as')!r}")
    if meta.get("shape") not in SHAPES:
        found.append(f"shape {meta.get('shape')!r}")
    if not item.text.strip():
        found.append("empty text")
    letters = meta.get("letters") or []
    if not letters:
        found.append("no letters")
    if meta.get("shape") == "several" and len(letters) < 2:
        found.append("shape several with fewer than two letters")
    for n, letter in enumerate(letters):
        if letter.get("kind") not in KINDS:
            found.append(f"letter {n}: kind {letter.get('kind')!r}")
        for name in CORPUS_FIELDS[1:]:
            if name not in letter:
                found.append(f"letter {n}: no {name}")
        for want in _spellings(letter.get("date")):
            if not _ISO_DAY.fullmatch(str(want)) or _iso_day(want) is None:
                found.append(f"letter {n}: date {want!r} is not YYYY-MM-DD")
        for r, ref in enumerate(letter.get("references", [])):
            if set(ref) != set(REFERENCE_PARTS):
                found.append(f"letter {n}: reference {r} has {sorted(ref)}")
            elif ref["date"] is not None and not _ISO_DAY.fullmatch(str(ref["date"])):
                found.append(f"letter {n}: reference {r} date {ref['date']!r}")
    return found


# --- comparing values ----------------------------------------------------------------------


def fold(value) -> str:
    """A value as compared: Arabic digits, ำ for ํา, one space between words."""
    text = to_arabic_digits(str(value)).replace("\u0e4d\u0e32", "\u0e33")
    return re.sub(r"\s+", " ", text).strip()


def _iso_day(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    try:
        return parse_date(text).isoformat()
    except ThaiDateError:
        return None


def _spellings(want) -> list[str]:
    if want is None:
        return []
    return list(want) if isinstance(want, list | tuple) else [want]


def same(name: str, got, want) -> bool:
    """Whether `got` is the truth `want` (one spelling, or a list of acceptable ones)."""
    if got is None or got == "":
        return False
    for spelling in _spellings(want):
        if name == "date":
            if _iso_day(got) is not None and _iso_day(got) == _iso_day(spelling):
                return True
        elif name == "number":
            if normalize_number(fold(got)) == normalize_number(fold(spelling)):
                return True
        elif name == "kind":
            if fold(got).lower() in (spelling, KINDS.get(spelling)):
                return True
        elif fold(got) == fold(spelling):
            return True
    return False


@dataclass
class Seen:
    """What the parser gave for one field: its value, whether a flag is open, the candidates."""

    value: object = None
    flagged: bool = False
    candidates: list = field(default_factory=list)


def seen(f) -> Seen:
    """A parser's Field (value, flags with candidates), a bare value, or nothing."""
    if f is None:
        return Seen()
    if not hasattr(f, "flags"):
        return Seen(value=None if f == "" else f)
    flags = list(getattr(f, "flags", []) or [])
    candidates = [c for flag in flags for c in (getattr(flag, "candidates", None) or [])]
    value = getattr(f, "value", None)
    return Seen(value=None if value == "" else value, flagged=bool(flags), candidates=candidates)


def judge(name: str, want, got: Seen) -> str:
    """One verdict (see the module's docstring) for a field whose truth is `want`."""
    if want is None or want == []:
        return INVENTED if got.value is not None else RIGHT
    if got.flagged:
        offered = [got.value, *got.candidates]
        return FLAGGED_RIGHT if any(same(name, c, want) for c in offered) else FLAGGED_WRONG
    if got.value is None:
        return MISSED
    return RIGHT if same(name, got.value, want) else WRONG


# --- scoring a parse -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    item: str
    source: str  # typed, pdf_text, ocr (as found) or ocr:<font> (rendered and read back)
    kind: str  # the true kind of the letter the field belongs to
    letter: int
    field: str
    verdict: str
    got: object
    want: object

    @property
    def present(self) -> bool:
        return self.want is not None


def _field_of(letter, name: str):
    fields = getattr(letter, "fields", {}) or {}
    if name in fields:
        return fields[name]
    value = getattr(letter, name, None)
    return None if callable(value) else value


def _agreement(truth: dict, letter) -> int:
    """How well a parsed letter fits a true one: number counts most, then date and subject (a
    flagged field's candidates count as its value)."""
    weights = {"number": 4, "date": 2, "subject": 2, "recipients": 1, "issuer_name": 1}
    score = 0
    for name, weight in weights.items():
        if truth.get(name) is None:
            continue
        got = seen(_field_of(letter, name))
        if any(same(name, c, truth[name]) for c in (got.value, *got.candidates)):
            score += weight
    return score


def _pair(truths: list, parsed: list, fit) -> list[tuple[int, int | None]]:
    """Each truth with the unused parsed entry that fits it best: the best-fitting pairs first
    (ties: the earliest), so that a parse that found only the third letter of three is paired
    with the third, not with the first by order."""
    scored = sorted(
        (
            (fit(truth, entry), t, p)
            for t, truth in enumerate(truths)
            for p, entry in enumerate(parsed)
        ),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    paired: dict[int, int] = {}
    used: set[int] = set()
    for _score, t, p in scored:
        if t not in paired and p not in used:
            paired[t] = p
            used.add(p)
    return [(t, paired.get(t)) for t in range(len(truths))]


def score_parse(item: Item, result, source: str | None = None) -> list[Row]:
    """Every expected field of `item` judged against a parse of its text (`parse(...)`)."""
    source = source or item.found_as
    parsed = list(getattr(result, "letters", []) or [])
    rows: list[Row] = []

    def add(kind, n, name, verdict, got, want):
        rows.append(Row(item.slug, source, kind, n, name, verdict, got, want))

    pairs = _pair(item.letters, parsed, _agreement)
    for t, p in pairs:
        truth = item.letters[t]
        kind = truth["kind"]
        letter = parsed[p] if p is not None else None
        for name in CORPUS_FIELDS:
            want = truth.get(name)
            got = seen(_field_of(letter, name)) if letter is not None else Seen()
            add(kind, t, name, judge(name, want, got), got.value, want)
        cited = [c for c in (getattr(letter, "references", None) or [])] if letter else []
        refs = _pair(truth.get("references", []), cited, _reference_fit)
        for r, c in refs:
            ref = truth["references"][r]
            for part in REFERENCE_PARTS:
                got = seen(getattr(cited[c], part, None)) if c is not None else Seen()
                add(
                    kind,
                    t,
                    f"references[{r + 1}].{part}",
                    judge(part, ref[part], got),
                    got.value,
                    ref[part],
                )
        used = {c for _r, c in refs if c is not None}
        for c, extra in enumerate(cited):
            if c not in used:
                got = seen(getattr(extra, "number", None))
                add(kind, t, f"references[+{c + 1}]", INVENTED, got.value, None)
    used = {p for _t, p in pairs if p is not None}
    for p, extra in enumerate(parsed):
        if p not in used:
            got = seen(_field_of(extra, "number"))
            add("(extra)", p, "(letter)", INVENTED, got.value or "a letter", None)
    return rows


def _reference_fit(truth: dict, cited) -> int:
    return 2 * same("number", seen(getattr(cited, "number", None)).value, truth["number"]) + same(
        "date", seen(getattr(cited, "date", None)).value, truth["date"]
    )


@dataclass
class Report:
    """Rows of verdicts, counted by kind and by source."""

    rows: list[Row] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(1 for r in self.rows if r.verdict == verdict)

    @property
    def problems(self) -> list[Row]:
        """The silently wrong and the invented: what the goals allow none of."""
        return [r for r in self.rows if r.verdict in (WRONG, INVENTED)]

    def groups(self, key: str) -> list[tuple[str, Counter]]:
        """(name, counts) per kind or per source, by name."""
        names = sorted({getattr(r, key) for r in self.rows})
        return [(n, counts_of([r for r in self.rows if getattr(r, key) == n])) for n in names]

    def table(self) -> str:
        out = []
        for title, key in (("kind", "kind"), ("source", "source")):
            out += [_header(title)] + [_line(name, c) for name, c in self.groups(key)]
            out.append("")
        out.append(_line("total", counts_of(self.rows)))
        if self.problems:
            out += ["", "silently wrong and invented:"]
            out += [
                f"  {r.item} [{r.source}] letter {r.letter} {r.field}: {r.verdict}: "
                f"got {_short(r.got)!r}, truth {_short(r.want)!r}"
                for r in self.problems
            ]
        return "\n".join(out)

    def as_dict(self) -> dict:
        return {
            "total": summary(counts_of(self.rows)),
            "by_kind": {n: summary(c) for n, c in self.groups("kind")},
            "by_source": {n: summary(c) for n, c in self.groups("source")},
            "problems": [
                {
                    "item": r.item,
                    "source": r.source,
                    "letter": r.letter,
                    "field": r.field,
                    "verdict": r.verdict,
                    "got": _plain(r.got),
                    "truth": _plain(r.want),
                }
                for r in self.problems
            ],
        }


def counts_of(rows: list[Row]) -> Counter:
    """Verdicts counted, with the number of fields, of fields with a truth, and of those right."""
    counts = Counter(r.verdict for r in rows)
    counts["(fields)"] = len(rows)
    counts["(present)"] = sum(r.present for r in rows)
    counts["(right present)"] = sum(r.present and r.verdict == RIGHT for r in rows)
    counts["(right absent)"] = counts[RIGHT] - counts["(right present)"]
    return counts


def right_share(counts: Counter) -> float:
    """Right among the fields whose truth is in the text."""
    return counts["(right present)"] / counts["(present)"] if counts["(present)"] else 0.0


def summary(counts: Counter) -> dict:
    return {
        "fields": counts["(fields)"],
        "with_truth": counts["(present)"],
        **{v: counts[v] for v in VERDICTS},
        "right_with_truth": counts["(right present)"],
        "right_left_empty": counts["(right absent)"],
        "right_share": round(right_share(counts), 4),
    }


# Right is split: of fields the text has ("right"), and of those it has not, left empty ("none").
_COLUMNS = (
    ("(right present)", "right"),
    (FLAGGED_RIGHT, "flag+"),
    (FLAGGED_WRONG, "flag-"),
    (WRONG, "wrong"),
    (MISSED, "missed"),
    ("(right absent)", "none"),
    (INVENTED, "invent"),
)


def _header(title: str) -> str:
    cells = "".join(f"{short:>8}" for _v, short in _COLUMNS)
    return f"{title:24}{'fields':>8}{cells}{'right%':>9}"


def _line(name: str, counts: Counter) -> str:
    cells = "".join(f"{counts[v]:>8}" for v, _short in _COLUMNS)
    return f"{name[:24]:24}{counts['(fields)']:>8}{cells}{right_share(counts):>9.1%}"


def _short(value, limit: int = 60):
    text = _plain(value)
    if isinstance(text, str) and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def score_corpus(items: list[Item], parse_one, source=None) -> Report:
    """Parse each item's text with `parse_one(item)` and judge it; `source` labels the rows."""
    report = Report()
    for item in items:
        report.rows += score_parse(item, parse_one(item), source(item) if source else None)
    return report


# --- the hand-typed reference letters (circulars/data/*.json) -------------------------------

LETTER_FIELDS = (
    "number",
    "date",
    "issuer_name",
    "issuer_address",
    "subject",
    "recipients",
    "signatory",
    "signatory_position",
    "contact_phone",
)


@dataclass
class Score:
    rows: list[tuple[str, str, str, object, object]] = field(default_factory=list)

    def add(self, letter: str, name: str, verdict: str, got, want) -> None:
        self.rows.append((letter, name, verdict, got, want))

    def count(self, verdict: str) -> int:
        return sum(1 for r in self.rows if r[2] == verdict)

    @property
    def wrong(self) -> list[tuple]:
        return [r for r in self.rows if r[2] == WRONG]

    def table(self) -> str:
        lines = [f"{'letter':28} {'field':22} verdict"]
        lines += [f"{r[0]:28} {r[1]:22} {r[2]}" for r in self.rows]
        lines.append(
            f"right {self.count(RIGHT)}, flagged {self.count(FLAGGED)}, "
            f"silently wrong {self.count(WRONG)}"
        )
        return "\n".join(lines)


def _same(name: str, got, want) -> bool:
    if name.endswith("number"):
        return normalize_number(got or "") == normalize_number(want or "")
    return (got or "") == (want or "")


def _judge(score: Score, key: str, name: str, f: Field | None, want) -> None:
    got = f.value if f else None
    if f is not None and f.flagged:
        score.add(key, name, FLAGGED, got, want)
    elif _same(name, got, want):
        score.add(key, name, RIGHT, got, want)
    else:
        score.add(key, name, WRONG, got, want)


def _match(proposal: Proposal, item: dict):
    """The parsed letter the hand-typed one is: same number, or same subject and recipients."""
    for letter in proposal.parse.letters:
        if letter.value("number") and _same("number", letter.value("number"), item["number"]):
            return letter
    for letter in proposal.parse.letters:
        if letter.value("recipients") == item["recipients"]:
            return letter
    return None


def score(proposal: Proposal, truth: dict) -> Score:
    result = Score()
    matched = {}
    for item in truth["circulars"]:
        letter = _match(proposal, item)
        matched[item["key"]] = letter
        key = item["key"]
        if letter is None:
            result.add(key, "(letter)", WRONG, None, item["number"])
            continue
        wants = {**item, "date": item["issued_on"]}
        for name in LETTER_FIELDS:
            want = wants.get(name)
            f = letter.fields.get(name)
            if name == "number" and not letter.fields["number"].value and f.flagged:
                result.add(key, name, FLAGGED, None, want)
                continue
            if want is None and f is not None and f.flagged:
                result.add(key, name, FLAGGED, None, want)
                continue
            _judge(result, key, name, f, want)
        for kind, cited in (("references", letter.references), ("enclosures", letter.enclosures)):
            for i, entry in enumerate(item.get(kind, [])):
                c = cited[i] if i < len(cited) else None
                for part, want in (
                    ("number", entry["cited_number"]),
                    ("date", entry["cited_date"]),
                ):
                    _judge(result, key, f"{kind}[{i + 1}].{part}", getattr(c, part, None), want)
    for item in truth["circulars"]:
        letter = matched[item["key"]]
        if letter is None:
            continue
        want = matched.get(item.get("forwards")) if item.get("forwards") else None
        got = letter.forwards
        ok = (want.index if want else None) == got
        result.add(item["key"], "forwards", RIGHT if ok else WRONG, got, want and want.index)
        rules = proposal.rules.get(letter.index, [])
        for i, rule in enumerate(item.get("rules", [])):
            mine = rules[i] if i < len(rules) else None
            want = _rule_key(rule)
            got = _rule_key(mine.__dict__) if mine else None
            if mine is not None and mine.flags:
                verdict = FLAGGED
            else:
                verdict = RIGHT if got == want else WRONG
            result.add(item["key"], f"rule {rule['clause'][:18]}", verdict, got, want)
    return result


def _rule_key(rule: dict) -> tuple:
    def instant(v):
        if v is None or isinstance(v, dt.datetime):
            return v
        return dt.datetime.fromisoformat(v)

    return (
        rule["entity_type"],
        rule["identity_verified"],
        rule["action"],
        rule["effect"],
        instant(rule["starts_at"]),
        instant(rule["ends_at"]),
    )
