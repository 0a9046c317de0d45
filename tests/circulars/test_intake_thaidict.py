"""Circular intake: a word OCR damaged that is in no Thai dictionary, while one consonant's marks
put back make it words, is flagged with the repair offered (issue 21; `circulars/intake/thaidict`).

The damaged words here are not the corpus's (its ซีง for ซึ่ง is what the rule came from): other
words with the same damage, a tone mark or an upper vowel lost, or ี read for ึ."""

import struct

import pytest

from circulars.intake import thaidict
from circulars.intake.parse import SourceKind, parse

pytestmark = pytest.mark.skipif(
    not thaidict.known(),
    reason=f"no Thai dictionary at {thaidict.DICTIONARY} (apt-get install libthai-data)",
)


def test_the_dictionary_is_libthais_word_list_read_from_its_trie():
    words = thaidict.known()
    assert len(words) > 20000
    assert {"ซึ่ง", "ท้องถิ่น", "หนังสือ", "ประชาสัมพันธ์", "ขึ้น"} <= words
    assert not {"ซีง", "ถิน", "หนงสือ"} & words


def test_a_file_that_is_no_trie_gives_an_error_not_words():
    with pytest.raises(ValueError):
        thaidict._trie_words(b"not a trie at all")
    with pytest.raises((ValueError, struct.error)):
        thaidict._trie_words(thaidict.DICTIONARY.read_bytes()[:300])


def test_a_run_of_thai_letters_is_cut_into_dictionary_words_first():
    assert thaidict.cut("ขอความร่วมมือ") == [("ขอ", True), ("ความ", True), ("ร่วมมือ", True)]
    # no piece starts on a mark or ends before one: a damaged stretch stays whole
    assert ("งสือ", False) in thaidict.cut("หนงสือราชการ")


@pytest.mark.parametrize(
    ("read", "truth"),
    [
        ("ท้องถิน", "ท้องถิ่น"),  # a tone mark lost
        ("หนงสือราชการ", "หนังสือราชการ"),  # an upper vowel lost
        ("ประชาสัมพนธ์", "ประชาสัมพันธ์"),
        ("ปฏิบัติอย่างเครงครัด", "ปฏิบัติอย่างเคร่งครัด"),
        ("ขีนทะเบียน", "ขึ้นทะเบียน"),  # ี read for ึ and the tone mark lost
        ("ผูว่าราชการจังหวัด", "ผู้ว่าราชการจังหวัด"),  # a tone mark over a lower vowel
    ],
)
def test_a_word_one_marks_place_from_a_dictionary_word_is_repaired(read, truth):
    assert truth in thaidict.repairs(read)


@pytest.mark.parametrize(
    "read",
    [
        "กรมส่งเสริมการปกครองท้องถิ่น",  # every letter in words
        "อบต",  # an abbreviation: consonants alone
        "สพฐ",
        "มท",  # too short to tell
    ],
)
def test_whole_words_and_abbreviations_are_not_repaired(read):
    assert thaidict.repairs(read) == []


def test_marks_are_only_put_back_never_letters_changed_or_marks_taken_away():
    for variant in thaidict.repairs("ขีนทะเบียน"):
        assert [c for c in variant if c not in thaidict.MARKS] == [
            c for c in "ขีนทะเบียน" if c not in thaidict.MARKS
        ]
    # ท้องถิ่น read whole: nothing to repair, and no repair takes its tone marks away
    assert thaidict.repairs("ท้องถิ่น") == []


def test_a_repaired_value_keeps_its_other_words_and_spaces():
    got = thaidict.repaired_values("ขอเชิญประชุม ขีนทะเบียนผู้ประกอบการ")
    assert "ขอเชิญประชุม ขึ้นทะเบียนผู้ประกอบการ" in got
    assert len(got) <= thaidict.MOST_CANDIDATES
    assert thaidict.repaired_values("ขอเชิญประชุม ขึ้นทะเบียนผู้ประกอบการ") == []


LETTER = """ที่ นพ ๐๐๒๓.๔/ว ๑๒๓๔
ศาลากลางจังหวัดนครพนม
ถนนอภิบาลบัญชา นพ ๔๘๐๐๐
๑๒ มีนาคม ๒๕๖๘
เรื่อง {subject}
เรียน {recipients}
ด้วยจังหวัดได้รับแจ้งว่ามีการเปิดรับสมัครผู้ประกอบการ จึงขอให้แจ้งผู้เกี่ยวข้องทราบ
ขอแสดงความนับถือ
(นายสมปอง ใจเย็น)
ผู้ว่าราชการจังหวัดนครพนม
"""


def letter_read(source, subject="การขีนทะเบียนผู้ประกอบการ", recipients="นายอำเภอทุกอำเภอ"):
    text = LETTER.format(subject=subject, recipients=recipients)
    return parse(text, source).letters[0]


def test_an_ocr_subject_with_a_damaged_word_is_flagged_with_the_repair_first():
    subject = letter_read(SourceKind.OCR).fields["subject"]
    assert subject.value is None
    (flag,) = subject.flags
    assert flag.code == "ocr_spelling"
    assert "การขึ้นทะเบียนผู้ประกอบการ" in flag.candidates
    assert flag.candidates[-1] == "การขีนทะเบียนผู้ประกอบการ"  # the reading, kept


def test_the_same_words_typed_are_trusted_as_written():
    assert letter_read(SourceKind.TEXT).fields["subject"].value == "การขีนทะเบียนผู้ประกอบการ"


def test_an_ocr_subject_of_dictionary_words_is_taken():
    f = letter_read(SourceKind.OCR, subject="การขึ้นทะเบียนผู้ประกอบการ").fields["subject"]
    assert f.value == "การขึ้นทะเบียนผู้ประกอบการ" and not f.flags


def test_recipients_with_a_damaged_word_are_flagged_too():
    f = letter_read(
        SourceKind.OCR, subject="การขึ้นทะเบียน", recipients="ผูอำนวยการสำนักงานเขตพื้นที่การศึกษา"
    ).fields["recipients"]
    assert f.value is None
    assert "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา" in f.flags[0].candidates


def test_a_signatorys_name_outside_the_dictionary_is_no_sign_of_damage():
    letter = letter_read(SourceKind.OCR, subject="การขึ้นทะเบียน")
    assert letter.fields["signatory"].value == "นายสมปอง ใจเย็น"
    assert not letter.fields["signatory"].flags


@pytest.mark.parametrize(
    ("read", "truth"),
    [
        ("เจ้าหน้าทีของรัฐ", "เจ้าหน้าที่ของรัฐ"),  # เจ้า หน้า ที: words, but หน้าที่ is one
        ("ผู้มีหน้าทีรับผิดชอบ", "ผู้มีหน้าที่รับผิดชอบ"),
    ],
)
def test_words_side_by_side_that_a_mark_joins_into_one_word_are_repaired(read, truth):
    assert all(hit for _w, hit in thaidict.cut(read))  # every letter in a word as read
    assert truth in thaidict.repairs(read)


def test_words_that_no_mark_joins_are_left_alone():
    assert thaidict.repairs("การประชุมคณะกรรมการ") == []
    # marks are put back over a word of one consonant only (ที, ได, ให: a lost tone mark
    # leaves another word); ขอ of ขอความ is as often the word as written (ข้อความ)
    assert thaidict.repairs("ขอความอนุเคราะห์") == []
