"""Celery tasks of circulars: reading a letter taken in (OCR, page by page), never in the request.

With a worker (REDIS_URL set) the reading is a task. In the embedded default Celery runs tasks
eagerly, in the calling process: that would hold the upload request for the whole OCR (39.5 s for
a 5-page scan), so there the reading runs in this process's one reading thread instead, one
letter at a time (two CPUs, Tesseract is heavy), and the review page shows its progress.
"""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connections

from .intake.drafts import read_draft

logger = logging.getLogger(__name__)

# OCR takes some 10-30 seconds a page on a shared CPU: a long letter needs more than the
# default limit. The reading stops itself at INTAKE_DRAFT_SECONDS (circulars/intake/limits.py);
# Celery's limits are the backstop. The task claims its draft (status READING) and runs once. It
# runs on the "intake" queue (settings.CELERY_TASK_ROUTES), with its own worker.
OCR_TIME_LIMIT = settings.INTAKE_DRAFT_SECONDS + 120

# Whether the embedded default reads in a thread (tests that want the reading done when the
# upload returns set it to False).
READ_IN_THREAD = True
_reader: ThreadPoolExecutor | None = None
_reader_made = threading.Lock()  # two uploads at once make one reader


@shared_task(
    acks_late=True,
    ignore_result=True,
    time_limit=OCR_TIME_LIMIT,
    soft_time_limit=OCR_TIME_LIMIT - 60,
)
def read_draft_task(draft_id: int):
    return read_draft(draft_id)


def _read_in_thread(draft_id: int) -> bool:
    close_old_connections()
    try:
        return read_draft(draft_id)
    except Exception:  # read_draft fails the draft itself; this is what even that could not do
        logger.exception("the reading thread failed on circular draft %s", draft_id)
        return False
    finally:
        # The thread's own connection: closed, not left for the next letter to find broken.
        connections.close_all()


def start_reading(draft_id: int) -> Future | None:
    """Start reading a draft away from the request: the worker's task, or, where tasks run
    eagerly (no broker), the reading thread. Returns the thread's future (tests wait on it)."""
    global _reader
    if not (read_draft_task.app.conf.task_always_eager and READ_IN_THREAD):
        read_draft_task.delay(draft_id)
        return None
    with _reader_made:
        if _reader is None:
            _reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-reading")
    return _reader.submit(_read_in_thread, draft_id)
