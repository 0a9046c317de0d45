"""`make prod` in Chromium over TLS: the stylesheet loads, a clerk files a request, a provincial
officer logs in with a password and TOTP and approves it, and no page breaks its
Content-Security-Policy (the console and the `securitypolicyviolation` events stay silent).

Against the stack of tests/prodstack.py (nginx, two gunicorn instances, production settings),
with its self-signed certificate accepted. Selectors are by name, class and href.
"""

import re

import pytest

from tests.browser.login import choose, totp_code
from tests.browser.test_verification_browser import PDF, national_id
from tests.prodstack import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# Runs in every document before its own scripts (Playwright's init scripts are not subject to
# the page's CSP), so that a violation anywhere is recorded.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""
# The portal's stylesheet, by its hashed name, read and parsed (a 404 or a refusal has no rules).
STYLESHEET_LOADED = """() => [...document.styleSheets].some((s) =>
  s.href && /\\/static\\/css\\/portal\\.[0-9a-f]{12}\\.css$/.test(s.href)
  && s.cssRules.length > 20)"""


class Watched:
    """A person's browser on the stack, with what its console said and what was refused."""

    def __init__(self, browser, base_url):
        self.base = base_url
        self.context = browser.new_context(
            locale="th-TH", viewport={"width": 390, "height": 844}, ignore_https_errors=True
        )
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.violations: list[str] = []
        self.failed_static: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("response", self._response)

    def _response(self, response):
        if "/static/" in response.url and response.status != 200:
            self.failed_static.append(f"{response.status} {response.url}")

    def collect(self):
        """The page's recorded violations (before it is left)."""
        self.violations += self.page.evaluate("window.__cspViolations || []")

    def goto(self, path):
        self.page.goto(self.base + path)
        self.page.wait_for_load_state()
        self.check_page()

    def check_page(self):
        assert self.page.url.startswith("https://")
        assert self.page.evaluate(STYLESHEET_LOADED), f"no stylesheet on {self.page.url}"
        self.collect()

    def wait_for_url(self, url):
        """As Playwright's, with a minute for a loaded machine, and on failure what the page
        says instead (an error message, a busy page) in the assertion."""
        try:
            self.page.wait_for_url(url, timeout=60_000)
        except Exception as error:
            raise AssertionError(
                f"still at {self.page.url}, which says:\n{self.page.inner_text('main')[:3000]}"
            ) from error

    def log_in(self, email, *, totp=False):
        self.goto("/accounts/login/")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("form:has(input[name=password]) [type=submit]")
        if totp:
            self.wait_for_url("**/accounts/2fa/authenticate/**")
            self.check_page()
            self.page.fill("input[name=code]", totp_code())
            self.page.click("form:has(input[name=code]) [type=submit]")
        self.page.wait_for_load_state()
        self.check_page()

    def assert_clean(self):
        csp_console = [line for line in self.console if "Content Security Policy" in line]
        assert not csp_console, csp_console
        assert not self.violations, self.violations
        assert not self.failed_static, self.failed_static


def test_a_clerk_and_an_officer_work_in_chromium_over_tls(browser, prod_stack, tmp_path):
    from playwright.sync_api import expect

    clerk = Watched(browser, prod_stack.base_url)
    officer = Watched(browser, prod_stack.base_url)
    try:
        clerk.goto("/")
        expect(clerk.page.locator("header.top")).to_be_visible()

        # --- the finance director of an LAO files an identity verification request --------
        clerk.log_in("lao2-clerk@demo.test")
        clerk.wait_for_url("**/my/")
        clerk.page.click("a[href$='/request/']")
        clerk.wait_for_url(re.compile(r"/my/org/\d+/request/$"))
        clerk.check_page()
        clerk.page.fill("input[name=full_name]", "สมชาย การเงิน")
        clerk.page.fill("input[name=national_id]", national_id("310050012345"))
        clerk.page.fill("input[name=appointment_order_number]", "นพ 1234/2567")
        clerk.page.fill("input[name=appointment_date]", "๑/๑๐/๒๕๖๗")
        pdf = tmp_path / "appointment-order.pdf"
        pdf.write_bytes(PDF)
        clerk.page.set_input_files("input[name=evidence]", str(pdf))
        clerk.page.check("input[name=consent]")
        clerk.collect()
        clerk.page.click("button[name=submit]")
        clerk.wait_for_url(re.compile(r"/verification/\d+/$"))
        clerk.check_page()
        expect(clerk.page.locator(".state-submitted").first).to_be_visible()
        request_path = clerk.page.url.removeprefix(prod_stack.base_url)
        pk = re.search(r"/verification/(\d+)/", request_path).group(1)

        # --- the provincial officer logs in with a password and TOTP and approves it ------
        officer.log_in("province-officer@demo.test", totp=True)
        officer.goto("/review/")
        officer.page.click(f"a[href='/review/{pk}/']")
        officer.wait_for_url(f"**/review/{pk}/")
        officer.check_page()
        expect(officer.page.locator("iframe.evidence-view")).to_be_visible()
        # The radio and the button are clicked as elements (tests/browser/login.choose).
        choose(officer.page, "input[name=decision][value=approve]")
        officer.collect()
        officer.page.locator("form:has(input[name=decision]) [type=submit]").dispatch_event("click")
        officer.wait_for_url("**/review/")
        officer.check_page()

        # --- the clerk sees the approval -------------------------------------------------
        clerk.goto(request_path)
        expect(clerk.page.locator(".state-approved").first).to_be_visible()

        clerk.assert_clean()
        officer.assert_clean()
    finally:
        clerk.context.close()
        officer.context.close()
