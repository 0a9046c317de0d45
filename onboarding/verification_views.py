"""Identity verification pages: thin doors onto `onboarding.services`.

Objects come through the scoped querysets: a request outside the user's scope is 404; inside
it without the right (a district officer on the review page, a colleague on the edit page) 403.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import thaid
from accounts.access import officer_required, second_factor_gate
from accounts.models import Role, RoleKind
from accounts.scope import (
    is_officer,
    is_reviewer,
    officer_area,
    staff_roles,
)
from core import clock
from core.history import describe
from core.scoping import Action
from core.text import strip_invisible
from maintenance.access import login_decision, may_submit_verification
from registry.models import District, Organization

from . import my_organisation as my_page
from . import services
from .forms import DecisionForm, QueueFilterForm, VerificationRequestForm
from .models import RequestState, VerificationRequest


def _request_or_404(user, pk) -> VerificationRequest:
    """The request if the user may see it (404 otherwise). Officers reading someone else's
    request go through `_officer_gate` first: personal data needs the second factor."""
    return get_object_or_404(
        VerificationRequest.objects.restrict(user, Action.VIEW).select_related(
            "organization__district__province", "requester", "decided_by"
        ),
        pk=pk,
    )


def _timeline(vr):
    """The request's history, oldest first, each step's reason in the reader's language."""
    rows = list(vr.history.select_related("history_user").order_by("history_date", "history_id"))
    for row in rows:
        row.reason = describe(row)
    return rows


def _can_see_evidence(user, vr) -> bool:
    return (
        vr.requester_id == user.pk
        or VerificationRequest.objects.restrict(user, Action.REVIEW).filter(pk=vr.pk).exists()
    )


# --- my organisation ---------------------------------------------------------------------------


@login_required
@require_safe
@cache_control(no_store=True, private=True)
def my_organisation(request):
    """The person's own organisations (onboarding.my_organisation); a unit's member whose units
    may not use the system yet is told why and until when instead (403)."""
    now = clock.now()
    unit_decision = login_decision(request.user, now)
    if unit_decision is not None and not unit_decision.allowed:
        return render(request, "accounts/not_yet.html", {"decision": unit_decision}, status=403)
    context = {**my_page.page(request.user, now), "unit_decision": unit_decision}
    return render(request, "onboarding/my_organisation.html", context)


# --- the requester's pages ---------------------------------------------------------------------


def _lao_to_file_for(user, org_pk) -> tuple[Organization, Role]:
    """The LAO the user files a request for, and their staff role there: 404 outside their
    area, 403 for anyone but its staff."""
    org = get_object_or_404(
        Organization.objects.restrict(user, Action.VIEW).with_places(), pk=org_pk
    )
    role = next(
        (r for r in staff_roles(user, RoleKind.LAO_STAFF) if r.organization_id == org.pk),
        None,
    )
    if role is None:
        raise PermissionDenied(_("Only staff of this LAO may file its requests."))
    return org, role


def _window_closed(request, org, decision, status: int):
    return render(
        request,
        "onboarding/window_closed.html",
        {"org": org, "decision": decision},
        status=status,
    )


def _file_request(request, org, form):
    """Create the request from a valid form (a draft, or submitted): a redirect to it, the
    window-closed page, or None with the problem added to the form."""
    try:
        vr = services.create_request(
            requester=request.user,
            organization=org,
            data=form.request_data(),
            files=form.cleaned_data["evidence"],
            submit="submit" in request.POST,
            thaid_proof=form.thaid_proof_chosen(),
        )
    except services.AlreadyOpen as exc:
        messages.info(request, exc.message)
        return redirect(exc.existing)
    except services.WindowClosed as exc:
        return _window_closed(request, org, exc.decision, 403)
    except services.VerificationError as exc:
        form.add_error(exc.field, exc.message)
        return None
    messages.success(
        request,
        _("Your request was submitted.")
        if vr.state == RequestState.SUBMITTED
        else _("Your draft was saved."),
    )
    return redirect(vr)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("national_id")
@cache_control(no_store=True, private=True)
def request_new(request, org_pk):
    org, role = _lao_to_file_for(request.user, org_pk)
    existing = (
        VerificationRequest.objects.restrict(request.user, Action.VIEW)
        .open()
        .filter(requester=request.user, organization=org)
        .first()
    )
    if existing is not None:
        messages.info(request, _("You already have an open request for this organisation."))
        return redirect(existing)
    window = may_submit_verification(org)
    if not window.allowed:
        return _window_closed(request, org, window, 403 if request.method == "POST" else 200)
    form = VerificationRequestForm(
        request.POST or None,
        request.FILES or None,
        initial={"full_name": request.user.full_name, "position": role.position},
        thaid_proof=services.thaid_proof_offered(thaid.assertion(request)),
    )
    if request.method == "POST" and form.is_valid():
        if (response := _file_request(request, org, form)) is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "onboarding/request_form.html",
        {"form": form, "org": org, "window": window},
        status=status,
    )


