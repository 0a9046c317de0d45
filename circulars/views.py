"""Circular pages: a searchable list and the letter with its links, rules and discrepancies."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from maintenance.models import Discrepancy
from maintenance.snapshot import current_policy

from .models import Circular


@require_GET
def circular_list(request):
    query = request.GET.get("q", "").strip()[:200]
    circulars = Circular.objects.search(query).select_related("forwards", "province")
    page = Paginator(circulars, 25).get_page(request.GET.get("page"))
    return render(request, "circulars/list.html", {"page": page, "query": query})


@require_GET
def circular_detail(request, pk):
    circular = get_object_or_404(Circular.objects.select_related("forwards", "province", "district"), pk=pk)
    policy = current_policy()
    set_aside = policy.set_aside
    rules = [(rule, rule.id in set_aside) for rule in circular.access_rules.all()]
    context = {
        "circular": circular,
        "references": circular.references.select_related("target"),
        "forwarded_by": circular.forwarded_by.all(),
        "cited_by": Circular.objects.filter(references__target=circular).distinct(),
        "rules": rules,
        "discrepancies": Discrepancy.objects.filter(
            Q(forwarding_circular=circular) | Q(source_circular=circular)
        ).select_related("forwarding_circular", "source_circular", "forwarding_rule", "source_rule"),
    }
    return render(request, "circulars/detail.html", context)
