"""Terms a line must not break inside (core.thai.KEEP_TOGETHER): wrapped in `<span class="keep">`
in the text of every page, never in a tag, an attribute or a place where markup does not belong.
That they are then drawn on one line is measured in Chromium (tests/browser/test_thai_journeys.py).
"""

from django.urls import reverse

from core.text import keep_terms_together
from tests.html import without_keep_spans

KEPT = '<span class="keep">{}</span>'


def test_the_terms_in_a_pages_text_are_wrapped_the_longest_first():
    html = "<p>ยื่นคำขอยืนยันตัวตนในระบบ New e-LAAS และ e-LAAS</p>"
    assert keep_terms_together(html) == (
        f"<p>ยื่นคำขอ{KEPT.format('ยืนยันตัวตน')}ในระบบ {KEPT.format('New e-LAAS')} และ "
        f"{KEPT.format('e-LAAS')}</p>"
    )


def test_tags_attributes_comments_and_text_that_takes_no_markup_are_left_alone():
    html = (
        "<html><head><title>New e-LAAS</title><style>/* e-LAAS */</style></head>"
        '<body><a href="/" title="ยืนยันตัวตน" aria-label="New e-LAAS">x</a>'
        "<!-- ยืนยันตัวตน --><select><option>ยืนยันตัวตน</option></select>"
        "<textarea>New e-LAAS</textarea><script>const a = 'e-LAAS';</script></body></html>"
    )
    assert keep_terms_together(html) == html


def test_the_tests_read_a_page_with_its_terms_unwrapped_and_every_other_tag_kept():
    html = '<p>ยื่นคำขอยืนยันตัวตน <span class="state">ใน</span> New e-LAAS</p>'
    wrapped = keep_terms_together(html)
    assert wrapped != html and without_keep_spans(wrapped) == html


def test_a_page_without_any_term_is_returned_as_it_is():
    html = "<p>หนังสือสั่งการ</p>"
    assert keep_terms_together(html) is html


def test_the_keep_filter_escapes_text_and_keeps_safe_markup_as_it_is():
    from django.utils.safestring import mark_safe

    from core.templatetags.thai import keep

    assert keep("<b>ยืนยันตัวตน</b>") == f"&lt;b&gt;{KEPT.format('ยืนยันตัวตน')}&lt;/b&gt;"
    safe = mark_safe('<a title="New e-LAAS">New e-LAAS</a>')
    assert keep(safe) == f'<a title="New e-LAAS">{KEPT.format("New e-LAAS")}</a>'
    assert keep(None) == ""


def test_the_brand_the_demo_clock_and_the_status_page_keep_their_terms(
    client, db, circulars, portal_clock
):
    portal_clock("2025-04-10T09:00:00+07:00")
    page = client.get(reverse("maintenance:status")).content.decode()
    brand = page.split('class="brand"')[1].split("</a>")[0]
    assert KEPT.format("New e-LAAS") in brand
    banner = page.split("demo-clock")[1].split("</div>")[0]
    assert KEPT.format("ยืนยันตัวตน") in banner
    heading = page.split("<h1")[1].split("</h1>")[0]
    assert KEPT.format("New e-LAAS") in heading
    assert KEPT.format("ยืนยันตัวตน") in page.split("<tbody")[1]  # the actions' names
    assert "<title>" in page and "keep" not in page.split("</title>")[0]
