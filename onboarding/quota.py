"""How much one person and one LAO may file in a Bangkok day: requests and evidence bytes.

Without it, filing ten 5 MB files and withdrawing, in a loop, filled the evidence volume (issue 26).
The evidence of a request withdrawn before it was submitted is deleted at once (services), and:

- requests: at most EVIDENCE_DAILY_REQUESTS_PER_PERSON new requests a day for one person and
  EVIDENCE_DAILY_REQUESTS_PER_LAO for one LAO, counted from the requests themselves (never
  deleted, withdrawn ones included);
- bytes: at most EVIDENCE_DAILY_BYTES_PER_PERSON of evidence uploaded a day by one person and
  EVIDENCE_DAILY_BYTES_PER_LAO for one LAO, counted as uploaded (a file removed again still
  counts), in the cache like the login limits (its prefix is in LIMIT_KEY_PREFIXES: kept in the
  database while Redis is unreachable).

The day is Bangkok's: the limits start again at 00:00.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.thai import BANGKOK, bangkok_midnight

from .models import VerificationRequest

PREFIX = "evidence-quota:"
_KEEP_SECONDS = 2 * 24 * 3600  # past the day it counts


class QuotaExceeded(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _day(at: dt.datetime) -> dt.date:
    return at.astimezone(BANGKOK).date()


def _come_back() -> str:
    return _("Try again tomorrow (from 00:00), or ask your provincial office.")


def check_new_request(*, requester, organization, at: dt.datetime) -> None:
    """Refuse a new request beyond the day's count for the person or for the LAO."""
    since = bangkok_midnight(_day(at))
    today = VerificationRequest.objects.filter(created_at__gte=since)
    if today.filter(requester=requester).count() >= settings.EVIDENCE_DAILY_REQUESTS_PER_PERSON:
        raise QuotaExceeded(
            _("You have filed %(n)d requests today, the most a person may file in a day.")
            % {"n": settings.EVIDENCE_DAILY_REQUESTS_PER_PERSON}
            + " "
            + _come_back()
        )
    if today.filter(organization=organization).count() >= settings.EVIDENCE_DAILY_REQUESTS_PER_LAO:
        raise QuotaExceeded(
            _("%(n)d requests have been filed for this organisation today, the most in a day.")
            % {"n": settings.EVIDENCE_DAILY_REQUESTS_PER_LAO}
            + " "
            + _come_back()
        )


def charge_upload(*, uploader, organization, size: int, at: dt.datetime) -> None:
    """Count `size` bytes of evidence against today's allowance of the person and the LAO, or
    refuse them (nothing counted) when either would go over."""
    if size <= 0:
        return
    day = _day(at).isoformat()
    counters = [
        (
            f"{PREFIX}user:{uploader.pk}:{day}",
            settings.EVIDENCE_DAILY_BYTES_PER_PERSON,
            _("You have uploaded %(used)s of evidence today; a person may upload %(max)s a day."),
        ),
        (
            f"{PREFIX}org:{organization.pk}:{day}",
            settings.EVIDENCE_DAILY_BYTES_PER_LAO,
            _(
                "%(used)s of evidence has been uploaded for this organisation today; at most "
                "%(max)s a day."
            ),
        ),
    ]
    charged = []
    for key, limit, message in counters:
        cache.add(key, 0, _KEEP_SECONDS)
        used = cache.incr(key, size)
        charged.append(key)
        if used > limit:
            for done in charged:
                cache.decr(done, size)
            raise QuotaExceeded(
                message % {"used": filesizeformat(used - size), "max": filesizeformat(limit)}
                + " "
                + _come_back()
            )
