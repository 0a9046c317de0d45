"""Reading what a request carries: search text, codes, whole numbers, the page to go back to.

Each reader checks its value where it is read and raises `BadParameter` (Django's BadRequest)
naming the parameter; `BadParameterMiddleware` answers it with 400 and the message in the user's
language. Nothing malformed travels further down to fail there as a 500: a NUL character that
PostgreSQL refuses in a query, a number of days that overflows a date.
"""

import re

from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .messages import MESSAGES_COOKIE, built_storage
from .thai import to_arabic_digits

# NUL and the other C0 control characters except tab, line feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CODE = re.compile(r"\d{1,10}")


class BadParameter(BadRequest):
    """A parameter that cannot be read; `param` names it, `message` says what is expected."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


def _name(param: str, label: str | None) -> str:
    return f"“{label or param}”"


def text(raw: str | None, param: str, *, max_length: int = 100) -> str:
    """Search text, stripped and cut to `max_length`; control characters are refused."""
    value = raw or ""
    if _CONTROL.search(value):
        raise BadParameter(
            param,
            _(
                "The text to search for contains a control character (such as NUL) that cannot "
                "be searched for: type it again."
            ),
        )
    return value.strip()[:max_length]


def code(raw: str | None, param: str, *, label: str | None = None) -> str:
    """A registry code (province, district, DLA code) in Thai or Arabic digits; "" when absent."""
    value = to_arabic_digits((raw or "").strip())
    if value and not _CODE.fullmatch(value):
        raise BadParameter(
            param,
            _("%(name)s must be a code written in digits (Thai or Arabic), e.g. 4801.")
            % {"name": _name(param, label)},
        )
    return value


def whole_number(
    raw: str | None,
    param: str,
    *,
    minimum: int,
    maximum: int,
    default: int | None = None,
    label: str | None = None,
) -> int | None:
    """A whole number from `minimum` to `maximum` (Thai digits accepted); `default` when absent."""
    value = to_arabic_digits((raw or "").strip())
    if not value:
        return default
    if not re.fullmatch(r"-?\d{1,12}", value) or not minimum <= int(value) <= maximum:
        raise BadParameter(
            param,
            _("%(name)s must be a whole number from %(minimum)s to %(maximum)s.")
            % {"name": _name(param, label), "minimum": minimum, "maximum": maximum},
        )
    return int(value)


def next_url(request, raw: str | None, fallback: str) -> str:
    """`raw` when it is a page of this site (same host, and https when the request is), else
    `fallback`: a `next` parameter never sends anyone to another site. Only a path from the root
    (/…) or a URL of this host is a page: `redirect()` would take "-1" or "%" for the name of a
    view, fail to find it and answer 500."""
    if (
        raw
        and (raw.startswith("/") or "://" in raw)
        and url_has_allowed_host_and_scheme(
            raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return raw
    return fallback


class BadParameterMiddleware:
    """Answers a `BadParameter` raised by a view with 400 and its message (with DEBUG on too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, BadParameter):
            return None
        context = {"message": exception.message, "param": exception.param}
        return render(request, "bad_request.html", context, status=400)


def has_pending_messages(request) -> bool:
    """Whether a message (Django's messages framework) waits for this visitor: a page drawn
    for them then is theirs alone and may not be kept for anyone else."""
    if MESSAGES_COOKIE in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    if session is not None and "_messages" in session:
        return True
    storage = built_storage(request)  # not built: no message was added on this request
    return bool(storage is not None and len(storage))
