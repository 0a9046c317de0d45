"""The corpus of real Thai official texts (tests/circulars/corpus, see its README) and the scorer
that judges a parse against it (circulars/intake/score.py): every item is described well and
says where it came from; every verdict is given where it should be; and the typed corpus, run
through today's parser, meets the issue's goals (issue 21)."""

import io
import json
import shutil
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from circulars.intake.parse import Cited, Field, Flag, Letter, ParseResult, SourceKind, parse
from circulars.intake.score import (
    DEFAULT_CORPUS,
    FLAGGED_RIGHT,
    FLAGGED_WRONG,
    INVENTED,
    KINDS,
    MISSED,
    RIGHT,
    WRONG,
    Item,
    Report,
    counts_of,
    fold,
    load_corpus,
    problems_in,
    right_share,
    score_parse,
)

from .scans import require_ocr_tools

CORPUS = load_corpus()
AS_FOUND = {"typed": SourceKind.TEXT, "pdf_text": SourceKind.PDF_TEXT, "ocr": SourceKind.OCR}


# --- the corpus ----------------------------------------------------------------------------


def test_the_corpus_holds_at_least_36_real_texts():
    assert len(CORPUS) >= 36


@pytest.mark.parametrize("item", CORPUS, ids=lambda i: i.slug)
def test_each_item_is_well_formed_and_names_its_source(item):
    assert problems_in(item) == []


def test_every_text_has_its_description_and_every_description_its_text():
    texts = {p.stem for p in DEFAULT_CORPUS.glob("*.txt")}
    described = {p.stem for p in DEFAULT_CORPUS.glob("*.json")}
    assert texts == described


def test_the_readme_lists_every_item():
    readme = (DEFAULT_CORPUS / "README.md").read_text(encoding="utf-8")
    assert [i.slug for i in CORPUS if f"`{i.slug}`" not in readme] == []


def test_the_corpus_has_every_shape_and_three_of_each_kind_but_the_two_not_yet_found():
    shapes = Counter(i.meta["shape"] for i in CORPUS)
    kinds = Counter(letter["kind"] for i in CORPUS for letter in i.letters)
    assert set(shapes) == {"whole", "cut", "reposted", "several"}
    # No public stamped letter has been found yet, and one internal memo (README, Gaps).
    assert {k for k in KINDS if kinds[k] >= 3} >= set(KINDS) - {"stamped", "internal"}


def test_a_malformed_description_is_caught():
    item = Item(
        "bad",
        "ที่ มท ๐๘๑๐.๕/ว ๖๑๗",
        {
            "source_url": "not an address",
            "source": "",
            "retrieved": "2026-12-07",
            "found_as": "scanned",
            "shape": "several",
            "notes": "",
            "letters": [
                {"kind": "memo", "date": "๒๑ มีนาคม ๒๕๖๐", "references": [{"number": None}]}
            ],
        },
    )
    found = problems_in(item)
    assert "source_url is not an address" in found
    assert "source names nothing" in found
    assert "found_as 'scanned'" in found
    assert "shape several with fewer than two letters" in found
    assert "letter 0: kind 'memo'" in found
    assert "letter 0: no number" in found
    assert "letter 0: date '๒๑ มีนาคม ๒๕๖๐' is not YYYY-MM-DD" in found
    assert "letter 0: reference 0 has ['number']" in found


# --- the verdicts, on hand-made parses -----------------------------------------------------

TRUTH = {
    "kind": "external",
    "number": "มท ๐๘๑๐.๕/ว ๖๑๗",
    "date": "2017-03-21",
    "subject": "ประกาศกำหนดท้องที่ฉีดวัคซีน",
    "recipients": "ผู้ว่าราชการจังหวัดทุกจังหวัด",
    "issuer_name": None,
    "signatory": None,
    "signatory_position": ["อธิบดีกรมส่งเสริมการปกครองท้องถิ่น", "อธิบดี"],
    "references": [{"number": "กค 0406.4/ว 138", "date": "2009-10-02"}],
}


def _item(*letters) -> Item:
    meta = {
        "source_url": "https://example.go.th/",
        "source": "hand-made for the scorer's tests",
        "retrieved": "2026-12-07",
        "found_as": "typed",
        "shape": "whole",
        "notes": "",
        "letters": list(letters),
    }
    return Item("hand-made", "", meta)


def _flagged(value, *candidates) -> Field:
    return Field(value, flags=[Flag("odd", "ไม่แน่ใจ", "unsure", list(candidates))])


def _letter(index=0, references=(), **fields) -> Letter:
    return Letter(index, 0, 0, fields, references=list(references))


def _verdicts(rows) -> dict[str, str]:
    return {r.field: r.verdict for r in rows}


