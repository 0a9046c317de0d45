"""Circular intake: lines a web page or OCR broke are read as the letter they were (issue 21).

- A letter named in running text ("หนังสือกรม… ที่ … ลงวันที่ … เรื่อง …") whose line was broken
  after its เรื่อง, or before it, with blank lines between: the line below is its subject, not a
  letter of its own, whatever it begins with (a subject that names a regulation, "ระเบียบ…
  ว่าด้วย …", is no regulation's title). OCR'd, a subject that may run on over a blank line is
  flagged with the longer reading (up to the letter's number or date) as a candidate.
- A foot date's words at the start of a line ("ประกาศ ณ วันที่ …") open a letter cut at the top
  only when the line is the date and little else, as the correspondence regulation lays out a
  foot (the signature under it): "ประกาศ ณ วันที่ ๓ เมษายน พ.ศ. ๒๕๖๗ ความละเอียดแจ้งแล้วนั้น" is a
  body quoting an announcement, its line broken there by OCR.

The texts are written for these tests (the corpus texts the rules came from are
sesa17-kk405-4-w395-2559, opssueksa-kk0308-w145-2560 and ejan-obec-letter-news-2563, read back
from Garuda renders)."""

import pytest

from circulars.intake.parse import SourceKind, _lines, parse, subjects_below

SUBJECT_AFTER_BREAK = """ดาวน์โหลดเอกสาร

หนังสือกรมบัญชีกลาง ที่ กค 0402.3/ว 123 ลงวันที่ 5 มกราคม 2566 เรื่อง

ระเบียบกระทรวงการคลังว่าด้วยการจัดซื้อจัดจ้างและการบริหารพัสดุภาครัฐ พ.ศ. 2560

ดาวน์โหลด
"""

SUBJECT_ON_ITS_OWN_LINE = """ดาวน์โหลดเอกสาร

หนังสือสำนักงานปลัดกระทรวงสาธารณสุข ที่ สธ 0201.4/ว 88 ลงวันที่ 14 กุมภาพันธ์ 2565

เรื่อง แนวทางการเฝ้าระวังโรคไข้เลือดออกในสถานศึกษา
"""

SUBJECT_RUNS_ON = """หนังสือสำนักงานปลัดกระทรวงสาธารณสุข ที่ สธ 0201.4/ว 88 ลงวันที่ 14 กุมภาพันธ์ 2565 เรื่อง

แนวทางการเฝ้าระวังโรคไข้เลือดออกใน

สถานศึกษาและศูนย์พัฒนาเด็กเล็ก สธ 0201.4/ว 89

(ไฟล์แนบ)
"""


def test_the_line_below_a_named_letter_that_ends_with_its_subject_keyword_is_found():
    lines = _lines(SUBJECT_AFTER_BREAK)
    assert subjects_below(lines) == {2: 4}
    assert subjects_below(_lines(SUBJECT_ON_ITS_OWN_LINE)) == {2: 4}


@pytest.mark.parametrize("source", [SourceKind.TEXT, SourceKind.OCR])
def test_a_subject_naming_a_regulation_below_a_named_letter_is_its_subject_not_a_regulation(
    source,
):
    letters = parse(SUBJECT_AFTER_BREAK, source).letters
    assert [letter.kind for letter in letters] == ["external"]
    subject = letters[0].fields["subject"]
    want = "ระเบียบกระทรวงการคลังว่าด้วยการจัดซื้อจัดจ้างและการบริหารพัสดุภาครัฐ พ.ศ. 2560"
    assert want in [subject.value, *(c for f in subject.flags for c in f.candidates)]
    if source == SourceKind.TEXT:
        assert subject.value == want
        assert letters[0].fields["number"].value == "กค 0402.3/ว 123"


@pytest.mark.parametrize("source", [SourceKind.TEXT, SourceKind.OCR])
def test_a_subject_line_of_its_own_below_a_named_letter_is_that_letters(source):
    letters = parse(SUBJECT_ON_ITS_OWN_LINE, source).letters
    assert len(letters) == 1
    assert letters[0].fields["subject"].value == "แนวทางการเฝ้าระวังโรคไข้เลือดออกในสถานศึกษา"
    assert letters[0].fields["issuer_name"].value == "สำนักงานปลัดกระทรวงสาธารณสุข"


