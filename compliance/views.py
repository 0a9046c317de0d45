"""Compliance dashboards, 'who is late' lists, exports and the JSON API: thin doors onto stats."""

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from accounts.access import officer_required, second_factor_done
from accounts.models import Role
from accounts.scope import is_officer, is_reviewer
from circulars.models import DeliveryLevel
from core import clock, params
from core.jsonapi import json_read_only
from core.scoping import Action
from onboarding.models import VerificationRequest
from onboarding.services import position_status
from registry.models import LAO_KINDS, Organization, OrganizationKind

from . import breakdown, charts, etags, exports, pages, rows, states, stats, tables, version
from .scope import Scope, ScopeLevel, home_scope, resolve
from .states import LATE_STATES

LATE_AGE_MAX_DAYS = 3650  # "no activity for N days": at most ten years


def _dashboard_version(request, scope: Scope) -> str:
    """What a dashboard shows changes only with this (compliance.version, stats.scope_version)."""
    now = clock.now()
    province = scope.province_code
    counters = etags.counters(request, province)
    data = version.of(counters, version.DASHBOARD, version.instant_part(now), province=province)
    return stats.scope_version(scope, data, now)


def _render_dashboard(request, scope: Scope):
    lang = get_language() or "th"
    reviewer = is_reviewer(request.user)  # district officers follow requests, not decide
    table = breakdown.read(request.GET)
    data = _dashboard_version(request, scope)
    etag = None if table.errors else etags.tag(request, data, etags.demo_clock_part(clock.now()))
    unchanged = etags.not_modified(request, etag)
    if unchanged is not None:
        return unchanged

    def body() -> str:
        # The same for everyone who may see the scope (in a language, reviewer or not) with the
        # same sort and filter: built once per data version and kept with the figures; the page
        # around it is the user's.
        data = stats.cached(scope, etags.counters(request, scope.province_code))
        context = {
            "data": data,
            "rows": breakdown.apply(data["children"], data["level"], table),
            "table": table,
            "orders": breakdown.BreakdownOrder.choices,
            "scope": scope,
            "per_day_chart": charts.per_day_bars(data["per_day"], lang=lang),
            "ranking_chart": charts.ranking_bars(data["children"])
            if data["level"] != ScopeLevel.LAO
            else None,
            "kinds": dict(OrganizationKind.choices),
            "is_reviewer": reviewer,
            "lao_states": states.columns(),
            # rendered without the request, so without the context processors' enums
            "LaoState": states.LaoState,
            "ScopeLevel": ScopeLevel,
            "DeliveryLevel": DeliveryLevel,
        }
        return render_to_string("compliance/_dashboard_body.html", context)

    html = stats.cached_html(
        body,
        data=data if settings.COMPLIANCE_CACHE_SECONDS else None,
        scope=scope.key,
        lang=lang,
        reviewer=int(reviewer),
        table=table.digest,
    )
    context = {"scope": scope, "crumbs": scope.breadcrumbs(request.user), "body": mark_safe(html)}  # noqa: S308
    # A sort or filter that cannot be read: the table by code, its message above it; 400 as the
    # late list's unreadable "days".
    status = 400 if table.errors else 200
    response = render(request, "compliance/dashboard.html", context, status=status)
    return etags.with_tag(pages.sent(response), etag)


@officer_required
@require_safe
def home(request):
    scope = home_scope(request.user)
    return redirect(scope.url())


@officer_required
@require_safe
def country(request):
    return _render_dashboard(request, resolve(request.user))


@officer_required
@require_safe
def province(request, code):
    code = params.code(code, "province", label=_("Province"))
    return _render_dashboard(request, resolve(request.user, province_code=code, when_drawn=True))


@officer_required
@require_safe
def district(request, code):
    code = params.code(code, "district", label=_("District"))
    return _render_dashboard(request, resolve(request.user, district_code=code, when_drawn=True))


def _lists_version(request, at, province: str | None) -> str:
    """What the late list and an LAO's page show changes only with this (compliance.version):
    the counts of `province` (an LAO's, the list's area's), or the national ones."""
    counters = etags.counters(request, province)
    return version.of(counters, version.LISTS, version.instant_part(at), province=province)


