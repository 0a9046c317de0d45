"""Issue 21: each general reading the layouts learnt from one real text, shown to hold on a
second, different real text (all from tests/circulars/corpus, as found; see its README for
where each came from)."""

import datetime as dt

import pytest

from circulars.intake.parse import SourceKind, find_dates, parse
from circulars.intake.score import load_corpus

CORPUS = {item.slug: item for item in load_corpus()}


def read(slug: str):
    """The letters the parser finds in a corpus text, as the text was found."""
    item = CORPUS[slug]
    source = {"typed": SourceKind.TEXT, "pdf_text": SourceKind.PDF_TEXT}[item.found_as]
    return parse(item.text, source).letters


def only(slug: str):
    letters = read(slug)
    assert len(letters) == 1, [(x.kind, x.start) for x in letters]
    return letters[0]


@pytest.mark.parametrize(
    "slug, office",
    [
        # "ข้อมูลจาก : กรมส่งเสริมการปกครองท้องถิ่น" under a news blog's repost of a DLA letter
        ("yotathai-mt0891-3-w769-2556", "กรมส่งเสริมการปกครองท้องถิ่น"),
        ("yotathai-mt0893-4-w1333-2555", "กรมส่งเสริมการปกครองท้องถิ่น"),
        # a Government House release: its unit under the closing rule ("--------------------")
        ("thaigov-news-pm-rally-2563", "กลุ่มประชาสัมพันธ์และเผยแพร่ สำนักโฆษก"),
    ],
)
def test_a_page_credit_names_the_issuer_of_its_one_letter(slug, office):
    letter = only(slug)
    assert letter.value("issuer_name") == office
    assert "from the page's credit line" in letter.fields["issuer_name"].notes


def test_a_credit_cut_short_is_not_taken():
    """'ข้อมูลจาก : กรมส่งเสร' (the excerpt ends there) stops inside a name the text spells out:
    no issuer rather than half of one."""
    letter = only("yotathai-mt0809-3-w696-2556")
    assert letter.value("issuer_name") is None
    assert letter.fields["issuer_name"].missing


@pytest.mark.parametrize(
    "slug, date",
    [
        ("ryt9-mfa-news-2550", None),  # "กรุงเทพ--8 มี.ค.--กระทรวงการต่างประเทศ": no year
        ("ryt9-mfa-news-briefing-2550-07", None),  # "กรุงเทพ--12 ก.ค--…" (no last dot)
        ("ryt9-mfa-news-briefing-2551-08", None),
    ],
)
def test_a_wire_dateline_is_a_news_item_of_the_office_it_names(slug, date):
    letter = only(slug)
    assert letter.kind == "news"
    assert letter.value("issuer_name") == "กระทรวงการต่างประเทศ"
    assert letter.value("date") == date  # the body's dates are the events', not the item's


def test_the_wire_category_line_names_the_office_and_its_date_in_english():
    """'ข่าวทั่วไป Sunday December 6, 2015 10:55 —สำนักโฆษก' (one real text of the kind)."""
    letter = only("ryt9-govh-spokesman-news-2015")
    assert (letter.kind, letter.value("issuer_name")) == ("news", "สำนักโฆษก")
    assert letter.value("date") == "2015-12-06"


@pytest.mark.parametrize(
    "slug, date",
    [("mfa-weekly-briefing-2564", "2021-03-25"), ("mfa-weekly-briefing-2569", "2026-01-08")],
)
def test_a_ministrys_press_briefing_is_its_news(slug, date):
    """Titled with its day and place (2564), or by the spokesman of the office (2569); the
    page's own import and update dates are not the briefing's."""
    letter = only(slug)
    assert letter.kind == "news"
    assert letter.value("issuer_name") == "กระทรวงการต่างประเทศ"
    assert letter.value("date") == date


