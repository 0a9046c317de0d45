"""No English sentence on the Thai pages each role uses (issue 24).

Each page is rendered with the test client in Thai (the default language), its tags, scripts,
styles and the parts marked `lang="en"` stripped, and its text searched for runs of English
words. Allowed: the system's, the login's and the apps' names (e-LAAS, New e-LAAS, ThaID,
Excel, Authenticator), acronyms (DLA,
PDF, OCR, TOTP…: no lowercase letter), e-mail addresses, links, numbers and DLA codes (มท 0808.4).

`ENGLISH_SCAN=1 pytest tests/test_thai_pages.py -s` prints every sentence found, per page.
"""

import os
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts.services import request_membership
from circulars.intake import drafts
from circulars.services import load_circulars
from core import clock
from core.thai import MONTHS_TH, MONTHS_TH_ABBR
from tests.actors import login, make_user
from tests.circulars.scans import REFERENCE
from tests.compliance.support import add_request
from tests.notifications.support import celery_app

NOW = "2025-04-10T09:00:00+07:00"  # LAOs may file their requests; units may use the system

ALLOWED = re.compile(
    r"New e-LAAS|e-LAAS|ThaID|Excel|Authenticator"
    r"|[\w.+-]+@[\w-]+(\.[\w-]+)+"  # e-mail addresses
    r"|https?://\S+|/[\w/.-]+/"  # links and paths
)
MIN_WORDS = int(os.environ.get("ENGLISH_SCAN_MIN_WORDS", "2"))  # 1: count single words too
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# A run of Latin words, with what may sit between the words of one English sentence
RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,.:;!?()/“”\"&]+[A-Za-z][A-Za-z'’-]*)*")


class _Text(HTMLParser):
    """The portal's words a reader sees: no tags, scripts, styles, parts marked as English, nor
    a letter's own text as OCR read it (the review page's source and fields)."""

    SKIP = {"script", "style", "template", "noscript", "pre", "textarea"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: does it hide its text?
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            self.parts.append("\n")
            return
        hidden = tag in self.SKIP or dict(attrs).get("lang", "").startswith("en")
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))
        self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        self.parts.append("\n")

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def english_sentences(html: str) -> list[str]:
    """Runs of two or more English words (a word has a lowercase letter) in the page's text."""
    found = []
    for line in visible_text(html).splitlines():
        line = ALLOWED.sub(" ", line)
        for run in RUN.finditer(line):
            words = [w for w in WORD.findall(run.group(0)) if any(c.islower() for c in w)]
            if len(words) >= MIN_WORDS:
                found.append(run.group(0).strip())
    return found


_DIGIT = "[0-9๐-๙]"
_MONTH = "|".join(re.escape(m) for m in sorted(MONTHS_TH + MONTHS_TH_ABBR, key=len, reverse=True))
# A deadline word, then a date (and perhaps a time) in any style.
_DEADLINE = re.compile(
    rf"(?:ภายใน|จนถึง|หมดเขต|สิ้นสุด|ก่อน)\s*(?:วันที่\s*)?{_DIGIT}{{1,2}}\s*(?:{_MONTH})\s*"
    rf"{_DIGIT}{{4}}(?:\s*(?:เวลา\s*)?{_DIGIT}{{1,2}}[:.]{_DIGIT}{{2}}(?::{_DIGIT}{{2}})?\s*น\.)?"
)
# The one style (core.thai.format_deadline): Thai digits, the month's full name, a time only
# when the deadline is not the end of a day.
_ONE_STYLE = re.compile(
    r"ภายในวันที่ [๐-๙]{1,2} (?:"
    + "|".join(MONTHS_TH)
    + r") [๐-๙]{4}(?: เวลา [๐-๙]{2}\.[๐-๙]{2} น\.)?"
)


def wrong_deadlines(html: str) -> list[str]:
    """Deadlines on the page written in another style than "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘"."""
    text = re.sub(r"\s+", " ", visible_text(html))
    found = [m.group(0) for m in _DEADLINE.finditer(text) if not _ONE_STYLE.fullmatch(m.group(0))]
    return found + re.findall(r"\(?ไม่รวมเวลานี้\)?", text)