def _officer_gate(request, vr):
    if vr.requester_id != request.user.pk and is_officer(request.user):
        return second_factor_gate(request)
    return None


@login_required
@require_safe
@cache_control(no_store=True, private=True)
def request_detail(request, pk):
    vr = _request_or_404(request.user, pk)
    if (gate := _officer_gate(request, vr)) is not None:
        return gate
    is_requester = vr.requester_id == request.user.pk
    window = may_submit_verification(vr.organization) if is_requester and vr.is_editable else None
    context = {
        "vr": vr,
        "is_requester": is_requester,
        "can_review": is_reviewer(request.user)
        and VerificationRequest.objects.restrict(request.user, Action.REVIEW)
        .filter(pk=vr.pk)
        .exists(),
        "can_see_evidence": _can_see_evidence(request.user, vr),
        "evidence": vr.evidence.all(),
        "timeline": _timeline(vr),
        "window": window,
        "thaid_enabled": thaid.is_configured(),
    }
    return render(request, "onboarding/request_detail.html", context)


# --- identity proven by ThaID ------------------------------------------------------------------

THAID_INTENT_KEY = "thaid_prove_request"


def _own_open_request(request, pk) -> VerificationRequest:
    if not thaid.is_configured():
        raise Http404
    vr = _request_or_404(request.user, pk)
    if vr.requester_id != request.user.pk:
        raise PermissionDenied(_("Only the requester may prove their identity."))
    return vr


def _prove(request, vr):
    try:
        services.prove_identity_with_thaid(
            vr.pk, actor=request.user, proof=thaid.assertion(request) or {}
        )
    except services.VerificationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Your identity is proven by ThaID: evidence of identity is now optional. The "
                "reviewer still confirms your position."
            ),
        )
    return redirect(vr)


@login_required
@require_POST
def request_thaid(request, pk):
    """The requester's "prove my identity with ThaID": at once with a ThaID sign-in of this
    session made in the last THAID_PROOF_MAX_AGE_SECONDS, else through ThaID and back."""
    vr = _own_open_request(request, pk)
    if thaid.assertion(request) is not None:
        return _prove(request, vr)
    request.session[THAID_INTENT_KEY] = vr.pk
    return thaid.start_connect(request, reverse("onboarding:request_thaid_done", args=[vr.pk]))


@login_required
@require_safe
def request_thaid_done(request, pk):
    """Back from ThaID: applies only the proof this person asked for with the form above."""
    vr = _own_open_request(request, pk)
    if request.session.pop(THAID_INTENT_KEY, None) != vr.pk:
        return redirect(vr)
    if thaid.assertion(request) is None:
        messages.error(
            request, _("ThaID did not confirm your identity. Nothing was changed; try again.")
        )
        return redirect(vr)
    return _prove(request, vr)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("national_id")
@cache_control(no_store=True, private=True)
def request_edit(request, pk):
    vr = _request_or_404(request.user, pk)
    if vr.requester_id != request.user.pk:
        raise PermissionDenied(_("Only the requester may change this request."))
    if not vr.is_editable:
        messages.info(
            request,
            _("This request can no longer be changed: it is “%(state)s”.")
            % {"state": vr.get_state_display()},
        )
        return redirect(vr)
    window = may_submit_verification(vr.organization)
    initial = {
        "full_name": vr.full_name,
        "position": vr.position,
        "appointment_order_number": vr.appointment_order_number,
        "appointment_date": vr.appointment_date,
        "version": vr.version,
        "consent": True,
    }
    form = VerificationRequestForm(
        request.POST or None,
        request.FILES or None,
        existing=vr,
        initial=initial,
        thaid_proof=services.thaid_proof_offered(thaid.assertion(request)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            vr = services.update_request(
                vr.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.request_data(),
                files=form.cleaned_data["evidence"],
                remove_evidence=[e.pk for e in form.cleaned_data.get("remove_evidence") or []],
                submit="submit" in request.POST,
                thaid_proof=form.thaid_proof_chosen(),
            )
        except services.WindowClosed as exc:
            form.add_error(None, exc.message)
        except services.VerificationError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request,
                _("Your request was submitted.")
                if vr.state == RequestState.SUBMITTED
                else _("Your changes were saved."),
            )
            return redirect(vr)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "onboarding/request_form.html",
        {"form": form, "org": vr.organization, "vr": vr, "window": window},
        status=status,
    )


