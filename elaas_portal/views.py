from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from core.middleware import language_neutral


@language_neutral
@require_safe
def healthz(request):
    """Liveness: the process answers. Touches no database; also the benchmarks' bare view."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def switch_language(request, code):
    """Switch the UI language with a plain link, so public pages carry no per-visitor token."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever base.html links: send them to the static file."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


# Error pages: Thai first, English by the header's switch, the portal's header and a way back.
# Django's own 400 and CSRF pages render without the request (no header, no language switch);
# these render with it. The 500 page stays Django's: it must need neither request nor database.


def _way_back(request) -> str:
    """The page the visitor came from, if it is one of ours; else nothing."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _error_page(request, template_name: str, status: int, context: dict | None = None):
    try:
        back = _way_back(request)
    except DisallowedHost:  # the host itself is what was wrong
        back = ""
    context = {"back_url": back, **(context or {})}
    return render(request, template_name, context, status=status)


def bad_request(request, exception):
    return _error_page(request, "400.html", 400)


def permission_denied(request, exception):
    # PermissionDenied raised with a message of ours says why; Django's own carry none.
    message = str(exception) if exception and str(exception) else ""
    return _error_page(request, "403.html", 403, {"exception": message})


def page_not_found(request, exception):
    return _error_page(request, "404.html", 404, {"request_path": request.path})


def csrf_failure(request, reason=""):
    """The form was sent without a valid CSRF token: most often a page left open past the end
    of its session, or opened before logging in or out in another tab. Say so, and go back."""
    return _error_page(request, "403_csrf.html", 403, {"reason": reason})
