"""The JSON endpoints' one rule for methods: they read and change nothing, so any method but GET
and HEAD gets a JSON 405 with Allow, in the endpoint's own language, not the HTML CSRF page."""

from functools import wraps

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = ("GET", "HEAD")


def json_read_only(view):
    """GET and HEAD reach `view`; every other method gets `{"error": ...}` with 405 and Allow.
    Exempt from CSRF, which protects changes: these views make none, whatever the method."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            response = JsonResponse(
                {"error": "method not allowed", "allowed": list(SAFE_METHODS)},
                status=405,
                json_dumps_params={"ensure_ascii": False},
            )
            response["Allow"] = ", ".join(SAFE_METHODS)
            return response
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)
