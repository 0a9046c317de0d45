"""Each role's journey through the Thai interface in Chromium (issue 24), checking every page on
the way: no English sentence (the allowed Latin words of tests/test_thai_pages.py: e-LAAS,
ThaID, DLA codes, e-mail addresses…), no deadline written in another style than "ภายในวันที่ ๒๑
เมษายน ๒๕๖๘" (core.thai.format_deadline), and no term of core.thai.KEEP_TOGETHER broken across
two lines, on a phone (390 px) and a laptop (1366 px).

The journeys: an anonymous LAO clerk finds their LAO on the status page; a clerk signs up,
confirms the address, is approved, logs in and files a request (once with a mistake, the
attached file named to attach again); a unit's clerk on 3 April and on 4 April; a district
officer; a provincial officer reviewing and approving; a DLA officer.

`JOURNEY_SCREENSHOTS=docs/screenshots` saves the pages of SHOT_PAGES at both widths as PNG,
cropped to the window's height (scripts/screenshots.py).
`JOURNEY_REPORT=1` prints what was found, per page.
"""

import os
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from core.national_id import with_check_digit
from core.thai import to_thai_digits
from tests.actors import login
from tests.browser.login import choose, log_in, press, sign_up
from tests.browser.thai_check import Findings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLERK_EMAIL = "somsri.journey@lao.test.example"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^\s/]+/")
SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")
# The pages saved with JOURNEY_SCREENSHOTS: those issue 24 changed and each role's main page.
SHOT_PAGES = {
    "status",
    "status-my-lao",
    "circular",
    "login",
    "lao-clerk-my",
    "request-form-errors",
    "unit-clerk-3-april",
    "unit-clerk-4-april",
    "district-officer-home",
    "province-officer-queue",
    "dla-officer-country",
}


class Journey(Findings):
    """Checks each page at both widths (and saves it, with JOURNEY_SCREENSHOTS)."""

    def check(self, page, label: str) -> None:
        super().check(page, label)
        for viewport in (LAPTOP, PHONE):  # the journey itself runs on the phone
            page.set_viewport_size(viewport)
            if viewport is LAPTOP:
                from tests.browser.thai_check import broken_terms

                broken = broken_terms(page)
                if broken:
                    self.broken.setdefault(f"{self.pages[-1]} @1366", []).extend(broken)
            if SHOTS and label in SHOT_PAGES:
                folder = Path(SHOTS)
                folder.mkdir(parents=True, exist_ok=True)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(folder / f"{label}-{viewport['width']}.png"))


def test_the_system_name_and_identity_verification_are_drawn_on_one_line_at_390_and_1366(
    live_server, browser, actors, places, circulars, portal_clock
):
    """The phone's demo-clock banner broke "ยืนยันตัว|ตน", the laptop's request form and letter
    "New e-|LAAS": each occurrence's text rects now sit on one line."""
    from django.conf import settings

    from tests.browser.thai_check import terms_drawn

    COOKIE = settings.SESSION_COOKIE_NAME  # noqa: N806

    portal_clock("2025-04-10T09:00:00+07:00")
    context = browser.new_context(locale="th-TH", viewport=PHONE)
    page = context.new_page()
    context.add_cookies(
        [{"name": COOKIE, "value": session_of(actors["lao_clerk"]), "url": live_server.url}]
    )
    drawn = {}
    for path in ("/", reverse("onboarding:request_new", args=[places.lao.pk])):
        page.goto(live_server.url + path)
        for viewport in (PHONE, LAPTOP):
            page.set_viewport_size(viewport)
            drawn[(path, viewport["width"])] = terms_drawn(page)
    context.close()
    seen = {term for found in drawn.values() for term, _, _ in found}
    assert {"ยืนยันตัวตน", "New e-LAAS"} <= seen
    broken = {k: [f for f in found if f[1] > 1] for k, found in drawn.items()}
    assert {k: v for k, v in broken.items() if v} == {}


