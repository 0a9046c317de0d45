"""Identity verification end to end on a phone-sized Chromium, and the unit login gate.

An LAO clerk signs up, confirms the e-mail, is approved as staff, files a request with a PDF; a
provincial officer (password and TOTP) returns it with a remark; the clerk corrects and
resubmits; the officer approves; with the finance director's request approved too the LAO
becomes identity-verified.
A unit's clerk is stopped at login on 3 April 2568 and let in on 4 April 2568.

Selectors are by name, id and href, not by text, so that the translations may change freely.
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.national_id import with_check_digit
from core.thai import format_datetime, to_thai_digits
from tests.actors import make_user
from tests.browser.login import choose, log_in, press, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLERK_EMAIL = "somsri.clerk@lao.test.example"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^\s/]+/")


def national_id(first12: str) -> str:
    """The 13-digit national ID with its check digit (from core.national_id)."""
    return with_check_digit(first12)


@pytest.fixture
def new_page(browser):
    """Another person's phone: a fresh browser context (own cookies), Thai, 390x844."""
    contexts = []

    def open_page():
        context = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_lao_clerk_signs_up_files_and_gets_approved_after_a_correction(
    live_server, circulars, places, portal_clock, page, new_page, mailoutbox, tmp_path, settings
):
    from playwright.sync_api import expect

    from onboarding import services
    from onboarding.models import VerificationRequest

    base = live_server.url
    settings.PORTAL_URL = base  # the links in mail are absolute, on the server that sent them
    lao = places.lao
    portal_clock("2025-04-10T09:00:00+07:00")
    officer = make_user(
        "province-officer@test.example",
        "ผู้ตรวจ จังหวัด",
        kind="province_officer",
        province=lao.district.province,
    )

    # --- the clerk signs up, choosing the LAO found by part of its name ---------------------
    sign_up(
        page,
        base,
        search="ทดส",
        organization=lao,
        full_name="สมศรี ใจดี",
        email=CLERK_EMAIL,
        position="permanent_secretary",
    )

    # --- the link in the mail confirms the address ----------------------------------------
    assert len(mailoutbox) == 1, [m.subject for m in mailoutbox]
    assert mailoutbox[0].to == [CLERK_EMAIL]
    link = CONFIRM_LINK.search(mailoutbox[0].body)
    assert link, mailoutbox[0].body
    page.goto(link.group(0))
    page.click("form[action*='/confirm-email/'] [type=submit]")
    page.wait_for_url("**/accounts/login/")  # confirmed; the clerk now logs in
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email=CLERK_EMAIL).verified

    # --- the provincial officer vouches for the clerk (tests/onboarding/test_membership.py) -
    from accounts.models import Role
    from onboarding.membership import approve_membership

    approve_membership(Role.objects.get(user__email=CLERK_EMAIL).pk, actor=officer)

    # --- the clerk logs in and files the request ------------------------------------------
    log_in(page, base, CLERK_EMAIL)
    page.wait_for_url("**/my/")
    page.click(f"a[href='{reverse('onboarding:request_new', args=[lao.pk])}']")
    page.wait_for_url(f"**{reverse('onboarding:request_new', args=[lao.pk])}")
    expect(page.locator("input[name=full_name]")).to_have_value("สมศรี ใจดี")
    expect(page.locator("select[name=position]")).to_have_value("permanent_secretary")
    page.fill("input[name=national_id]", to_thai_digits(national_id("110170012345")))
    page.fill("input[name=appointment_order_number]", "นพ 73501/100")
    page.fill("input[name=appointment_date]", "1/10/2567")
    pdf = tmp_path / "appointment-order.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("input[name=evidence]", str(pdf))
    page.check("input[name=consent]")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r"/verification/\d+/$"))
    vr = VerificationRequest.objects.get(requester__email=CLERK_EMAIL)
    assert page.url == base + vr.get_absolute_url()
    expect(page.locator(".messages .success")).to_be_visible()
    expect(page.locator(".state-submitted").first).to_be_visible()
    assert (vr.state, vr.national_id_last4, vr.appointment_date) == (
        "submitted",
        national_id("110170012345")[-4:],
        dt.date(2024, 10, 1),
    )
    evidence = vr.evidence.get()
    assert (evidence.original_name, evidence.content_type) == (
        "appointment-order.pdf",
        "application/pdf",
    )

    # --- the provincial officer logs in with a password and TOTP, reviews, returns it -----
    officer_page = new_page()
    log_in(officer_page, base, officer.email, totp=True)
    officer_page.goto(base + "/review/")
    review_url = reverse("onboarding:review", args=[vr.pk])
    officer_page.click(f"a[href='{review_url}']")
    officer_page.wait_for_url(f"**{review_url}")
    frame = officer_page.locator("iframe.evidence-view")
    expect(frame).to_be_visible()
    src = frame.get_attribute("src")
    assert src == evidence.get_absolute_url()
    fetched = officer_page.request.get(base + src)  # with the officer's session cookie
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "application/pdf"
    assert fetched.body() == PDF
    remark = "เลขที่คำสั่งแต่งตั้งไม่ตรงกับเอกสารแนบ โปรดแก้เป็น นพ 73501/101"
    choose(officer_page, "input[name=decision][value=return]")
    officer_page.fill("textarea[name=reason]", remark)
    press(officer_page, "form:has(input[name=decision]) [type=submit]")
    officer_page.wait_for_url("**/review/")
    vr.refresh_from_db()
    assert (vr.state, vr.remarks, vr.decided_by) == ("returned", remark, officer)

    # --- the clerk reads the remark, corrects the order number and resubmits --------------
    page.goto(base + "/my/")
    page.click(f"a[href='{vr.get_absolute_url()}']")
    page.wait_for_url(f"**{vr.get_absolute_url()}")
    expect(page.get_by_text(remark).first).to_be_visible()
    expect(page.locator(".state-returned").first).to_be_visible()
    page.click(f"a[href='{reverse('onboarding:request_edit', args=[vr.pk])}']")
    page.wait_for_url("**/edit/")
    expect(page.get_by_text(remark).first).to_be_visible()
    expect(page.locator("input[name=appointment_order_number]")).to_have_value("นพ 73501/100")
    page.fill("input[name=appointment_order_number]", "นพ 73501/101")
    page.click("button[name=submit]")
    page.wait_for_url(f"**{vr.get_absolute_url()}")
    expect(page.locator(".state-submitted").first).to_be_visible()
    vr.refresh_from_db()
    assert (vr.state, vr.appointment_order_number, vr.evidence.count()) == (
        "submitted",
        "นพ 73501/101",
        1,
    )
    assert vr.national_id_last4 == national_id("110170012345")[-4:]  # kept though not typed again

    # --- the officer, still in the same session, approves ---------------------------------
    officer_page.goto(base + "/review/")
    officer_page.click(f"a[href='{review_url}']")
    officer_page.wait_for_url(f"**{review_url}")
    expect(officer_page.get_by_text("นพ 73501/101").first).to_be_visible()
    choose(officer_page, "input[name=decision][value=approve]")
    press(officer_page, "form:has(input[name=decision]) [type=submit]")
    officer_page.wait_for_url("**/review/")
    vr.refresh_from_db()
    assert vr.state == "approved"
    lao.refresh_from_db()
    assert lao.identity_verified_at is None  # the finance director is still missing

    # --- the finance director's request, filed and approved through the services ----------
    director = make_user(
        "director@lao.test.example",
        "สมชาย การเงิน",
        kind="lao_staff",
        organization=lao,
        position="finance_director",
    )
    second = services.create_request(
        requester=director,
        organization=lao,
        data=services.RequestData(
            full_name="สมชาย การเงิน",
            national_id=national_id("310170098765"),
            position="finance_director",
            appointment_order_number="นพ 73501/102",
            appointment_date=dt.date(2024, 10, 1),
            consent=True,
        ),
        files=[SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf")],
        submit=True,
    )
    services.approve_request(second.pk, actor=officer, expected_version=second.version)

    # --- the first clerk sees the LAO verified --------------------------------------------
    page.goto(base + "/my/")
    expect(page.locator(".allowed").first).to_be_visible()
    expect(page.locator("ul.checklist li.done")).to_have_count(2)
    lao.refresh_from_db()
    assert lao.identity_verified_at is not None
    assert lao.identity_verified_at.date() == dt.date(2025, 4, 10)
    assert format_datetime(lao.identity_verified_at) in page.locator(".allowed").first.inner_text()


def test_unit_clerk_is_stopped_on_3_april_and_let_in_on_4_april(
    live_server, circulars, places, portal_clock, page
):
    from playwright.sync_api import expect

    from maintenance.access import login_decision

    base = live_server.url
    clerk = make_user(
        "unit-clerk@test.example", "ครู ศพด.", kind="unit_staff", organization=places.unit
    )

    portal_clock("2025-04-03T10:00:00+07:00")
    decision = login_decision(clerk)
    assert decision is not None and not decision.allowed and decision.circular is not None
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/accounts/login/" in r.url
    ) as posted:
        log_in(page, base, clerk.email)
    assert posted.value.status == 403
    alert = page.locator("main [role=alert]")
    expect(alert).to_be_visible()
    assert "/my/" not in page.url
    assert format_datetime(decision.valid_until) == "4 เม.ย. 2568 00:00 น."
    expect(alert).to_contain_text("ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘")  # the one deadline style
    # the DLA's letter keeps units out until then
    assert decision.circular.id == circulars["dla"].id
    expect(alert).to_contain_text("มท ๐๘๐๘.๔/ว ๑๕๔๑")
    # cited for the closure now (#closed-under) and for 4 April, clause 2 (#opens-under)
    letter = reverse("circulars:detail", args=[decision.circular.id])
    expect(alert.locator(f"#closed-under a[href='{letter}']")).to_be_visible()
    expect(alert.locator("#opens-under")).to_contain_text("ข้อ ๒")
    page.goto(base + "/my/")  # no session was opened
    assert "/accounts/login/" in page.url
    places.unit.refresh_from_db()
    assert places.unit.first_login_at is None

    portal_clock("2025-04-04T00:00:00+07:00")
    log_in(page, base, clerk.email)
    page.wait_for_url("**/my/")
    expect(page.locator("ul.checklist")).to_be_visible()
    expect(page.locator("main h2").first).to_contain_text(places.unit.name_th)
    places.unit.refresh_from_db()
    assert places.unit.first_login_at is not None
