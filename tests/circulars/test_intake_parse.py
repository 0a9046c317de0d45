"""Circular intake: the reference OCR text parses to the hand-typed letters; damaged dates and
numbers are flagged with candidates, never guessed; the spellings letters use all read."""

import datetime as dt
import json
from pathlib import Path

import pytest

from circulars.intake.parse import (
    ParseResult,
    SourceKind,
    find_dates,
    fix_words,
    parse,
    read_number,
    read_order_number,
)
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
        # ฏ for ฎ, the month's common misspelling (nongkungsri-kalasin-ks0023-3-w4029-2564)
        ("1 กรกฏาคม 2564", "2021-07-01", "2021-07-01"),
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


# --- every kind of letter in the correspondence regulation, as real texts arrive ---------------
# Excerpts as found on public pages (the search tool's pages corpus; whole texts and their expected
# fields are in intake-corpus's tests/circulars/corpus). Not retyped: spacing and dots as found.

# http://www.lawreform.go.th/lawreform/images/th/legis/compe/th/notifi/2542/ca52-2E-2542-A0001.htm
ANNOUNCEMENT = """ประกาศกระทรวงมหาดไทย

เรื่อง จัดตั้งองค์การบริหารส่วนตำบล

------------------------

\x20

                        โดยที่มาตรา ๔๐ และมาตรา ๔๑ แห่งพระราชบัญญัติสภาตำบลและองค์การ
"""
# http://www.mcu.ac.th/BO/Files/Regulation/ruleFile375.htm
BYLAW = """ข้อบังคับมหาวิทยาลัยมหาจุฬาลงกรณราชวิทยาลัย

ว่าด้วยองค์กรนิสิต

พุทธศักราช ๒๕๔๘

-----------------------

         เพื่อให้การบริหารองค์กรนิสิตมหาวิทยาลัยมหาจุฬาลงกรณราชวิทยาลัย ดำเนินไป
"""
# https://nbk.go.th/select_news.php?news_id=1019
REGULATION = """ระเบียบกระทรวงมหาดไทย
ว่าด้วยข้อบังคับการประชุมสภาท้องถิ่น พ.ศ.2547
(แก้ไขเพิ่มเติมถึง(ฉบับที่ 2) พ.ศ.2544)
"""
# http://www.namsongkram.com/2015/08/blog-post_9.html (a school's บันทึกข้อความ, its blanks dotted)
MEMO = (
    "ตัวอย่างบันทึกข้อความสรุปผลโครงการกีฬาไทย" + " " * 48 + "บันทึกข้อความ\n"
    "ส่วนราชการที่                              โรงเรียน......................\n"
    "ที่" + " " * 92 + "วันที่    9    มีนาคม     2552\n"
    "เรื่อง     รายงานสรุปผลการดำเนินงานโครงการส่งเสริมและพัฒนาศักยภาพให้กับนักเรียน\n"
    "              (ชมรมหมากรุกไทย)\n"
    "-----------------------------------------------\n"
    "เรียน       ผู้อำนวยการโรงเรียน.............................\n"
)
# https://phukethotnews.net/news/ (แถลงการณ์นายกรัฐมนตรี, 12 August 2558)
STATEMENT = """แถลงการณ์นายกรัฐมนตรี
๑๒ สิงหาคม ๒๕๕๘, ๒๑.๑๕ น.

จากเหตุการณ์ความไม่สงบทั้งที่หัวหิน จังหวัดประจวบคีรีขันธ์ ตรัง พังงา ภูเก็ต และสุราษฎร์ธานี
"""
# http://downmerng.blogspot.com/2011/08/12-1.html (reposted: the page's credit line above it)
ANNOUNCEMENT_REPOSTED = """ที่มา ประชาไท
ประกาศสำนักพระราชวัง
เรื่อง งดการไว้ทุกข์ในราชสำนัก
ตาม ประกาศสำนักพระราชวังลงวันที่ 27 กรกฎาคม 2554 ทรงพระกรุณาโปรดเกล้าฯ ให้พระบรมวงศานุวงศ์
สำนักพระราชวัง
4 สิงหาคม พุทธศักราช 2554
"""
# http://immchonburi.go.th/main/new-criterla-consideration1.html (two orders in one line)
ORDERS = "คำสั่ง สตม.ที่ 7/2562 ลง 14 ม.ค.62 คำสั่ง สตม.ที่ 35/2562 ลง 18 ม.ค.62\n"
# https://tlhr2014.wordpress.com/2015/04/ (an order's title in a list)
ORDER_IN_LIST = (
    " 1. คำสั่งหัวหน้าคณะรักษาความสงบแห่งชาติ ฉบับที่ 6/2558[1] เรื่อง "
    "การกําหนดตําแหน่งเพิ่มและการแต่งตั้งข้าราชการให้ดํารงตําแหน่ง ซึ่งมีสาระสำคัญในการโยกย้าย\n"
)
# http://ops.sueksa.go.th/10/07/2018/0402-3-026695/ (a download list's line: no ว in the number)
MENTION = (
    "หนังสือกรมบัญชีกลาง ที่ กค 0402.3/026695 ลงวันที่ 29 มิถุนายน 2561 "
    "เรื่องขอให้ตรวจสอบและทบทวนระเบียบการใช้จ่ายเงิน\n"
)
# http://r36.ddc.moph.go.th/r36/document/detail/27 (several letters, one a line; ว. with a dot)
SEVERAL = (
    "หนังสือกรมส่งเสริมการปกครองท้องถิ่น เรียน ผู้ว่าราชการจังหวัดทุกจังหวัด เรื่อง "
    "ประกาศกำหนดท้องที่ฉีดวัคซีนป้องกันโรคพิษสุนัขบ้า (ในสัตว์) โดยไม่เสียค่าธรรมเนียม "
    "มท 0810.5/ว.617 ลงวันที่ 21 มีนาคม 2560\n"
    "หนังสือกรมปศุสัตว์ เรียน ผู้ว่าราชการจังหวัด / ผู้ว่าราชการกรุงเทพมหานคร เรื่อง "
    "ประกาศกำหนดท้องที่ฉีดวัคซีนป้องกันโรคพิษสุนัขบ้า (ในสัตว์) โดยไม่เสียค่าธรรมเนียม\n"
)
# https://person.dld.go.th/person_dev/index.php/order-menu/39-0406-4-138-16-2555 (only a line of
# อ้างถึง: a cut letter)
CUT_REFERENCE = "อ้างถึง หนังสือกระทรวงการคลัง ด่วนที่สุด ที่ กค 0406.4/ว 138 ลงวันที่ 2 ตุลาคม 2552\n"


