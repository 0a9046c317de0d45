"""How long a shared cache may keep an answer of the policy, and the HTTP headers that say so.

The decision API and the anonymous status page tell nginx, browsers and the LAO systems that
ask, in the terms the whole ecosystem understands: `Cache-Control: public, max-age=N`, where N is
the whole seconds left until the answer's next rule boundary (`Policy.next_boundary`: the first
instant at which any rule that could change it starts or ends), never past it and at most
MAX_AGE; and a strong ETag computed from the body, so that a client holding it is answered 304
(Django's `get_conditional_response`). `no-cache` (keep, but ask again each time) where the
answer may change at any moment: the demo clock is set (for an answer about now), or the
policy snapshot that answered is not the one this process keeps (POLICY_RULES_CACHE_SECONDS
of 0).

The decision API (maintenance.views.decision_api) and the status page take their headers from
`cache_headers`; both are language-neutral or vary only as they say (core.middleware), and an
anonymous visitor's request leaves the session unread (accounts.middleware), so nginx keeps one
copy for everyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from django.conf import settings
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag

from core import clock

from .policy import Policy
from .snapshot import kept_policy

# The longest a shared cache keeps any answer, boundary or not: a change of rules (a circular
# loaded or corrected) reaches the caches within this time.
MAX_AGE = 300
NOT_KEPT = None  # a max-age meaning "no-cache"


def seconds_until(boundary: dt.datetime | None, now: dt.datetime, cap: int = MAX_AGE) -> int:
    """Whole seconds from `now` to `boundary`, rounded down (so never past it), within [0, cap];
    `cap` when no boundary is to come."""
    if boundary is None:
        return cap
    return max(0, min(cap, math.floor((boundary - now).total_seconds())))


def decision_max_age(question, policy: Policy, *, fixed: bool) -> int | None:
    """How long the answer to `question` may be kept (None: not at all, `no-cache`).

    `fixed`: the question named its instant (`at=`), so its answer never changes as time
    passes, only when the rules do (MAX_AGE). Otherwise it is about now, and is kept until
    the subject's next rule boundary. An answer about an organisation by its code also turns
    on the organisation's row (its identity verified at any moment): kept no longer than the
    rules themselves are (POLICY_RULES_CACHE_SECONDS).
    """
    cap = MAX_AGE
    if question.org_code is not None:
        cap = min(cap, settings.POLICY_RULES_CACHE_SECONDS)
    if fixed:  # the demo clock cannot change it: no query for the clock
        return kept_until(policy, None, question.at, cap, by_clock=False)
    boundary = policy.next_boundary(question.subject, question.action, question.at)
    return kept_until(policy, boundary, question.at, cap)


def kept_until(
    policy: Policy,
    boundary: dt.datetime | None,
    now: dt.datetime,
    cap: int = MAX_AGE,
    *,
    by_clock: bool = True,
) -> int | None:
    """The max-age of an answer `policy` gave at `now` that holds until `boundary`; None
    (`no-cache`) when `policy` is not the snapshot kept, or, for an answer about the clock's
    now (`by_clock`), while the demo clock is set."""
    if kept_policy() is not policy or (by_clock and clock.is_set()):
        return NOT_KEPT
    return seconds_until(boundary, now, cap)


def cache_headers(body: bytes, max_age: int | None, lang: str = "") -> list[tuple[str, str]]:
    """`Cache-Control` and `ETag` for a body (and the language it is in, where it has one)."""
    control = "no-cache" if max_age is NOT_KEPT else f"public, max-age={max_age}"
    digest = hashlib.sha256(lang.encode() + b"\0" + body).hexdigest()[:32]
    return [("Cache-Control", control), ("ETag", quote_etag(digest))]


def conditional(request, response, max_age: int | None, lang: str = ""):
    """The response with its caching headers, or Django's 304 when the client's If-None-Match
    names its ETag."""
    for name, value in cache_headers(response.content, max_age, lang):
        response[name] = value
    return get_conditional_response(request, etag=response["ETag"], response=response)
