"""The compliance pages' data version: what a page shows changes only when it changes.

`read()` gives the counters of compliance.models.Changes (one query; its shards summed), which
the database's triggers raise with every statement that writes a table the pages show: for the
whole country, and for each province of the rows written ("*": a write that concerns every
province: a rule, a circular, the clock, a TRUNCATE). A page of the country uses the national
counts; a page of a province, of one of its districts or of one of its LAOs uses the counts of that
province and "*", so a write in another province changes nothing it shows. A version is
those counters (of the tables a page shows) and the instants that move what the page says without
a write: the Bangkok day and hour (today's bar, "N days and H hours left"), the stretch of the
access rules the scope is in (a rule boundary passing opens or closes the window), and, while the
demo clock is set, the minute (its banner shows the time). The figures, the dashboard's body and
the pages' ETags (compliance.etags) are keyed by it, so a change is seen at once, by the next
request, whatever wrote it; nothing is drawn again while nothing changed.

Rules read by a process are kept for POLICY_RULES_CACHE_SECONDS (maintenance.snapshot); a process
that sees the rules' counters move drops its snapshot first, so what it draws for the new
version is drawn from the new rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

from django.db import connection
from django.db.models import JSONField
from django.db.models.expressions import RawSQL

from core import clock
from core.thai import BANGKOK
from maintenance import snapshot

from .models import Changes

EVERY = "*"  # the area key of a write that concerns every province

RULES = ("maintenance_accessrule", "maintenance_discrepancy", "circulars_circular")
# What each page shows (tables by name; compliance/migrations/0002_changes_per_province.py counts
# them, nationally and per province).
LISTS = (
    "onboarding_province",
    "onboarding_district",
    "onboarding_organization",
    "onboarding_verificationrequest",
    "accounts_role",
    "accounts_user",
    "account_emailaddress",  # staff are listed once their address is confirmed (Role.vetted)
    "maintenance_clocksetting",
)
DASHBOARD = (
    "onboarding_province",
    "onboarding_district",
    "onboarding_organization",
    "onboarding_verificationrequest",
    "accounts_role",
    "notifications_notification",
    "circulars_delivery",
    "maintenance_clocksetting",
    *RULES,
)

_lock = threading.Lock()
_rules_seen: tuple | None = None


def read(province: str | None = None) -> dict[str, int]:
    """The counters now, the shards summed (one query): the national count of each table, and
    with `province` (its code) the province's counts and "*"'s summed, under `area_key(table,
    province)`. Drops this process's rules snapshot if the rules moved."""
    global _rules_seen
    counters: dict[str, int] = {} if province is None else {f"@{province}": 1}  # (read for it)
    for shard, *areas in _query(province):
        for table, n in shard.items():
            counters[table] = counters.get(table, 0) + n
        for area in areas:
            for table, n in (area or {}).items():
                key = area_key(table, province)
                counters[key] = counters.get(key, 0) + n
    rules = tuple(counters.get(t) for t in RULES)
    if rules != _rules_seen:
        with _lock:  # the first read too: the snapshot may be older than these counters
            snapshot.forget()
            _rules_seen = rules
    return counters


def _area(code: str) -> RawSQL:
    """One province's object of a shard's `areas`, read in the database (not the whole column)."""
    if connection.vendor == "postgresql":
        return RawSQL("areas -> %s", (code,), output_field=JSONField())
    return RawSQL("json_extract(areas, %s)", (f'$."{code}"',), output_field=JSONField())


def _query(province: str | None):
    rows = Changes.objects.all()
    if province is None:
        return rows.values_list("counts")
    return rows.annotate(mine=_area(province), every=_area(EVERY)).values_list(
        "counts", "mine", "every"
    )


def area_key(table: str, province: str | None) -> str:
    """The key of a table's counter in `read(province)`: the national one without a province."""
    return f"{table}@{province}" if province else table


def instant_part(at: dt.datetime) -> str:
    """The part of a version the clock moves: the Bangkok hour; the minute under a demo clock."""
    local = at.astimezone(BANGKOK)
    return f"{local:%Y%m%d%H%M}" if clock.is_set() else f"{local:%Y%m%d%H}"


def of(
    counters: dict[str, int], tables: tuple[str, ...], *more, province: str | None = None
) -> str:
    """A short digest of the counters of `tables` (the province's with `province`, read by
    `read(province)`; else the national ones) and `more` (instants, a rules stretch)."""
    if province is not None and f"@{province}" not in counters:
        raise ValueError(f"counters not read for the province {province}")
    digest = hashlib.blake2b(digest_size=9)
    for table in tables:
        key = area_key(table, province)
        digest.update(f"{key}={counters.get(key)};".encode())
    for part in more:
        digest.update(f"{part};".encode())
    return digest.hexdigest()
