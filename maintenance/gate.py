"""The policy's gate on people: unit staff use the portal only while the policy lets units in.

Checked on every request of a gated user (and on the response of the request that logged them
in), so a policy or clock change takes effect on their next request: the session is closed and
the page says why, from when, and under which circular. The first login of a unit's staff
while units may use the system is recorded for the dashboards.
"""

from allauth.account.signals import user_logged_in
from django.contrib.auth import logout
from django.contrib.messages import get_messages
from django.dispatch import receiver
from django.shortcuts import render

from accounts.models import RoleKind
from accounts.scope import staff_roles
from core import clock
from maintenance.policy import Action
from registry.models import Organization

from .access import decide_for, login_decision

STOP_TEMPLATE = "accounts/not_yet.html"


class UnitGateMiddleware:
    """Stop a user who is only unit staff while no unit of theirs may use the system."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        was_authenticated = request.user.is_authenticated
        if was_authenticated:
            stopped = self._stop_if_closed(request)
            if stopped is not None:
                return stopped
        response = self.get_response(request)
        if not was_authenticated and request.user.is_authenticated:  # this request logged in
            stopped = self._stop_if_closed(request)
            if stopped is not None:
                return stopped
        return response

    @staticmethod
    def _stop_if_closed(request):
        decision = login_decision(request.user)
        if decision is None or decision.allowed:
            return None
        # "Signed in successfully" (allauth, on the request that logged in) is no longer true:
        # drop it, here and for the next page, rather than show it above "you cannot log in yet".
        for _message in get_messages(request):
            pass  # iterating marks the messages read: not stored again
        logout(request)
        return render(request, STOP_TEMPLATE, {"decision": decision, "messages": ()}, status=403)


@receiver(user_logged_in, dispatch_uid="maintenance-record-first-unit-login")
def record_first_unit_login(sender, request, user, **kwargs):
    now = clock.now()
    # Only while units may use the system: a user who is also LAO staff is not stopped at login.
    units = [
        r.organization_id
        for r in staff_roles(user, RoleKind.UNIT_STAFF)
        if decide_for(r.organization, Action.USE_SYSTEM, now).allowed
    ]
    if units:
        # A conditional update: the first login wins, a second one changes nothing.
        Organization.objects.filter(pk__in=units, first_login_at__isnull=True).update(
            first_login_at=now
        )