@pytest.mark.parametrize(
    "slug, lead_words",
    [
        ("chiangmainews-moi-permsec-letter-2559", "ผู้สื่อข่าวรายงานว่า"),
        ("hotnewshotclip-moi-permsec-letter-2559", "มีรายงานว่า"),
    ],
)
def test_a_letter_a_news_page_names_by_its_sender_is_read_once(slug, lead_words):
    """Two newspapers' words for one Interior Ministry letter: the sender and his position
    before "ส่งหนังสือด่วนที่สุด", the addressees after ถึง, the date before; the second page
    names it twice (lead and report), and still holds one letter."""
    assert lead_words in CORPUS[slug].text
    letter = only(slug)
    assert letter.kind == "external"
    assert letter.value("date") == "2016-10-13"
    assert letter.value("signatory") == "นายกฤษฎา บุญราช"
    assert letter.value("signatory_position") == "ปลัดกระทรวงมหาดไทย"
    assert letter.value("issuer_name") == "กระทรวงมหาดไทย"
    assert letter.value("recipients").split("\n") == [
        "ผู้ว่าราชการทุกจังหวัด",
        "นายอำเภอทุกอำเภอทั่วประเทศ",
    ]


@pytest.mark.parametrize(
    "slug, number, date",
    [
        ("dla-mt0802-3-1393-2546", "มท 0802.3/1393", "2003-11-25"),
        ("dla-mt0810-5-1350-2546", "มท 0810.5/1350", "2003-11-17"),
    ],
)
def test_a_head_a_word_processor_broke_into_lines_is_read_whole(slug, number, date):
    """'ที่' / 'มท' / '0802.3/ 1393   กรมส่งเสริม…', the day and month over the year."""
    letter = only(slug)
    assert letter.value("number") == number
    assert letter.value("date") == date
    assert letter.value("issuer_name") == "กรมส่งเสริมการปกครองท้องถิ่น"
    # every span still points into the text as received
    f = letter.fields["number"]
    assert CORPUS[slug].text[f.start : f.end].startswith("ที่")


@pytest.mark.parametrize(
    "slug, kind, issuer",
    [
        ("ratchagitja-supreme-court-bylaw-fines-2566", "bylaw", "ประธานศาลฎีกา"),
        ("thaiembassy-fr-statement-dprk-2560", "statement", "ไทย"),
    ],
)
def test_a_title_names_its_issuer_after_khong(slug, kind, issuer):
    """ "ข้อบังคับของประธานศาลฎีกา …", "ถ้อยแถลงของไทยต่อ …"."""
    letter = only(slug)
    assert (letter.kind, letter.value("issuer_name")) == (kind, issuer)


def test_a_statement_dated_under_its_title_in_brackets():
    letter = only("thaiembassy-fr-statement-dprk-2560")
    assert letter.value("date") == "2017-08-29"  # "(๒๙ สิงหาคม ๒๕๖๐)"


@pytest.mark.parametrize(
    "slug, issuer",
    [
        ("srimueangchum-kabt-announcement", "ก.อบต."),
        ("naklua-sao-announcement-office-closure-2564", "องค์การบริหารส่วนตำบลนาเกลือ"),
    ],
)
def test_an_announcements_issuer_is_a_name(slug, issuer):
    """'ประกาศ ก.อบต. เรื่อง …' (a space, after a column gap); 'ประกาศ/ประชาสัมพันธ์/จดหมายข่าว'
    (a menu's path) names no issuer."""
    letters = [x for x in read(slug) if x.kind == "announcement"]
    assert [x.value("issuer_name") for x in letters] == [issuer]


def test_a_notice_is_an_announcement_dated_in_the_rattanakosin_era():
    """แจ้งความ, the old name of a ประกาศ, dated 18 มกราคม ร.ศ. 126: January of ร.ศ. 126 is
    1908 (the year began on 1 April)."""
    letter = only("wikisource-moi-notice-rs126")
    assert letter.kind == "announcement"
    assert letter.value("issuer_name") == "กระทรวงมหาดไทย"
    assert letter.value("date") == "1908-01-18"


def test_eras_other_than_the_buddhist_are_read_as_such():
    def first(text):
        return find_dates(text)[0].first()

    assert first("1 เมษายน ร.ศ. 126") == dt.date(1907, 4, 1)
    assert first("31 มีนาคม ร.ศ. 126") == dt.date(1908, 3, 31)
    assert first("6 ธันวาคม ค.ศ. 2015") == dt.date(2015, 12, 6)
    assert first("6 ธันวาคม พ.ศ. 2558") == dt.date(2015, 12, 6)


