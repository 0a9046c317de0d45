"""An officer's dashboard or late-list page kept in the worker's memory for the figures' time.

Officers watching the figures reload the same page; within one COMPLIANCE_CACHE_SECONDS bucket
the figures, and so the page, do not change. Access is decided before, on every request, from
fresh reads of the user, their roles and their second factor (`officer_required`, `resolve`):
a kept page is never served to someone who may no longer see it.

The key holds everything the page shows that is not the figures: the bucket, the user (id, name,
e-mail), their area, reviewer or not, the language, the path with its query, the unread badge and
the CSRF cookie (the logout form's token is derived from it). Nothing is kept while messages wait
for the user, without a CSRF cookie, or while the demo clock is set. Declared once, with its
key's parts, version and bound, in compliance.caches.OFFICER_PAGE; the page holds the officer's
own name and the late list the contacts of LAO staff, for at most COMPLIANCE_CACHE_SECONDS
(README, Personal data).

The `process` cache (each worker's memory, bounded, least recently used first out), not Redis: a
kept page is then served without a round trip (a Redis `GET` of the 45 kB page cost 180 us of a
kept page's ~1.7 ms in-process), at the price of each worker drawing the page once per bucket.
The key holds every fact the page depends on, so a page kept by one worker is never wrong for
another request, only absent.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.http import HttpResponse

from accounts.scope import officer_area
from core import clock
from core.params import has_pending_messages
from notifications.services import unread_count

from .caches import OFFICER_PAGE
from .stats import time_bucket


def page_key(request, *parts) -> dict | None:
    """The parts of the page's key (OFFICER_PAGE), or None when the page is not to be kept."""
    bucket = time_bucket()
    if bucket is None:
        return None
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not secret or has_pending_messages(request):
        return None
    if settings.DEMO_FEATURES and clock.is_set():
        return None
    user = request.user
    national, provinces, districts = officer_area(user)
    facts = repr(
        (
            user.full_name,
            user.email,
            (national, sorted(provinces), sorted(districts)),
            request.get_full_path(),
            secret,
            unread_count(user),
            parts,
        )
    )
    digest = hashlib.sha256(facts.encode()).hexdigest()
    return {"bucket": bucket, "user": user.pk, "facts": digest}


def kept(key: dict | None) -> HttpResponse | None:
    if key is None:
        return None
    found = OFFICER_PAGE.get(**key)
    if found is None:
        return None
    content, content_type = found
    return HttpResponse(content, content_type=content_type)


_INDENTATION = re.compile(rb"\n[ \t]+")


def without_indentation(html: bytes) -> bytes:
    """The page without the templates' indentation (a fifth of a province dashboard's 45 kB):
    each line break is kept, so the browser lays the page out the same. Not where whitespace is
    content (`<pre>`, `<textarea>`: no compliance page has either)."""
    if b"<pre" in html or b"<textarea" in html:
        return html
    return _INDENTATION.sub(b"\n", html)


def keep(key: dict | None, response: HttpResponse) -> HttpResponse:
    if key is not None and response.status_code == 200:
        response.content = without_indentation(response.content)
        OFFICER_PAGE.set((response.content, response["Content-Type"]), **key)
    return response