def _one(text):
    (letter,) = parse(text).letters
    return letter


def test_an_announcement_is_read_by_its_layout_its_date_missing_not_invented():
    letter = _one(ANNOUNCEMENT)
    assert letter.kind == "announcement"
    assert letter.value("issuer_name") == "กระทรวงมหาดไทย"
    assert letter.value("subject") == "จัดตั้งองค์การบริหารส่วนตำบล"
    assert letter.fields["date"].missing and letter.value("date") is None
    assert letter.fields["number"].missing and letter.fields["recipients"].missing
    assert letter.value("body").startswith("โดยที่มาตรา ๔๐")


def test_a_bylaw_and_a_regulation_are_read_their_year_not_part_of_the_subject():
    bylaw = _one(BYLAW)
    assert (bylaw.kind, bylaw.value("issuer_name"), bylaw.value("subject")) == (
        "bylaw",
        "มหาวิทยาลัยมหาจุฬาลงกรณราชวิทยาลัย",
        "องค์กรนิสิต",
    )
    regulation = _one(REGULATION)
    assert (regulation.kind, regulation.value("issuer_name"), regulation.value("subject")) == (
        "regulation",
        "กระทรวงมหาดไทย",
        "ข้อบังคับการประชุมสภาท้องถิ่น",
    )


