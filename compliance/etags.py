"""Conditional GET for the officers' compliance pages: the dashboards, the late list and an
LAO's page carry a weak ETag computed from what they show, never by drawing the page, and
`Cache-Control: private, no-cache`: the officer's own browser keeps the page and asks again each
time (a reload or a link followed sends `If-None-Match`); an unchanged page is answered 304
without being drawn.

The tag is a digest of
- the data version of the tables the page shows (compliance.version: counters the database's
  triggers raise on every write, per province: a province's pages, its districts' and its LAOs'
  use its counts, the country's the national ones; read by one query on every request) and the
  instants that move it (the Bangkok hour; the rules' stretch of the scope; the minute under a
  demo clock);
- the person, read fresh on this request before the tag is made: their id, name, e-mail, active
  roles with their areas, inbox badge, and their CSRF secret (the page's forms carry it);
- the language, the path with its query, and the code: the files that draw the page.

Access is decided before (`officer_required`, then the scope: a page of an area the officer may
no longer see is refused, not answered 304). A page with a message waiting for it is drawn (the
message is shown once), and so is a page whose answer is not 200.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language

from core import clock
from core.kept import sources_digest
from maintenance.policy import Action, EntityType, Subject
from maintenance.snapshot import current_policy
from notifications.services import UNREAD_ATTR

from . import version

# The files that draw the pages (their bytes are in every tag: new code, new tags).
SOURCES = (
    "compliance/views.py",
    "compliance/etags.py",
    "compliance/rows.py",
    "compliance/stats.py",
    "compliance/breakdown.py",
    "compliance/charts.py",
    "templates/base.html",
    "templates/_nav_links.html",
    "templates/compliance/dashboard.html",
    "templates/compliance/_dashboard_body.html",
    "templates/compliance/_positions.html",
    "templates/compliance/_crumbs.html",
    "templates/compliance/late.html",
    "templates/compliance/lao.html",
    "elaas_portal/context_processors.py",
)


# Drawn from SOURCES' bytes as a declared cache's version is (core.kept), when the module is
# loaded: a source missing stops the start, never a request.
CODE_VERSION = sources_digest("compliance-etags", SOURCES)[:16]


def message_waiting(request) -> bool:
    """A message stored for the next page (Django's cookie, then session storage)."""
    if request.COOKIES.get(CookieStorage.cookie_name):  # (a deleted one is empty)
        return True
    session = getattr(request, "session", None)
    return session is not None and "_messages" in session


def person(request) -> tuple:
    """What the page shows of the person or depends on: read fresh on this request. The CSRF
    secret as the page's forms will carry it (made now if the browser has none yet)."""
    user = request.user
    get_token(request)
    return (
        user.pk,
        user.email,
        user.full_name,
        user.is_staff,
        user.is_superuser,
        json.dumps(getattr(user, "role_rows", None), sort_keys=True, default=str),
        getattr(user, UNREAD_ATTR, None),
        request.META.get("CSRF_COOKIE", ""),
    )


def demo_clock_part(at) -> str:
    """Under a demo clock its banner shows the minute and whether DLA's window is open."""
    if not (settings.DEMO_FEATURES and clock.is_set()):
        return ""
    subject = Subject(EntityType.LAO, identity_verified=False)
    return str(current_policy().next_boundary(subject, Action.VERIFY_IDENTITY, at))


def tag(request, data: str, *more) -> str:
    """The page's weak ETag: `data` (a data version of what it shows) and the rest above."""
    digest = hashlib.blake2b(digest_size=12)
    for part in (
        CODE_VERSION,
        data,
        *person(request),
        get_language(),
        request.get_full_path(),
        *more,
    ):
        digest.update(repr(part).encode() + b"\0")
    return f'W/"{digest.hexdigest()}"'


def not_modified(request, etag: str | None):
    """Django's 304 (`get_conditional_response`) if `If-None-Match` names `etag`, else None.
    No tag (a message waiting, caching off): None."""
    if etag is None or message_waiting(request):
        return None
    response = get_conditional_response(request, etag=etag)
    if response is not None and response.status_code == 304:
        return with_tag(response, etag)
    return None


def with_tag(response, etag: str | None):
    """The answer as every officer's page is sent: kept only by the officer's browser, asked
    again before each use; with its tag if it is a 200 (or a 304)."""
    if etag is not None and response.status_code in (200, 304):
        response["ETag"] = etag
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def counters(request, province: str | None = None) -> dict:
    """The data counters (the national ones, and with `province` that province's), read once per
    request."""
    kept = request.__dict__.setdefault("_compliance_counters", {})
    if province not in kept:
        kept[province] = version.read(province)
    return kept[province]
