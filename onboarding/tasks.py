"""Celery tasks of the onboarding app; each can run twice safely."""

from celery import shared_task

from .retention import purge_evidence as purge


@shared_task(acks_late=True, ignore_result=True)
def purge_evidence():
    """Daily: delete the evidence of requests withdrawn or rejected beyond the retention period."""

    return purge()
