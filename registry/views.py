"""Registry pages: every LAO with its district, and the units under it."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from core import params
from core.thai import to_arabic_digits

from .models import LAO_KINDS, District, Organization, OrganizationKind, Province

# At most this many districts are offered above the results when the words name a district.
DISTRICT_MATCHES_SHOWN = 10


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
        "districts": _districts_named(query, province_code),
    }
    return render(request, "registry/list.html", context)


def _districts_named(query: str, province_code: str) -> list[District]:
    """The districts whose name holds the words, each with its number of LAOs, so that a search
    for "ปลาปาก" offers อำเภอปลาปาก's page beside the LAOs it found."""
    if not query or to_arabic_digits(query).isdigit():
        return []
    districts = District.objects.select_related("province").filter(
        Q(name_th__icontains=query) | Q(name_en__icontains=query)
    )
    if province_code:
        districts = districts.filter(province__code=province_code)
    return list(
        districts.annotate(
            lao_count=Count("organizations", filter=Q(organizations__kind__in=LAO_KINDS))
        ).order_by("province__code", "code")[:DISTRICT_MATCHES_SHOWN]
    )


@require_safe
def district_detail(request, code):
    """A district (อำเภอ, or เขต in Bangkok) with every LAO of it, by kind then DLA code."""
    code = to_arabic_digits(code)
    if not code.isascii() or not code.isdigit():  # nothing else is a district code (nor a NUL)
        raise Http404
    district = get_object_or_404(District.objects.select_related("province"), code=code)
    laos = (
        Organization.objects.laos()
        .with_places()
        .filter(district=district)
        .annotate(unit_count=Count("units"))
        .order_by("kind", "dla_code")
    )
    context = {
        "district": district,
        "laos": laos,
        "has_generated": any(o.is_generated for o in laos) or district.is_generated,
    }
    return render(request, "registry/district.html", context)


@require_safe
def organization_detail(request, pk):
    org = get_object_or_404(Organization.objects.with_places().select_related("parent"), pk=pk)
    context = {
        "org": org,
        "units": org.units.order_by("kind", "name_th") if org.is_lao else None,
    }
    return render(request, "registry/detail.html", context)
