"""allauth hooks: unit staff are stopped at login while the policy keeps units out."""

from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import render

from maintenance.access import login_decision


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        from allauth.account.models import EmailAddress

        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            # allauth's verification stage stops this login and sends the confirmation mail;
            # the unit gate applies at the first login with a confirmed address.
            return None
        decision = login_decision(user)
        if decision is not None and not decision.allowed:
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return render(request, "accounts/not_yet.html", {"decision": decision}, status=403)
        return None
