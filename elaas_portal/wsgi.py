"""The WSGI entry point: the portal, and lean doors for the requests that need less of it.

The decision API and the liveness check read no session, user, language, message or form: they
go through a handler with the middleware they use (security headers, host validation, the 400
for a bad parameter) and skip the rest (bench/: the decision API is the portal's most called
door). A plain decision question is answered by the decision API's own door, without Django's
request cycle (elaas_portal/decision_door.py); anything else about it by the lean handler.
The public status page opened without a session or message cookie is an anonymous visitor's by
construction: it skips the session, CSRF, message, account and gate middleware. An officer
reading the compliance pages (a GET under LEAN_READING_PREFIXES, ending in "/", without a
message cookie) keeps everything that decides access and skips the rest (settings). Every other
request goes through the whole chain. The handlers share settings, URLs and views; only the
middleware differs.
"""

import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings")

portal = get_wsgi_application()

from core.messages import MESSAGES_COOKIE  # noqa: E402 - after Django is set up

from .decision_door import PATH as DECISION_PATH  # noqa: E402
from .decision_door import DecisionDoor  # noqa: E402


class LeanHandler(WSGIHandler):
    """A handler whose middleware is the list given instead of settings.MIDDLEWARE."""

    def __init__(self, middleware: list[str]):
        self.middleware = middleware
        super().__init__()

    def load_middleware(self, is_async=False):
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = self.middleware
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


lean = LeanHandler(settings.LEAN_MIDDLEWARE)
decisions = DecisionDoor(lean)
lean_anonymous = LeanHandler(settings.LEAN_ANONYMOUS_MIDDLEWARE)
lean_reading = LeanHandler(settings.LEAN_READING_MIDDLEWARE)
LEAN_PATHS = frozenset(settings.LEAN_PATHS)
LEAN_ANONYMOUS_PATHS = frozenset(settings.LEAN_ANONYMOUS_PATHS)
LEAN_READING_PREFIXES = tuple(settings.LEAN_READING_PREFIXES)
_PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, MESSAGES_COOKIE)


def application(environ, start_response):
    if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
        path = environ.get("PATH_INFO")
        if path == DECISION_PATH:
            return decisions(environ, start_response)
        if path in LEAN_PATHS:
            return lean(environ, start_response)
        if path in LEAN_ANONYMOUS_PATHS and not _carries(environ.get("HTTP_COOKIE", "")):
            return lean_anonymous(environ, start_response)
        if (
            path.startswith(LEAN_READING_PREFIXES)
            and path.endswith("/")
            and f"{MESSAGES_COOKIE}=" not in environ.get("HTTP_COOKIE", "")
        ):
            return lean_reading(environ, start_response)
    return portal(environ, start_response)


def _carries(cookies: str) -> bool:
    """Whether the request may belong to someone: a session or a message cookie."""
    return any(f"{name}=" in cookies for name in _PERSONAL_COOKIES)