def _requester_action(request, pk, action, done_message):
    vr = _request_or_404(request.user, pk)
    if vr.requester_id != request.user.pk:
        raise PermissionDenied(_("Only the requester may do this."))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        action(vr.pk, actor=request.user, expected_version=version)
    except services.VerificationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message)
    return redirect(vr)


@login_required
@require_POST
def request_submit(request, pk):
    return _requester_action(request, pk, services.submit_request, _("Your request was submitted."))


@login_required
@require_POST
def request_withdraw(request, pk):
    return _requester_action(
        request, pk, services.withdraw_request, _("Your request was withdrawn.")
    )


@login_required
@require_safe
@xframe_options_sameorigin
def evidence_file(request, pk, evidence_pk):
    vr = _request_or_404(request.user, pk)
    if (gate := _officer_gate(request, vr)) is not None:
        return gate
    if not _can_see_evidence(request.user, vr):
        raise PermissionDenied(
            _("Evidence files are shown only to the requester and the reviewers.")
        )
    evidence = get_object_or_404(vr.evidence, pk=evidence_pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle,
        content_type=evidence.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=strip_invisible(evidence.original_name) or "evidence",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A PDF (or an image) opened in the browser runs no script, submits no form, opens no window.
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- the reviewer's pages ----------------------------------------------------------------------


@officer_required
@require_safe
@cache_control(no_store=True, private=True)
def review_queue(request):
    user = request.user
    national, provinces, districts = officer_area(user)
    area = District.objects.select_related("province")
    if not national:
        area = area.filter(Q(province_id__in=provinces) | Q(pk__in=districts))
    form = QueueFilterForm(request.GET or None, districts=area.order_by("province__code", "code"))
    qs = VerificationRequest.objects.restrict(user, Action.VIEW).select_related(
        "organization__district__province", "requester"
    )
    # Each filter that can be read applies; one that cannot is left out, its message beside it.
    if form.is_bound:
        form.is_valid()
    read = getattr(form, "cleaned_data", {})
    state = read.get("state") or RequestState.SUBMITTED
    district, age, text = read.get("district", ""), read.get("age", ""), read.get("q", "")
    qs = qs.search(text)
    if state != QueueFilterForm.ALL:
        qs = qs.filter(state=state)
    if district:
        qs = qs.filter(organization__district__code=district)
    if age:
        qs = qs.filter(submitted_at__lte=clock.now() - dt.timedelta(days=int(age)))
    qs = qs.in_queue_order()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    counts = VerificationRequest.objects.restrict(user, Action.VIEW).aggregate(
        waiting=Count("id", filter=Q(state=RequestState.SUBMITTED)),
        returned=Count("id", filter=Q(state=RequestState.RETURNED)),
    )
    return render(
        request,
        "onboarding/review_queue.html",
        {
            "form": form,
            "page": page,
            "state": state,
            "counts": counts,
            "now": clock.now(),
            "is_reviewer": is_reviewer(user),
        },
    )


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
@cache_control(no_store=True, private=True)
def review_detail(request, pk):
    vr = _request_or_404(request.user, pk)
    if (
        not VerificationRequest.objects.restrict(request.user, Action.REVIEW)
        .filter(pk=vr.pk)
        .exists()
    ):
        raise PermissionDenied(
            _(
                "You may follow this request but not decide on it: provincial and DLA officers "
                "review."
            )
        )
    form = DecisionForm(request.POST or None, initial={"version": vr.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            actions = {
                "approve": lambda: services.approve_request(
                    vr.pk, actor=request.user, expected_version=d["version"], reason=d["reason"]
                ),
                "return": lambda: services.return_request(
                    vr.pk, actor=request.user, expected_version=d["version"], remarks=d["reason"]
                ),
                "reject": lambda: services.reject_request(
                    vr.pk, actor=request.user, expected_version=d["version"], reason=d["reason"]
                ),
            }
            try:
                vr = actions[d["decision"]]()
            except services.StaleRequest as exc:
                messages.error(request, exc.message)
                vr = _request_or_404(request.user, pk)
                form = DecisionForm(initial={"version": vr.version})
                status = 409
            except services.VerificationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Done: the request is now “%(state)s”.") % {"state": vr.get_state_display()},
                )
                return redirect("onboarding:review_queue")
    context = {
        "vr": vr,
        "form": form,
        "evidence": vr.evidence.all(),
        "timeline": _timeline(vr),
        "can_decide": vr.state == RequestState.SUBMITTED,
        "now": clock.now(),
    }
    return render(request, "onboarding/review_detail.html", context, status=status)
