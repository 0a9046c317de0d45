"""The intake and the circulars' pages in Thai (issue 24): no stored code ("pasted.txt",
"normal", "province", "dla") nor English note shown to a Thai reader, and the size limit said
with its number."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from circulars.models import PASTED_NAME, Circular
from circulars.services import load_circulars
from core.templatetags.thai import own_language
from tests.test_thai_pages import visible_text

pytestmark = pytest.mark.django_db


def test_a_pasted_letter_is_listed_as_pasted_text_in_thai(client, draft):
    assert draft.file_name == PASTED_NAME  # kept as it was, shown in the reader's language
    listing = visible_text(client.get(reverse("circulars:intake")).content.decode())
    review = visible_text(client.get(draft.get_absolute_url()).content.decode())
    assert "ข้อความที่วาง" in listing and "ข้อความที่วาง" in review
    assert "pasted" not in listing + review


@override_settings(EVIDENCE_MAX_BYTES=2 * 1024 * 1024)
def test_the_intake_page_says_the_size_limit_with_its_number(client, draft):
    page = visible_text(client.get(reverse("circulars:intake")).content.decode())
    assert "ขนาดไฟล์ละไม่เกิน 2 เมกะไบต์" in page
    assert "เท่ากับไฟล์หลักฐาน" not in page


def test_urgency_and_authority_are_chosen_from_thai_labels(client, draft):
    html = client.get(draft.get_absolute_url()).content.decode()
    urgency = re.search(r'<select id="f-0-urgency".*?</select>', html, re.S).group(0)
    authority = re.search(r'<select id="f-0-authority".*?</select>', html, re.S).group(0)
    assert ">ปกติ</option>" in urgency and ">ด่วนที่สุด</option>" in urgency
    assert ">จังหวัด</option>" in authority
    assert ">กรมส่งเสริมการปกครองท้องถิ่น</option>" in authority
    text = visible_text(html)
    for code in ("normal", "province", "dla"):
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", text), code  # not in a user name


def test_the_public_letter_shows_no_ocr_note_in_english_on_the_thai_page(client, nakhon_phanom):
    load_circulars()
    dla = Circular.objects.get(number="มท ๐๘๐๘.๔/ว ๑๕๔๑")
    thai = visible_text(client.get(dla.get_absolute_url()).content.decode())
    assert "OCR unreadable" not in thai and "unreadable" not in thai
    assert "วันที่ของหนังสืออ่านจากสำเนาไม่ได้" in thai
    with translation.override("en"):  # the English page keeps the English half
        assert own_language(dla.date_note).startswith("The letter's own date line is unreadable")
    assert own_language("ไม่มีครึ่งภาษาอังกฤษ นพ ๐๐๒๓.๕/ว ๑๕๗๘") == "ไม่มีครึ่งภาษาอังกฤษ นพ ๐๐๒๓.๕/ว ๑๕๗๘"