def test_a_memo_is_read_its_inline_date_and_dotted_blanks_as_written():
    letter = _one(MEMO)
    assert letter.kind == "internal"
    assert letter.value("date") == "2009-03-09"
    assert letter.value("subject") == (
        "รายงานสรุปผลการดำเนินงานโครงการส่งเสริมและพัฒนาศักยภาพให้กับนักเรียน (ชมรมหมากรุกไทย)"
    )
    assert letter.value("recipients").startswith("ผู้อำนวยการโรงเรียน")


def test_a_statement_is_dated_by_the_date_line_under_its_title():
    letter = _one(STATEMENT)
    assert (letter.kind, letter.value("issuer_name"), letter.value("date")) == (
        "statement",
        "นายกรัฐมนตรี",
        "2015-08-12",
    )
    assert letter.fields["signatory"].missing


def test_a_reposted_announcement_is_dated_at_its_foot_and_the_page_around_it_left_out():
    letter = _one(ANNOUNCEMENT_REPOSTED)
    assert letter.kind == "announcement"
    assert letter.value("issuer_name") == "สำนักพระราชวัง"
    assert letter.value("subject") == "งดการไว้ทุกข์ในราชสำนัก"
    assert letter.value("date") == "2011-08-04"  # 4 สิงหาคม พุทธศักราช 2554


def test_two_orders_in_one_line_are_two_letters_with_their_numbers_and_dates():
    first, second = parse(ORDERS).letters
    assert [
        (o.kind, o.value("issuer_name"), o.value("number"), o.value("date"))
        for o in (first, second)
    ] == [
        ("order", "สตม.", "7/2562", "2019-01-14"),
        ("order", "สตม.", "35/2562", "2019-01-18"),
    ]


def test_an_orders_title_in_a_list_gives_its_number_and_subject_not_the_sentence_after():
    letter = _one(ORDER_IN_LIST)
    assert letter.kind == "order"
    assert letter.value("issuer_name") == "หัวหน้าคณะรักษาความสงบแห่งชาติ"
    assert letter.value("number") == "6/2558"
    assert letter.value("subject") == "การกำหนดตำแหน่งเพิ่มและการแต่งตั้งข้าราชการให้ดำรงตำแหน่ง"


def test_a_letter_named_in_a_line_of_a_web_page_is_taken_in_with_its_parts():
    letter = _one(MENTION)
    assert letter.kind == "external" and letter.cut
    assert letter.value("issuer_name") == "กรมบัญชีกลาง"
    assert normalize_number(letter.value("number")) == "กค 0402.3/026695"
    assert letter.value("date") == "2018-06-29"
    assert letter.value("subject").startswith("ขอให้ตรวจสอบและทบทวน")


def test_a_term_or_meeting_counted_with_ที่_in_running_text_names_no_letter():
    # yotathai.com's repost of มท 0893.4/ว 1333 (tests/circulars/corpus): "ภาคเรียนที่ ๑/๒๕๕๕"
    # after "แจ้งหนังสือ" is a school term, not the number of a second letter.
    text = (
        "หนังสือ ด่วนที่สุด ที่ มท ๐๘๙๓.๔/ว ๑๓๓๓ ลงวันที่ ๒๑ พฤษภาคม ๒๕๕๕ "
        "เรื่องหลักเกณฑ์โครงการอาหารเสริม (นม) โรงเรียน ภาคเรียนที่ ๑/๒๕๕๕\n"
        "กรมส่งเสริมการปกครองท้องถิ่น แจ้งหนังสือหลักเกณฑ์โครงการอาหารเสริม (นม) โรงเรียน "
        "ภาคเรียนที่ ๑/๒๕๕๕ ซึ่งคณะกรรมการได้มีมติเห็นชอบแล้ว\n"
    )
    (letter,) = parse(text).letters
    assert normalize_number(letter.value("number")) == "มท 0893.4/ว 1333"
    # An order's number after ฉบับที่ (or the noun's own ที่) still counts.
    (order,) = parse("ตามคำสั่งกรมส่งเสริมการปกครองท้องถิ่น ที่ ๑๒/๒๕๖๘ เรื่อง การแต่งตั้ง\n").letters
    assert order.kind == "order" and order.value("number") == "๑๒/๒๕๖๘"


