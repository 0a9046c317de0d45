"""Sending the outbox: claim rows, send each, record the outcome. Safe to run anywhere, twice.

A worker claims a batch with one conditional UPDATE (rows still `pending` and due; on
PostgreSQL the candidates are locked with SKIP LOCKED, so two workers never take the same row).
Each row is then sent and marked `sent` in one transaction: if the worker dies before the mark,
the row stays `sending` and `reclaim_stale()` gives it back after the lease. Transient errors
(connection refused, 4xx replies, a refused SMTP login) retry with exponential backoff up to a
bound; permanent ones (5xx: unknown recipient) fail at once. Every outcome is on the row, for the
delivery log.

At the SMTP boundary the guarantee is "at least once, with a stable Message-ID": a worker killed
between the SMTP server accepting a message and the mark would send it again after the lease,
with the same Message-ID, which mail systems use to drop duplicates.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import socket
from collections import Counter

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from core import clock

from .models import RESENDABLE, Notification, Status
from .services import nudge

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    pass


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def due_count() -> int:
    return Notification.objects.filter(
        status=Status.PENDING, next_attempt_at__lte=timezone.now()
    ).count()


def backlog() -> dict:
    """The outbox as the metrics show it, in two queries: rows by status, and how many of the
    waiting rows are due and since when (seconds since the oldest due row's attempt time)."""
    now = timezone.now()
    by_status = dict.fromkeys(Status.values, 0)
    by_status.update(Notification.objects.values_list("status").annotate(n=Count("id")).order_by())
    due = Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).aggregate(
        n=Count("id"), oldest=Min("next_attempt_at")
    )
    oldest = (now - due["oldest"]).total_seconds() if due["oldest"] else 0.0
    return {"by_status": by_status, "due": due["n"], "oldest_due_seconds": oldest}


def claim(limit: int, *, worker: str) -> list[int]:
    """Take up to `limit` due rows for this worker; returns their ids."""
    now = timezone.now()
    due = Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
            if ids:
                Notification.objects.filter(id__in=ids, status=Status.PENDING).update(
                    status=Status.SENDING, claimed_at=now, claimed_by=worker
                )
            return ids
        # SQLite (development): one conditional update per row; the database serialises writers.
        ids = []
        for pk in due.values_list("id", flat=True)[:limit]:
            if Notification.objects.filter(pk=pk, status=Status.PENDING).update(
                status=Status.SENDING, claimed_at=now, claimed_by=worker
            ):
                ids.append(pk)
        return ids


def email_for(n: Notification) -> EmailMultiAlternatives:
    domain = settings.NOTIFICATION_MESSAGE_ID_DOMAIN
    message = EmailMultiAlternatives(
        subject=f"{n.title_th} / {n.title_en}",
        body=n.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.recipient.email],
        headers={
            "Message-ID": f"<notification-{n.pk}@{domain}>",
            "X-ELAAS-Notification": str(n.pk),
        },
    )
    message.attach_alternative(n.body_html, "text/html")
    return message


