"""Circular intake: a number or date read by OCR is taken without the officer's click only when
the second digit reader (circulars/intake/digits.py) re-read every one of its digits surely;
otherwise it stays flagged. The re-reads are kept with the draft, so that it parses the same again.

The text is a real letter of the corpus (OBEC's ศธ 04001/ว 1356 of 9 March 2563; its source is in
tests/circulars/corpus/obec-04001-w1356-2563.json), taken as if OCR had read it; the re-reads
beside it are what `digits.reread` reports, one per digit run, at a chosen confidence (the reader
itself is tested on renders in test_intake_digits.py)."""

import re

import pytest

from circulars.intake import drafts
from circulars.intake.extract import Extracted, Page
from circulars.intake.parse import READER_NOTE, READER_TRUSTED, ParseResult, SourceKind, parse
from circulars.intake.rules import propose
from circulars.intake.score import DEFAULT_CORPUS
from core.thai import normalize_number

TEXT = (DEFAULT_CORPUS / "obec-04001-w1356-2563.txt").read_text(encoding="utf-8")
DIGIT_RUN = re.compile(r"[0-9๐-๙]+")


def rereads(text: str, confidence: float, *, tesseract=lambda run: run) -> list[dict]:
    """Every digit run of `text` re-read as it stands, at `confidence`."""
    return [
        {
            "start": m.start(),
            "tesseract": tesseract(m.group()),
            "digits": m.group(),
            "confidence": confidence,
        }
        for m in DIGIT_RUN.finditer(text)
    ]


def province_number(result: ParseResult):
    return result.letters[0].fields["number"]


DATED = 0  # the letter whose date is checked


def test_a_number_every_digit_of_which_the_reader_re_read_surely_is_taken_with_a_note():
    typed = province_number(parse(TEXT))
    result = parse(TEXT, SourceKind.OCR, digits=rereads(TEXT, 0.99))
    number = province_number(result)
    assert not number.flagged
    assert normalize_number(number.value) == normalize_number(typed.value)
    assert READER_NOTE in number.notes
    assert number.confidence < typed.confidence
    own_date = result.letters[DATED].fields["date"]
    assert not own_date.flagged and own_date.value == parse(TEXT).letters[DATED].value("date")
    assert READER_NOTE in own_date.notes


def test_without_re_reads_every_ocr_number_and_date_is_flagged_as_before():
    result = parse(TEXT, SourceKind.OCR)
    assert province_number(result).flags[0].code == "ocr_digits"
    assert result.letters[DATED].fields["date"].flags[0].code == "ocr_digits"


def test_a_re_read_below_the_threshold_leaves_the_number_flagged_with_its_reading_first():
    result = parse(TEXT, SourceKind.OCR, digits=rereads(TEXT, READER_TRUSTED - 0.01))
    number = province_number(result)
    assert number.flags[0].code == "ocr_digits"
    assert number.value is None
    truth = normalize_number(province_number(parse(TEXT)).value)
    assert normalize_number(number.flags[0].candidates[0]) == truth


def test_digits_the_reader_made_of_a_token_with_no_digit_stay_flagged():
    # Tesseract read "moa" where the reader saw digits: noise turned into digits is no witness.
    result = parse(TEXT, SourceKind.OCR, digits=rereads(TEXT, 1.0, tesseract=lambda run: "moa"))
    assert province_number(result).flags[0].code == "ocr_digits"
    assert result.letters[DATED].fields["date"].flags[0].code == "ocr_digits"


def test_a_digit_the_reader_did_not_see_keeps_the_field_flagged():
    number = province_number(parse(TEXT))
    unseen = [r for r in rereads(TEXT, 0.99) if not number.start <= r["start"] < number.end]
    result = parse(TEXT, SourceKind.OCR, digits=unseen)
    assert province_number(result).flags[0].code == "ocr_digits"
    # A date, re-read, is taken.
    assert not result.letters[DATED].fields["date"].flagged


def test_a_re_read_that_is_not_the_texts_own_is_no_witness():
    # Offsets of another text (a page's, not the document's): the digits there differ.
    shifted = [{**r, "start": r["start"] + 1} for r in rereads(TEXT, 0.99)]
    result = parse(TEXT, SourceKind.OCR, digits=shifted)
    assert province_number(result).flagged


def test_a_surely_read_date_after_today_stays_flagged():
    date = parse(TEXT).letters[DATED].fields["date"]
    span = TEXT[date.start : date.end]
    year = DIGIT_RUN.findall(span)[-1]
    future = "๒๖๙๐" if year[0] in "๐๑๒๓๔๕๖๗๘๙" else "2690"
    text = TEXT[: date.start] + span.replace(year, future) + TEXT[date.end :]
    result = parse(text, SourceKind.OCR, digits=rereads(text, 1.0))
    assert result.letters[DATED].fields["date"].flagged


def test_a_typed_text_is_parsed_as_before_whatever_re_reads_come_with_it():
    typed = parse(TEXT)
    with_reads = parse(TEXT, digits=rereads(TEXT, 0.99))
    assert [letter.fields for letter in with_reads.letters] == [
        letter.fields for letter in typed.letters
    ]


@pytest.mark.django_db
def test_a_stored_draft_keeps_its_re_reads_and_parses_the_same_again(actors, nakhon_phanom):
    page = Page(1, TEXT, SourceKind.OCR, 0.0, rereads(TEXT, 0.99))
    extracted = Extracted("text/plain", [page])
    proposal = propose(parse(extracted.text, extracted.source, digits=extracted.digits))
    draft = drafts.save_draft(
        data=TEXT.encode(),
        name="scan.txt",
        extracted=extracted,
        proposal=proposal,
        user=actors["province_officer"],
    )
    draft.refresh_from_db()
    assert draft.parsed["digits"] == extracted.digits
    again = drafts.reparse(draft).as_dict()
    stored = {**draft.parsed, "letters": [dict(x) for x in draft.parsed["letters"]]}
    for letter in stored["letters"]:
        letter.pop("rules", None)
    assert drafts._jsonable(again["letters"]) == stored["letters"]
    assert not province_number(drafts.reparse(draft)).flagged


def test_a_re_read_with_fewer_digits_than_tesseract_saw_is_no_witness():
    # On Loma renders "1175" was re-read "75", surely: a dropped glyph, not a reading.
    number = province_number(parse(TEXT))
    reads = [
        {**r, "tesseract": "1" + r["tesseract"]} if number.start <= r["start"] < number.end else r
        for r in rereads(TEXT, 1.0)
    ]
    result = parse(TEXT, SourceKind.OCR, digits=reads)
    assert province_number(result).flags[0].code == "ocr_digits"
