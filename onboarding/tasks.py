"""Celery tasks of the onboarding app; each can run twice safely."""

from celery import shared_task

from .retention import purge_evidence as purge


@shared_task(acks_late=True, ignore_result=True)
def purge_evidence():
    """Daily: delete the evidence of requests withdrawn or rejected beyond the retention period."""

    return purge()


@shared_task(acks_late=True, ignore_result=True)
def expire_memberships():
    """Just after midnight (Bangkok): pending memberships past their last day become expired."""
    from .membership import expire_memberships as expire

    return expire()
