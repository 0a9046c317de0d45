"""A dashboard page kept whole in this process, per officer, for the figures' time bucket.

Officers watching the figures reload the same page; within one COMPLIANCE_CACHE_SECONDS bucket
the figures, and so the page, do not change. The page is kept only when nothing else on it can
change within the bucket without changing its key:

- the key holds the bucket, the user (id, name, e-mail), their area, reviewer or not, the
  language, the path with its query, the unread count of the badge and the CSRF cookie (the
  logout form's token is derived from it, so the kept token stays valid);
- nothing is kept or served while there are messages to show, without a CSRF cookie (the page
  must then set one), or while the demo clock is set (its banner shows the second).

Access is decided before, on every request (officer_required, resolve): a page is never served
to someone who may no longer see it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from accounts.scope import officer_area
from maintenance import clock

from .stats import time_bucket

_pages: dict = {"bucket": None, "items": {}}
_MAX_PAGES = 300  # about 30 MB of national pages at most, per process


def page_key(request, *parts) -> tuple | None:
    bucket = time_bucket()
    if bucket is None:
        return None
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not secret or "messages" in request.COOKIES or "_messages" in request.session:
        return None
    if settings.DEMO_FEATURES and clock.is_set():
        return None
    from notifications.services import unread_count

    user = request.user
    national, provinces, districts = officer_area(user)
    area = (national, tuple(sorted(provinces)), tuple(sorted(districts)))
    return (
        bucket,
        user.pk,
        user.full_name,
        user.email,
        area,
        request.get_full_path(),
        secret,
        unread_count(user),
        *parts,
    )


def kept(key) -> HttpResponse | None:
    if key is None or _pages["bucket"] != key[0]:
        return None
    found = _pages["items"].get(key)
    if found is None:
        return None
    content, content_type = found
    return HttpResponse(content, content_type=content_type)


def keep(key, response: HttpResponse) -> HttpResponse:
    if key is None or response.status_code != 200:
        return response
    if _pages["bucket"] != key[0]:
        _pages["bucket"], _pages["items"] = key[0], {}
    items = _pages["items"]
    if len(items) >= _MAX_PAGES:
        items.clear()
    items[key] = (response.content, response["Content-Type"])
    return response


def forget() -> None:
    _pages["bucket"], _pages["items"] = None, {}
