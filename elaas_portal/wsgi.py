"""The WSGI entry point: the portal, and a lean door for the doors that need no session.

The decision API and the liveness check read no session, user, language, message or form: they
go through a handler with the middleware they use (security headers, host validation, the 400
for a bad parameter) and skip the rest (bench/: the decision API is the portal's most called
door). Every other path goes through the whole chain. Both handlers share settings, URLs and
views; only the middleware differs.
"""

import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings")

portal = get_wsgi_application()


class LeanHandler(WSGIHandler):
    """A handler whose middleware is settings.LEAN_MIDDLEWARE instead of settings.MIDDLEWARE."""

    def load_middleware(self, is_async=False):
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.LEAN_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


lean = LeanHandler()
LEAN_PATHS = frozenset(settings.LEAN_PATHS)


def application(environ, start_response):
    if environ.get("PATH_INFO") in LEAN_PATHS and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
        return lean(environ, start_response)
    return portal(environ, start_response)