def test_each_verdict_is_given_where_it_should_be():
    letter = _letter(
        number=Field("มท 0810.5/ว 617"),  # Arabic digits and a space: the same number
        date=_flagged(None, "2560-03-12", "21 มีนาคม 2560"),  # the truth among the candidates
        subject=_flagged(None, "ประกาศกำหนดท้องที่"),  # a flag, but not the truth
        recipients=Field("ผู้ว่าราชการจังหวัด"),  # no flag, not the truth
        issuer_name=Field("กรมส่งเสริมการปกครองท้องถิ่น"),  # the text does not say
        signatory=Field(None),  # the text does not say, nor does the parser
        signatory_position=Field(None),  # the text says; the parser has nothing, no flag
        references=[Cited("reference", Field("x"), Field("กค ๐๔๐๖.๔/ว ๑๓๘"), Field("2009-10-02"))],
    )
    rows = score_parse(_item(TRUTH), ParseResult("", SourceKind.TEXT, [letter]))
    assert _verdicts(rows) == {
        "kind": RIGHT,  # a letter read as the external letter it is (Letter.kind's default)
        "number": RIGHT,
        "date": FLAGGED_RIGHT,
        "subject": FLAGGED_WRONG,
        "recipients": WRONG,
        "issuer_name": INVENTED,
        "signatory": RIGHT,
        "signatory_position": MISSED,
        "references[1].number": RIGHT,
        "references[1].date": RIGHT,
    }


def test_a_value_kept_beside_its_flag_counts_as_the_right_candidate():
    letter = _letter(date=_flagged("2017-03-21"), kind=Field("หนังสือภายนอก"))
    verdicts = _verdicts(score_parse(_item(TRUTH), ParseResult("", "text", [letter])))
    assert verdicts["date"] == FLAGGED_RIGHT
    assert verdicts["kind"] == RIGHT  # the kind's Thai name is the kind


def test_any_listed_spelling_is_right_and_others_are_wrong():
    right = _letter(signatory_position=Field("อธิบดี"))
    wrong = _letter(signatory_position=Field("รองอธิบดี"))
    for letter, verdict in ((right, RIGHT), (wrong, WRONG)):
        rows = score_parse(_item(TRUTH), ParseResult("", "text", [letter]))
        assert _verdicts(rows)["signatory_position"] == verdict


def test_nothing_parsed_leaves_every_present_field_missed_and_every_absent_one_right():
    rows = score_parse(_item(TRUTH), ParseResult("", "text", []))
    present = {r.field for r in rows if r.want is not None}
    assert {r.verdict for r in rows if r.field in present} == {MISSED}
    assert {r.verdict for r in rows if r.field not in present} == {RIGHT}


def test_an_extra_letter_and_an_extra_reference_are_invented():
    truth = {**TRUTH, "references": []}
    first = _letter(
        0,
        number=Field("มท ๐๘๑๐.๕/ว ๖๑๗"),
        references=[Cited("reference", Field("x"), Field("นร 0505/ว 1"), Field(None))],
    )
    second = _letter(1, number=Field("มท 0810.5/ว 999"))
    rows = score_parse(_item(truth), ParseResult("", "text", [second, first]))
    verdicts = _verdicts(rows)
    assert verdicts["number"] == RIGHT  # paired with the letter it is, not the first one
    assert verdicts["references[+1]"] == INVENTED
    assert verdicts["(letter)"] == INVENTED


def test_several_letters_are_each_paired_with_the_one_they_are():
    a = {**TRUTH, "number": "ว 10", "date": "2005-09-15", "references": []}
    b = {**TRUTH, "number": "ว 960", "date": "2014-11-27", "references": []}
    parsed = [_letter(0, number=_flagged(None, "ว 960")), _letter(1, number=Field("ว 10"))]
    rows = score_parse(_item(a, b), ParseResult("", "text", parsed))
    assert [r.verdict for r in rows if r.field == "number"] == [RIGHT, FLAGGED_RIGHT]


def test_values_are_compared_with_thai_digits_nikhahit_and_spaces_folded():
    assert fold("การกําหนด  ๒๕๖๐\n") == fold("การกำหนด 2560")


def test_the_report_counts_per_kind_and_per_source_and_lists_the_problems():
    letter = _letter(recipients=Field("ผิด"), issuer_name=Field("เกิน"))
    report = Report(score_parse(_item(TRUTH), ParseResult("", "text", [letter]), "ocr:Loma"))
    payload = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert payload["by_kind"]["external"]["silently wrong"] == 1
    assert payload["by_source"]["ocr:Loma"]["invented"] == 1
    assert {p["field"] for p in payload["problems"]} == {"recipients", "issuer_name"}
    assert "silently wrong and invented:" in report.table()


# --- the command -------------------------------------------------------------------------


def _copy(tmp_path, *slugs):
    tmp_path.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        for suffix in (".txt", ".json"):
            shutil.copy(DEFAULT_CORPUS / f"{slug}{suffix}", tmp_path / f"{slug}{suffix}")
    return tmp_path


def test_the_command_prints_a_table_per_kind_and_per_source(tmp_path):
    corpus = _copy(tmp_path, "moph-hr-refs-ocsc-w10-sp-w960", "scribd-cabinet-news-summary-2565")
    out = io.StringIO()
    call_command("score_intake", "--corpus", str(corpus), stdout=out)
    text = out.getvalue()
    assert text.startswith("2 texts, ")
    for line in ("kind ", "external ", "news ", "source ", "typed ", "pdf_text ", "total "):
        assert f"\n{line}" in text


