"""Sign-up with an organisation search on the same page (works without JavaScript)."""

from allauth.account.views import SignupView as AllauthSignupView
from django.urls import reverse

from core import params
from registry.models import Organization

ORG_RESULTS = 30


class SignupView(AllauthSignupView):
    template_name = "account/signup.html"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.invitation = services.find_invitation(
            self.request.session.get(services.SESSION_KEY, "")
        )
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = params.text(self.request.GET.get("q"), "q")
        selected = (
            self.request.POST.get("organization") or self.request.GET.get("org") or ""
        ).strip()
        matches = []
        if query:
            matches = list(
                Organization.objects.search(query)
                .with_places()
                .select_related("parent")
                .order_by("district__province__code", "district__code", "dla_code", "name_th")[
                    : ORG_RESULTS + 1
                ]
            )
        # An id in ASCII digits, else nothing is chosen: str.isdigit() also takes "²", which
        # the query refuses (a 500 before).
        if not (selected.isascii() and selected.isdigit()):
            selected = ""
        if selected and not any(str(o.pk) == selected for o in matches):
            chosen = (
                Organization.objects.with_places()
                .select_related("parent")
                .filter(pk=selected)
                .first()
            )
            if chosen is not None:
                matches.insert(0, chosen)
        invitation = services.find_invitation(self.request.session.get(services.SESSION_KEY, ""))
        if invitation is not None:
            selected = str(invitation.organization_id)
            if not any(o.pk == invitation.organization_id for o in matches):
                matches.insert(0, invitation.organization)
        context.update(
            invitation=invitation,
            org_query=query,
            org_matches=matches[:ORG_RESULTS],
            org_more=len(matches) > ORG_RESULTS,
            org_selected=selected,
        )
        return context


signup = SignupView.as_view()


# --- invitations ---------------------------------------------------------------------------------

from allauth.account.adapter import get_adapter  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.shortcuts import redirect, render  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.views.decorators.http import require_http_methods, require_safe  # noqa: E402

from core.mail import where_mail_went  # noqa: E402

from . import services  # noqa: E402
from .access import officer_required  # noqa: E402
from .forms import InvitationForm  # noqa: E402


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request):
    form = InvitationForm(request.POST or None, officer=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                invitation = services.invite_staff(
                    officer=request.user,
                    organization=form.cleaned_data["organization"],
                    email=form.cleaned_data["email"],
                    position=form.cleaned_data["position"],
                )
            except services.InvitationError as exc:
                form.add_error(None, exc.message)
            except PermissionDenied as exc:
                form.add_error("organization", str(exc))
            else:
                sent = _("Invitation sent to %(email)s.") % {"email": invitation.email}
                messages.success(request, f"{sent} {where_mail_went()}".strip())
                return redirect("invite")
    return render(request, "accounts/invite.html", {"form": form}, status=status)


@require_safe
def accept_invitation(request, token):
    invitation = services.find_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        messages.info(request, _("Log out first to sign up with the invitation."))
        return redirect("onboarding:my")
    request.session[services.SESSION_KEY] = token
    get_adapter().stash_verified_email(request, invitation.email)
    return redirect(f"{reverse('account_signup')}?org={invitation.organization_id}")
