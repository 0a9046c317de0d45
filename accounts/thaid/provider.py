"""allauth's OpenID Connect provider, made strict for ThaID.

Installed with SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]; its URLs (same names as
allauth's) come from `accounts.thaid.urls`, so the callback uses `ThaIDAdapter`:

- PKCE (S256) on every authorization request (the app's `oauth_pkce_enabled`);
- `state`: allauth's, one use, in the session;
- `nonce`: a fresh one per authorization request, kept in the state, required in the id_token;
- the id_token: signature checked against the provider's JWKS every time, issuer, audience and
  expiry checked by allauth's jwtkit;
- the uid: `pid_hash(pid)`; the id_token's `pid` and userinfo's, when both are sent, must agree.
"""

from __future__ import annotations

import secrets

import jwt
import requests
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from core.national_id import NationalIdError, pid_hash

# The claims kept with a linked ThaID account (SocialAccount.extra_data): none is personal.
KEPT_CLAIMS = ("iss", "ial", "amr", "acr")
# ThaID signs its id_tokens with RS256; no other algorithm is accepted, whatever the token says.
ID_TOKEN_ALGORITHMS = ("RS256",)


def unavailable_message() -> str:
    return _(
        "ThaID is unavailable right now. Sign in with your e-mail address and password, or "
        "try ThaID again later."
    )


class ThaIDAdapter(OpenIDConnectOAuth2Adapter):
    """Checks the id_token's signature always, and its nonce against the one sent."""

    state: dict | None = None  # set by the callback view (views.ThaIDCallbackView)

    def complete_login(self, request, app, token, **kwargs):
        if not kwargs["response"].get("id_token"):
            raise OAuth2Error("The provider sent no id_token")
        return super().complete_login(request, app, token, **kwargs)

    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            alg = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as exc:
            raise OAuth2Error("The id_token is not a JWT") from exc
        if alg not in ID_TOKEN_ALGORITHMS:  # "none", HS256 with the public key as secret...
            raise OAuth2Error(f"The id_token is signed with {alg!r}, not RS256")
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        expected = (self.state or {}).get("nonce")
        if not expected or not secrets.compare_digest(str(claims.get("nonce", "")), expected):
            raise OAuth2Error("The id_token's nonce is not the one sent")
        return claims


class ThaIDProvider(OpenIDConnectProvider):
    oauth2_adapter_class = ThaIDAdapter
    package = "accounts.thaid"

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        try:
            return super().redirect(
                request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
            )
        except requests.RequestException:
            # Discovery failed: the provider is down or unreachable. Password login still works.
            messages.error(request, unavailable_message())
            return redirect(
                next_url if process == "connect" and next_url else reverse("account_login")
            )

    @sensitive_variables()
    def extract_uid(self, data):
        token_pid = (data.get("id_token") or {}).get("pid")
        info_pid = (data.get("userinfo") or {}).get("pid")
        if token_pid is not None and info_pid is not None and token_pid != info_pid:
            raise OAuth2Error("The id_token and userinfo name different people")
        try:
            return pid_hash(token_pid if token_pid is not None else info_pid)
        except NationalIdError as e:
            raise OAuth2Error("No valid pid claim") from e

    @sensitive_variables()
    def extract_extra_data(self, data):
        claims = {**(data.get("userinfo") or {}), **(data.get("id_token") or {})}
        kept = {name: claims[name] for name in KEPT_CLAIMS if name in claims}
        pid = claims.get("pid")
        kept["pid_last4"] = pid[-4:] if isinstance(pid, str) else ""
        return kept

    def extract_common_fields(self, data):
        return {}  # never used to make or find an account: no name, no e-mail

    def extract_email_addresses(self, data):
        return []


provider_classes = [ThaIDProvider]
