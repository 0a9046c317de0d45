"""An LAO's state (`stats.with_state` gives each LAO one) on the compliance pages, in their files
and in the API: one enum, labelled once. Pages (tiles, column headings, badges, filters) and the
files (headings, cells) all take the label from here; pages in the page's language, the files
in Thai (`translation.override`).

In progress: some of the required positions are verified (k of n), not all; the others may be
waiting, returned, rejected or not filed (`onboarding.positions` says which).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onboarding.models import RequestState


class LaoState(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    IN_PROGRESS = "in_progress", _("In progress")
    # Nothing verified yet: the LAO waits, or was turned down, as its request does (same value).
    SUBMITTED = RequestState.SUBMITTED.value, _("Waiting for review")
    RETURNED = RequestState.RETURNED.value, RequestState.RETURNED.label
    REJECTED = RequestState.REJECTED.value, RequestState.REJECTED.label
    NOT_STARTED = "not_started", _("Not started")


# Who is late: every state but verified.
LATE_STATES = tuple(s for s in LaoState if s != LaoState.VERIFIED)


def columns() -> list[tuple[str, str, str]]:
    """(value, label, anchor) of every state, in order: the tiles and columns of the pages (the
    files take the same labels, `exports`)."""
    return [(s.value, s.label, s.value.replace("_", "-")) for s in LaoState]