def is_permanent(exc: Exception) -> bool:
    """Whether trying again cannot help: the server refused this message for good (5xx).

    A refusal for now (4xx: mailbox busy, greylisting, a full queue) is transient, and so is a
    refused login (535): that is the portal's mail configuration, not the recipient, and the
    message must wait for the password to be fixed rather than be given up.
    """
    if isinstance(exc, PermanentFailure):
        return True
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):  # {address: (code, message)}
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def backoff(attempts: int) -> dt.timedelta:
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def deliver_one(pk: int, *, worker: str, mail_connection, row: Notification | None = None) -> str:
    """Send one claimed row; returns 'sent', 'retry', 'failed' or 'lost' (claim taken back).

    `row`: the row as deliver_due loaded it with its batch, just after the claim (one query per
    batch instead of one per row). Once the claim is half a lease old it is read again, so that
    a row the sweep may have given back is not handed to the mail server first.
    """
    n = row if row is not None and _claim_is_fresh(row) else None
    if n is None:
        n = Notification.objects.select_related("recipient").get(pk=pk)
    if n.status != Status.SENDING or n.claimed_by != worker:
        return "lost"
    try:
        with transaction.atomic():
            mail_connection.send_messages([email_for(n)])
            marked = Notification.objects.filter(
                pk=pk, status=Status.SENDING, claimed_by=worker
            ).update(
                status=Status.SENT,
                sent_at=clock.now(),  # shown beside created_at: the same clock
                attempts=F("attempts") + 1,
                last_error="",
            )
            if not marked:
                raise _ClaimLost
        return "sent"
    except _ClaimLost:
        return "lost"
    except SoftTimeLimitExceeded:
        raise  # the task ran out of time: not the mail's fault; deliver_due gives the rows back
    except Exception as exc:  # any failure is recorded on the row, never lost
        attempts = n.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_permanent(exc) or attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            Notification.objects.filter(pk=pk, claimed_by=worker).update(
                status=Status.FAILED, attempts=attempts, last_error=error
            )
            log.warning("notification %s failed for good: %s", pk, error)
            return "failed"
        Notification.objects.filter(pk=pk, claimed_by=worker).update(
            status=Status.PENDING,
            attempts=attempts,
            last_error=error,
            next_attempt_at=timezone.now() + backoff(attempts),
            claimed_at=None,
            claimed_by="",
        )
        return "retry"


class _ClaimLost(Exception):
    pass


def _claim_is_fresh(n: Notification) -> bool:
    lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS)
    return n.claimed_at is not None and timezone.now() - n.claimed_at < lease / 2


def deliver_due(
    *,
    batch: int = 100,
    max_batches: int | None = None,
    worker: str | None = None,
    mail_connection=None,
) -> Counter:
    """Claim and send due rows until none is left (or `max_batches`); counts of each outcome."""
    worker = worker or worker_id()
    counts: Counter = Counter()
    mail_connection = mail_connection or get_connection()
    batches = 0
    try:
        mail_connection.open()
    except Exception as exc:  # the mail server is down: leave the rows due, try again later
        log.warning("mail connection failed: %s", exc)
    ids: list[int] = []
    try:
        while max_batches is None or batches < max_batches:
            ids = claim(batch, worker=worker)
            if not ids:
                break
            batches += 1
            loaded = Notification.objects.select_related("recipient").in_bulk(ids)  # one query
            for pk in ids:
                row = loaded.get(pk)
                outcome = deliver_one(pk, worker=worker, mail_connection=mail_connection, row=row)
                counts[outcome] += 1
    except BaseException:
        # Interrupted (the task's soft time limit, a warm shutdown): give back what this batch
        # still holds, so it is due again now rather than after the lease.
        try:
            log.warning(
                "delivery interrupted; %s claimed rows given back", release(ids, worker=worker)
            )
        except Exception:  # the database went too: the lease and the sweep will give them back
            log.exception("delivery interrupted; claimed rows wait for the lease")
        raise
    finally:
        try:
            mail_connection.close()
        except Exception:  # noqa: S110 - closing a broken connection
            pass
    return counts


def release(ids: list[int], *, worker: str) -> int:
    """Give back rows this worker claimed but did not finish."""
    if not ids:
        return 0
    return Notification.objects.filter(id__in=ids, status=Status.SENDING, claimed_by=worker).update(
        status=Status.PENDING, claimed_at=None, claimed_by="", next_attempt_at=timezone.now()
    )


def reclaim_stale(lease_seconds: int | None = None) -> int:
    """Give back rows claimed by a worker that died (claimed longer ago than the lease)."""
    lease = (
        lease_seconds if lease_seconds is not None else settings.NOTIFICATION_CLAIM_LEASE_SECONDS
    )
    cutoff = timezone.now() - dt.timedelta(seconds=lease)
    return Notification.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.PENDING, claimed_at=None, claimed_by="", next_attempt_at=timezone.now()
    )


def resend(pk: int) -> bool:
    """An officer asks to send a failed (or sent) message again: it becomes due now."""
    updated = Notification.objects.filter(pk=pk, status__in=RESENDABLE).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
        claimed_by="",
        last_error="",
    )
    if updated:
        transaction.on_commit(_nudge)
    return bool(updated)


def _nudge():

    nudge()
