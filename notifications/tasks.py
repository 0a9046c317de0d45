"""Celery tasks: each takes no payload but ids or days, claims its work, and can run twice."""

import datetime as dt

from celery import shared_task

from .delivery import deliver_due, due_count, reclaim_stale
from .reminders import run_opening_passes, run_pass, today
from .services import nudge, nudges_for


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications():

    return dict(deliver_due())


@shared_task(acks_late=True, ignore_result=True)
def sweep_notifications():
    """Periodic: give back rows of dead workers, then deliver whatever is due (the broker may
    have been down when the rows were written)."""

    reclaimed = reclaim_stale()
    due = due_count()
    if nudges_for(due) > 1:  # a backlog (the broker was down): let the other workers share it
        nudge(due)
    counts = dict(deliver_due())
    counts["reclaimed"] = reclaimed
    return counts


@shared_task(acks_late=True, ignore_result=True)
def daily_reminder_pass(day: str | None = None):

    return run_pass(dt.date.fromisoformat(day) if day else today(), trigger="daily").as_dict()


@shared_task(acks_late=True, ignore_result=True)
def window_opening_check():
    """Periodic: run a pass when a verification window has opened today and none ran for it."""

    return run_opening_passes()
