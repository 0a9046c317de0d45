"""The second reader for digits on scanned pages (circulars/intake/digits.py): its model reads
the digits of fonts it never saw, and on a page it replaces the digits Tesseract misread while
keeping Tesseract's words. Renders are deterministic (seeded); no timing here (bench/ocr_digits.py
measures speed and accuracy on whole letters)."""

import io

import numpy as np
import pytest

from circulars.intake import digits
from circulars.intake.extract import extract
from circulars.intake.parse import SourceKind, reader_sureness

from .scans import FONTS, render_pages

pytestmark = pytest.mark.skipif(
    not (FONTS / "Kinnari.ttf").exists(), reason="needs Debian's fonts-thai-tlwg"
)


def test_the_model_reads_digits_of_fonts_it_was_not_trained_on():
    from circulars.intake import digits_model

    assert not set(digits_model.HELD_OUT) & set(digits_model.TRAIN)
    x, y = digits_model.samples(
        digits_model.HELD_OUT, np.random.default_rng(1), per_digit=1, per_other=0
    )
    assert len(y) >= 200  # two fonts, six sizes, twenty digits (a few broke apart)
    right = (digits.predict(digits.load_model(), x).argmax(axis=1) == y).mean()
    assert right >= 0.95, right  # 97.0 % measured (225 of 232), Kinnari and Waree


def test_letters_and_punctuation_are_not_taken_for_digits():
    from circulars.intake import digits_model

    rng = np.random.default_rng(2)
    masks = []
    for char in "กขคงจนบมรวสอ/-().":
        image = digits_model.render(char, FONTS / "Waree.ttf", 52, rng)
        masks += [g.mask for g in digits.glyphs(digits.binarize(image))]
    read = digits.classify(masks)
    assert sum(char == "?" for char, _p in read) >= 0.9 * len(read), read


def _line_image(text: str) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    """`text` drawn in Laksaman at 300 dpi, 16 pt, and each character's horizontal extent."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONTS / "Laksaman.ttf"), 66)
    image = Image.new("L", (1800, 160), 255)
    draw = ImageDraw.Draw(image)
    boxes = []
    for i, char in enumerate(text):
        if char != " ":
            left = 40 + round(draw.textlength(text[:i], font=font))
            right = draw.textbbox((40, 40), text[: i + 1], font=font)[2]
            boxes.append((char, left, max(right, left + 1)))
    draw.text((40, 40), text, font=font, fill=0)
    return np.asarray(image), boxes


def _hocr(line_box, chars) -> str:
    spans = "".join(
        f"<span class='ocrx_word' title='bbox {left} 50 {right} 120'>"
        f"<span class='ocrx_cinfo' title='x_bboxes {left} 50 {right} 120; x_conf 99'>{char}"
        "</span></span>"
        for char, left, right in chars
    )
    left, top, right, bottom = line_box
    return (
        '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        f"<span class='ocr_line' title='bbox {left} {top} {right} {bottom}'>{spans}</span>"
        "</body></html>"
    )


def test_the_digits_tesseract_misread_are_replaced_and_its_words_kept():
    truth = "ที่ มท ๐๘๐๘.๔/ว ๑๕๔๑ ลงวันที่ ๒ เมษายน ๒๕๖๘"
    gray, boxes = _line_image(truth)
    # What Tesseract made of it: ๘ and ๔ read as ๕, ๖๘ as ๒๕ (its boxes, its characters).
    misread = truth.translate(str.maketrans("๘๔", "๕๕")).replace("๒๕๖๕", "๒๕๒๕")
    read_chars = misread.replace(" ", "")
    chars = [(m, left, right) for m, (_c, left, right) in zip(read_chars, boxes, strict=True)]
    ink = np.argwhere(gray < 128)
    box = (ink[:, 1].min(), ink[:, 0].min(), ink[:, 1].max() + 1, ink[:, 0].max() + 1)

    text, found = digits.reread(misread + "\n", _hocr(box, chars), gray)

    assert text == truth + "\n"
    assert [(r.tesseract, r.digits) for r in found] == [
        ("๐๕๐๕", "๐๘๐๘"),
        ("๕", "๔"),
        ("๑๕๕๑", "๑๕๔๑"),
        ("๒", "๒"),
        ("๒๕๒๕", "๒๕๖๘"),
    ]
    assert all(text[r.start : r.start + len(r.digits)] == r.digits for r in found)
    assert all(r.confidence >= digits.SURE for r in found)


def test_a_run_with_no_digits_on_the_page_is_kept_and_marked_doubtful():
    gray, boxes = _line_image("เรื่อง ขอเชิญประชุม")
    # Tesseract saw a digit where the page has a letter (ร read as ๙)
    chars = [("๙" if c == "ร" else c, left, right) for c, left, right in boxes]
    ink = np.argwhere(gray < 128)
    box = (ink[:, 1].min(), ink[:, 0].min(), ink[:, 1].max() + 1, ink[:, 0].max() + 1)
    misread = "เ๙ื่อง ขอเชิญป๙ะชุม"

    text, found = digits.reread(misread, _hocr(box, chars), gray)

    assert text == misread
    assert [(r.tesseract, r.digits, r.confidence) for r in found] == [
        ("๙", "๙", 0.0),
        ("๙", "๙", 0.0),
    ]


def _misread_head(truth: str, head: str) -> tuple[np.ndarray, str, str]:
    """`truth` drawn, and Tesseract's reading of it with its opening ที่ read as `head` (Latin
    letters or digits over the ที่'s extent): the page, the hOCR and the text."""
    gray, boxes = _line_image(truth)
    (first, left, _r), _i, (_m, _l, right) = boxes[:3]  # ท ี ่
    assert first == "ท"
    step = (right - left) / len(head)
    chars = [
        (ch, round(left + k * step), round(left + (k + 1) * step)) for k, ch in enumerate(head)
    ]
    chars += boxes[3:]
    ink = np.argwhere(gray < 128)
    box = (ink[:, 1].min(), ink[:, 0].min(), ink[:, 1].max() + 1, ink[:, 0].max() + 1)
    return gray, _hocr(box, chars), head + truth[len("ที่") :]


