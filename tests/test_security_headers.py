"""Security headers on every kind of page, and `check --deploy` clean on production settings.

The Content-Security-Policy (django-csp) allows nothing inline, so no template may carry an
inline script, a <style> element or a style="" attribute: they live in static/.
"""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    from tests.prodstack import production_base_env

    return production_base_env() | {
        "ELAAS_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "NATIONAL_ID_HASH_KEY": secrets.token_urlsafe(32),
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_URL": "https://127.0.0.1",
        "EMAIL_URL": "console",
        **extra,
    }


def test_check_deploy_on_production_settings_has_no_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "?:" not in output, output


def test_hsts_preload_is_a_setting_off_by_default():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_PROXY_SSL_HEADER, s.STORAGES['staticfiles']['BACKEND'])"
    )
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    default = subprocess.run(
        run,
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="elaas_portal.settings.production"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == [
        "31536000",
        "False",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]
    preload = subprocess.run(
        run,
        cwd=ROOT,
        env=production_env(
            DJANGO_SETTINGS_MODULE="elaas_portal.settings.production", SECURE_HSTS_PRELOAD="1"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert preload.stdout.split()[1] == "True", preload.stderr


def _assert_security_headers(headers):
    csp = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/", "/?lang=en", "/accounts/login/", "/circulars/"])
def test_pages_carry_the_security_headers(client, circulars, path):
    response = client.get(path)
    assert response.status_code == 200
    _assert_security_headers(response.headers)


def test_the_json_doors_and_the_status_page_carry_the_security_headers(circulars):
    """The decision API, the liveness check and the anonymous status page, through the real WSGI
    entry point (the one middleware chain)."""
    from tests.wsgi import QUESTION, call

    for path in (QUESTION, "/healthz/", "/"):
        status, headers, _body = call(path)
        assert status == 200, path
        _assert_security_headers(headers)


def test_a_logged_in_officer_page_carries_the_security_headers(client, actors):
    from tests.actors import login

    login(client, actors["province_officer"])
    response = client.get("/review/")
    assert response.status_code == 200
    _assert_security_headers(response.headers)


def test_evidence_keeps_its_own_sandbox_policy():
    """The evidence view's `sandbox` policy is not replaced by the site's (django-csp's middleware
    keeps a header the view set)."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    response = HttpResponse("file")
    response["Content-Security-Policy"] = "sandbox"
    out = CSPMiddleware(lambda request: response)(RequestFactory().get("/x"))
    assert out["Content-Security-Policy"] == "sandbox"


def test_django_csps_per_view_decorators_work_in_the_chain(client, settings):
    """The chain carries django-csp's own middleware (issue 23), so a view's `csp_update` and
    `csp_exempt` are honoured: the replacement that built one fixed header ignored them."""
    from csp.decorators import csp_exempt, csp_update
    from django.http import HttpResponse
    from django.urls import path

    @csp_update({"img-src": ["https://maps.example.go.th"]})
    def updated(request):
        return HttpResponse("map")

    @csp_exempt()
    def exempt(request):
        return HttpResponse("no policy")

    class Urls:
        urlpatterns = [path("updated/", updated), path("exempt/", exempt)]

    settings.ROOT_URLCONF = Urls
    assert (
        "img-src 'self' data: https://maps.example.go.th"
        in (client.get("/updated/")["Content-Security-Policy"])
    )
    assert "Content-Security-Policy" not in client.get("/exempt/")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=\s*[\"']|javascript:", re.I)


def test_no_template_carries_inline_script_or_style():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    assert not offenders, "inline code the CSP would block:\n" + "\n".join(offenders)


def test_form_action_lets_a_thaid_sign_in_be_redirected_to_thaid_only_when_configured():
    from elaas_portal.settings.base import content_security_policy

    configured = content_security_policy("https://imauth.bora.dopa.go.th/api/v2/oauth2")
    assert configured["DIRECTIVES"]["form-action"] == [
        "'self'",
        "https://imauth.bora.dopa.go.th",
    ]
    assert content_security_policy("")["DIRECTIVES"]["form-action"] == ["'self'"]


def test_every_door_carries_the_pages_policy(client, circulars, settings):
    """The header the decision API, the liveness check and the status page carry is the one
    django-csp writes on pages, to the character; and a replaced setting (ThaID configured)
    is followed at once."""
    from elaas_portal.settings.base import content_security_policy
    from tests.wsgi import QUESTION, call

    page = client.get("/accounts/login/").headers["Content-Security-Policy"]
    for path in (QUESTION, "/healthz/", "/"):
        _status, headers, _body = call(path)
        assert headers["Content-Security-Policy"] == page, path
    settings.CONTENT_SECURITY_POLICY = content_security_policy("https://imauth.example.go.th/x")
    after = client.get("/healthz/")["Content-Security-Policy"]
    assert "form-action 'self' https://imauth.example.go.th" in after


# --- a signed-in person's pages are never kept by a cache (issue 26, finding 8) ----------------


def _no_store_private(response) -> bool:
    parts = {p.strip() for p in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= parts


def _private_no_cache(response) -> bool:
    parts = {p.strip() for p in response.get("Cache-Control", "").split(",")}
    return parts == {"private", "no-cache"}


def _plain_url_patterns(patterns=None, prefix=""):
    """Every URL of the portal that takes no argument, as the resolver lists them."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(pattern, URLResolver):
            yield from _plain_url_patterns(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + route


def test_every_page_a_signed_in_person_gets_says_no_store_private(client, actors, circulars):
    from tests.actors import login
    from tests.notifications.test_views import note

    officer = actors["province_officer"]
    message = note(officer)
    named = [
        "/inbox/",
        f"/inbox/{message.pk}/",
        "/compliance/province/48/",  # the dashboard of the officer's province
        "/accounts/email/",
        "/accounts/2fa/",
        "/circulars/intake/",
        "/my/",
    ]
    urls = sorted(set(named) | set(_plain_url_patterns()))
    assert len(urls) > 20, urls
    login(client, officer)
    opened = 0
    for url in urls:
        if url.startswith(("/static/", "/metrics")):
            continue
        response = client.get(url, secure=True)
        opened += response.status_code == 200
        if url.startswith("/compliance/") and response.has_header("ETag"):
            # the officers' compliance pages: kept by their browser alone, revalidated each time
            # with the ETag (compliance/etags.py); never by a shared cache
            assert _private_no_cache(response), (url, response.status_code)
            continue
        assert _no_store_private(response), (url, response.status_code)
    for url in named:
        assert client.get(url, secure=True).status_code == 200, url
    assert opened >= len(named)


def test_an_anonymous_visitor_keeps_the_cacheable_status_page(client, circulars):
    assert not _no_store_private(client.get("/"))