@officer_required
@require_safe
def lao(request, dla_code):
    # Its staff's names, phones and e-mail addresses: kept by the officer's browser only
    # (`private, no-cache`, compliance.etags), asked again before each use.
    dla_code = params.code(dla_code, "dla_code", label=_("DLA code"))
    org = get_object_or_404(
        Organization.objects.laos().select_related("district__province"), dla_code=dla_code
    )
    scope = resolve(request.user, district_code=org.district.code)
    at = clock.now()
    data = _lists_version(request, at, org.district.province.code)
    etag = etags.tag(request, data, etags.demo_clock_part(at))
    unchanged = etags.not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    state = (
        stats.with_state(Organization.objects.filter(pk=org.pk), at)
        .values_list("state", flat=True)
        .get()
    )
    positions = position_status(org)
    context = {
        "org": org,
        "state": state,
        "positions": positions,
        "positions_verified": sum(row.done for row in positions),
        "scope": scope,
        "crumbs": scope.breadcrumbs(request.user) + [(org.display_name, request.path)],
        "requests": VerificationRequest.objects.restrict(request.user, Action.VIEW)
        .filter(organization=org)
        .select_related("requester")
        .order_by("-created_at"),
        "units": org.units.order_by("name_th"),
        "staff": Role.objects.restrict(request.user, Action.VIEW)
        .vetted()
        .filter(organization=org)
        .select_related("user")
        .order_by("id"),
    }
    return etags.with_tag(render(request, "compliance/lao.html", context), etag)


def _scope_from_query(request, *, when_drawn: bool = False) -> Scope:
    province_code = params.code(request.GET.get("province"), "province", label=_("Province"))
    district_code = params.code(request.GET.get("district"), "district", label=_("District"))
    province_code, district_code = province_code or None, district_code or None
    if province_code is None and district_code is None:
        home = home_scope(request.user)
        if home is None:
            raise Http404
        return home
    return resolve(
        request.user,
        province_code=province_code,
        district_code=district_code,
        when_drawn=when_drawn,
    )


def _late_filters(request, *, strict: bool = True) -> dict:
    """The late list's filters. A "days" value that cannot be read raises (a file: 400 with the
    message) or, with strict=False (the page), is dropped and explained beside its field."""
    age_error = None
    try:
        min_days = params.whole_number(
            request.GET.get("age"),
            "age",
            minimum=0,
            maximum=LATE_AGE_MAX_DAYS,
            default=0,
            label=_("No activity for (days)"),
        )
    except params.BadParameter as exc:
        if strict:
            raise
        min_days, age_error = 0, exc.message
    return {
        "age_error": age_error,
        "age_input": request.GET.get("age", "")[:20],
        "district": params.code(request.GET.get("in_district"), "in_district", label=_("District")),
        "kind": request.GET.get("kind", "").strip(),
        "state": request.GET.get("state", "").strip(),
        "min_days": min_days or None,
        "order": request.GET.get("order", stats.LateOrder.DISTRICT),
    }


def _query_filters(filters: dict) -> dict:
    return {k: v for k, v in filters.items() if k not in ("age_error", "age_input")}


@officer_required
@require_safe
def late(request):
    # The staff to call (names, phones, e-mail addresses): kept by the officer's browser only
    # (`private, no-cache`, compliance.etags), asked again before each use.
    scope = _scope_from_query(request, when_drawn=True)
    filters = _late_filters(request, strict=False)
    at = clock.now()
    etag = None
    if not filters["min_days"] and not filters["age_error"]:
        # "No activity for N days" moves with every instant: such a list is always drawn.
        data = _lists_version(request, at, scope.province_code)
        etag = etags.tag(request, data, etags.demo_clock_part(at))
    unchanged = etags.not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    staff = Role.objects.restrict(request.user, Action.VIEW)  # the staff to call
    laos = stats.late_laos(scope, at, **_query_filters(filters))
    page = Paginator(laos, 50).get_page(request.GET.get("page"))
    listed = stats.with_staff(stats.with_positions(page.object_list), staff)
    page.object_list = rows.late_rows(listed)
    districts = []
    if scope.level == ScopeLevel.PROVINCE:
        districts = scope.province.districts.order_by("code")
    context = {
        "scope": scope,
        "page": page,
        "filters": filters,
        "crumbs": scope.breadcrumbs(request.user),
        "states": [(s, s.label) for s in LATE_STATES],
        "orders": stats.LateOrder.choices,
        "kinds": [(k, label) for k, label in OrganizationKind.choices if k in LAO_KINDS],
        "districts": districts,
        "query": request.GET.urlencode(),
    }
    # A "days" value that cannot be read: the page, unfiltered by it, with the message beside the
    # field; 400 like the status page's unreadable date (and never kept).
    status = 400 if filters["age_error"] else 200
    response = render(request, "compliance/late.html", context, status=status)
    return etags.with_tag(pages.sent(response), etag)