@pytest.mark.parametrize(
    "slug, subject",
    [
        ("parliament-bylaw-house-meetings-2551", "การประชุมสภาผู้แทนราษฎร"),
        ("tbma-moi-regulation-council-meetings-2547", "ข้อบังคับการประชุมสภาท้องถิ่น"),
    ],
)
def test_a_regulation_or_bylaw_title_gives_its_subject(slug, subject):
    """With no ว่าด้วย, the words after ข้อบังคับ up to the year (confirmed by the preamble
    "อาศัยอำนาจ…"); with ว่าด้วย, the words after it."""
    letter = only(slug)
    assert letter.value("subject") == subject


def test_a_clause_naming_its_own_text_opens_no_letter():
    """ "ข้อ   ข้อบังคับนี้ เรียกว่า ข้อบังคับ… ว่าด้วย…" after a column gap is the bylaw's
    clause 1, not a second bylaw."""
    letters = read("mcu-bylaw-student-organisations-2548")
    assert [x.kind for x in letters] == ["bylaw"]


def test_an_announcement_named_in_a_sentence_by_its_office():
    """'… อธิบดีกรมอุตุนิยมวิทยา ออกประกาศกรมอุตุนิยมวิทยา เรื่อง … ฉบับที่ 1 (204/2568)';
    and 'ประกาศกระทรวงมหาดไทย 8 ม.ย.63' in a list (its month unreadable: flagged, not
    guessed)."""
    storm = only("matichon-tmd-announcement-storm-2568")
    assert storm.kind == "announcement"
    assert storm.value("number") == "204/2568"
    assert storm.value("issuer_name") == "กรมอุตุนิยมวิทยา"
    assert storm.value("signatory") == "น.ส.สุกันยาณี ยะวิญชาญ"
    assert storm.value("date") is None  # "วันที่ 22 สิงหาคม": no year in the sentence
    listed = [x for x in read("immchonburi-orders-several") if x.kind == "announcement"]
    assert [x.value("issuer_name") for x in listed] == ["กระทรวงมหาดไทย"]
    assert listed[0].value("date") is None and listed[0].fields["date"].flagged


def test_a_head_a_text_layer_ran_into_one_line():
    """A flip-book's text layer of an OPM circular: '๖๙ ท่ี นร ๑๐๐๒/ว ๕๐ สาํ นักนายกรฐั มนตรี …
    ๑๗ พฤศจกิ ายน ๒๕๓๐ เรื่อง … เรียน เวยี นกระทรวง ทบวง กรม ดวยปรากฏวา …' (one real text of
    the kind so far). The month's vowel split off is still November; the sender and its
    address run together, so no issuer is taken rather than a wrong one."""
    letter = only("pubhtml5-opm-nr1002-w50-2530")
    assert letter.value("number") == "นร ๑๐๐๒/ว ๕๐"
    assert letter.value("date") == "1987-11-17"
    assert letter.value("recipients") == "เวยี นกระทรวง ทบวง กรม"
    assert letter.value("issuer_name") is None
    assert find_dates("๑๗ พฤศจกิ ายน ๒๕๓๐")[0].first() == dt.date(1987, 11, 17)


def test_a_page_titled_with_its_letters_number_holds_that_one_letter():
    """Wikisource titles its page with the letter's sender and number in Arabic digits, then
    gives the letter with the number in Thai digits: one number, one letter (the letter itself
    kept, the title filling nothing it lacks)."""
    letter = only("wikisource-chaiyaphum-ssj-ch0032-006-3567-2564")
    assert letter.value("number") == "ชย ๐๐๓๒.๐๐๖/๓๕๖๗"
    assert letter.value("date") == "2021-08-13"
    assert letter.value("issuer_name") == "สำนักงานสาธารณสุขจังหวัดชัยภูมิ"
    assert not letter.cut