def session_of(user) -> str:
    from django.conf import settings

    return login(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def journey():
    found = Journey()
    yield found
    if os.environ.get("JOURNEY_REPORT"):
        print(f"\n{len(found.pages)} pages checked; found: {found.counts()}")
        for kind in ("english", "deadlines", "broken"):
            for where, what in getattr(found, kind).items():
                print(f"  {kind} {where}: {what}")


def test_every_roles_journey_reads_as_thai_officials_write(
    live_server,
    browser,
    actors,
    places,
    circulars,
    portal_clock,
    mailoutbox,
    settings,
    tmp_path,
    journey,
):
    from playwright.sync_api import expect

    from accounts.models import Role
    from onboarding.membership import approve_membership
    from onboarding.models import VerificationRequest

    base = live_server.url
    settings.PORTAL_URL = base
    lao = places.lao

    def new_page(user=None):
        context = browser.new_context(locale="th-TH", viewport=PHONE)
        if user is not None:  # a session made as the login form makes it (tests.actors.login)
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session_of(user), "url": base}]
            )
        return context.new_page()

    # --- a unit's clerk: stopped on 3 April, let in on 4 April ---------------------------------
    portal_clock("2025-04-03T10:00:00+07:00")
    unit = new_page()
    log_in(unit, base, actors["unit_clerk"].email)
    expect(unit.locator("main [role=alert]")).to_be_visible()
    journey.check(unit, "unit-clerk-3-april")
    portal_clock("2025-04-04T08:30:00+07:00")
    log_in(unit, base, actors["unit_clerk"].email)
    unit.wait_for_url("**/my/")
    journey.check(unit, "unit-clerk-4-april")
    unit.context.close()

    portal_clock("2025-04-10T09:00:00+07:00")

    # --- an anonymous LAO clerk finds their LAO on the status page -----------------------------
    anon = new_page()
    anon.goto(base + "/")
    journey.check(anon, "status")
    anon.fill("#lao", to_thai_digits(lao.dla_code))
    anon.click("#my-lao button[type=submit]")
    expect(anon.locator("#my-lao-answer")).to_be_visible()
    journey.check(anon, "status-my-lao")
    anon.goto(base + reverse("circulars:detail", args=[circulars["dla"].id]))
    journey.check(anon, "circular")

    # --- a clerk signs up, confirms the address, is approved ----------------------------------
    anon.goto(base + "/accounts/signup/")
    journey.check(anon, "signup")
    sign_up(
        anon,
        base,
        search="ทดส",
        organization=lao,
        full_name="สมศรี ทางไกล",
        email=CLERK_EMAIL,
        position="chief_executive",
    )
    journey.check(anon, "signup-mail-sent")
    anon.goto(CONFIRM_LINK.search(mailoutbox[-1].body).group(0))
    journey.check(anon, "confirm-email")
    anon.click("form[action*='/confirm-email/'] [type=submit]")
    anon.wait_for_url("**/accounts/login/")
    journey.check(anon, "login")
    log_in(anon, base, CLERK_EMAIL)
    anon.wait_for_url("**/my/")
    journey.check(anon, "lao-clerk-pending")
    approve_membership(
        Role.objects.get(user__email=CLERK_EMAIL).pk, actor=actors["province_officer"]
    )

    # --- the clerk files a request: a mistake first, then submitted ---------------------------
    clerk = anon
    clerk.goto(base + "/my/")
    journey.check(clerk, "lao-clerk-my")
    new_url = reverse("onboarding:request_new", args=[lao.pk])
    clerk.click(f"a[href='{new_url}']")
    journey.check(clerk, "request-form")
    pdf = tmp_path / "คำสั่งแต่งตั้ง.pdf"
    pdf.write_bytes(PDF)
    number = with_check_digit("110170054321")
    clerk.fill("input[name=national_id]", number[:12] + str((int(number[12]) + 1) % 10))
    clerk.fill("input[name=appointment_order_number]", "นพ 73501/200")
    clerk.fill("input[name=appointment_date]", "1/10/2567")
    clerk.set_input_files("input[name=evidence]", str(pdf))
    clerk.check("input[name=consent]")
    clerk.click("button[name=submit]")
    expect(clerk.locator("#attach-again")).to_contain_text("คำสั่งแต่งตั้ง.pdf")
    journey.check(clerk, "request-form-errors")
    clerk.fill("input[name=national_id]", to_thai_digits(number))
    clerk.set_input_files("input[name=evidence]", str(pdf))
    clerk.check("input[name=consent]")
    clerk.click("button[name=submit]")
    clerk.wait_for_url(re.compile(r"/verification/\d+/$"))
    journey.check(clerk, "request-submitted")
    vr = VerificationRequest.objects.get(requester__email=CLERK_EMAIL)
    assert vr.state == "submitted"

    # --- the district officer follows (read only) ---------------------------------------------
    district = new_page(actors["district_officer"])
    district.goto(base + reverse("compliance:home"))
    journey.check(district, "district-officer-home")
    district.goto(base + reverse("onboarding:review_queue"))
    journey.check(district, "district-officer-requests")
    district.goto(base + vr.get_absolute_url())
    journey.check(district, "district-officer-request")
    district.context.close()

    # --- the provincial officer logs in with a password and TOTP, reviews and approves --------
    province = new_page()
    log_in(province, base, actors["province_officer"].email, totp=True)
    journey.check(province, "province-officer-home")
    province.goto(base + reverse("onboarding:review_queue"))
    journey.check(province, "province-officer-queue")
    review = reverse("onboarding:review", args=[vr.pk])
    province.click(f"a[href='{review}']")
    province.wait_for_url(f"**{review}")
    journey.check(province, "province-officer-review")
    choose(province, "input[name=decision][value=approve]")
    press(province, "form:has(input[name=decision]) [type=submit]")
    province.wait_for_url("**/review/")
    journey.check(province, "province-officer-approved")
    province.context.close()
    vr.refresh_from_db()
    assert vr.state == "approved"

    # --- the clerk reads the decision ---------------------------------------------------------
    clerk.goto(base + vr.get_absolute_url())
    journey.check(clerk, "request-approved")
    clerk.goto(base + "/inbox/")
    journey.check(clerk, "lao-clerk-inbox")
    clerk.context.close()

    # --- the DLA officer ----------------------------------------------------------------------
    dla = new_page(actors["dla_officer"])
    dla.goto(base + reverse("compliance:country"))
    journey.check(dla, "dla-officer-country")
    dla.goto(base + reverse("compliance:province", args=[lao.district.province.code]))
    journey.check(dla, "dla-officer-province")
    dla.goto(base + reverse("compliance:late"))
    journey.check(dla, "dla-officer-late")
    dla.context.close()

    assert len(journey.pages) >= 25
    assert journey.english == {}
    assert journey.deadlines == {}
    assert journey.broken == {}
