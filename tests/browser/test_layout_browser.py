"""Pages as people see them in Chromium, on a phone (390x844) and a laptop (1366x768): the
header in at most two lines (officers' links behind a menu button on phones), labels above
their controls, Thai never broken inside a word, the second-factor screen, the error pages and
the favicon."""

import pytest

from tests.actors import PASSWORD
from tests.browser.login import log_in, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}

# The rows the header's items stand in: their tops, grouped within 12 px.
HEADER_ROWS_JS = """() => {
  const items = document.querySelectorAll(
    'header.top > .brand, header.top nav.wide a, header.top details.menu > summary,'
    + ' header.top .account > *, header.top .lang a');
  const tops = [];
  for (const el of items) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (!tops.some(t => Math.abs(t - r.top) < 12)) tops.push(r.top);
  }
  const box = document.querySelector('header.top').getBoundingClientRect();
  return {rows: tops.length, height: box.height};
}"""

# Each occurrence of a word in the page's text, and on how many lines it is drawn.
WORD_LINES_JS = """(words) => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of words) {
      let at = node.data.indexOf(word);
      while (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size) out.push([word, tops.size]);
        at = node.data.indexOf(word, at + word.length);
      }
    }
  }
  return out;
}"""


def new_page(browser, viewport):
    context = browser.new_context(locale="th-TH", viewport=viewport)
    return context, context.new_page()


def header(page) -> dict:
    return page.evaluate(HEADER_ROWS_JS)


@pytest.mark.parametrize("who", ["anonymous", "lao_clerk", "dla_officer"])
def test_the_header_fits_two_lines_on_a_phone_and_on_a_laptop(
    live_server, browser, actors, circulars, who
):
    measured = {}
    context, page = new_page(browser, PHONE)
    if who == "dla_officer":  # one login: a TOTP code is good once
        log_in(page, live_server.url, actors[who].email, totp=True)
    elif who == "lao_clerk":
        log_in(page, live_server.url, actors[who].email)
    for name, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + "/registry/")
        measured[name] = header(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (who, name, width)  # nothing sticks out sideways
        page.screenshot(path=f"var/header-{who}-{name}.png")
    context.close()
    print(f"header of {who}: {measured}")  # noqa: T201 - the measurement, for the report
    assert measured["phone"]["rows"] <= 2, measured
    assert measured["laptop"]["rows"] <= 2, measured
    assert measured["phone"]["height"] <= 844 * 0.15, measured  # was 435 px for an officer


def test_on_a_phone_the_officer_opens_the_menu_and_goes_to_the_dashboards(
    live_server, browser, actors, circulars
):
    context, page = new_page(browser, PHONE)
    log_in(page, live_server.url, actors["dla_officer"].email, totp=True)
    page.goto(live_server.url + "/registry/")
    assert not page.locator("header nav.wide").is_visible()
    compliance = page.locator("header details.menu nav a[href='/compliance/']")
    assert not compliance.is_visible()
    page.click("header details.menu > summary")
    assert compliance.is_visible()
    compliance.click()
    page.wait_for_url("**/compliance/**")
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_filter_labels_sit_above_their_controls(live_server, browser, circulars, viewport):
    context, page = new_page(browser, viewport)
    for path in ("/registry/", "/circulars/", "/"):
        page.goto(live_server.url + path)
        pairs = page.evaluate(
            """() => [...document.querySelectorAll('form.inline .field')].map(f => {
                 const l = f.querySelector('label').getBoundingClientRect();
                 const c = f.querySelector('input, select').getBoundingClientRect();
                 return [l.bottom, c.top, l.left, c.left];
               })"""
        )
        assert pairs, path
        for label_bottom, control_top, label_left, control_left in pairs:
            assert label_bottom <= control_top + 1, (path, pairs)
            assert abs(label_left - control_left) < 2, (path, pairs)
    context.close()


def test_thai_words_are_never_broken_inside_at_any_width(live_server, page, circulars):
    page.goto(live_server.url + "/?date=10/4/2568")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('main td') "
        "|| document.querySelector('main')); return [s.overflowWrap, s.wordBreak]; }"
    )
    assert style == ["normal", "normal"]
    # single words (not compounds such as ตัว|ตน or วัน|ที่, which Thai may break between)
    words = ["อนุญาต", "อปท.", "ยืนยัน", "ปกครอง", "ท้องถิ่น", "หนังสือ", "สถานะ"]
    broken = {}
    for width in (320, 390, 480, 640, 720, 800):  # narrow table columns on the way up
        page.set_viewport_size({"width": width, "height": 844})
        drawn = page.evaluate(WORD_LINES_JS, words)
        assert drawn, "the words are on the page"
        broken[width] = [(word, lines) for word, lines in drawn if lines > 1]
    assert {w: found for w, found in broken.items() if found} == {}


def test_the_code_screen_has_a_numeric_keyboard_a_hint_and_says_when_a_code_was_used(
    live_server, browser, actors, circulars
):
    officer = actors["dla_officer"]
    context, page = new_page(browser, PHONE)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", officer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    field = page.locator("input[name=code]")
    assert field.get_attribute("inputmode") == "numeric"
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert "6 หลัก" in page.locator("main").inner_text()
    assert "ยืนยันตัวตนสองขั้นตอน" in page.locator("main").inner_text()
    code = totp_code()
    field.fill(code)
    page.click("form:has(input[name=code]) [type=submit]")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    context.close()

    context, page = new_page(browser, PHONE)  # another browser, the same code within 30 s
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", officer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("input[name=code]", code)
    page.click("form:has(input[name=code]) [type=submit]")
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "รหัสนี้ใช้แล้ว รอรหัสถัดไป" in text and "รหัสไม่ถูกต้อง" not in text
    context.close()


def test_a_404_on_a_phone_is_thai_switches_to_english_and_leads_back(live_server, page):
    page.goto(live_server.url + "/no-such-page/", referer=live_server.url + "/registry/")
    assert page.locator("h1").inner_text() == "ไม่พบหน้าที่ต้องการ"
    back = page.locator("main a", has_text="กลับไปหน้าก่อนหน้า")
    assert back.get_attribute("href").endswith("/registry/")
    page.click("header .lang a")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Page not found"
    page.click("main a:has-text('Back to the status page')")
    page.wait_for_url(live_server.url + "/")


def test_the_csrf_page_after_a_form_left_open_says_what_to_do(live_server, page, actors):
    page.goto(live_server.url + "/accounts/login/")
    page.context.clear_cookies()  # as if the session and its token had gone meanwhile
    page.fill("input[name=login]", actors["lao_clerk"].email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "แบบฟอร์มหมดอายุ"
    page.click("main a:has-text('กลับไปหน้าก่อนหน้า')")
    page.wait_for_url("**/accounts/login/")


def test_the_favicon_is_served(live_server, page):
    page.goto(live_server.url + "/")
    href = page.locator("link[rel=icon][type='image/svg+xml']").get_attribute("href")
    status = page.evaluate(
        "(u) => fetch(u).then(r => [r.status, r.headers.get('content-type')])", href
    )
    assert status[0] == 200 and "svg" in status[1]
    status = page.evaluate("() => fetch('/favicon.ico').then(r => r.status)")
    assert status == 200