@pytest.mark.parametrize(
    ("truth", "head"),
    [
        ("ที่ ศธ ๐๔๐๐๑/ว ๑๓๕๖", "11"),  # a five-digit office code (issue 21's numbers)
        ("ที่ กค ๐๔๐๒.๓/ว ๓๙๕", "N"),
        ("ที่ สธ ๐๒๐๑.๒/ว ๗๗", "Nl"),
    ],
)
def test_the_ti_of_a_letter_number_read_as_latin_or_digits_is_ti_again(truth, head):
    gray, hocr, misread = _misread_head(truth, head)

    text, found = digits.reread(misread, hocr, gray)

    assert text == truth
    # recorded among the re-reads (doubtful, not digits), so offsets after it move with it
    assert ("ที่", 0.0) in [(r.digits, r.confidence) for r in found]
    assert reader_sureness(text, [r.as_dict() for r in found])[:3] == [0.0] * 3


def test_real_digits_before_an_office_and_a_code_stay_digits():
    truth = "๑๒ มท ๐๘๐๘.๔/ว ๑๕๔๑"  # digits the reader sees: no ที่ there
    gray, boxes = _line_image(truth)
    ink = np.argwhere(gray < 128)
    box = (ink[:, 1].min(), ink[:, 0].min(), ink[:, 1].max() + 1, ink[:, 0].max() + 1)

    text, _found = digits.reread(truth, _hocr(box, boxes), gray)

    assert text == truth


@pytest.mark.ocr
def test_a_scanned_letter_line_in_laksaman_reads_its_number_and_date_right(tmp_path):
    lines = "ที่ มท ๐๘๐๘.๔/ว ๑๕๔๑\nลงวันที่ ๒๘ เมษายน ๒๕๖๘\nเรื่อง การเข้าใช้งานระบบบัญชีคอมพิวเตอร์"
    (png,) = render_pages(lines, tmp_path, font="Laksaman", ptsize=16)
    page = io.BytesIO(png).getvalue()

    extracted = extract(page)

    (read,) = extracted.pages
    assert read.source == SourceKind.OCR
    assert "๐๘๐๘.๔/ว ๑๕๔๑" in read.text
    assert "๒๘ เมษายน ๒๕๖๘" in read.text
    assert "การเข้าใช้งานระบบบัญชีคอมพิวเตอร์" in read.text
    assert {r["digits"] for r in read.digits} >= {"๐๘๐๘", "๑๕๔๑", "๒๘", "๒๕๖๘"}
    for r in extracted.digits:  # offsets into the whole text, for the parser's flags
        assert extracted.text[r["start"] : r["start"] + len(r["digits"])] == r["digits"]
