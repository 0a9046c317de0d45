"""How long evidence files are kept: those of withdrawn and rejected requests go after a while.

A withdrawn or rejected request is closed for good (no change leads out of those states); its
evidence (ID card and appointment order scans) is personal data with no further purpose, so it is
deleted EVIDENCE_RETENTION_DAYS after the request was closed. The request itself, its last four
digits and its history stay: they are the record of what happened.

`purge_evidence` is idempotent: it deletes the file before its row, so a run that stops half way
leaves rows whose files are gone, which the next run deletes; a second run finds nothing.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery

from core import clock

from .models import CLOSED_STATES, Evidence, VerificationRequest, private_storage

log = logging.getLogger(__name__)


def closed_before(cutoff: dt.datetime):
    """Withdrawn or rejected requests that still have evidence and were closed before `cutoff`."""
    closed_at = (
        VerificationRequest.history.model.objects.filter(id=OuterRef("pk"))
        .order_by("-history_date", "-history_id")
        .values("history_date")[:1]
    )
    return (
        VerificationRequest.objects.filter(state__in=CLOSED_STATES, evidence__isnull=False)
        .annotate(closed_at=Subquery(closed_at))
        .filter(closed_at__lt=cutoff)
        .distinct()
    )


def purge_evidence(*, now: dt.datetime | None = None) -> dict:
    """Delete the evidence of requests closed more than EVIDENCE_RETENTION_DAYS ago.

    Returns {"requests": n, "files": n, "retention_days": d}.
    """
    now = now or clock.now()
    cutoff = now - dt.timedelta(days=settings.EVIDENCE_RETENTION_DAYS)
    storage = private_storage()
    requests = files = 0
    for pk in closed_before(cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            vr = VerificationRequest.objects.select_for_update().get(pk=pk)
            if vr.state not in CLOSED_STATES:
                continue
            for evidence in Evidence.objects.filter(request=vr):
                storage.delete(evidence.file.name)  # first the personal data, then the row
                evidence.delete()
                files += 1
        requests += 1
    if files:
        log.info("purge_evidence: %d files of %d closed requests deleted", files, requests)
    return {
        "requests": requests,
        "files": files,
        "retention_days": settings.EVIDENCE_RETENTION_DAYS,
    }
