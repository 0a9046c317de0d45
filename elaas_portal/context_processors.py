"""What every page's header shows: the links, who is logged in, the inbox badge, the demo clock."""

from django.conf import settings
from django.urls import reverse

from accounts.scope import is_officer
from core import clock
from notifications.services import unread_count

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
        context["CLOCK_IS_SET"] = True
        context["CLOCK_NOW"] = clock.now()
    return context