def test_the_deadline_scan_allows_one_style_only():
    assert wrong_deadlines("<p>ยื่นคำขอภายในวันที่ ๒๑ เมษายน ๒๕๖๘</p>") == []
    assert wrong_deadlines("<p>ภายในวันที่ ๒๑ เมษายน ๒๕๖๘ เวลา ๑๖.๓๐ น.</p>") == []
    assert wrong_deadlines("<p>ภายใน 14 วัน</p>") == []
    assert wrong_deadlines("<p>แจ้งผล ภายใน 21 เม.ย. 2568 23:59:59 น.</p>") == [
        "ภายใน 21 เม.ย. 2568 23:59:59 น."
    ]
    assert wrong_deadlines("<p>จนถึง 22 เม.ย. 2568 00:00 น. (ไม่รวมเวลานี้)</p>") == [
        "จนถึง 22 เม.ย. 2568 00:00 น.",
        "(ไม่รวมเวลานี้)",
    ]
    assert wrong_deadlines("<td>ภายในวันที่ 21 เมษายน 2568</td>") == ["ภายในวันที่ 21 เมษายน 2568"]


def test_the_scanner_finds_english_sentences_and_allows_names_and_codes():
    page = (
        "<p>ท่านยังไม่มีบัญชี <a href='/x/'>Sign up</a> first.</p>"
        "<p>ระบบ New e-LAAS ผ่าน ThaID หนังสือ มท 0808.4/ว 1541 ถึง a.b@test.example</p>"
        "<p>ไฟล์ PDF, PNG หรือ JPEG อ่านด้วย OCR</p>"
        "<p lang='en'>In English, on purpose.</p><script>var notShown = 1;</script>"
        "<input value='not shown either'><pre>New e-BAAS as the scan reads</pre>"
    )
    assert english_sentences(page) == ["Sign up"]  # "first." alone is one word
    assert english_sentences("<p>Issued by the province, 2 April.</p>") == [
        "Issued by the province"
    ]
    assert english_sentences("<p>หนังสือ มท 0808.4 ปกติ</p>") == []


@pytest.fixture
def pages(client, actors, places, portal_clock, circulars, django_capture_on_commit_callbacks):
    """(who, url) of the main pages of each role, on 10 April 2568."""
    portal_clock(NOW)
    load_circulars()
    officer = actors["province_officer"]
    with celery_app(eager=True), django_capture_on_commit_callbacks(execute=True):
        draft = drafts.create_draft(data=REFERENCE.read_bytes(), name="pasted.txt", user=officer)
    from circulars.models import Circular

    circular = Circular.objects.order_by("pk").first()
    province = places.lao.district.province.code
    # the officers' tools of issue 24: a request waiting, a membership for a position held
    waiting = add_request(places.other_lao, "submitted", at=clock.now())
    newcomer = make_user("newcomer@test.example", "ผู้สมัคร ใหม่")
    request_membership(newcomer, places.lao, "permanent_secretary")
    queue_search = f"{reverse('onboarding:review_queue')}?q=๖๔๘๐๒&state=all"
    provinces = f"{reverse('compliance:country')}?order=share&name=นคร"
    return [
        (None, "/"),
        (None, reverse("account_login")),
        (None, reverse("account_signup")),
        (None, reverse("account_reset_password")),
        (None, reverse("circulars:list")),
        (None, circular.get_absolute_url()),
        ("lao_clerk", reverse("onboarding:my")),
        ("lao_clerk", reverse("onboarding:request_new", args=[places.lao.pk])),
        ("unit_clerk", reverse("onboarding:my")),
        ("district_officer", reverse("onboarding:review_queue")),
        ("district_officer", reverse("onboarding:memberships")),
        ("district_officer", reverse("compliance:home")),
        ("province_officer", reverse("compliance:province", args=[province])),
        ("province_officer", reverse("compliance:late")),
        ("province_officer", reverse("circulars:intake")),
        ("province_officer", draft.get_absolute_url()),
        ("dla_officer", reverse("compliance:country")),
        ("dla_officer", provinces),
        ("province_officer", queue_search),
        ("province_officer", reverse("onboarding:review", args=[waiting.pk])),
        ("province_officer", reverse("onboarding:memberships")),
        ("province_officer", reverse("notifications:log")),
        ("province_officer", reverse("notifications:ladder")),
        ("dla_officer", reverse("mfa_index")),
    ]


def test_no_thai_page_of_any_role_shows_an_english_sentence(client, actors, pages):
    found = {}
    for who, url in pages:
        client.logout()
        if who:
            login(client, actors[who])
        response = client.get(url, follow=True)
        assert response.status_code == 200, (who, url, response.status_code)
        sentences = english_sentences(response.content.decode())
        if sentences:
            found[f"{who or 'anonymous'} {url}"] = sentences
    total = sum(len(s) for s in found.values())
    if os.environ.get("ENGLISH_SCAN"):
        print(f"\nEnglish sentences on {len(pages)} Thai pages: {total}")
        for page, sentences in found.items():
            print(f"  {page}: {len(sentences)}")
            for sentence in sentences:
                print(f"    {sentence!r}")
    assert found == {}
