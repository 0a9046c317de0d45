"""The ThaID login and callback views: allauth's, with `ThaIDAdapter` and the state it needs."""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404

from .provider import ThaIDAdapter


class ThaIDCallbackView(OAuth2CallbackView):
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
