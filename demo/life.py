"""Demo data with life for `make run`: the portal's clock inside the verification window and one
province (Nakhon Phanom, where the demo accounts are) with what that day would look like.

`prepare_demo()` (command `prepare_demo`, run by `make setup`):

* sets the demo clock to DEMO_INSTANT (Wednesday 16 April 2568, 10:00 Bangkok: the window of
  5-21 April is open, units may use the system, five days are left) unless it already reads an
  instant between that and the window's end; every page's banner says so;
* builds, once, the province's generated data with demo.dataset up to that instant: three
  generated staff per LAO and an officer per district, province and DLA (addresses
  @generated.invalid, names ending "(generated)"), generated units (marked generated), requests
  leaving LAOs verified, in progress (some required positions approved, the others filed,
  returned or not filed), returned, rejected and not started, units' first logins and the
  reminders already sent. The demo accounts' two LAOs are left untouched, for a person to file
  and review requests by hand.

Never in production: DEMO_FEATURES is off there, and the `demo` app is not even installed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied

from core import clock
from core.thai import BANGKOK

from .dataset import (
    WINDOW_END,
    WINDOW_START,
    DatasetExists,
    DatasetResult,
    Scope,
    generate_dataset,
    generated_requests,
)
from .demo_accounts import DEMO_PROVINCE, demo_places

DEMO_INSTANT = dt.datetime(2025, 4, 16, 10, 0, tzinfo=BANGKOK)
# The LAOs' states on that day, in per cent: fewer verified than at the window's end.
DEMO_MIX = {"verified": 35, "submitted": 25, "returned": 12, "rejected": 4, "not_started": 24}
DEMO_SEED = 2568


@dataclass
class DemoResult:
    clock_set: bool  # False: the clock already read an instant inside the window
    clock_at: dt.datetime
    data: DatasetResult | None  # None: the province's data was there already
    existing_requests: int = 0


def demo_scope() -> Scope:
    places = demo_places()
    quiet = frozenset(p.pk for p in (places["lao"], places["lao2"]) if p is not None)
    return Scope(province=DEMO_PROVINCE, until=DEMO_INSTANT, mix=dict(DEMO_MIX), quiet=quiet)


def clock_inside_window() -> bool:
    """Does the clock read an instant from DEMO_INSTANT to the window's end (the data's future
    is never in the past)?"""
    return clock.is_set() and DEMO_INSTANT <= clock.now() < WINDOW_END


def prepare_demo(*, progress=None) -> DemoResult:
    if not settings.DEMO_FEATURES:
        raise PermissionDenied("No demo data in production (DEMO_FEATURES is off).")
    assert WINDOW_START < DEMO_INSTANT < WINDOW_END
    clock_set = not clock_inside_window()
    if clock_set:
        clock.set_clock(DEMO_INSTANT, by="make run (demo)")
    scope = demo_scope()
    data, existing = None, 0
    try:
        data = generate_dataset(seed=DEMO_SEED, scope=scope, progress=progress)
    except DatasetExists:
        existing = generated_requests(scope).count()
    return DemoResult(clock_set, clock.now(), data, existing)
