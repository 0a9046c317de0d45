"""Circular intake: the reference OCR text parses to the hand-typed letters; damaged dates and
numbers are flagged with candidates, never guessed; the spellings letters use all read."""

import datetime as dt
import json
from pathlib import Path

import pytest

from circulars.intake.parse import SourceKind, find_dates, parse, read_number
from circulars.intake.rules import propose
from circulars.intake.score import FLAGGED, RIGHT, score
from circulars.services import DEFAULT_DATA
from core.thai import BANGKOK, normalize_number
from maintenance.policy import Authority, CircularInfo, Policy, Subject, rule_from

REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference/circulars-2568-04-elaas.th.txt"
if not REFERENCE.exists():
    REFERENCE = Path("/work/shared/reference/circulars-2568-04-elaas.th.txt")
TRUTH = json.loads(DEFAULT_DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def proposal():
    return propose(parse(REFERENCE.read_text(encoding="utf-8")))


def letter_for(proposal, key):
    province, dla = proposal.parse.letters
    return {"nakhonphanom-0023.5-w1578": province, "dla-0808.4-w1541": dla}[key]


def truth(key):
    return next(c for c in TRUTH["circulars"] if c["key"] == key)


def test_the_reference_file_holds_two_letters_the_province_forwarding_dlas(proposal):
    province, dla = proposal.parse.letters
    assert province.forwards == dla.index
    assert province.enclosures[0].target == dla.index
    assert province.authority == "province" and province.value("province_name") == "นครพนม"
    assert dla.authority == "dla"


@pytest.mark.parametrize("key", ["nakhonphanom-0023.5-w1578", "dla-0808.4-w1541"])
def test_subjects_recipients_and_signatories_are_the_hand_typed_ones(proposal, key):
    letter, item = letter_for(proposal, key), truth(key)
    for name in ("subject", "recipients", "issuer_name", "signatory", "signatory_position"):
        assert letter.value(name) == item[name], name
        assert not letter.fields[name].flagged


def test_the_provinces_number_references_and_enclosure_are_read(proposal):
    letter, item = (
        letter_for(proposal, "nakhonphanom-0023.5-w1578"),
        truth("nakhonphanom-0023.5-w1578"),
    )
    assert normalize_number(letter.value("number")) == normalize_number(item["number"])
    ref, enc = letter.references[0], letter.enclosures[0]
    assert ref.number.value == item["references"][0]["cited_number"]
    assert ref.date.value == item["references"][0]["cited_date"]
    assert enc.number.value == item["enclosures"][0]["cited_number"]
    assert enc.date.value == item["enclosures"][0]["cited_date"]


def test_day_79_is_flagged_with_candidates_not_earlier_than_the_letter_it_cites(proposal):
    date = letter_for(proposal, "nakhonphanom-0023.5-w1578").fields["date"]
    assert date.value is None
    (flag,) = date.flags
    assert flag.code == "day_out_of_range"
    assert flag.candidates[0] == "2025-04-09"  # the hand-typed assumption
    assert all(c >= "2025-04-08" for c in flag.candidates)
    assert REFERENCE.read_text(encoding="utf-8")[date.start : date.end] == "๗๙ เมษาฯ ๒๕๖๘"


def test_dlas_damaged_number_and_date_are_flagged_with_the_enclosure_line_as_candidate(proposal):
    dla = letter_for(proposal, "dla-0808.4-w1541")
    number, date = dla.fields["number"], dla.fields["date"]
    assert number.value is None and date.value is None
    assert number.flags[0].candidates[0] == "มท ๐๘๐๘.๔/ว ๑๕๔๑"
    assert date.flags[0].candidates[0] == "2025-04-02"
    ref = dla.references[0]
    assert ref.number.flagged and ref.date.flagged
    assert ref.number.value is None and ref.date.value is None


def test_every_field_is_right_or_flagged_none_silently_wrong(proposal):
    result = score(proposal, TRUTH)
    assert result.wrong == []
    assert result.count(FLAGGED) == 6
    assert result.count(RIGHT) == 28


def test_spans_point_at_the_source_text(proposal):
    text = REFERENCE.read_text(encoding="utf-8")
    province = letter_for(proposal, "nakhonphanom-0023.5-w1578")
    number = province.fields["number"]
    assert text[number.start : number.end] == "ที่ นพ ๐๐๒๓.๕/ว ๑๕๗๘"
    subject = province.fields["subject"]
    assert text[subject.start : subject.end].startswith("เรื่อง การเข้าใช้งาน")


# --- rules ---------------------------------------------------------------------------------------


def _rule_tuple(r):
    def instant(v):
        return dt.datetime.fromisoformat(v) if isinstance(v, str) else v

    get = r.get if isinstance(r, dict) else r.__dict__.get
    return (
        get("clause"),
        get("entity_type"),
        get("identity_verified"),
        get("action"),
        get("effect"),
        instant(get("starts_at")),
        instant(get("ends_at")),
    )


@pytest.mark.parametrize("key", ["nakhonphanom-0023.5-w1578", "dla-0808.4-w1541"])
def test_the_proposed_rules_are_the_hand_typed_ones_to_the_second(proposal, key):
    letter = letter_for(proposal, key)
    got = [_rule_tuple(r) for r in proposal.rules[letter.index]]
    want = [_rule_tuple(r) for r in truth(key)["rules"]]
    assert got == want


def test_the_disagreements_found_are_the_hand_typed_datas_4_vs_5_april_1_vs_15_march(proposal):
    found = {
        (
            d.field,
            d.forwarding_value.astimezone(BANGKOK).date().isoformat(),
            d.source_value.astimezone(BANGKOK).date().isoformat(),
        )
        for d in proposal.discrepancies
    }
    # The same question asked of the policy engine with the hand-typed rules.
    infos, rules = [], []
    for n, item in enumerate(TRUTH["circulars"], start=1):
        infos.append(
            CircularInfo(
                id=n,
                number=item["number"],
                authority_level=Authority.DLA if item["authority"] == "dla" else Authority.PROVINCE,
                issued_on=dt.date.fromisoformat(item["issued_on"]),
                forwards_id=1 if item.get("forwards") else None,
            )
        )
        for k, r in enumerate(item["rules"]):
            data = {
                **r,
                "starts_at": dt.datetime.fromisoformat(r["starts_at"]),
                "ends_at": dt.datetime.fromisoformat(r["ends_at"]) if r["ends_at"] else None,
            }
            rules.append(rule_from(data, id=n * 100 + k, circular_id=n))
    hand = {
        (
            d.field,
            d.forwarding_value.astimezone(BANGKOK).date().isoformat(),
            d.source_value.astimezone(BANGKOK).date().isoformat(),
        )
        for d in Policy(infos, rules).discrepancies
    }
    assert (
        found
        == hand
        == {
            ("starts_at", "2025-04-04", "2025-04-05"),
            ("starts_at", "2025-03-01", "2025-03-15"),
        }
    )


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        ("2025-04-04T23:59:59+07:00", False),
        ("2025-04-05T00:00:00+07:00", True),
        ("2025-04-21T23:59:59+07:00", True),
        ("2025-04-22T00:00:00+07:00", False),
    ],
)
def test_dlas_identity_window_is_half_open_in_bangkok_time(proposal, at, inside):
    dla = letter_for(proposal, "dla-0808.4-w1541")
    (rule,) = [r for r in proposal.rules[dla.index] if r.action == "verify_identity"]
    plain = rule_from(rule, id=1, circular_id=1)
    info = CircularInfo(id=1, number="x", authority_level=3, issued_on=dt.date(2025, 4, 2))
    decision = Policy([info], [plain]).decide(
        Subject("lao", False), "verify_identity", dt.datetime.fromisoformat(at)
    )
    assert decision.allowed is inside


