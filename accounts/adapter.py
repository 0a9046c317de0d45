"""allauth hooks: unit staff are stopped at login while the policy keeps units out."""

from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import render

from maintenance.access import login_decision


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        decision = login_decision(user)
        if decision is not None and not decision.allowed:
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return render(request, "accounts/not_yet.html", {"decision": decision}, status=403)
        return None
