"""A DLA officer uploads a scanned letter (DLA's, as a PDF of page images), watches it read by OCR,
checks every flag against the scan, publishes, and the public status page follows the new rules.

Selectors are by name and id, not by text. Slow: the scan is read by Tesseract (about a minute
a page on a busy machine), in the request as the embedded default runs its tasks.
"""

import datetime as dt
import json

import pytest

from circulars.services import DEFAULT_DATA
from tests.actors import make_user
from tests.circulars.scans import dla_letter_text, render_pages, scanned_pdf
from tests.notifications.support import celery_app

from .test_verification_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.ocr, pytest.mark.django_db(transaction=True)]

LETTERS = json.loads(DEFAULT_DATA.read_text("utf-8"))["circulars"]
DLA = next(c for c in LETTERS if c["key"] == "dla-0808.4-w1541")
# What the officer reads on the scan, field by field.
ON_THE_SCAN = {
    "number": DLA["number"],
    "date": "2/4/2568",
    "subject": DLA["subject"],
    "recipients": DLA["recipients"],
    "issuer_name": DLA["issuer_name"],
    "issuer_address": DLA["issuer_address"],
    "signatory": DLA["signatory"],
    "signatory_position": DLA["signatory_position"],
    "contact_phone": "",
    "references.0.number": "",
    "references.0.date": "",
}


def _day(iso: str, shift_days: int = 0) -> str:
    day = dt.datetime.fromisoformat(iso).date() + dt.timedelta(days=shift_days)
    return f"{day.day}/{day.month}/{day.year + 543}"


@pytest.fixture
def read_in_the_server(monkeypatch):
    """The OCR runs in the live server's process, in its reading thread, whatever REDIS_URL says
    (the embedded default; no worker runs beside the tests): the upload returns at once and the
    review page reloads itself when the reading is done."""
    from circulars import tasks

    monkeypatch.setattr(tasks, "READ_IN_THREAD", True)
    with celery_app(eager=True):
        yield


def test_an_officer_uploads_a_scan_clears_the_flags_publishes_and_the_status_page_follows(
    live_server, nakhon_phanom, portal_clock, page, tmp_path, read_in_the_server
):
    officer = make_user("dla-intake@test.example", kind="dla_officer")
    portal_clock("2025-04-10T09:00:00+07:00")
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(scanned_pdf(render_pages(dla_letter_text(), tmp_path)))

    page.goto(live_server.url + "/?date=10/4/2568")
    assert "๐๘๐๘.๔/ว ๑๕๔๑" not in page.content()  # no circular says anything yet

    log_in(page, live_server.url, officer.email, totp=True)
    page.goto(live_server.url + "/circulars/intake/")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("form[enctype] button[type=submit]", timeout=600_000)
    page.wait_for_url("**/circulars/intake/*/", timeout=60_000)
    page.wait_for_selector("#intake-progress")  # the reading goes on in the background
    page.wait_for_selector("mark.flagged", timeout=600_000)  # the page reloaded when read
    assert page.locator("mark.flagged").count() > 0  # the scan's flagged spans
    assert page.locator("form[action$='/publish'] button[disabled]").count() == 1

    for _ in range(60):  # each save reloads the page; the flagged forms get fewer
        flagged = page.locator(".field.flagged form[action$='/field']")
        if flagged.count():
            form = flagged.first
            field = form.locator("input[name=field]").get_attribute("value")
            form.locator("[name=value]").fill(ON_THE_SCAN[field])
            form.locator("button[type=submit]").click()
            page.wait_for_load_state()
            continue
        rules = page.locator(".field.flagged form[action$='/rule']")
        if not rules.count():
            break
        form = rules.first
        rule = DLA["rules"][int(form.locator("input[name=rule]").get_attribute("value"))]
        form.locator("input[name=first_day]").fill(_day(rule["starts_at"]))
        last = _day(rule["ends_at"], -1) if rule["ends_at"] else ""
        form.locator("input[name=last_day]").fill(last)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert page.locator(".field.flagged").count() == 0

    # the OCR'd text is published only once the officer has read it against the scan
    assert page.locator("form[action$='/publish'] button[disabled]").count() == 1
    page.click("form[action$='/body-read']:has(input[name=read][value='1']) button")
    page.wait_for_load_state()

    page.click("form[action$='/publish'] button[type=submit]")
    page.wait_for_url("**/circulars/*/")
    assert DLA["number"] in page.content()

    page.goto(live_server.url + "/?date=10/4/2568")
    assert "๐๘๐๘.๔/ว ๑๕๔๑" in page.content()  # the status page now cites the new letter