# --- the spelling corpus --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "first", "last"),
    [
        ("๕ เมษายน ๒๕๖๘", "2025-04-05", "2025-04-05"),
        ("5 เมษายน 2568", "2025-04-05", "2025-04-05"),
        ("๕ เม.ย. ๒๕๖๘", "2025-04-05", "2025-04-05"),
        ("5 เม.ย. 2568", "2025-04-05", "2025-04-05"),
        ("๕ เมษาฯ ๒๕๖๘", "2025-04-05", "2025-04-05"),
        ("๕ เมษายน พ.ศ. ๒๕๖๘", "2025-04-05", "2025-04-05"),
        ("๕ เมษายน พ.ศ.๒๕๖๘", "2025-04-05", "2025-04-05"),
        ("๒๗ มี.ค. ๒๕๖๘", "2025-03-27", "2025-03-27"),
        ("๑ มีนาฯ ๒๕๖๘", "2025-03-01", "2025-03-01"),
        ("๓๑ ธันวาคม ๒๕๖๗", "2024-12-31", "2024-12-31"),
        ("๕ – ๒๑ เมษายน ๒๕๖๘", "2025-04-05", "2025-04-21"),
        ("๕-๒๑ เมษายน ๒๕๖๘", "2025-04-05", "2025-04-21"),
        ("5 - 21 เม.ย. 2568", "2025-04-05", "2025-04-21"),
        ("๕ ถึง ๒๑ เมษายน ๒๕๖๘", "2025-04-05", "2025-04-21"),
        ("๕ ถึงวันที่ ๒๑ เมษายน ๒๕๖๘", "2025-04-05", "2025-04-21"),
        ("๕ –\n๒๑ เมษายน\n๒๕๖๘", "2025-04-05", "2025-04-21"),
        ("๔ – ๒๑ เมษาฯ\n๒๕๖๘", "2025-04-04", "2025-04-21"),
    ],
)
def test_the_spellings_of_a_date_all_read(written, first, last):
    (found,) = find_dates(f"ระหว่างวันที่ {written} เป็นต้นไป")
    assert found.problems == []
    assert found.first().isoformat() == first
    assert found.last().isoformat() == last


