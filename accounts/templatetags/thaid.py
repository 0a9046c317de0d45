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
