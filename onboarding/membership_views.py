"""Membership pages: the queue of those waiting, and the two decisions; thin doors onto
`onboarding.membership`.

A membership outside the user's area is 404; inside it without the right to decide (a clerk who
is not the LAO's verified chief executive or permanent secretary) 403. Officers use the second
factor first, as on every officer page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from accounts.access import second_factor_gate
from accounts.models import Role
from accounts.scope import is_officer
from core import clock
from core.scoping import Action

from . import membership
from .forms import RefusalForm


def _officer_gate(request):
    if is_officer(request.user):
        return second_factor_gate(request, reverse("onboarding:memberships"))
    return None


@login_required
@require_safe
@cache_control(no_store=True, private=True)  # names, e-mail addresses and phones
def membership_queue(request):
    if not membership.may_decide_any(request.user):
        raise PermissionDenied(
            _(
                "Memberships are approved by the LAO's verified chief executive or permanent "
                "secretary, or by an officer of its district, its province or DLA."
            )
        )
    if (gate := _officer_gate(request)) is not None:
        return gate
    now = clock.now()
    page = Paginator(membership.decidable_by(request.user, now), 50).get_page(
        request.GET.get("page")
    )
    holders = membership.holders_of(list(page))
    rows = [
        {"role": role, "last_moment": membership.expires_at(role), "holders": holders[role.pk]}
        for role in page
    ]
    return render(request, "onboarding/memberships.html", {"page": page, "rows": rows, "now": now})


def _decide(request, pk, action):
    get_object_or_404(Role.objects.restrict(request.user, Action.VIEW), pk=pk)
    if (gate := _officer_gate(request)) is not None:
        return gate
    try:
        role = action()
    except membership.MembershipError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(person)s: the membership is now “%(status)s”.")
            % {
                "person": role.user.full_name or role.user.email,
                "status": role.get_status_display(),
            },
        )
    return redirect("onboarding:memberships")


@login_required
@require_POST
def membership_approve(request, pk):
    return _decide(request, pk, lambda: membership.approve_membership(pk, actor=request.user))


@login_required
@require_POST
def membership_refuse(request, pk):
    form = RefusalForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _decide(
        request, pk, lambda: membership.refuse_membership(pk, actor=request.user, reason=reason)
    )
