"""The admin behind the officers' door: allauth's login, its rate limits, and the second factor.

Django's admin has a login form of its own: a password alone, no rate limit, no second factor.
`guard_admin_site` replaces it with a view that never shows a form: it sends a visitor to
allauth's login (rate-limited per account and per address, with the TOTP step), and a member of
staff whose session has not used their authenticator app to set it up or confirm it
(`accounts.access.second_factor_gate`). The site's permission check asks for the same, so no
admin page opens after a password alone.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.params import next_url

from .access import second_factor_done, second_factor_gate


def admin_login(request, extra_context=None):
    """Stands in for AdminSite.login: to allauth's login, then the second factor, then `next`."""
    target = next_url(request, request.GET.get("next"), reverse("admin:index"))
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(target)  # settings.LOGIN_URL: allauth's login
    if not (user.is_active and user.is_staff):
        raise PermissionDenied(_("The administration site is for site administrators."))
    return second_factor_gate(request, target) or redirect(target)


def guard_admin_site(site) -> None:
    """Route `site`'s login through allauth and require a session that used the second factor."""
    staff_only = site.has_permission

    def has_permission(request):
        return staff_only(request) and second_factor_done(request)

    site.has_permission = has_permission
    site.login = admin_login
