"""The portal's clock: the real time, or, outside production, an instant set for tests and demos.

Every access decision asks `now()` here instead of `timezone.now()`. With DEMO_FEATURES off
(ELAAS_ENV=production) the setting is never read and cannot be written. A process keeps what it
read for CLOCK_CACHE_SECONDS; saving or clearing the setting in this process drops it at once.
"""

import datetime as dt
import re
import threading
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import ClockSetting
from .thai import BANGKOK, FIRST_YEAR, LAST_YEAR, to_arabic_digits

_lock = threading.Lock()
_cached: tuple[float, dt.timedelta | None] | None = None


def _offset() -> dt.timedelta | None:
    global _cached
    cached = _cached
    mono = time.monotonic()
    if cached is not None and mono - cached[0] < settings.CLOCK_CACHE_SECONDS:
        return cached[1]
    row = ClockSetting.objects.filter(pk=1).first()
    offset = (row.set_to - row.set_at) if row else None
    with _lock:
        _cached = (mono, offset)
    return offset


def now() -> dt.datetime:
    """The portal's current instant (aware, UTC)."""
    real = timezone.now()
    if not settings.DEMO_FEATURES:
        return real
    offset = _offset()
    return real + offset if offset is not None else real


def is_set() -> bool:
    return settings.DEMO_FEATURES and _offset() is not None


def set_clock(instant: dt.datetime, *, by: str = "") -> None:
    """Make the portal's clock read `instant` now and run on from there."""
    if not settings.DEMO_FEATURES:
        raise PermissionDenied("The portal's clock cannot be set in production.")
    if timezone.is_naive(instant):
        raise ValueError("set_clock needs an aware datetime")
    ClockSetting.objects.update_or_create(
        pk=1, defaults={"set_to": instant, "set_at": timezone.now(), "set_by": by}
    )
    invalidate()


def reset_clock() -> None:
    ClockSetting.objects.filter(pk=1).delete()
    invalidate()


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None


class ParamError(ValueError):
    """A bad or missing parameter; `param` names it, the message says what is expected."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


def parse_instant(raw: str | None, param: str = "at") -> dt.datetime:
    """ISO 8601 in Thai or Arabic digits; without an offset it is Bangkok time."""
    if raw is None or raw.strip() == "":
        return now()
    value = to_arabic_digits(raw.strip())
    # A '+' in an unencoded query string arrives as a space: "…T23:59:59 07:00".
    value = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value)
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ParamError(
            param, f"{param}={raw!r} is not an ISO 8601 date-time, e.g. 2025-04-21T23:59:59+07:00"
        ) from None
    if at.year >= 2400:  # a Buddhist-era year typed into an ISO date
        try:
            at = at.replace(year=at.year - 543)
        except ValueError:
            raise ParamError(param, f"{param}={raw!r} is not a date that exists") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=BANGKOK)
    if not FIRST_YEAR <= at.year <= LAST_YEAR:  # far years overflow once converted to UTC
        raise ParamError(
            param, f"{param}={raw!r} is outside the years {FIRST_YEAR} to {LAST_YEAR} (or their BE)"
        )
    return at
