"""Registry pages: every LAO with its district, and the units under it."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from core import params

from .models import District, Organization, OrganizationKind, Province


@require_safe
def organization_list(request):
    query = params.text(request.GET.get("q"), "q")
    province_code = params.code(request.GET.get("province"), "province")
    kind = request.GET.get("kind", "").strip()
    orgs = Organization.objects.laos().with_places().search(query)
    if province_code:
        orgs = orgs.filter(district__province__code=province_code)
    if kind in OrganizationKind.values:
        orgs = orgs.filter(kind=kind)
    page = Paginator(
        orgs.order_by("district__province__code", "district__code", "dla_code"), 50
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "province_code": province_code,
        "kind": kind,
        "provinces": Province.objects.all(),
        "kinds": [
            (k, label)
            for k, label in OrganizationKind.choices
            if k not in ("SCHOOL", "CHILD_DEV_CENTRE", "OTHER_UNIT")
        ],
        "has_generated": Organization.objects.filter(is_generated=True).exists(),
        "district_count": District.objects.count(),
    }
    return render(request, "registry/list.html", context)


@require_safe
def organization_detail(request, pk):
    org = get_object_or_404(Organization.objects.with_places().select_related("parent"), pk=pk)
    context = {
        "org": org,
        "units": org.units.order_by("kind", "name_th") if org.is_lao else None,
    }
    return render(request, "registry/detail.html", context)
