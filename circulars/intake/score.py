"""How a proposal compares with letters typed by hand (circulars/data/*.json): per field, right,
flagged (left for the officer), or silently wrong. Pure Python; the tests and the bench use it.

A field counts as right when its value equals the hand-typed one (numbers compared in their
normalised form, so Thai and Arabic digits are the same) and no flag is open on it; flagged when
a flag is open, whatever its value; silently wrong otherwise. Where the hand-typed letter says a
part could not be read (an empty number, a null date), an open flag is the right answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.thai import normalize_number

from .parse import Field
from .rules import Proposal

RIGHT, FLAGGED, WRONG = "right", "flagged", "silently wrong"
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
