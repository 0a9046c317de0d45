"""Log lines that say which request or task they belong to, as JSON or as text.

`RequestIdMiddleware` (core/middleware.py) puts the request's id in `current_request_id` for the
length of the request; a Celery task's id comes from Celery's own record of the task running in
this thread. `ContextFilter`, on the console handler, adds both to every record that reaches it
(records of any logger, ours, Django's or a library's), and `JsonFormatter` writes one JSON
object a line for the log collector.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import random
import re

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default=""
)

# What an incoming X-Request-ID may look like to be kept (a UUID, nginx's $request_id, a trace
# id): letters, digits and . _ : -, at most 128 characters. Anything else is replaced, so that
# no one can write a line break or a megabyte into every log line.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_from(incoming: str | None) -> str:
    """The incoming id if it is well-formed, otherwise a new one: 32 hex digits, 128 random bits
    from `random` (seeded again in each forked worker), not `uuid4`, whose `os.urandom` system
    call cost 12 us of a 120 us request on this kind of machine. An id names a request in the
    logs; it is no secret, so it needs no cryptographic randomness."""
    if incoming and _WELL_FORMED.fullmatch(incoming):
        return incoming
    return f"{random.getrandbits(128):032x}"


def current_task_id() -> str:
    try:
        from celery._state import get_current_task
    except ImportError:  # pragma: no cover - Celery is a dependency
        return ""
    task = get_current_task()
    return (getattr(task.request, "id", None) or "") if task is not None else ""


class ContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` (empty when there is none) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # Django logs a 4xx or 5xx answer ("Service Unavailable: /readyz/") after the
            # middleware has returned, with the request on the record.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", "") or current_request_id.get()
        if not getattr(record, "task_id", ""):
            record.task_id = current_task_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id,
    task_id, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "task_id"):
            value = getattr(record, key, "")
            if value:
                entry[key] = value
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
