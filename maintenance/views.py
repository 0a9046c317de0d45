"""The public status page and the decision API: thin doors onto `maintenance.services`."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from elaas_portal.thai import BANGKOK, ThaiDateError, bangkok_midnight, parse_date

from .models import Discrepancy
from .services import QuestionError, decision_payload, parse_question, render_payload
from .snapshot import current_policy
from .status import board, timeline


def _json(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


@require_GET
def decision_api(request):
    """GET /api/policy/decision: the same bytes as `manage.py policy_decision` for the same question."""
    try:
        question = parse_question(request.GET)
    except QuestionError as exc:
        return _json(render_payload({"error": exc.message, "param": exc.param}), status=400)
    return _json(render_payload(decision_payload(question)))


@require_GET
def status(request):
    """The public status page: for a day in Bangkok, who may do what, why, and what comes next."""
    now = timezone.now()
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
    policy = current_policy()
    context = {
        "day": day,
        "today": today,
        "at": at,
        "is_today": day == today,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "rows": board(policy, at),
        "changes": timeline(policy, at),
        "discrepancies": Discrepancy.objects.select_related(
            "forwarding_circular", "source_circular", "source_rule"
        ),
        "date_input": raw,
        "error": error,
    }
    return render(request, "maintenance/status.html", context, status=400 if error else 200)