def test_an_ocr_subject_that_may_run_on_over_a_blank_line_is_flagged_with_the_longer_reading():
    (letter,) = parse(SUBJECT_RUNS_ON, SourceKind.OCR).letters
    subject = letter.fields["subject"]
    assert subject.value is None
    (flag,) = subject.flags
    assert flag.code == "ocr_lines"
    # the reading as cut, and the longer one up to the next letter's number
    assert flag.candidates == [
        "แนวทางการเฝ้าระวังโรคไข้เลือดออกใน",
        "แนวทางการเฝ้าระวังโรคไข้เลือดออกในสถานศึกษาและศูนย์พัฒนาเด็กเล็ก",
    ]


def test_a_line_that_names_no_letter_takes_no_subject_from_below():
    text = "ข่าวจากกรมบัญชีกลาง ประจำสัปดาห์\n\nเรื่อง การเบิกจ่ายงบประมาณ\n"
    assert subjects_below(_lines(text)) == {}


QUOTED_FOOT = """จังหวัดได้แจ้งมาตรการป้องกันโรคให้ทราบ และให้ถือปฏิบัติตามประกาศที่ออกไว้
ประกาศ ณ วันที่ 3 เมษายน พ.ศ. 2567 ความละเอียดแจ้งแล้วนั้น
จังหวัดพิจารณาแล้ว จึงขอให้อำเภอแจ้งองค์กรปกครองส่วนท้องถิ่นทราบ
"""

FOOT = """ข้อ 3 ให้ผู้มีสิทธิยื่นคำขอภายในกำหนด

ประกาศ ณ วันที่ 3 เมษายน พ.ศ. 2567

(นายสมชาย ใจดี)
นายกเทศมนตรีตำบลบ้านใหม่
"""


@pytest.mark.parametrize("source", [SourceKind.TEXT, SourceKind.OCR])
def test_a_foot_dates_words_that_run_on_into_a_sentence_open_no_letter(source):
    assert parse(QUOTED_FOOT, source).letters == []


@pytest.mark.parametrize("source", [SourceKind.TEXT, SourceKind.OCR])
def test_a_foot_date_line_alone_still_opens_a_letter_cut_at_the_top(source):
    (letter,) = parse(FOOT, source).letters
    date = letter.fields["date"]
    assert "2024-04-03" in [date.value, *(c for f in date.flags for c in f.candidates)]
    assert letter.fields["signatory"].value == "นายสมชาย ใจดี"


TITLE_SET_APART = """ระเบียบกรมการปกครองว่าด้วยการใช้รถยนต์ส่วนกลางของ

สำนักงานเขตและอำเภอ พ.ศ. 2565 ลงวันที่ 9 มิถุนายน 2565

ข้อ 1 ระเบียบนี้เรียกว่า
"""


@pytest.mark.parametrize("source", [SourceKind.OCR, SourceKind.PDF_TEXT])
def test_a_titles_subject_runs_on_over_a_blank_line_to_the_titles_year(source):
    (letter,) = parse(TITLE_SET_APART, source).letters
    assert letter.kind == "regulation"
    subject = letter.fields["subject"]
    assert subject.value == "การใช้รถยนต์ส่วนกลางของสำนักงานเขตและอำเภอ"
    date = letter.fields["date"]
    assert "2022-06-09" in [date.value, *(c for f in date.flags for c in f.candidates)]


def test_a_line_after_a_blank_one_without_the_titles_year_does_not_join_the_subject():
    text = TITLE_SET_APART.replace(" พ.ศ. 2565 ลงวันที่ 9 มิถุนายน 2565", "")
    (letter,) = parse(text, SourceKind.OCR).letters
    assert letter.fields["subject"].value in (None, "การใช้รถยนต์ส่วนกลางของ")