def test_several_letters_in_one_file_each_with_what_it_has_and_nothing_invented():
    first, second = parse(SEVERAL).letters
    assert normalize_number(first.value("number")) == "มท 0810.5/ว 617"
    assert first.value("date") == "2017-03-21"
    assert first.value("recipients") == "ผู้ว่าราชการจังหวัดทุกจังหวัด"
    assert first.value("subject").endswith("โดยไม่เสียค่าธรรมเนียม")
    assert second.value("issuer_name") == "กรมปศุสัตว์"
    assert second.fields["number"].missing and second.fields["date"].missing
    assert second.fields["number"].flags == [] and second.fields["date"].flags == []


def test_a_text_that_is_only_an_อ้างถึง_line_is_a_cut_letter_with_its_reference():
    letter = _one(CUT_REFERENCE)
    assert letter.cut
    assert letter.fields["number"].missing and letter.fields["subject"].missing
    (ref,) = letter.references
    assert normalize_number(ref.number.value) == "กค 0406.4/ว 138"
    assert ref.date.value == "2009-10-02"


def test_a_letter_whose_เรียน_is_written_ถึง_still_has_its_recipients():
    text = REFERENCE.read_text(encoding="utf-8").replace("\nเรียน ", "\nถึง ", 1)
    province = parse(text).letters[0]
    assert province.value("recipients") == truth("nakhonphanom-0023.5-w1578")["recipients"]


def test_a_letter_without_its_เรื่อง_lines_is_still_found():
    text = "\n".join(
        ln for ln in REFERENCE.read_text(encoding="utf-8").splitlines() if not ln.startswith("เรื่อง")
    )
    letters = parse(text).letters
    assert len(letters) == 2
    assert letters[0].fields["subject"].missing and letters[0].fields["subject"].flags == []
    assert normalize_number(letters[0].value("number")) == "นพ 0023.5/ว 1578"


def test_a_letter_cut_above_its_date_line_is_taken_in_from_the_date_line():
    text = REFERENCE.read_text(encoding="utf-8")
    cut = text[text.index("๗๙ เมษาฯ") :]
    letters = parse(cut).letters
    assert letters[0].cut and letters[0].fields["number"].missing
    assert letters[0].value("subject").startswith("การเข้าใช้งานระบบบัญชีคอมพิวเตอร์")
    assert letters[0].fields["date"].flags[0].code == "day_out_of_range"


def test_the_parse_result_round_trips_through_its_dict():
    result = parse(REFERENCE.read_text(encoding="utf-8"), SourceKind.OCR)
    again = ParseResult.from_dict(result.as_dict(), result.text)
    assert again.as_dict() == result.as_dict()
    assert [(i, n, f.code) for i, n, f in again.open_flags] == [
        (i, n, f.code) for i, n, f in result.open_flags
    ]
    # The rules proposed from the typed-again result are the same.
    typed = parse(REFERENCE.read_text(encoding="utf-8"))
    retyped = ParseResult.from_dict(typed.as_dict(), typed.text)
    assert propose(retyped).as_dict() == propose(typed).as_dict()


# --- numbers as people write them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("มท 0810.5/ว.617", "มท 0810.5/ว 617"),
        ("มท 0201.2/ว2567", "มท 0201.2/ว 2567"),
        ("กค405.4/ว 395", "กค 405.4/ว 395"),
        ("ศธ 04001/ว1356", "ศธ 04001/ว 1356"),
        ("กค 0402.3/026695", "กค 0402.3/026695"),
        ("มท ๐๘๑๐.๕/ว.๖๑๗", "มท 0810.5/ว 617"),
        ("มท ๐๒๐๑.๒/ว๒๕๖๗", "มท 0201.2/ว 2567"),
        ("กค๔๐๕.๔/ว ๓๙๕", "กค 405.4/ว 395"),
        ("ศธ ๐๔๐๐๑/ว๑๓๕๖", "ศธ 04001/ว 1356"),
        ("กค ๐๔๐๒.๓/๐๒๖๖๙๕", "กค 0402.3/026695"),
    ],
)
def test_the_numbers_people_write_all_read(written, normalized):
    value, problems, _parts = read_number(written)
    assert problems == []
    assert normalize_number(value) == normalized
    assert normalize_number(written) == normalized


