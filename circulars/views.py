"""Circular pages: a searchable list, the letter with its links, rules, discrepancies and its
way down the chain (publish, forward, acknowledge), and the reader's own inbox of letters.

The views stay thin: the changes are `circulars.services` functions (which also check the
permission), the scoping is `Delivery.objects.restrict(user, Action.VIEW)` (and
`Action.ACKNOWLEDGE` for the letters addressed to the reader's office). Outside a scope 404,
inside it without the right 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from accounts.access import (
    officer_required,
    second_factor_done,
    second_factor_gate,
    second_factor_url,
)
from accounts.scope import is_officer
from core import params
from core.scoping import Action
from maintenance.models import Discrepancy
from maintenance.snapshot import current_policy

from . import services
from .forms import ForwardForm
from .models import Circular, CircularDraft, Delivery, DeliveryLevel

DELIVERIES_PER_PAGE = 100
_RECIPIENT_RELATED = (
    "province",
    "district__province",
    "organization__district__province",
    "acknowledged_by",
)
_LEVEL_ORDER = {
    DeliveryLevel.PROVINCE: ("province__code",),
    DeliveryLevel.DISTRICT: ("district__code",),
    DeliveryLevel.ORGANIZATION: ("organization__district__code", "organization__dla_code"),
}


@require_safe
def circular_list(request):
    query = params.text(request.GET.get("q"), "q", max_length=200)
    circulars = Circular.objects.search(query).select_related("forwards", "province")
    page = Paginator(circulars, 25).get_page(request.GET.get("page"))
    return render(request, "circulars/list.html", {"page": page, "query": query})


def _chain_down(circular: Circular) -> list[int]:
    """The letter and every letter forwarding it, down the chain (DLA → province → district)."""
    ids, frontier = [circular.pk], [circular.pk]
    while frontier:
        frontier = [
            pk
            for pk in Circular.objects.filter(forwards_id__in=frontier).values_list("pk", flat=True)
            if pk not in ids
        ]
        ids.extend(frontier)
    return ids


def _officer_ready(request) -> bool:
    """An officer whose session used the second factor (their actions and area's data are shown)."""
    user = request.user
    return user.is_authenticated and is_officer(user) and second_factor_done(request)


def _delivery_levels(request, circular: Circular) -> list[dict]:
    """Deliveries of the letter and of the letters forwarding it, in the officer's area, by level;
    those not yet acknowledged first."""
    qs = Delivery.objects.restrict(request.user, Action.VIEW).filter(
        circular_id__in=_chain_down(circular)
    )
    counts = {
        row["level"]: row
        for row in qs.values("level").annotate(
            total=Count("id"), acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False))
        )
    }
    levels = []
    for level, label in DeliveryLevel.choices:
        row = counts.get(level)
        if not row:
            continue
        rows = (
            qs.filter(level=level)
            .select_related("circular", *_RECIPIENT_RELATED)
            .order_by(
                F("acknowledged_at").asc(nulls_first=True), *_LEVEL_ORDER[level], "circular_id"
            )
        )
        page = Paginator(rows, DELIVERIES_PER_PAGE).get_page(request.GET.get(f"{level}_page"))
        levels.append(
            {
                "level": level,
                "label": label,
                "page": page,
                "total": row["total"],
                "acknowledged": row["acknowledged"],
                "waiting": row["total"] - row["acknowledged"],
                "page_param": f"{level}_page",
            }
        )
    return levels


def _detail_context(request, circular: Circular, *, forward_form=None) -> dict:
    policy = current_policy()
    set_aside = policy.set_aside
    user = request.user
    context = {
        "circular": circular,
        "references": circular.references.select_related("target"),
        "forwarded_by": circular.forwarded_by.all(),
        "cited_by": Circular.objects.filter(references__target=circular).distinct(),
        "rules": [(rule, rule.id in set_aside) for rule in circular.access_rules.all()],
        "discrepancies": Discrepancy.objects.filter(
            Q(forwarding_circular=circular) | Q(source_circular=circular)
        ).select_related(
            "forwarding_circular", "source_circular", "forwarding_rule", "source_rule"
        ),
    }
    if not user.is_authenticated:
        return context
    officer = is_officer(user)
    ready = _officer_ready(request) if officer else False
    context["officer_not_ready"] = officer and not ready
    if officer and not ready:
        context["second_factor_url"] = second_factor_url(request)
    if officer and not ready:
        return context
    context["my_deliveries"] = list(
        Delivery.objects.restrict(user, Action.ACKNOWLEDGE)
        .filter(circular=circular)
        .select_related(*_RECIPIENT_RELATED)
    )
    context["can_publish"] = (
        ready and circular.published_at is None and services.may_publish(user, circular)
    )
    if ready:
        via = services.forwarding_deliveries(user, circular)
        context["forward_via"] = via
        if via:
            context["forward_form"] = forward_form or ForwardForm(
                via=via, initial={"subject": circular.subject}
            )
            context["already_forwarded"] = [
                c
                for c in circular.forwarded_by.select_related("province", "district")
                if any(
                    (d.province_id and d.province_id == c.province_id)
                    or (d.district_id and d.district_id == c.district_id)
                    for d in via
                )
            ]
        context["delivery_levels"] = _delivery_levels(request, circular)
        context["scan"] = _scan_of(user, circular) is not None
    return context