def test_the_command_gives_json_for_the_closing_note(tmp_path):
    corpus = _copy(tmp_path, "moph-hr-refs-ocsc-w10-sp-w960")
    out = io.StringIO()
    call_command("score_intake", "--corpus", str(corpus), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["items"] == 1
    assert payload["total"]["fields"] == payload["by_source"]["typed"]["fields"] == 16
    assert set(payload["by_kind"]) == {"external"}
    assert isinstance(payload["problems"], list)


@pytest.mark.ocr
def test_the_command_renders_each_text_and_scores_what_ocr_reads_back(tmp_path):
    require_ocr_tools()
    corpus = _copy(tmp_path / "corpus", "opssueksa-kk0402-3-026695")
    out = io.StringIO()
    call_command(
        "score_intake",
        *("--corpus", str(corpus), "--ocr", "--fonts", "Garuda", "--json"),
        *("--renders", str(tmp_path / "scans")),
        stdout=out,
    )
    payload = json.loads(out.getvalue())
    assert set(payload["by_source"]) == {"typed", "ocr:Garuda"}
    assert payload["by_source"]["ocr:Garuda"]["fields"] == 8
    assert payload["ocr_seconds_per_page"]["Garuda"] > 0
    assert (tmp_path / "scans" / "Garuda" / "opssueksa-kk0402-3-026695.pdf").read_bytes()[
        :4
    ] == b"%PDF"


def test_the_command_refuses_an_empty_or_malformed_corpus(tmp_path):
    with pytest.raises(CommandError, match="no corpus items"):
        call_command("score_intake", "--corpus", str(tmp_path))
    (tmp_path / "bad.txt").write_text("ที่ มท", encoding="utf-8")
    (tmp_path / "bad.json").write_text(json.dumps({"letters": []}), encoding="utf-8")
    with pytest.raises(CommandError, match="malformed corpus items"):
        call_command("score_intake", "--corpus", str(tmp_path))


# --- the goals, on the typed corpus --------------------------------------------------------


@pytest.fixture(scope="module")
def typed():
    report = Report()
    for item in CORPUS:
        report.rows += score_parse(item, parse(item.text, AS_FOUND[item.found_as]))
    return report


def test_nothing_in_the_typed_corpus_is_silently_wrong_or_invented(typed):
    assert [(r.item, r.field, r.verdict, r.got) for r in typed.problems] == []


def test_every_flag_on_the_typed_corpus_offers_the_truth(typed):
    """Issue 21: a flag's candidates hold the truth where it can be derived; typed text has it."""
    unhelpful = [r for r in typed.rows if r.verdict == FLAGGED_WRONG]
    assert [(r.item, r.field, r.got, r.want) for r in unhelpful] == []


# Issue 21's goal on typed text is 95 % of fields right. Measured 2026-12-07 (`manage.py
# score_intake`): before this ratchet's last raise, 204 of the 261 fields the 56 texts held
# (78.2 %); after the layouts learnt แจ้งความ, ถ้อยแถลง, wire datelines, credit lines, broken and
# run-on head lines and repeated mentions, and nine more real texts joined the corpus (65 texts):
# 278 of 292 (95.2 %), of which the texts found typed 273 of 284 (96.1 %) and the two found as a
# PDF's text layer 5 of 8; 0 silently wrong, 0 invented. Then (a second search for stamped
# letters and memos, which found none) six more real texts (71): 312 of 326 (95.7 %), typed
# 307 of 318 (96.5 %), after the layouts learnt fax letters, a text that is only a body, one
# number one letter, the lead's unnumbered mention, signing as sending, a position as written
# and a letter quoted after its sender. The floors are those figures rounded down: a ratchet,
# to raise as the parser learns, never to lower.
TYPED_RIGHT_FLOOR = 0.95
FOUND_TYPED_RIGHT_FLOOR = 0.96


def test_every_reference_number_and_date_in_the_typed_corpus_is_read_right(typed):
    """Issue 21: on typed text every reference number and date right."""
    references = [r for r in typed.rows if r.field.startswith("references[") and r.present]
    assert references
    assert [(r.item, r.field, r.verdict) for r in references if r.verdict != RIGHT] == []


def test_the_typed_corpus_is_read_right_at_least_as_often_as_last_measured(typed):
    """Issue 21 asks for 95 % of fields right on typed text; this holds the measured floor."""
    assert right_share(counts_of(typed.rows)) >= TYPED_RIGHT_FLOOR, typed.table()


def test_the_texts_found_typed_meet_the_issues_goal(typed):
    """Issue 21: on typed text at least 95 % of fields right (here the texts found as typed
    text; a PDF's text layer is counted with them in the floor above)."""
    rows = [r for r in typed.rows if r.source == "typed"]
    assert rows
    assert right_share(counts_of(rows)) >= FOUND_TYPED_RIGHT_FLOOR, typed.table()