@pytest.mark.parametrize("tee", ["ที่", "ที"])
def test_a_letters_number_line_reads_with_ที่_or_ocrs_ที(tee):
    text = REFERENCE.read_text(encoding="utf-8").replace(
        "ที่ นพ ๐๐๒๓.๕/ว ๑๕๗๘", f"{tee} มท ๐๘๑๐.๕/ว.๖๑๗"
    )
    assert normalize_number(parse(text).letters[0].value("number")) == "มท 0810.5/ว 617"


@pytest.mark.parametrize(
    ("written", "value", "year"),
    [("๑๒๓/๒๕๖๘", "๑๒๓/๒๕๖๘", "2568"), ("7/2562", "7/2562", "2562"), ("๒", "๒", None)],
)
def test_an_orders_number_reads_with_its_year(written, value, year):
    got, problems, parts = read_order_number(written)
    assert (got, problems, parts.get("year")) == (value, [], year)


# A memo template of the Thai Industrial Standards Institute's certification system (public GitHub
# source, the search tool's code corpus: find_string "สั่ง ณ วันที่ ๑"), citing an order by its parts.
ORDER_CITED = (
    "๒.๓ คำสั่งสำนักงานมาตรฐานผลิตภัณฑ์อุตสาหกรรม ที่ ๓๔๒/๒๕๖๖ เรื่อง มอบอำนาจ "
    "ให้ข้าราชการสั่งและปฏิบัติราชการแทนเลขาธิการสำนักงานมาตรฐานผลิตภัณฑ์อุตสาหกรรม "
    "(สั่ง ณ วันที่ ๑๓ พฤศจิกายน ๒๕๖๖) ข้อ ๓ ระบุว่า\n"
)


def test_an_order_cited_with_its_สั่ง_ณ_วันที่_has_its_number_subject_and_date():
    letter = _one(ORDER_CITED)
    assert (letter.kind, letter.value("issuer_name"), letter.value("number")) == (
        "order",
        "สำนักงานมาตรฐานผลิตภัณฑ์อุตสาหกรรม",
        "๓๔๒/๒๕๖๖",
    )
    assert letter.value("subject").endswith("แทนเลขาธิการสำนักงานมาตรฐานผลิตภัณฑ์อุตสาหกรรม")
    assert letter.value("date") == "2023-11-13"


# --- dates: typed ones trusted, OCR'd ones offered with the readings the confusions allow -----


def test_a_typed_two_digit_year_is_the_buddhist_eras():
    (found,) = find_dates("ลง 14 ม.ค.62")
    assert found.problems == [] and found.first().isoformat() == "2019-01-14"


def test_a_typed_reference_dated_after_its_letter_is_offered_the_confused_reading():
    text = REFERENCE.read_text(encoding="utf-8").replace("๗๙ เมษาฯ", "๙ เมษาฯ")
    text = text.replace("ลงวันที่ ๘ เมษาฯ ๒๕๖๘", "ลงวันที่ ๑๘ เมษาฯ ๒๕๖๘")
    (flag,) = parse(text).letters[0].references[0].date.flags
    assert flag.code == "reference_after_letter"
    assert "2025-04-08" in flag.candidates  # the ๑ an extra stroke
    assert all(c <= "2025-04-09" for c in flag.candidates)


def _as_tesseract_reads(text: str) -> str:
    """Thai digits as Tesseract tha reads Laksaman and Garuda (issue 21): ๘→๕, ๔→๕, ๖→๒, ๗→๓."""
    return text.translate(str.maketrans("๘๔๖๗", "๕๕๒๓"))