@officer_required
@require_safe
def export(request, table, fmt):
    if fmt not in ("csv", "xlsx") or table not in ("late", "summary"):
        raise Http404
    scope = _scope_from_query(request)
    filters = _late_filters(request)  # a bad filter is explained in the page's language
    with translation.override("th"):  # Thai headers and labels, whatever the page's language
        if table == "late":
            staff = Role.objects.restrict(request.user, Action.VIEW)  # the staff to call
            laos = stats.with_staff(
                stats.with_positions(
                    stats.late_laos(scope, clock.now(), **_query_filters(filters))
                ),
                staff,
            )
            headers, rows = exports.late_table(laos, scope)
        else:
            headers, rows = exports.summary_table(stats.cached(scope))
    day = clock.now().astimezone(stats.BANGKOK)  # the Bangkok day, not the UTC one
    filename = f"elaas-{table}-{scope.key.replace(':', '-')}-{day:%Y%m%d}"
    if fmt == "csv":
        return exports.as_csv(filename, headers, rows)
    return exports.as_xlsx(filename, headers, rows)


@require_safe
@cache_control(public=True, max_age=365 * 24 * 3600, immutable=True)  # its URL holds its hash
def tables_css(request, lang, version):
    """The narrow layout's column names of the compliance tables (`compliance.tables`): labels
    only, the same for everyone, so public."""
    if lang not in dict(settings.LANGUAGES):
        raise Http404
    return HttpResponse(tables.stylesheet(lang), content_type="text/css; charset=utf-8")


@json_read_only
def api(request):
    """GET /api/compliance?province=<code>[&district=<code>]: the dashboard's numbers as JSON."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"error": "log in first"}, status=401)
    if not is_officer(user):
        return JsonResponse(
            {"error": _("This page is for district, provincial and DLA officers.")}, status=403
        )
    if not second_factor_done(request):
        return JsonResponse(
            {"error": _("Confirm the code from your authenticator app to go on.")}, status=403
        )
    try:
        scope = _scope_from_query(request)
    except params.BadParameter as exc:
        return JsonResponse({"error": exc.message, "param": exc.param}, status=400)
    except Http404:
        return JsonResponse({"error": "not found"}, status=404)
    data = stats.cached(scope)
    per_lao = ("state", "positions", "positions_verified", "positions_required")
    children = [
        {
            "code": c["code"],
            "name_th": c["name_th"],
            "laos": c["laos"],
            "units": c["units"],
            "share_verified": c["share_verified"],
            **{k: c[k] for k in per_lao if k in c},  # one LAO: its state and positions
        }
        for c in data["children"]
    ]
    body = {
        "scope": scope.key,
        "laos": data["laos"],
        "units": data["units"],
        "share_verified": data["share_verified"],
        "as_of": data["as_of"].astimezone(stats.BANGKOK).isoformat(),
    }
    if data["level"] == ScopeLevel.PROVINCE:
        body["provinces"] = children
    elif data["level"] == ScopeLevel.DISTRICT:
        body["districts"] = children
    else:
        body["districts"] = [
            {
                "code": scope.district.code,
                "name_th": scope.district.name_th,
                "laos": data["laos"],
                "units": data["units"],
                "share_verified": data["share_verified"],
            }
        ]
        body["laos_list"] = children
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
