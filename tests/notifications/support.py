"""Helpers shared by the notification tests: the ladder as the migration seeds it, what the ladder
asks for on a day (worked out here, independently of `notifications.reminders`), rows in bulk,
and the Celery app pointed at a broker for the length of a block.
"""

from __future__ import annotations

import datetime as dt
import importlib
from contextlib import contextmanager
from dataclasses import dataclass

from core.thai import BANGKOK
from notifications.messages import Message
from notifications.models import Anchor, Kind
from tests import keyspace

DEFAULT_LADDER = importlib.import_module("notifications.migrations.0002_reminder_ladder").LADDER
MESSAGE = Message(
    title_th="ทดสอบ", title_en="Test", text="ข้อความทดสอบ\n", html="<p>ข้อความทดสอบ</p>"
)
WINDOW_KINDS = (Kind.LAO_REMINDER, Kind.DISTRICT_DIGEST, Kind.PROVINCE_SUMMARY, Kind.DLA_SUMMARY)


def seed_ladder():
    """The default ladder, as migration 0002 writes it (a flushing test may have removed it)."""
    from notifications.models import ReminderStep

    for kind, anchor, days, repeat in DEFAULT_LADDER:
        ReminderStep.objects.get_or_create(
            kind=kind, anchor=anchor, days=days, defaults={"repeat": repeat}
        )
    return list(ReminderStep.objects.all())


@dataclass(frozen=True)
class Calendar:
    """The days the circular sets: LAOs verify from `opens` to `last_day`; units use the system
    from `units_open`."""

    opens: dt.date
    last_day: dt.date
    units_open: dt.date


def calendar_of(circular) -> Calendar:
    """Read the window from the circular's own rules (clause 1 for LAOs, clause 2 for units)."""
    from maintenance.models import AccessRule

    rules = AccessRule.objects.filter(circular=circular)
    lao = rules.get(action="verify_identity", entity_type="lao", identity_verified=False)
    unit = rules.get(action="use_system", entity_type="unit", effect="allow")
    return Calendar(
        opens=lao.starts_at.astimezone(BANGKOK).date(),
        last_day=(lao.ends_at - dt.timedelta(microseconds=1))
        .astimezone(BANGKOK)
        .date(),  # exclusive end
        units_open=unit.starts_at.astimezone(BANGKOK).date(),
    )


def kinds_due(day: dt.date, steps, cal: Calendar) -> set[str]:
    """Which kinds of message the ladder asks for on `day`: one rung fires on its day, or, with
    `repeat`, on every day from its day to the end of the window."""
    due = set()
    for step in steps:
        if not step.active:
            continue
        if step.anchor == Anchor.WINDOW_OPENS:
            first, end = cal.opens + dt.timedelta(days=step.days), cal.last_day
        elif step.anchor == Anchor.WINDOW_LAST_DAY:
            first, end = cal.last_day - dt.timedelta(days=step.days), cal.last_day
        else:
            first, end = cal.units_open + dt.timedelta(days=step.days), dt.date.max
        if step.anchor != Anchor.UNIT_OPENING and not (cal.opens <= day <= cal.last_day):
            continue
        if day == first or (step.repeat and first <= day <= end):
            due.add(step.kind)
    return due


def bangkok(text: str) -> dt.datetime:
    """'2025-04-10 09:00' as an aware Bangkok instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BANGKOK)


def make_users(n: int, prefix: str = "bulk") -> list:
    """`n` users without a usable password, inserted in one statement."""
    from accounts.models import User

    users = [
        User(email=f"{prefix}-{i}@test.example", full_name=f"{prefix} {i}", password="!")
        for i in range(n)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    return list(User.objects.filter(email__startswith=f"{prefix}-").order_by("id"))


def outgoing_for(users, *, period: str = "2025-04-18", kind: str = Kind.LAO_REMINDER) -> list:
    from notifications.services import Outgoing

    return [Outgoing(u.pk, kind, f"test:{u.pk}", period, MESSAGE, u.full_name) for u in users]


def lao_staff_in_one_district(n: int, province, prefix: str = "staff"):
    """`n` unverified SAOs in a new district of `province`, each with one clerk."""
    from allauth.account.models import EmailAddress

    from accounts.models import Role
    from registry.models import District, Organization

    district = District.objects.create(
        code=f"{province.code}90", province=province, name_th="ทดสอบจำนวนมาก"
    )
    Organization.objects.bulk_create(
        [
            Organization(
                kind="SAO",
                dla_code=f"9{province.code}{i:04d}",
                name_th=f"ทดสอบ {i}",
                district=district,
            )
            for i in range(n)
        ]
    )
    orgs = list(Organization.objects.filter(district=district).order_by("id"))
    users = make_users(n, prefix)
    EmailAddress.objects.bulk_create(  # vetted staff: only they are reminded
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    Role.objects.bulk_create(
        [
            Role(user=u, kind="lao_staff", organization=o, position="permanent_secretary")
            for u, o in zip(users, orgs, strict=True)
        ]
    )
    return users


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    return keyspace.free_port()


@contextmanager
def celery_app(
    *, broker_url: str | None = None, eager: bool | None = None, default_queue: str | None = None
):
    """The project's Celery app with another broker, eagerness or default queue, for one block.

    The app caches its connection pool and producer pool: they are dropped on the way in and out
    so that the next publish connects to the broker now configured.
    """
    from elaas_portal.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue)

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    if broker_url is not None:
        app.conf.broker_url = broker_url
    if eager is not None:
        app.conf.task_always_eager = eager
        app.conf.task_eager_propagates = True
    if default_queue is not None:
        app.conf.task_default_queue = default_queue
    reset_pools()
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = saved
        reset_pools()