def test_two_letters_with_different_numbers_stay_two():
    """A fax letter that cancels an earlier one by its number and date: two numbers, two
    letters, each with its own date; the signer's two titles kept as written."""
    first, cancelled = read("darainstant-moi-fax-mt0230-w3518-2564")
    assert (first.value("number"), first.value("date")) == ("มท 0230/ว 3518", "2021-06-20")
    assert (cancelled.value("number"), cancelled.value("date")) == ("มท 0230/ว 3464", "2021-06-17")
    assert first.value("recipients") == "ผู้ว่าราชการจังหวัดทุกจังหวัด"
    assert first.value("signatory") == "นายฉัตรชัย พรหมเลิศ"
    assert first.value("signatory_position").startswith("ปลัดกระทรวงมหาดไทย หัวหน้าผู้รับผิดชอบ")
    assert cancelled.value("recipients") is None and cancelled.value("signatory") is None


def test_a_governors_letter_named_in_the_lead_and_numbered_in_the_report_is_one():
    """The lead names the letter by its signer's position alone (the province he heads is the
    issuer), the report by his name, his position with the province abbreviated, its number and
    its date (the month misspelt); the addressees end where the order begins (สั่ง…)."""
    letter = only("nongkungsri-kalasin-ks0023-3-w4029-2564")
    assert letter.value("number") == "กส 0023.3/ว 4029"
    assert letter.value("date") == "2021-07-01"
    assert letter.value("issuer_name") == "จังหวัดกาฬสินธุ์"
    assert letter.value("signatory") == "นายทรงพล ใจกริ่ม"
    assert letter.value("signatory_position") == "ผู้ว่าราชการ จ.กาฬสินธุ์"
    assert letter.value("recipients").split("\n") == [
        "นายอำเภอทุกอำเภอ",
        "นายกเทศมนตรีเมืองกาฬสินธุ์",
        "นายกเทศมนตรีเมืองกุฉินารายณ์",
    ]


@pytest.mark.parametrize(
    "slug, opener",
    [
        ("srn3-obec-budget-body-only", "ด้วย สพฐ."),
        ("rayongpao-iodine-body-only", "ด้วยจังหวัดระยอง"),
    ],
)
def test_a_text_that_is_only_a_letters_body_is_a_cut_letter_with_its_head_missing(slug, opener):
    """Two offices' web copies of a body with no head: a draft of a cut external letter, its
    number, date, subject, addressees and issuer missing, not invented."""
    assert CORPUS[slug].text.startswith(opener)
    letter = only(slug)
    assert letter.kind == "external" and letter.cut
    for name in ("number", "date", "subject", "recipients", "issuer_name", "signatory"):
        assert letter.value(name) is None, name


def test_a_fax_letter_is_a_letter_named_in_running_text():
    """โทรสารในราชการ names a letter as หนังสือ does: a second paper's report of another
    Interior Ministry fax letter, the ministry misspelt in its name as the page has it, the
    signer's two titles as written, the report's own date line not taken as the letter's."""
    letter = only("trueid-matichon-moi-fax-mt0230-w78-2564")
    assert letter.value("number") == "มท 0230/ว 78"
    assert letter.value("issuer_name") == "กระทรวงหมาดไทย"
    assert letter.value("recipients") == "ผู้ว่าราชการจังหวัดทั่วประเทศ"
    assert letter.value("signatory") == "นายฉัตรชัย พรหมเลิศ"
    # "วันที่ 7 ม.ค.": the report's sentence gives no year; missing, or that day, never another
    assert letter.value("date") in (None, "2021-01-07")


def test_a_letter_quoted_after_its_sender_is_named_by_its_sender():
    """A news report's "ภาพหนังสือจาก<office> ระบุว่า ตามที่…": the office sent the letter it
    quotes; nothing else of its head is given, and nothing else is taken (the report's date is
    not the letter's)."""
    letter = only("cm108-chaiyaphum-ssj-pfizer-news-2564")
    assert letter.value("issuer_name") == "สำนักงานสาธารณสุขจังหวัดชัยภูมิ"
    for name in ("number", "date", "subject", "recipients", "signatory"):
        assert letter.value(name) is None, name
