"""Writing notifications into the outbox, in the caller's transaction, and nudging the workers.

`queue()` inserts rows with ON CONFLICT DO NOTHING on (recipient, kind, subject, period), so
running the same pass twice creates nothing. The nudge to the broker is sent after commit and
may fail (Redis down): the rows wait, and the periodic sweep delivers them later.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import OFFICER_KINDS
from accounts.scope import officer_area
from core import clock
from core.scoping import Action, rule

from .messages import Message, greet
from .models import Notification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    recipient_id: int
    kind: str
    subject_key: str
    period: str
    message: Message
    recipient_name: str = ""
    circular_id: int | None = None


def queue(items: list[Outgoing], *, nudge_workers: bool = True) -> tuple[int, int]:
    """Write the rows that do not exist yet; (created, already existed). Call inside a
    transaction."""
    if not items:
        return 0, 0
    now = clock.now()  # the portal's time: what the inbox shows
    due = timezone.now()  # the real time: what the workers compare `next_attempt_at` with
    keys = {(i.recipient_id, i.kind, i.subject_key, i.period) for i in items}
    existing = _existing_keys(keys)
    new = [i for i in items if (i.recipient_id, i.kind, i.subject_key, i.period) not in existing]
    rows = []
    for i in new:
        message = greet(i.message, i.recipient_name)
        rows.append(
            Notification(
                recipient_id=i.recipient_id,
                kind=i.kind,
                subject_key=i.subject_key,
                period=i.period,
                circular_id=i.circular_id,
                title_th=message.title_th[:255],
                title_en=message.title_en[:255],
                body_text=message.text,
                body_html=message.html,
                created_at=now,
                next_attempt_at=due,
            )
        )
    before = _count(keys)
    Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    created = _count(keys) - before
    if created and nudge_workers:
        transaction.on_commit(lambda: nudge(created))
    return created, len(keys) - created


def _existing_keys(keys: set[tuple]) -> set[tuple]:
    found = set()
    by_group: dict[tuple[str, str], set[int]] = {}
    for recipient, kind, _subject, period in keys:
        by_group.setdefault((kind, period), set()).add(recipient)
    for (kind, period), recipients in by_group.items():
        found.update(
            Notification.objects.filter(
                kind=kind, period=period, recipient_id__in=recipients
            ).values_list("recipient_id", "kind", "subject_key", "period")
        )
    return found & keys


def _count(keys: set[tuple]) -> int:
    return len(_existing_keys(keys))


def nudges_for(rows: int) -> int:
    """How many delivery tasks `rows` new rows deserve: one per NOTIFICATION_ROWS_PER_NUDGE, at
    least one, at most NOTIFICATION_NUDGE_FANOUT. Each task claims batches until nothing is due,
    so extra tasks only let more workers share the work; they never send anything twice."""
    per = settings.NOTIFICATION_ROWS_PER_NUDGE
    return max(1, min(settings.NOTIFICATION_NUDGE_FANOUT, math.ceil(rows / per)))


def nudge(rows: int = 1) -> bool:
    """Tell workers there is mail, enough of them for `rows` rows. With the broker down, log it:
    the sweep will deliver."""
    from .tasks import deliver_notifications  # the tasks module imports this one

    try:
        for _ in range(nudges_for(rows)):
            deliver_notifications.apply_async(retry=False)
    except Exception as exc:  # the broker is down or unreachable: nothing is lost, the rows wait
        log.warning(
            "could not nudge the notification workers (%s); the periodic sweep will deliver", exc
        )
        return False
    return True


@rule("notifications.Notification", Action.VIEW)
def _inbox(queryset, user):
    """A user's own messages."""
    return queryset.filter(recipient=user)


UNREAD_ATTR = "_elaas_unread"  # the count, read once per request


def unread_count_expression():
    """The number of unread messages of the user row it is annotated on, as a subquery (read
    with the user by elaas_portal.backends: the badge costs no query of its own)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread), 0)


def unread_count(user) -> int:
    """The inbox badge: counted on each request (a partial index on unread rows answers it)."""
    n = getattr(user, UNREAD_ATTR, None)
    if n is None:
        n = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        setattr(user, UNREAD_ATTR, n)
    return n


@transaction.atomic
def mark_read(notification: Notification, *, reader=None) -> None:
    """Mark read; `reader`: the request's user, whose badge on this page must count it."""
    if (
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=clock.now()
        )
        and reader is not None
    ):
        drop_unread_attr(reader)


def drop_unread_attr(user) -> None:
    """Count again on this request (`user` may be request.user, a lazy object: delattr goes
    through)."""
    try:
        delattr(user, UNREAD_ATTR)
    except AttributeError:
        pass


@rule("notifications.Notification", Action.REVIEW)
def _log(queryset, user):
    """Delivery log rows an officer may see: notifications to people in their area."""

    national, provinces, districts = officer_area(user, OFFICER_KINDS)
    qs = queryset.select_related("recipient")
    if national:
        return qs
    area = Q(recipient__roles__organization__district__province_id__in=provinces) | Q(
        recipient__roles__district__province_id__in=provinces
    )
    area |= Q(recipient__roles__organization__district_id__in=districts) | Q(
        recipient__roles__district_id__in=districts
    )
    area |= Q(recipient__roles__province_id__in=provinces)
    return qs.filter(area).distinct()