def _scan_of(user, circular: Circular) -> CircularDraft | None:
    """The file the letter was taken in from, if the officer's area holds its draft (the
    latest, if it was taken in more than once); never for anyone else."""
    return (
        CircularDraft.objects.restrict(user, Action.VIEW)
        .filter(circulars=circular)
        .working()
        .order_by("-published_at", "-id")
        .first()
    )


def _circular_or_404(pk) -> Circular:
    return get_object_or_404(
        Circular.objects.select_related("forwards", "province", "district"), pk=pk
    )


@require_safe
def circular_detail(request, pk):
    circular = _circular_or_404(pk)
    return render(request, "circulars/detail.html", _detail_context(request, circular))


@officer_required
@require_safe
@cache_control(private=True, no_store=True)
def circular_scan(request, pk):
    """The scan (or file) a published letter was taken in from, kept beside it for officers
    whose area holds its draft: never public (PDPA). Outside that area 404; to others 403."""
    circular = _circular_or_404(pk)
    draft = _scan_of(request.user, circular)
    if draft is None:
        raise Http404(_("No scan of this letter is kept in your area."))
    kind = draft.content_type + ("; charset=utf-8" if draft.content_type == "text/plain" else "")
    response = HttpResponse(bytes(draft.data), content_type=kind)
    name = f"circular-{circular.pk}-scan{_EXTENSIONS.get(draft.content_type, '')}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
}


@officer_required
@require_POST
def publish(request, pk):
    circular = _circular_or_404(pk)
    if not services.may_publish(request.user, circular):
        raise PermissionDenied(_("Only the issuer's officers may publish this letter."))
    try:
        result = services.publish_circular(circular, actor=request.user)
    except services.ChainError as exc:
        messages.error(request, exc.message)
        return redirect(circular)
    if result.deliveries_created:
        messages.success(
            request,
            _("Published: sent to %(n)s recipients; %(people)s people were notified.")
            % {
                "n": result.deliveries_created,
                "people": result.notifications_created,
            },
        )
    else:
        messages.info(
            request, _("This letter was already published: there was nobody new to send it to.")
        )
    return redirect(circular)


@officer_required
@require_POST
def forward(request, pk):
    circular = _circular_or_404(pk)
    via = services.deliveries_to_forward_through(request.user, circular)
    form = ForwardForm(request.POST, via=via)
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = services.forward_circular(
                circular,
                actor=request.user,
                number=d["number"],
                issued_on=d["issued_on"],
                subject=d["subject"],
                body=d["body"],
                via=d["delivery"],
            )
        except services.ChainError as exc:
            form.add_error(None, exc.message)
        else:
            text = _(
                "Forwarded as %(number)s: sent to %(n)s recipients; "
                "%(people)s people were notified."
            )
            messages.success(
                request,
                text
                % {
                    "number": result.circular.number,
                    "n": result.deliveries_created,
                    "people": result.notifications_created,
                },
            )
            return redirect(result.circular)
    context = _detail_context(request, circular, forward_form=form)
    return render(request, "circulars/detail.html", context, status=400)


@login_required
@require_POST
def acknowledge(request, pk):
    delivery = get_object_or_404(
        Delivery.objects.restrict(request.user, Action.VIEW).select_related("circular"), pk=pk
    )
    back = params.next_url(request, request.POST.get("next"), delivery.circular.get_absolute_url())
    if is_officer(request.user) and (gate := second_factor_gate(request, back)) is not None:
        return gate
    if not services.may_acknowledge(request.user, delivery):
        raise PermissionDenied(_("Only the recipient's own people may acknowledge this letter."))
    if services.acknowledge(delivery, user=request.user):
        messages.success(
            request, _("Acknowledged: %(number)s.") % {"number": delivery.circular.number}
        )
    else:
        messages.info(request, _("This letter was already acknowledged."))
    return redirect(back)


@login_required
@require_safe
def inbox(request):
    user = request.user
    if is_officer(user) and (gate := second_factor_gate(request)) is not None:
        return gate
    mine = Delivery.objects.restrict(user, Action.ACKNOWLEDGE)
    counts = mine.aggregate(
        total=Count("id"), waiting=Count("id", filter=Q(acknowledged_at__isnull=True))
    )
    waiting_only = request.GET.get("waiting") == "1"
    rows = mine.unacknowledged() if waiting_only else mine
    rows = rows.select_related("circular__forwards", *_RECIPIENT_RELATED).order_by(
        "-delivered_at", "-id"
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "circulars/inbox.html",
        {"page": page, "counts": counts, "waiting_only": waiting_only},
    )
