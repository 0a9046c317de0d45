"""Celery tasks: each takes no payload but ids or days, claims its work, and can run twice."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications():
    from .delivery import deliver_due

    return dict(deliver_due())


@shared_task(acks_late=True, ignore_result=True)
def sweep_notifications():
    """Periodic: give back rows of dead workers, then deliver whatever is due (the broker may
    have been down when the rows were written)."""
    from .delivery import deliver_due, due_count, reclaim_stale
    from .services import nudge, nudges_for

    reclaimed = reclaim_stale()
    due = due_count()
    if nudges_for(due) > 1:  # a backlog (the broker was down): let the other workers share it
        nudge(due)
    counts = dict(deliver_due())
    counts["reclaimed"] = reclaimed
    return counts


@shared_task(acks_late=True, ignore_result=True)
def daily_reminder_pass(day: str | None = None):
    import datetime as dt

    from .reminders import run_pass, today

    return run_pass(dt.date.fromisoformat(day) if day else today(), trigger="daily").as_dict()


@shared_task(acks_late=True, ignore_result=True)
def window_opening_check():
    """Periodic: run a pass when a verification window has opened today and none ran for it."""
    from .reminders import run_opening_passes

    return run_opening_passes()
