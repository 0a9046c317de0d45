"""Sign in with ThaID, the Department of Provincial Administration's digital ID (OpenID Connect).

django-allauth's `openid_connect` provider does the flow; `accounts.thaid.provider` adds what it
leaves out for us: a `nonce` checked against the id_token, the id_token's signature always checked
against the provider's JWKS (allauth skips it for a token fetched over TLS), the uid kept as the
keyed hash of `pid` (`core.national_id.pid_hash`) and no personal claim stored.

What one ThaID sign-in proved is kept in the session only (`remember`, `assertion`): the hash of
the `pid`, its last four digits and `ial`, which the identity proof of a verification request
(`onboarding`) reads. Whether the provider asserted multi-factor authentication (`asserts_mfa`)
is recorded by the sign-in itself, as an allauth authentication record
(`accounts.thaid.adapter`), which the officers' second-factor gate (`accounts.access`) reads: a
link made while signed in proves no second factor.
"""

from __future__ import annotations

import hashlib
import time
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings

from accounts.caches import THAID_AVAILABLE

PROVIDER_ID = "thaid"
SESSION_KEY = "thaid_assertion"
# amr values (RFC 8176) that are a second factor on their own account: "mfa" says so outright.
MFA_AMR = "mfa"


def is_configured() -> bool:
    return bool(getattr(settings, "THAID_SERVER_URL", ""))


def ial_of(claims: dict) -> Decimal | None:
    """The identity assurance level as a number (ThaID sends e.g. 2.3 or "2.3"), or None."""
    value = claims.get("ial")
    if value is None or isinstance(value, bool):
        return None
    try:
        level = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return level if level.is_finite() else None


def asserts_mfa(claims: dict) -> bool:
    """Whether the provider says this sign-in used more than one factor: `amr` holds "mfa", or
    `acr` is one of THAID_MFA_ACR_VALUES. Anything else (a password, a PIN alone) is one factor."""
    amr = claims.get("amr")
    if isinstance(amr, str):
        amr = amr.split()
    if isinstance(amr, list) and MFA_AMR in amr:
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in settings.THAID_MFA_ACR_VALUES


def remember(request, *, uid: str, last4: str, claims: dict) -> None:
    """Keep in the session what this ThaID sign-in proved (never the pid itself)."""
    ial = ial_of(claims)
    request.session[SESSION_KEY] = {
        "uid": uid,
        "last4": last4,
        "ial": str(ial) if ial is not None else None,
        "at": time.time(),
    }


def assertion(request, *, max_age: int | None = None) -> dict | None:
    """What the last ThaID sign-in of this session proved, if it is at most `max_age` seconds
    old (default THAID_PROOF_MAX_AGE_SECONDS)."""
    found = request.session.get(SESSION_KEY)
    if not isinstance(found, dict):
        return None
    limit = settings.THAID_PROOF_MAX_AGE_SECONDS if max_age is None else max_age
    if time.time() - float(found.get("at", 0)) > limit:
        return None
    return found


def ial_enough(found: dict) -> bool:
    try:
        return Decimal(found.get("ial") or "") >= settings.THAID_MIN_IAL
    except InvalidOperation:
        return False


def start_connect(request, next_url: str):
    """Send the signed-in person to ThaID to link it (or sign in to it again), then to
    `next_url`: the person's own action, from a form they sent."""
    from allauth.socialaccount.adapter import get_adapter

    provider = get_adapter(request).get_provider(request, PROVIDER_ID)
    return provider.redirect(request, "connect", next_url=next_url)


def is_available() -> bool:
    """Whether ThaID's discovery document answers (asked at most every 30 seconds per cache,
    accounts.caches.THAID_AVAILABLE, with a short timeout): the login page says ThaID is
    unavailable when it does not."""
    url = settings.THAID_SERVER_URL
    server = hashlib.sha256(url.encode()).hexdigest()[:16]
    found = THAID_AVAILABLE.get(server=server)
    if found is None:
        try:
            response = requests.get(f"{url}/.well-known/openid-configuration", timeout=2)
            found = response.status_code == 200 and "authorization_endpoint" in response.json()
        except (requests.RequestException, ValueError):
            found = False
        THAID_AVAILABLE.set(found, server=server)
    return found
