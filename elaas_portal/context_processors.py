"""What every page's header shows: the links, who is logged in, the inbox badge, the demo clock;
and the domain's enums, so that templates compare against their members, never against literals.
"""

from django.conf import settings
from django.urls import reverse

from accounts.models import MembershipStatus, Position
from accounts.scope import is_officer
from circulars.models import CircularReference, DeliveryLevel, IntakeStatus, Urgency
from compliance.scope import ScopeLevel
from core import clock
from maintenance.models import AccessRule
from maintenance.policy import Authority, Subject
from maintenance.snapshot import current_policy
from notifications.services import unread_count
from onboarding.models import RequestState

_NAV = {
    "status": "maintenance:status",
    "circulars": "circulars:list",
    "registry": "registry:organizations",
    "my": "onboarding:my",
    "inbox": "notifications:inbox",
    "review": "onboarding:review_queue",
    "memberships": "onboarding:memberships",
    "compliance": "compliance:home",
    "log": "notifications:log",
    "logout": "account_logout",
    "login": "account_login",
}


def _nav() -> dict[str, str]:
    urls = {key: reverse(name) for key, name in _NAV.items()}
    urls["to_en"] = reverse("switch-language", args=["en"])
    urls["to_th"] = reverse("switch-language", args=["th"])
    return urls


def portal(request):
    context = {"DEMO_FEATURES": settings.DEMO_FEATURES, "NAV": _nav()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["IS_OFFICER"] = is_officer(user)
        context["UNREAD"] = unread_count(user)
    if settings.DEMO_FEATURES and clock.is_set():
        now = clock.now()
        context["CLOCK_IS_SET"] = True
        context["CLOCK_NOW"] = now
        # Whether the demo instant is inside DLA's verification window (the rules are kept in
        # memory: no query), so that the banner says what the clock means for a newcomer.
        context["CLOCK_WINDOW"] = current_policy().decide(
            Subject("lao", identity_verified=False), "verify_identity", now
        )
    return context


# Templates compare with these (`{% if vr.state == RequestState.RETURNED %}`); Django's Choices
# enums are not called in templates. Templates rendered without a request are given the ones
# they use explicitly.
ENUMS = {
    "Authority": Authority,
    "DeliveryLevel": DeliveryLevel,
    "IntakeStatus": IntakeStatus,
    "MembershipStatus": MembershipStatus,
    "Position": Position,
    "ReferenceKind": CircularReference.Kind,
    "RequestState": RequestState,
    "RuleAction": AccessRule.Action,
    "RuleEffect": AccessRule.Effect,
    "ScopeLevel": ScopeLevel,
    "Urgency": Urgency,
}


def enums(request):
    return ENUMS
