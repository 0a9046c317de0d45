"""The database side of the policy: an immutable `Policy` built from the stored rules.

The decision itself (`maintenance.policy`) never touches the ORM. The decision API answers
without a query (bench/: it is the portal's most called door), so each process keeps one
snapshot for at most POLICY_RULES_CACHE_SECONDS (default 10), declared with what it depends on
in maintenance.caches.POLICY_SNAPSHOT: a save or delete of a rule or of a letter, by a service,
the admin or a shell, drops it at once in the writing process, and again after commit; other
processes see the change within that time.
"""

import threading
import time

from django.conf import settings
from django.db import transaction

from .models import AccessRule
from .policy import CircularInfo, Policy, rule_from

_lock = threading.Lock()
_cached: tuple[float, Policy] | None = None


def build_policy() -> Policy:
    """The rules with the letters that carry them (a letter without rules decides nothing)."""
    rows = list(AccessRule.objects.select_related("circular__province", "circular__district"))
    circulars = {}
    for r in rows:
        c = r.circular
        circulars[c.id] = CircularInfo(
            id=c.id,
            number=c.number,
            authority_level=c.authority,
            issued_on=c.issued_on,
            province_code=c.province.code if c.province_id else None,
            district_code=c.district.code if c.district_id else None,
            forwards_id=c.forwards_id,
        )
    rules = [rule_from(r, id=r.id, circular_id=r.circular_id) for r in rows]
    return Policy(list(circulars.values()), rules)


def current_policy() -> Policy:
    global _cached
    policy = kept_policy()
    if policy is not None:
        return policy
    with _lock:
        policy = build_policy()
        _cached = (time.monotonic(), policy)
        return policy


def kept_policy() -> Policy | None:
    """The snapshot this process keeps, while it is fresh; None when the next decision would read
    the rules (maintenance.caching keeps only answers of the snapshot kept)."""
    cached = _cached
    if cached is not None and time.monotonic() - cached[0] < settings.POLICY_RULES_CACHE_SECONDS:
        return cached[1]
    return None


def forget() -> None:
    """Read the rules again on the next decision (now, and once more after commit)."""
    global _cached
    _cached = None
    transaction.on_commit(_drop)


def _drop() -> None:
    global _cached
    _cached = None
