"""Celery tasks of circulars: reading a letter taken in (OCR, page by page)."""

from celery import shared_task
from django.conf import settings

from .intake.drafts import read_draft

# OCR takes some 10-30 seconds a page on a shared CPU: a long letter needs more than the
# default limit. The reading stops itself at INTAKE_DRAFT_SECONDS (circulars/intake/limits.py);
# Celery's limits are the backstop. The task claims its draft (status READING) and runs once. It
# runs on the "intake" queue (settings.CELERY_TASK_ROUTES), with its own worker.
OCR_TIME_LIMIT = settings.INTAKE_DRAFT_SECONDS + 120


@shared_task(
    acks_late=True,
    ignore_result=True,
    time_limit=OCR_TIME_LIMIT,
    soft_time_limit=OCR_TIME_LIMIT - 60,
)
def read_draft_task(draft_id: int):
    return read_draft(draft_id)
