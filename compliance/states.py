"""An LAO's state (`stats.with_state` gives each LAO one) on the compliance pages, in their files
and in the API: one enum, labelled once. Pages show the label in the page's language, the files
in Thai (`translation.override`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onboarding.models import RequestState


class LaoState(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    # An LAO waits, or was turned down, as its request does: the same value and label.
    SUBMITTED = RequestState.SUBMITTED.value, RequestState.SUBMITTED.label
    RETURNED = RequestState.RETURNED.value, RequestState.RETURNED.label
    REJECTED = RequestState.REJECTED.value, RequestState.REJECTED.label
    NOT_STARTED = "not_started", _("Not started")


# Who is late: every state but verified.
LATE_STATES = tuple(s for s in LaoState if s != LaoState.VERIFIED)