@pytest.mark.parametrize(
    ("written", "code", "candidate"),
    [
        ("๗๙ เมษาฯ ๒๕๖๘", "day_out_of_range", "2025-04-09"),
        ("๓๑ เม.ย. ๒๕๖๘", "day_out_of_range", "2025-04-03"),
        ("๒๙ ก.พ. ๒๕๖๘", "day_out_of_range", "2025-02-27"),
        ("๕ เมษายน ๒๕๒๐๕", "year_unreadable", "1977-04-05"),  # 2520 BE, stored ISO
        ("๕ เมษายน ๒๕๖", "year_unreadable", None),
        ("๒๖ กี.ก.๖๔", "month_unreadable", None),
    ],
)
def test_damaged_dates_are_flagged_with_candidates(written, code, candidate):
    (found,) = find_dates(written)
    assert found.first() is None
    codes = [p.code for p in found.problems]
    assert code in codes
    if candidate:
        assert any(candidate in p.candidates for p in found.problems)


def test_a_typed_reference_to_an_old_letter_is_trusted_as_written():
    # A letter citing a 40-year-old one is normal: typed digits are the sender's.
    text = REFERENCE.read_text(encoding="utf-8").replace("ลงวันที่ ๘ เมษาฯ ๒๕๖๘", "ลงวันที่ ๘ เมษาฯ ๒๕๒๘")
    for source in (SourceKind.TEXT, SourceKind.PDF_TEXT):
        ref = parse(text, source).letters[0].references[0]
        assert ref.date.value == "1985-04-08"
        assert ref.date.flags == []


def test_an_ocr_year_far_from_the_letters_others_is_flagged_with_the_confused_reading():
    # Tesseract reads ๖ as ๒: "๒๕๒๘" on a scan of a 2568 letter may be ๒๕๖๘.
    text = REFERENCE.read_text(encoding="utf-8").replace("ลงวันที่ ๘ เมษาฯ ๒๕๖๘", "ลงวันที่ ๘ เมษาฯ ๒๕๒๘")
    ref = parse(text, SourceKind.OCR).letters[0].references[0]
    assert ref.date.value is None
    assert ref.date.flags[0].code == "year_far"
    assert "2025-04-08" in ref.date.flags[0].candidates
    assert "1985-04-08" in ref.date.flags[0].candidates  # the reading itself stays on offer


def test_a_reference_dated_after_its_letter_is_flagged():
    text = REFERENCE.read_text(encoding="utf-8").replace("๗๙ เมษาฯ", "๙ เมษาฯ")
    text = text.replace("ลงวันที่ ๘ เมษาฯ ๒๕๖๘", "ลงวันที่ ๑๘ เมษาฯ ๒๕๖๘")
    letter = parse(text).letters[0]
    assert letter.value("date") == "2025-04-09"
    assert [f.code for f in letter.references[0].date.flags] == ["reference_after_letter"]


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("มท ๐๘๐๘.๔/ว ๑๕๔๑", "มท 0808.4/ว 1541"),
        ("นพ 0023.5/ว1578", "นพ 0023.5/ว 1578"),
        ("นพ ๐๐๒๓.๕/ว ๑๕๗๘", "นพ 0023.5/ว 1578"),
        ("มท 0808.4 / ว 1541", "มท 0808.4/ว 1541"),
        ("มท ๐๘๐๘.๔/๑๒๓๔", "มท 0808.4/1234"),
        ("นพ. ๐๐๒๓.๕/ว๑๓๗๕", "นพ 0023.5/ว 1375"),
    ],
)
def test_the_spellings_of_a_letter_number_all_read(written, normalized):
    value, problems, _parts = read_number(written)
    assert problems == []
    assert normalize_number(value) == normalized


@pytest.mark.parametrize("written", ["มท ๐๘๐๘.๔/ว ปรับ", "มท", "๑๒๓๔"])
def test_an_unreadable_letter_number_is_flagged(written):
    value, problems, _parts = read_number(written)
    assert value is None and problems


def test_ocr_digits_nothing_else_confirms_are_flagged_not_trusted():
    ocr = propose(parse(REFERENCE.read_text(encoding="utf-8"), SourceKind.OCR))
    result = score(ocr, TRUTH)
    assert result.wrong == []
    province = ocr.parse.letters[0]
    assert province.fields["number"].flags[0].code == "ocr_digits"
    # Every date OCR read waits for the officer, the reading offered first.
    for rules in ocr.rules.values():
        for rule in rules:
            assert rule.flags[0].code == "ocr_digits"
            assert rule.flags[0].candidates[0].startswith(rule.starts_at.isoformat())
