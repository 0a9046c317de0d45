"""What a newcomer sees after `make run` (issue 12, item 9), in Chromium: the banner says the
demo clock is inside the window, and the provincial officer's dashboard has life: LAOs verified,
waiting, returned and not started, units logged in; the pages full of data pass axe too."""

import pytest

from compliance.states import LaoState
from core.thai import to_arabic_digits
from demo.demo_accounts import DEMO_PASSWORD, create_demo_accounts
from demo.life import prepare_demo
from tests.browser import axe
from tests.browser.login import log_in
from tests.demo.test_generate_dataset import registry  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def number(page, selector: str) -> int:
    return int(to_arabic_digits(page.locator(selector).first.inner_text().split("/")[0].strip()))


def test_the_demo_shows_a_province_with_life_inside_the_window(registry, live_server, browser):  # noqa: F811
    from playwright.sync_api import expect

    create_demo_accounts()
    prepare_demo()
    base = live_server.url
    context = browser.new_context(locale="th-TH", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(base + "/")
        banner = page.locator(".demo-clock")
        expect(banner).to_contain_text("16 เม.ย. 2568 10:00")
        expect(banner).to_contain_text("ขณะนี้อยู่ในช่วงที่ อปท. ยื่นคำขอยืนยันตัวตนได้")
        expect(banner).to_contain_text("ภายในวันที่ ๒๑ เมษายน ๒๕๖๘")

        log_in(page, base, "province-officer@demo.test", password=DEMO_PASSWORD, totp=True)

        page.goto(base + "/compliance/")
        page.wait_for_url("**/compliance/province/48/")
        total = number(page, "#lao-total")
        verified = number(page, "#lao-verified")
        not_started = number(page, "#lao-not-started")
        tiles = page.locator(".tiles .tile .n")
        waiting, returned = number(page, "#lao-submitted"), number(page, "#lao-returned")
        in_progress = number(page, "#lao-in-progress")
        units_logged_in = number(page, ".tiles .tile:last-child .n")
        assert tiles.count() == 1 + len(LaoState) + 1  # all, each state, units logged in
        assert 0 < verified < total and waiting > 0 and returned > 0 and not_started > 0
        assert in_progress > 0
        assert units_logged_in > 0
        checked = {page.url: axe.check(page)}

        page.goto(base + "/compliance/late/?province=48")
        assert page.locator("table#late tbody tr").count() > 0
        checked[page.url] = axe.check(page)
        lao = page.locator("table#late a[href^='/compliance/lao/']").first.get_attribute("href")
        page.goto(base + lao)
        checked[page.url] = axe.check(page)
        page.goto(base + "/inbox/log/")
        checked[page.url] = axe.check(page)
        problems = axe.describe(checked)
        assert not problems, problems
    finally:
        context.close()
