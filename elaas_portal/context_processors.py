import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse

_NAV = {
    "status": "maintenance:status",
    "circulars": "circulars:list",
    "registry": "onboarding:organizations",
    "my": "onboarding:my",
    "inbox": "notifications:inbox",
    "review": "onboarding:review_queue",
    "compliance": "compliance:home",
    "log": "notifications:log",
    "logout": "account_logout",
    "login": "account_login",
}


@functools.cache
def _nav(prefix: str) -> dict[str, str]:
    """The header's links, reversed once per process (they are on every page)."""
    urls = {key: reverse(name) for key, name in _NAV.items()}
    urls["to_en"] = reverse("switch-language", args=["en"])
    urls["to_th"] = reverse("switch-language", args=["th"])
    return urls


def portal(request):
    context = {"DEMO_FEATURES": settings.DEMO_FEATURES, "NAV": _nav(get_script_prefix())}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from accounts.scope import is_officer
        from notifications.services import unread_count

        context["IS_OFFICER"] = is_officer(user)
        context["UNREAD"] = unread_count(user)
    if settings.DEMO_FEATURES:
        from maintenance import clock

        if clock.is_set():
            context["CLOCK_IS_SET"] = True
            context["CLOCK_NOW"] = clock.now()
    return context
