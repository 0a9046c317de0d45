"""A person on a phone opens the status page, previews a day, and switches to English."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_previews_10_april_2568_and_switches_to_english(live_server, circulars, page):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "th"
    page.fill("#date", "๑๐/๔/๒๕๖๘")
    page.click("#another-day button[type=submit]")  # not the LAO lookup's
    assert "10 เมษายน 2568" in page.locator("h1").inner_text()
    assert "มท ๐๘๐๘.๔/ว ๑๕๔๑" in page.content()
    page.click("header .lang a")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        "10 Apr 2025" in page.locator("h1").inner_text()
        or "10 April" in page.locator("h1").inner_text()
    )
    page.screenshot(path="var/status-en-mobile.png", full_page=True)
