"""One middleware chain for every request (issue 23): a middleware added to settings.MIDDLEWARE
is on every path, through the very entry point gunicorn calls. Before, four chains were kept
side by side (MIDDLEWARE and three LEAN_* lists chosen by path in elaas_portal/wsgi.py), and a
middleware added to MIDDLEWARE alone appeared on /registry/ but not on /healthz/, / or
/compliance/. Where a path needs less, a middleware branches inside itself (accounts.middleware,
core.middleware.LocaleMiddleware), and the tests below hold what those branches promise."""

import importlib
import re

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from tests.wsgi import QUESTION, call, call_wsgi

pytestmark = pytest.mark.django_db

MARKER = "tests.test_one_chain.MarkerMiddleware"
seen: list[str] = []


class MarkerMiddleware:
    """Appended to MIDDLEWARE by the test: records each request it sees, marks the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seen.append(request.path)
        response = self.get_response(request)
        response["X-Chain-Marker"] = "1"
        return response


def _plain_paths(patterns, prefix=""):
    """Every URL of the portal that takes no argument, as a path."""
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if "<" in route or "(?P" in route:
                continue
            yield from _plain_paths(pattern.url_patterns, prefix + route.lstrip("^"))
        elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
            yield "/" + prefix + route.lstrip("^").rstrip("$")


# The paths the lean handlers and the decision door used to take, and a few of every app.
NAMED = [
    "/",
    "/healthz/",
    "/readyz/",
    "/metrics",
    QUESTION,
    "/api/policy/decision?entity_type=lao&action=fly",  # its clear 400
    "/compliance/",
    "/compliance/country/",
    "/compliance/province/48/",
    "/registry/",
    "/circulars/",
    "/inbox/",
    "/accounts/login/",
    "/admin/",
    "/no-such-page/",  # a 404
]


@pytest.fixture
def entry_point(settings):
    """elaas_portal.wsgi as gunicorn imports it, with the marker appended to MIDDLEWARE."""
    settings.MIDDLEWARE = [*django_settings.MIDDLEWARE, MARKER]
    from elaas_portal import wsgi

    seen.clear()
    yield importlib.reload(wsgi)
    settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != MARKER]
    importlib.reload(wsgi)


def test_there_is_one_chain_and_django_handles_every_request():
    chains = [n for n in dir(django_settings) if re.search(r"(?<!CACHE_)MIDDLEWARE$|^LEAN_", n)]
    assert chains == ["MIDDLEWARE"]
    from elaas_portal import wsgi

    assert type(wsgi.application) is WSGIHandler  # no door in front of Django's handler


@pytest.mark.parametrize("with_session", [False, True])
def test_a_middleware_added_to_the_chain_sees_every_path(
    entry_point, circulars, client, actors, with_session
):
    paths = sorted(set(NAMED) | set(_plain_paths(get_resolver().url_patterns)))
    assert len(paths) > 40
    cookie = ""
    if with_session:
        from tests.actors import login

        login(client, actors["dla_officer"])
        cookie = f"sessionid={client.cookies['sessionid'].value}"
    missed = []
    for path in paths:
        url, _, query = path.partition("?")
        environ = RequestFactory().get(url, QUERY_STRING=query, HTTP_COOKIE=cookie).environ
        for method in ("GET", "HEAD"):
            environ = dict(environ, REQUEST_METHOD=method)
            before = len(seen)
            status, headers, _body = call_wsgi(environ)
            if seen[before:] != [url] or ("X-Chain-Marker", "1") not in headers:
                missed.append(f"{method} {path} ({status})")
    assert not missed, "paths that skip a middleware of MIDDLEWARE:\n" + "\n".join(missed)


# -- what the branches inside the chain keep ---------------------------------------------------


def test_the_decision_api_says_nothing_of_languages_or_cookies(circulars, settings):
    """Kept by shared caches for every asker: no Vary, no Content-Language (as the lean door's
    answer had none), whatever language the asker's browser prefers."""
    settings.POLICY_RULES_CACHE_SECONDS = 60
    for extra in ({}, {"HTTP_ACCEPT_LANGUAGE": "en"}):
        status, headers, _body = call(QUESTION, secure=True, **extra)
        assert status == 200
        assert "Vary" not in headers and "Content-Language" not in headers
        assert headers["Cache-Control"] == "public, max-age=300" and headers["ETag"]


def test_the_liveness_check_and_metrics_say_nothing_of_languages_or_cookies(circulars):
    for path in ("/healthz/", "/metrics"):
        status, headers, _body = call(path)
        assert status == 200, path
        assert "Vary" not in headers and "Content-Language" not in headers, path


def test_the_status_page_varies_as_it_says_and_is_kept(circulars, settings):
    settings.POLICY_RULES_CACHE_SECONDS = 60  # the rules kept, as production keeps them
    status, headers, _body = call("/")
    assert status == 200
    assert headers["Vary"] == "Accept-Language, Cookie"
    assert headers["Content-Language"] == "th"
    assert headers["Cache-Control"].startswith("public, max-age=") and headers["ETag"]
    assert "Set-Cookie" not in headers  # no session, CSRF or message cookie for a visitor


def test_a_decision_api_error_is_in_the_default_language_whatever_is_asked(client, circulars):
    thai = client.get("/api/policy/decision?entity_type=lao&action=fly").content
    english = client.get(
        "/api/policy/decision?entity_type=lao&action=fly", HTTP_ACCEPT_LANGUAGE="en"
    ).content
    assert thai == english
