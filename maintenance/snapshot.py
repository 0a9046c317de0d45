"""The database side of the policy: a cached, immutable `Policy` built from the stored rules.

The decision itself (`maintenance.policy`) never touches the ORM. Each process keeps one
snapshot for POLICY_RULES_CACHE_SECONDS and drops it at once when this process saves a
circular or a rule, so the decision API answers from memory.
"""

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from .policy import CircularInfo, Policy, Rule

_lock = threading.Lock()
_cached: tuple[float, Policy] | None = None


def build_policy() -> Policy:
    from circulars.models import Circular

    from .models import AccessRule

    circulars = [
        CircularInfo(
            id=c.id,
            number=c.number,
            authority_level=c.authority,
            issued_on=c.issued_on,
            province_code=c.province.code if c.province_id else None,
            district_code=c.district.code if c.district_id else None,
            forwards_id=c.forwards_id,
        )
        for c in Circular.objects.select_related("province", "district")
    ]
    rules = [
        Rule(
            id=r.id,
            circular_id=r.circular_id,
            action=r.action,
            effect=r.effect,
            entity_type=r.entity_type,
            identity_verified=r.identity_verified,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            clause=r.clause,
            reason_th=r.reason_th,
            reason_en=r.reason_en,
        )
        for r in AccessRule.objects.all()
    ]
    return Policy(circulars, rules)


def current_policy() -> Policy:
    global _cached
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - cached[0] < settings.POLICY_RULES_CACHE_SECONDS:
        return cached[1]
    with _lock:
        policy = build_policy()
        _cached = (now, policy)
        return policy


def invalidate(**kwargs) -> None:
    global _cached
    _cached = None


def connect_signals() -> None:
    from circulars.models import Circular

    from .models import AccessRule

    for model in (Circular, AccessRule):
        post_save.connect(
            invalidate, sender=model, dispatch_uid=f"policy-invalidate-save-{model.__name__}"
        )
        post_delete.connect(
            invalidate, sender=model, dispatch_uid=f"policy-invalidate-del-{model.__name__}"
        )
