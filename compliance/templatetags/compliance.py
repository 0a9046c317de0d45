from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATE_LABELS = {
    "verified": _("Verified"),
    "submitted": _("Submitted, waiting for review"),
    "returned": _("Returned for correction"),
    "rejected": _("Rejected"),
    "not_started": _("Not started"),
}


@register.filter
def lao_state(state):
    return STATE_LABELS.get(state, state)
