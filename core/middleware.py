"""A cap on the size of a request body, applied before anything reads it.

Django limits the form fields it keeps in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams any
number of files of any size to disk before a view can say no. This middleware, first in the
chain, refuses a request whose Content-Length exceeds REQUEST_BODY_MAX_BYTES with 413 and a
message in Thai (with English), as a page, or as JSON under /api/. It never reads the body.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware import locale
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .logs import current_request_id, request_id_from


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads a malformed length as no body at all


def too_large_message(lang: str, size: int) -> str:
    with translation.override(lang):
        return _(
            "What you sent is too large (%(size)s): at most %(max)s is accepted at once, each "
            "evidence file at most %(file_max)s and at most %(files)d files. Make the files "
            "smaller or send fewer at a time, then try again."
        ) % {
            "size": filesizeformat(size),
            "max": filesizeformat(settings.REQUEST_BODY_MAX_BYTES),
            "file_max": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            "files": settings.EVIDENCE_MAX_FILES,
        }


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        size = _content_length(request)
        if size > settings.REQUEST_BODY_MAX_BYTES:
            return self.refuse(request, size)
        return self.get_response(request)

    def refuse(self, request, size: int):
        thai, english = too_large_message("th", size), too_large_message("en", size)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {
                    "error": thai,
                    "error_en": english,
                    "max_bytes": settings.REQUEST_BODY_MAX_BYTES,
                },
                status=413,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            html = render_to_string(
                "errors/request_too_large.html", {"thai": thai, "english": english}
            )
            response = HttpResponse(html, status=413, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response


class PrivatePageMiddleware:
    """Every answer to a signed-in person may carry their data (their name in the header, their
    inbox, their organisation's staff): `Cache-Control: no-store, private` unless the view said
    otherwise, so that no shared cache or browser history keeps it. In one place, for every page
    behind a login (README, Personal data), after the user is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


def language_neutral(view):
    """Marks a view whose answer is the same in every language (the decision API's JSON, the
    liveness check, the metrics): LocaleMiddleware below leaves it in the default language and
    without `Vary: Accept-Language` and `Content-Language`, so shared caches keep one copy."""
    view.language_neutral = True
    return view


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, with a branch for language-neutral views (`language_neutral`):
    they get the default language, and their answer says nothing about languages."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "language_neutral", False):
            request.language_neutral = True
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE

    def process_response(self, request, response):
        if getattr(request, "language_neutral", False):
            return response
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """Says which browser features the portal's pages may use (settings.PERMISSIONS_POLICY).

    Django sets the other security headers itself; this one it has no setting for. A response
    that already carries the header keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class RequestIdMiddleware:
    """Gives every request an id: the incoming X-Request-ID when well-formed (the proxy's, or a
    caller's tracing its own call), otherwise a new one. The id is in `request.request_id`, in
    the answer's X-Request-ID header and on every log line written while the request runs
    (core/logs.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
        finally:
            current_request_id.reset(token)
