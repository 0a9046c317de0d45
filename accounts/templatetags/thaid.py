from django import template
from django.urls import reverse

from accounts import thaid

register = template.Library()


@register.simple_tag
def thaid_login():
    """For the login page: whether ThaID is configured, whether it answers, and where to go."""
    if not thaid.is_configured():
        return {"configured": False}
    return {
        "configured": True,
        "available": thaid.is_available(),
        "url": reverse("openid_connect_login", kwargs={"provider_id": thaid.PROVIDER_ID}),
    }


@register.simple_tag
def thaid_link(user):
    """For "My organisation": whether ThaID is configured, and the user's linked identity (only
    the last four digits of its national ID)."""
    if not thaid.is_configured() or not user.is_authenticated:
        return {"configured": False}
    from allauth.socialaccount.models import SocialAccount

    account = SocialAccount.objects.filter(user=user, provider=thaid.PROVIDER_ID).first()
    return {
        "configured": True,
        "linked": account is not None,
        "last4": str(account.extra_data.get("pid_last4", "")) if account else "",
        "url": reverse("openid_connect_login", kwargs={"provider_id": thaid.PROVIDER_ID}),
        "manage_url": reverse("socialaccount_connections"),
    }
