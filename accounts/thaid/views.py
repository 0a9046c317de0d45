"""The ThaID login and callback views: allauth's, with `ThaIDAdapter` and the state it needs."""

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404

from .provider import ThaIDAdapter


class ThaIDCallbackView(OAuth2CallbackView):
    def dispatch(self, request, *args, **kwargs):
        # allauth reads the discovery document outside its own try (get_client): a provider
        # gone down mid-sign-in gave a 500. It ends on the login failure page instead.
        try:
            return super().dispatch(request, *args, **kwargs)
        except requests.RequestException as exc:
            return render_authentication_error(request, self.adapter.get_provider(), exception=exc)

    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.state = state  # the nonce sent is in it
        return state, response


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(ThaIDAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def callback(request, provider_id):
    try:
        return ThaIDCallbackView.adapter_view(ThaIDAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
