"""The public status page and the decision API: thin doors onto `maintenance.services`."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import clock, params
from core.jsonapi import json_read_only
from core.middleware import language_neutral
from core.params import has_pending_messages
from core.thai import BANGKOK, ThaiDateError, bangkok_midnight, parse_date

from .caches import STATUS_BODY, STATUS_CACHE_SECONDS, STATUS_PAGE
from .caching import conditional, decision_max_age, kept_until
from .lookup import MATCHES_SHOWN, answers_for, find_laos, lao_by_pk
from .models import Discrepancy
from .services import QuestionError, decision_payload, parse_question, render_payload
from .snapshot import current_policy
from .status import board, next_boundary, timeline


def _json(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


@language_neutral
@json_read_only
def decision_api(request):
    """GET /api/policy/decision: the same bytes as `manage.py policy_decision` for the same
    question, kept by HTTP caches up to the answer's next rule boundary (maintenance.caching)."""
    try:
        question = parse_question(request.GET)
    except QuestionError as exc:
        return _json(render_payload({"error": exc.message, "param": exc.param}), status=400)
    policy = current_policy()
    decision = policy.decide(question.subject, question.action, question.at)
    response = _json(render_payload(decision_payload(question, decision)))
    max_age = decision_max_age(question, policy, fixed=bool(request.GET.get("at")))
    return conditional(request, response, max_age)


def status_body(at: dt.datetime, *, is_today: bool, lang: str) -> tuple[str, float]:
    """The answers and the timeline as HTML, cached until the next change and at most 30 seconds.

    The cache can never outlive an answer: its lifetime ends at the earliest instant at which
    any of the answers shown changes, so the page is right to the second.
    """
    policy = current_policy()
    day = at.astimezone(BANGKOK).date().isoformat()
    key = {"rules": policy.fingerprint, "lang": lang, "day": day, "today": int(is_today)}
    cached = STATUS_BODY.get(**key)
    if cached is not None and (not is_today or cached[0] > at.timestamp()):
        return mark_safe(cached[1]), cached[0]  # noqa: S308 - our own template, autoescaped
    rows = board(policy, at)
    html = render_to_string(
        "maintenance/_status_body.html",
        {
            "rows": rows,
            "changes": timeline(policy, at),
            "discrepancies": list(
                Discrepancy.objects.select_related(
                    "forwarding_circular", "source_circular", "source_rule"
                )
            ),
        },
    )
    expires = at.timestamp() + STATUS_CACHE_SECONDS
    for row in rows:
        for *_labels, decision in row.decisions:
            if decision.valid_until is not None:
                expires = min(expires, decision.valid_until.timestamp())
    ttl = expires - at.timestamp()
    STATUS_BODY.set((expires, html), ttl, **key)
    return mark_safe(html), expires  # noqa: S308 - our own template, autoescaped


@require_safe
def status(request):
    """The public status page: for a day in Bangkok, who may do what, why, and what comes next.

    Its language comes from the django_language cookie as well as Accept-Language: a shared cache
    must key it on both (Vary: Cookie)."""
    now, cacheable = clock.now(), _cacheable(request)
    response = _status(request, now, cacheable=cacheable)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    if cacheable and response.status_code == 200:
        return conditional(request, response, _status_max_age(now), get_language())
    return response


def _cacheable(request) -> bool:
    """Only today's page as an anonymous visitor opens it, with no query string (the language
    link carries the page's path and query) and no message waiting for this visitor: a
    logged-in user's page carries their name, a message is for one visitor only."""
    return (
        not request.META.get("QUERY_STRING")
        and not request.user.is_authenticated
        and not has_pending_messages(request)
    )


def _status_max_age(now: dt.datetime) -> int | None:
    """Until the next boundary of any rule on the page (rounded down, within MAX_AGE) and the
    end of the minute it shows ("As of 10:42", rounded up: never 0 for the minute alone, so
    nginx keeps the page to serve while the portal is full); `no-cache` with the demo clock or
    a stale snapshot."""
    policy = current_policy()
    to_boundary = kept_until(policy, next_boundary(policy, now), now)
    return None if to_boundary is None else min(to_boundary, 60 - now.second)


def _status(request, now: dt.datetime, *, cacheable: bool):
    today = now.astimezone(BANGKOK).date()
    error = None
    day = today
    raw = request.GET.get("date", "").strip()
    if raw:
        try:
            day = parse_date(raw)
        except ThaiDateError:
            error = _(
                "“%(value)s” is not a date we can read. Type it like 5/4/2568 or 5 เม.ย. 2568."
            ) % {"value": raw}
    at = now if day == today else bangkok_midnight(day)
    lang = get_language()
    # The whole page is the same for every visitor within a minute: cache it, never past a change.
    minute = now.replace(second=0, microsecond=0)
    key = {
        "rules": current_policy().fingerprint,
        "lang": lang,
        "minute": f"{minute.timestamp():.0f}",
    }
    # In each process's memory: served in 1.6 ms instead of 3.7 ms with the Redis round trip
    # (national data set, the machine under load); no personal data, and it expires at the
    # minute or the next change of rules.
    cached = STATUS_PAGE.get(**key) if cacheable else None
    if cached is not None and cached[0] > now.timestamp():
        return HttpResponse(cached[1], status=cached[2])
    body, body_expires = status_body(at, is_today=day == today, lang=lang)
    context = {
        **_lookup(request, at),
        "day": day,
        "at": minute if day == today else at,
        "is_today": day == today,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "body": body,
        "date_input": raw,
        "error": error,
    }
    if context["lookup_query"] and not context["lookup_org"] and not context["lookup_matches"]:
        context["lookup_error"] = _(
            "No LAO has a name or DLA code like “%(value)s”. Type part of its Thai name "
            "(e.g. หนองญาติ) or its seven-digit DLA code (Thai or Arabic digits)."
        ) % {"value": context["lookup_query"]}
    response = render(request, "maintenance/status.html", context, status=400 if error else 200)
    expires = min(minute.timestamp() + 60, body_expires)
    if cacheable:
        STATUS_PAGE.set(
            (expires, response.content, response.status_code), expires - now.timestamp(), **key
        )
    return response


def _lookup(request, at: dt.datetime) -> dict:
    """The "my LAO" lookup: `?lao=` words or a DLA code, `?org=` the LAO chosen from the list."""
    query = params.text(request.GET.get("lao"), "lao")
    org = lao_by_pk(request.GET.get("org", ""))
    matches, more = ([], False) if org else find_laos(query)
    if org is None and len(matches) == 1 and not more:
        org, matches = matches[0], []
    return {
        "lookup_query": query,
        "lookup_matches": matches,
        "lookup_more": more,
        "lookup_shown": MATCHES_SHOWN,
        "lookup_org": org,
        "lookup_answers": answers_for(org, at) if org else [],
        "lookup_error": None,
    }
