"""Sign in with ThaID through the development stand-in (devidp/, django-oauth-toolkit) in
Chromium, and file a request whose identity ThaID proves, in one go on the request form.

The stand-in runs as its own Django project in a subprocess (as `make run` starts it), with a new
RS256 key, its discovery document and JWKS; the portal (live_server) is configured to use it.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.urls import reverse

from core.thai import to_thai_digits
from tests import keyspace
from tests.actors import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "elaas-portal-dev", "elaas-portal-dev-secret"  # devidp's defaults


def free_port() -> int:
    return keyspace.free_port()


@pytest.fixture
def devidp(live_server, tmp_path, settings):
    from devidp.identities import identities

    port = live_server.url.rsplit(":", 1)[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devidp.settings",
        "DEVIDP_DB": str(tmp_path / "devidp.sqlite3"),
    }

    def manage(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs
        )

    manage("migrate", "-v0")
    callbacks = [
        f"http://{host}:{port}/accounts/oidc/thaid/login/callback/"
        for host in ("localhost", "127.0.0.1")
    ]
    manage("devidp_setup", *[f"--redirect-uri={c}" for c in callbacks], capture_output=True)
    idp_port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{idp_port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{idp_port}/o"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        from tests.thaid_op import portal_settings

        configured = portal_settings(url)
        app = configured["SOCIALACCOUNT_PROVIDERS"]["openid_connect"]["APPS"][0]
        app.update(client_id=CLIENT_ID, secret=CLIENT_SECRET)
        app["settings"]["scope"] = ["openid", "pid", "given_name", "family_name", "title"]
        configured.update(THAID_CLIENT_ID=CLIENT_ID, THAID_CLIENT_SECRET=CLIENT_SECRET)
        for name, value in configured.items():
            setattr(settings, name, value)
        yield {i["email"]: i for i in identities()}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_clerk_links_thaid_signs_in_with_it_and_files_a_request_proven_by_it(
    live_server, devidp, circulars, places, portal_clock, page
):
    from playwright.sync_api import expect

    from onboarding.models import VerificationRequest

    base = live_server.url
    portal_clock("2025-04-10T09:00:00+07:00")
    clerk = make_user(
        "somsri@lao.test.example",
        "สมศรี ใจดี",
        kind="lao_staff",
        organization=places.lao,
        position="permanent_secretary",
    )
    identity = devidp["lao-clerk@demo.test"]

    # --- signed in with a password, the clerk links ThaID from "My organisation" -----------------
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", clerk.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_url("**/my/")
    page.click("#thaid button[type=submit]")
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/login/"))  # the stand-in's own login page
    page.fill("#id_username", "lao-clerk@demo.test")
    page.fill("#id_password", "elaas-demo-2568")
    page.click("#devidp-login")
    page.wait_for_url("**/my/")
    expect(page.locator("#thaid")).to_contain_text(identity["pid"][-4:])
    expect(page.locator(".messages")).to_contain_text("ผูกบัญชีของท่านกับ ThaID แล้ว")
    shoot(page, "thaid-linked")

    # --- signed out, the clerk signs in with ThaID ---------------------------------------------
    page.goto(base + "/accounts/logout/")
    page.click("form[action*='/accounts/logout/'] [type=submit]")
    page.goto(base + "/accounts/login/")
    page.click(f"form[action='{reverse('openid_connect_login', args=['thaid'])}'] button")
    page.wait_for_url("**/my/")
    assert page.context.cookies(base) and "/accounts/login/" not in page.url

    # --- right after the ThaID sign-in the form offers ThaID's proof: filed in one go ------------
    page.click(f"a[href='{reverse('onboarding:request_new', args=[places.lao.pk])}']")
    expect(page.locator("input[name=prove_with_thaid]")).to_be_checked()
    page.fill("input[name=national_id]", to_thai_digits(identity["pid"]))
    page.fill("input[name=appointment_order_number]", "นพ 73501/100")
    page.fill("input[name=appointment_date]", "1/10/2567")
    page.check("input[name=consent]")
    shoot(page, "request-form-thaid")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r"/verification/\d+/$"))
    vr = VerificationRequest.objects.get(requester=clerk)
    assert vr.state == "submitted" and vr.identity_proven_by_thaid and not vr.evidence.exists()
    expect(page.locator(".state-submitted").first).to_be_visible()
    shoot(page, "request-submitted-thaid")


def shoot(page, name):
    """With JOURNEY_SCREENSHOTS (scripts/screenshots.py): the page at 390 and 1366 px, cropped
    to the window's height."""
    folder = os.environ.get("JOURNEY_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"))
