"""The reference letters rendered with a Thai font (fonts-thai-tlwg) and read back with Tesseract
(tha+eng) from a scanned PDF: every field is right or flagged, none silently wrong, and nothing
is published until every flag is cleared. Slow (some minutes of OCR): marked `ocr`."""

import datetime as dt
import json

import pytest

from circulars.intake import drafts
from circulars.intake.extract import extract
from circulars.intake.parse import SourceKind, parse
from circulars.intake.rules import propose
from circulars.intake.score import RIGHT, WRONG, score
from circulars.models import Circular, CircularDraft
from circulars.services import DEFAULT_DATA
from core.thai import BANGKOK, format_date
from maintenance.models import Discrepancy
from tests.html import without_keep_spans

from .scans import REFERENCE, render_pages, scanned_pdf

pytestmark = pytest.mark.ocr
TRUTH = json.loads(DEFAULT_DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """The two letters as a scanned PDF, read once for the module: (pdf, extracted, pages)."""
    workdir = tmp_path_factory.mktemp("scan")
    pages = render_pages(REFERENCE.read_text(encoding="utf-8"), workdir)
    pdf = scanned_pdf(pages)
    seen = []
    extracted = extract(pdf, progress=lambda page, total: seen.append((page, total)))
    return pdf, extracted, seen


@pytest.fixture(scope="module")
def proposal(scan):
    _pdf, extracted, _seen = scan
    return propose(parse(extracted.text, extracted.source, digits=extracted.digits))


def test_a_scanned_pdf_is_read_by_ocr_page_by_page(scan):
    _pdf, extracted, seen = scan
    assert extracted.source == SourceKind.OCR
    total = len(extracted.pages)
    assert total >= 3
    assert seen == [(n, total) for n in range(0, total + 1)]  # "0 of 5" before the first
    assert all(p.source == SourceKind.OCR for p in extracted.pages)


def test_every_field_of_the_ocr_copy_is_right_or_flagged_none_silently_wrong(proposal):
    result = score(proposal, TRUTH)
    assert result.count(WRONG) == 0, result.table()
    assert result.count(RIGHT) >= 10, result.table()  # subjects, recipients, issuers, links…
    # An OCR'd rule date waits for the officer, unless every digit was re-read surely, the reader
    # agrees with Tesseract and the dates fit the letter (`rules._rule_dates_read`): then it is
    # taken as read, and must be one of the letters' true windows.
    windows = {
        (
            dt.datetime.fromisoformat(r["starts_at"]) if r["starts_at"] else None,
            dt.datetime.fromisoformat(r["ends_at"]) if r["ends_at"] else None,
        )
        for letter in TRUTH["circulars"]
        for r in letter["rules"]
    }
    unflagged = [r for rules in proposal.rules.values() for r in rules if not r.flags]
    assert all((r.starts_at, r.ends_at) in windows for r in unflagged), unflagged


def test_the_two_letters_and_the_forwarding_link_survive_ocr(proposal):
    province, dla = proposal.parse.letters
    assert province.forwards == dla.index
    assert province.value("subject") == dla.value("subject")
    assert [len(proposal.rules[n]) for n in (0, 1)] == [4, 4]


def _truth_of(key):
    return next(c for c in TRUTH["circulars"] if c["key"] == key)


def test_publishing_the_ocr_copy_waits_until_every_flag_is_cleared_and_its_text_is_read(
    scan, actors, dla_letter_only, client
):
    pdf, extracted, _seen = scan
    officer = actors["province_officer"]
    draft = drafts.save_draft(
        data=pdf,
        name="scan.pdf",
        extracted=extracted,
        proposal=propose(parse(extracted.text, extracted.source, digits=extracted.digits)),
        user=officer,
    )
    assert draft.pages.count() == len(extracted.pages)
    with pytest.raises(drafts.ReviewError):
        drafts.publish_draft(draft.pk, user=officer)
    assert Circular.objects.count() == 1

    # The officer checks each flag against the scan and types what the letter says.
    truth = {0: _truth_of("nakhonphanom-0023.5-w1578"), 1: _truth_of("dla-0808.4-w1541")}
    for flag in drafts.open_flags(draft.parsed):
        n, name = flag["letter"], flag["field"]
        item = truth[n]
        draft.refresh_from_db()
        if name.startswith("rule."):
            i = int(name.split(".")[1])
            want = item["rules"][i]
            starts = dt.datetime.fromisoformat(want["starts_at"])
            ends = dt.datetime.fromisoformat(want["ends_at"]) if want["ends_at"] else None
            last = (ends - dt.timedelta(days=1)).astimezone(BANGKOK) if ends else None
            who = next(
                k
                for k, v in drafts.WHO_CHOICES.items()
                if v == (want["entity_type"], want["identity_verified"])
            )
            drafts.correct_rule(
                draft.pk,
                letter=n,
                rule=i,
                who=who,
                clause=want["clause"],
                action=want["action"],
                effect=want["effect"],
                starts=format_date(starts, "th"),
                ends=format_date(last, "th") if last else "",
                user=officer,
            )
            continue
        value = item["issued_on"] if name == "date" else item.get(name)
        if name.startswith(("references.", "enclosures.")):
            kind, i, part = name.split(".")
            entry = item[kind][int(i)]
            value = entry["cited_number"] if part == "number" else (entry["cited_date"] or "")
        assert value is not None, name
        drafts.correct_field(draft.pk, letter=n, field=name, value=value, user=officer)
    draft.refresh_from_db()
    assert drafts.open_flags(draft.parsed) == []

    # The text OCR read waits for the officer to read it against the scan.
    with pytest.raises(drafts.ReviewError, match="OCR"):
        drafts.publish_draft(draft.pk, user=officer)
    drafts.mark_body_read(draft.pk, letter=0, read=True, user=officer)

    (province,) = drafts.publish_draft(draft.pk, user=officer)
    assert province.number == "นพ ๐๐๒๓.๕/ว ๑๕๗๘"
    assert province.issued_on == dt.date(2025, 4, 9)
    assert province.forwards == dla_letter_only
    windows = [(r.clause[:6], r.starts_at, r.ends_at) for r in province.access_rules.order_by("id")]
    assert [(s, e) for _c, s, e in windows] == [
        (
            dt.datetime.fromisoformat(r["starts_at"]),
            dt.datetime.fromisoformat(r["ends_at"]) if r["ends_at"] else None,
        )
        for r in truth[0]["rules"]
    ]
    assert Discrepancy.objects.filter(forwarding_circular=province).count() == 2
    assert CircularDraft.objects.get().status == "published"

    # The public page of the letter published from the scan, as an anonymous visitor sees it:
    # the reviewed values and the text the officer read; nothing of the review, no scan.
    public = client.get(province.get_absolute_url()).content.decode()
    assert "9 เมษายน 2568" in public  # the date the officer confirmed, Buddhist era
    public_text = without_keep_spans(public)  # terms kept on one line: <span class="keep">
    assert province.body in public_text
    for review_trace in ("flags cleared", "@test.example", "ocr_digits", "as written", "/scan"):
        assert review_trace not in public, review_trace
    assert province.date_as_written == "" and province.date_note == ""
