"""The inbox (every user's messages), the delivery log and the reminder ladder (officers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from accounts.access import officer_required
from core import params
from core.scoping import Action

from . import delivery, services
from .forms import DeliveryLogFilter
from .models import Notification, PassRun, ReminderStep


@login_required
@require_safe
def inbox(request):
    page = Paginator(
        Notification.objects.restrict(request.user, Action.VIEW).order_by("-created_at", "-id"), 30
    ).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_safe
def detail(request, pk):
    notification = get_object_or_404(
        Notification.objects.restrict(request.user, Action.VIEW).select_related("circular"), pk=pk
    )
    services.mark_read(notification, reader=request.user)
    return render(request, "notifications/detail.html", {"n": notification})


@officer_required
@require_safe
@cache_control(no_store=True, private=True)  # recipients' names and e-mail addresses
def delivery_log(request):
    form = DeliveryLogFilter(request.GET or None)
    qs = Notification.objects.restrict(request.user, Action.REVIEW)
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"].strip()
            qs = qs.filter(Q(recipient__email__icontains=q) | Q(recipient__full_name__icontains=q))
    counts = dict(
        Notification.objects.restrict(request.user, Action.REVIEW)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/log.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "passes": PassRun.objects.all()[:10],
        },
    )


@officer_required
@require_POST
def resend(request, pk):
    notification = get_object_or_404(
        Notification.objects.restrict(request.user, Action.REVIEW), pk=pk
    )
    if delivery.resend(notification.pk):
        messages.success(request, _("The message will be sent again."))
    else:
        messages.info(request, _("This message is already waiting to be sent."))
    return redirect(
        params.next_url(request, request.POST.get("next"), reverse("notifications:log"))
    )


@officer_required
@require_safe
def ladder(request):
    return render(request, "notifications/ladder.html", {"steps": ReminderStep.objects.all()})