def test_after_ocr_digit_confusions_every_dates_candidates_hold_the_truth():
    text = REFERENCE.read_text(encoding="utf-8")
    letter = parse(_as_tesseract_reads(text), SourceKind.OCR).letters[0]
    ref, enc = letter.references[0], letter.enclosures[0]
    assert "2025-04-08" in ref.date.flags[0].candidates  # ๘ เมษาฯ ๒๕๖๘ read ๕ เมษาฯ ๒๕๒๕
    assert "2025-04-02" in enc.date.flags[0].candidates  # ๒ เมษาฯ ๒๕๖๘ read ๒ เมษาฯ ๒๕๒๕
    for flag in ref.date.flags + enc.date.flags:
        assert all(len(c) == 10 and c[4] == "-" for c in flag.candidates)  # ISO days


def test_after_ocr_digit_confusions_the_numbers_candidates_hold_the_truth():
    text = REFERENCE.read_text(encoding="utf-8")
    letter = parse(_as_tesseract_reads(text), SourceKind.OCR).letters[0]
    # นพ ๐๐๒๓.๕/ว ๑๕๗๘ is read นพ ๐๐๒๓.๕/ว ๑๕๓๕: two digits of its serial confused.
    candidates = {normalize_number(c) for c in letter.fields["number"].flags[0].candidates}
    assert "นพ 0023.5/ว 1578" in candidates


# https://www.thaigov.go.th/news/contents/details/34570 (a press release; the date with its weekday)
NEWS = (
    "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-ผู้ช่วยรัฐมนตรีประจำกระทรวงยุติธรรม "
    "รับเรื่องจากกลุ่มผู้เสียหายจากการร่วมลงทุนแชร์กับบ้านแชร์ซ้อใหม่\n\n\nวันพุธที่ 26 สิงหาคม 2563\n"
)


def test_a_government_press_release_is_news_dated_by_its_weekday_date_line():
    letter = _one(NEWS)
    assert letter.kind == "news"
    assert letter.value("date") == "2020-08-26"
    assert letter.fields["issuer_name"].missing  # the site's name is no issuer


def test_the_tone_marks_ocr_drops_in_the_commonest_words_are_put_back_and_noted():
    # As Tesseract read a subject of intake-corpus's opssueksa-kk0402-3-026695 rendered in Laksaman.
    fixed, notes = fix_words("ทบทวนระเบียบการใช้จ่ายเงินทีได้รับ จัดตังองค์การ ตังแต่วันที่ ที่ได้")
    assert fixed == "ทบทวนระเบียบการใช้จ่ายเงินที่ได้รับ จัดตั้งองค์การ ตั้งแต่วันที่ ที่ได้"
    assert len(notes) == 2


@pytest.mark.parametrize(
    "soup",
    [
        # Keyword soups a random search found crashing the reader (a bracket before a keyword, an
        # order's number cut short); every source must read them without an error.
        "( สิ่งที่ส่งมาด้วย วันพุธที่ ลงวันที่ เรียน มท พ.ศ. 1. ) ๑๕๔๑ ร่าง สำนัก มท ก หนังสือ",
        "ข ๒๕๖๘ พ.ศ. ๒๕๖๘ ลงวันที่ สั่ง ณ วันที่ เมษายน ประกาศ ที ๒๕๖๘ .    ว่าด้วย ๐๘๐๘.๔/ว "
        "สิ่งที่ส่งมาด้วย ร่าง \n\n แถลงการณ์ ฉบับที่ ขอแสดงความนับถือ ) ที่ สิ่งที่ส่งมาด้วย",
    ],
)
@pytest.mark.parametrize("source", [SourceKind.TEXT, SourceKind.PDF_TEXT, SourceKind.OCR])
def test_a_soup_of_keywords_reads_without_an_error_and_round_trips(soup, source):
    result = parse(soup, source)
    assert ParseResult.from_dict(result.as_dict(), soup).as_dict() == result.as_dict()
    for letter in result.letters:
        for _name, f in letter.all_fields():
            assert f.value is None or isinstance(f.value, str)
