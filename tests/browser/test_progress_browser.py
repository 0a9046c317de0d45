"""Issue 12, items 1–3 in Chromium: a provincial officer returns a request and then approves it;
the clerk reads both decisions in the inbox and by e-mail, corrects from the primary button, sees
the resubmitted request in its own state, and after the approval reads that the finance director
must now file; the finance director's page offers the request; the officer's district dashboard
and late list show the LAO in progress, 1 of 2, and which position is missing.

Selectors are by id, name, class and href; the Thai words checked are the ones the issue quotes.
"""

import re

import pytest
from django.urls import reverse

from notifications.delivery import deliver_due
from notifications.models import Kind, Notification
from tests.actors import make_user
from tests.browser.login import choose, press

from .test_verification_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_decisions_reach_the_clerk_and_the_next_step_and_progress_are_named(
    live_server, circulars, places, actors, portal_clock, page, browser, mailoutbox
):
    from playwright.sync_api import expect

    from tests.onboarding.test_verification_services import file_as

    base = live_server.url
    lao = places.lao
    portal_clock("2025-04-10T09:00:00+07:00")
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    director = make_user(
        "director@lao.test.example",
        "สมชาย การเงิน",
        kind="lao_staff",
        organization=lao,
        position="finance_director",
    )
    vr = file_as(clerk, "permanent_secretary", places, "110170020345")
    # allauth keeps the TOTP codes used in the last 30 s in the cache: another browser test of
    # this session may just have used the demo secret's current code for its officer
    from tests import keyspace

    keyspace.clear("default")
    officer_context = browser.new_context(locale="th-TH", viewport={"width": 1366, "height": 900})
    officer_page = officer_context.new_page()
    try:
        log_in(officer_page, base, officer.email, totp=True)
        review_url = reverse("onboarding:review", args=[vr.pk])

        def decide(value, reason=""):
            officer_page.goto(base + review_url)
            choose(officer_page, f"input[name=decision][value={value}]")
            if reason:
                officer_page.fill("textarea[name=reason]", reason)
            try:
                with officer_page.expect_navigation(timeout=20000):
                    press(officer_page, "form:has(input[name=decision]) [type=submit]")
            except Exception:
                raise AssertionError(
                    f"{value}: {officer_page.url}\n{officer_page.content()[-3000:]}"
                ) from None
            assert officer_page.url.endswith("/review/"), officer_page.locator("main").inner_text()

        # --- returned: the clerk is told, and the primary action is to correct it ----------
        remark = "แนบคำสั่งแต่งตั้งฉบับที่ลงนามแล้ว"
        decide("return", remark)
        log_in(page, base, clerk.email)
        page.goto(base + "/inbox/")
        expect(page.get_by_text("ยังไม่มีข้อความ")).to_have_count(0)
        [note] = Notification.objects.filter(recipient=clerk, kind=Kind.REQUEST_DECISION)
        page.click(f"a[href='{note.get_absolute_url()}']")
        expect(page.get_by_text(remark).first).to_be_visible()
        deliver_due()  # the outbox, as a worker would (with Redis no task runs in the test)
        assert any(remark in m.body and clerk.email in m.to for m in mailoutbox)

        page.goto(base + "/my/")
        step = page.locator(f"#next-step-{lao.pk}")
        edit = reverse("onboarding:request_edit", args=[vr.pk])
        expect(step.locator(f"a.button[href='{edit}']")).to_be_visible()
        expect(step.get_by_text(remark)).to_be_visible()

        # --- resubmitted: its own state, the return only in its history -------------------
        page.goto(base + vr.get_absolute_url())
        page.click(f"form[action='{reverse('onboarding:request_submit', args=[vr.pk])}'] button")
        page.wait_for_url(f"**{vr.get_absolute_url()}")
        fields = page.locator("dl.letter")
        expect(fields.locator(".state-submitted")).to_be_visible()
        expect(fields.get_by_text(remark)).to_have_count(0)
        expect(page.locator("ol.timeline").get_by_text(remark)).to_be_visible()

        # --- approved: the clerk is verified, the finance director must now file ----------
        decide("approve")
        page.goto(base + "/inbox/")
        expect(page.locator("a[href*='/inbox/']").filter(has_text="อนุมัติ").first).to_be_visible()
        page.goto(base + "/my/")
        step = page.locator(f"#next-step-{lao.pk}")
        new_request = reverse("onboarding:request_new", args=[lao.pk])
        expect(step.locator(f"a[href='{new_request}']")).to_have_count(0)
        expect(page.get_by_text("ยื่นคำขอยืนยันตัวตน", exact=True)).to_have_count(0)
        left = page.locator(f"#left-{lao.pk}")
        expect(left).to_contain_text("ผู้อำนวยการกองคลัง")
        expect(left).to_contain_text("สมชาย การเงิน")
        expect(page.locator(f"#lao-status-{lao.pk}")).to_contain_text("1 จาก 2")
        deliver_due()
        decisions = [
            m.subject
            for m in mailoutbox
            if clerk.email in m.to and "คำขอยืนยันตัวตนของท่าน" in m.subject
        ]
        assert len(decisions) == 2, decisions  # one e-mail per decision, none twice
        assert "): ส่งกลับให้แก้ไข" in decisions[0] and "): อนุมัติ" in decisions[1]

        director_page = browser.new_context(locale="th-TH").new_page()
        log_in(director_page, base, director.email)
        director_page.goto(base + "/my/")
        expect(
            director_page.locator(f"#next-step-{lao.pk} a.button[href='{new_request}']")
        ).to_be_visible()
        director_page.context.close()

        # --- the officer's dashboard and late list: in progress, 1 of 2 -------------------
        officer_page.goto(base + f"/compliance/district/{lao.district.code}/")
        expect(officer_page.locator("#lao-in-progress")).to_have_text("1")
        row = officer_page.locator("#breakdown tr", has_text=lao.dla_code)
        expect(row).to_contain_text("กำลังดำเนินการ")
        expect(row).to_contain_text("ยืนยันแล้ว 1 จาก 2 ตำแหน่ง")
        expect(row.locator(".state-not_filed")).to_contain_text("ยังไม่ยื่นคำขอ")
        officer_page.goto(base + f"/compliance/late/?province={lao.district.province.code}")
        late_row = officer_page.locator("#late tr", has_text=lao.dla_code)
        expect(late_row).to_contain_text("กำลังดำเนินการ")
        expect(late_row).not_to_contain_text("ยังไม่ดำเนินการ")
        assert re.search(r"ผู้อำนวยการกองคลัง:\s*ยังไม่ยื่นคำขอ", late_row.inner_text())
    finally:
        officer_context.close()
