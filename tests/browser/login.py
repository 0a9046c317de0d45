"""Logging a browser in through the forms, as a person does: password, then the TOTP code."""

import time

from tests.actors import PASSWORD


def totp_code() -> str:
    """The demo secret's current TOTP code, never one about to expire (a short wait at most)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from demo.demo_accounts import DEMO_TOTP_SECRET

    if 30 - time.time() % 30 < 3:  # the code would expire before the server reads it
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


def log_in(page, base_url, email, *, password=PASSWORD, totp=False, on_code_page=None):
    """`on_code_page(page)` runs on the second-factor page before the code is typed."""
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) [type=submit]")
    if totp:
        page.wait_for_url("**/accounts/2fa/authenticate/**")
        if on_code_page is not None:
            on_code_page(page)
        page.fill("input[name=code]", totp_code())
        page.click("form:has(input[name=code]) [type=submit]")
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url)
    page.wait_for_load_state()


def choose(page, selector: str) -> None:
    """Select a radio button or tick a box as an element, not by its coordinates: an evidence
    frame may still change the page's height as its file arrives, and a click aimed at where
    the control was lands beside it (seen on a loaded machine)."""
    from playwright.sync_api import expect

    control = page.locator(selector)
    control.dispatch_event("click")
    expect(control).to_be_checked()


def press(page, selector: str) -> None:
    """Press a button as an element, not at its coordinates, for the reason `choose` gives: on a
    review page the evidence frame may still grow as its file arrives (the journey's approval
    was lost so once on a loaded CI machine: the click landed beside the button)."""
    page.locator(selector).dispatch_event("click")


def sign_up(page, base_url, *, search, organization, full_name, email, position):
    """The staff sign-up form as a person fills it: the organisation found by part of its name
    (`search`), chosen by its id, then the person's details; ends on "confirm your e-mail"."""
    from playwright.sync_api import expect

    page.goto(base_url + "/accounts/signup/")
    page.fill("#org-q", search)
    page.click("form[role=search] [type=submit]")
    radio = page.locator(f"input[name=organization][value='{organization.pk}']")
    expect(radio).to_be_visible()
    radio.check()
    form = page.locator("form:has(input[name=password1])")
    form.locator("input[name=full_name]").fill(full_name)
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("select[name=position]").select_option(position)
    form.locator("[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
