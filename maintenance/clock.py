"""The portal's clock: the real time, or, outside production, an instant set for tests and demos.

Every access decision asks `now()` here instead of `timezone.now()`. With DEMO_FEATURES off
(ELAAS_ENV=production) the setting is never read and cannot be written. A process keeps what it
read for CLOCK_CACHE_SECONDS; saving or clearing the setting in this process drops it at once.
"""

import datetime as dt
import threading
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

_lock = threading.Lock()
_cached: tuple[float, dt.timedelta | None] | None = None


def _offset() -> dt.timedelta | None:
    global _cached
    cached = _cached
    mono = time.monotonic()
    if cached is not None and mono - cached[0] < settings.CLOCK_CACHE_SECONDS:
        return cached[1]
    from .models import ClockSetting

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
    from .models import ClockSetting

    if not settings.DEMO_FEATURES:
        raise PermissionDenied("The portal's clock cannot be set in production.")
    if timezone.is_naive(instant):
        raise ValueError("set_clock needs an aware datetime")
    ClockSetting.objects.update_or_create(
        pk=1, defaults={"set_to": instant, "set_at": timezone.now(), "set_by": by}
    )
    invalidate()


def reset_clock() -> None:
    from .models import ClockSetting

    ClockSetting.objects.filter(pk=1).delete()
    invalidate()


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None
