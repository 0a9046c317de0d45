"""The numbers officers see: computed with a fixed number of grouped queries, whatever the size.

An LAO is in exactly one state: verified (its identity_verified_at has passed), else in progress
(a request for a required position is approved: k of n verified), else submitted (a request waits
for review), else returned (a request waits for correction), else rejected (its last decision was
a rejection and nothing is open), else not started. The same function gives the
dashboard, the API and the exports their numbers, so the three always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, RoleKind
from circulars.models import Delivery, DeliveryLevel
from core import clock
from core.db import ThaiCollate
from core.thai import BANGKOK, bangkok_midnight
from maintenance.policy import Action, EntityType, Subject
from maintenance.snapshot import current_policy
from notifications.models import Kind, Notification, Status
from onboarding.models import DECIDED_STATES, RequestState, VerificationRequest
from onboarding.positions import (
    LIVE_STATES,
    PositionRow,
    PositionState,
    position_states,
    required_position_values,
    required_positions,
)
from registry.models import LAO_KINDS, District, Organization, Province

from . import caches
from .scope import Scope, ScopeLevel
from .states import LATE_STATES, LaoState


def last_decision_rejected(laos):
    """The ids among `laos` (ids) of the LAOs whose last decision (by decided_at, then id) is a
    rejection.

    The last decision stands: an approval after a rejection (one position of two) is no
    rejection. Written as "a rejection with no later decision", a subquery that does not depend
    on the outer LAO: PostgreSQL runs it once and hashes it, where a per-LAO "latest decision"
    subquery costs a sort per LAO (and, over the whole country, JIT compilation).
    """
    decisions = VerificationRequest.objects.filter(state__in=DECIDED_STATES)
    later = decisions.filter(organization=OuterRef("organization")).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), id__gt=OuterRef("id"))
    )
    rejections = VerificationRequest.objects.filter(
        state=RequestState.REJECTED, organization__in=laos
    )
    return rejections.filter(~Exists(later)).values("organization_id")


def with_state(laos, at: dt.datetime):
    """Annotate LAOs with `state` (a LaoState) at `at`."""
    requests = VerificationRequest.objects.filter(organization=OuterRef("pk"))
    rejected = last_decision_rejected(laos.values("pk"))
    return laos.annotate(
        _in_progress=Exists(
            requests.filter(state=RequestState.APPROVED, position__in=required_position_values())
        ),
        _submitted=Exists(requests.filter(state=RequestState.SUBMITTED)),
        _returned=Exists(requests.filter(state=RequestState.RETURNED)),
    ).annotate(
        state=Case(
            When(identity_verified_at__lte=at, then=Value(LaoState.VERIFIED)),
            When(_in_progress=True, then=Value(LaoState.IN_PROGRESS)),
            When(_submitted=True, then=Value(LaoState.SUBMITTED)),
            When(_returned=True, then=Value(LaoState.RETURNED)),
            When(pk__in=rejected, then=Value(LaoState.REJECTED)),
            default=Value(LaoState.NOT_STARTED),
            output_field=CharField(),
        )
    )


def empty_counts() -> dict:
    return {"total": 0, **{s.value: 0 for s in LaoState}}


def _add(counts: dict, state: str, n: int) -> None:
    counts["total"] += n
    counts[state] += n


def share(counts: dict) -> float:
    verified = counts[LaoState.VERIFIED]
    return round(100.0 * verified / counts["total"], 1) if counts["total"] else 0.0


def child_level(scope: Scope) -> ScopeLevel:
    """What the scope's breakdown lists: the provinces of the country, and so on down."""
    return {
        ScopeLevel.COUNTRY: ScopeLevel.PROVINCE,
        ScopeLevel.PROVINCE: ScopeLevel.DISTRICT,
        ScopeLevel.DISTRICT: ScopeLevel.LAO,
    }[scope.level]


def compute(scope: Scope, at: dt.datetime | None = None) -> dict:
    """Every number of a dashboard for `scope` at `at` (default: the portal's now)."""
    at = at or clock.now()
    level = child_level(scope)
    group = {
        ScopeLevel.PROVINCE: "district__province_id",
        ScopeLevel.DISTRICT: "district_id",
        ScopeLevel.LAO: "id",
    }[level]

    laos = empty_counts()
    by_kind: dict[str, dict] = {k: empty_counts() for k in sorted(LAO_KINDS)}
    children: dict[int, dict] = defaultdict(empty_counts)
    # One row per LAO, counted here: grouping by `state` in SQL would make PostgreSQL evaluate its
    # subqueries twice per LAO (sort and group), which over the country crosses jit_above_cost.
    rows = Counter(with_state(scope.laos(), at).values_list(group, "kind", "state").order_by())
    for (child, kind, state), n in rows.items():
        _add(laos, state, n)
        _add(by_kind[kind], state, n)
        _add(children[child], state, n)

    unit_group = {
        ScopeLevel.PROVINCE: "district__province_id",
        ScopeLevel.DISTRICT: "district_id",
        ScopeLevel.LAO: "parent_id",
    }[level]
    units = {"total": 0, "logged_in": 0}
    unit_children: dict[int, dict] = defaultdict(lambda: {"total": 0, "logged_in": 0})
    for row in (
        scope.units()
        .values(unit_group)
        .annotate(
            total=Count("id"),
            logged_in=Count("id", filter=Q(first_login_at__isnull=False, first_login_at__lte=at)),
        )
        .order_by()
    ):
        units["total"] += row["total"]
        units["logged_in"] += row["logged_in"]
        unit_children[row[unit_group]] = {"total": row["total"], "logged_in": row["logged_in"]}

    return {
        "scope": scope,
        "level": level,
        "as_of": at,
        "laos": laos,
        "share_verified": share(laos),
        "by_kind": {k: v for k, v in by_kind.items() if v["total"]},
        "children": _children(scope, level, children, unit_children, at),
        "units": units,
        "oldest_waiting": _oldest_waiting(scope),
        "window": window(scope, at),
        "per_day": per_day(scope, at),
        "reminders": reminder_counts(scope),
        "circulars": circular_counts(scope),
    }


def lao_positions(ids: list[int]) -> dict[int, list]:
    """LAO id → the state of each of its required positions (`onboarding.positions`), for the
    LAOs of `ids`, in one query."""
    requests = VerificationRequest.objects.filter(
        organization_id__in=ids, state__in=LIVE_STATES
    ).only("organization_id", "position", "state", "national_id_hash", "decided_at", "submitted_at")
    by_lao: dict[int, list] = defaultdict(list)
    for vr in requests.order_by():
        by_lao[vr.organization_id].append(vr)
    return {pk: position_states(by_lao.get(pk, [])) for pk in ids}


def positions_summary(rows) -> list[dict]:
    """The positions as plain data (the API, the cached figures): each group and its state."""
    return [{"positions": list(row.positions), "state": str(row.state)} for row in rows]


def _children(scope, level, counts, unit_counts, at) -> list[dict]:
    if level == ScopeLevel.PROVINCE:
        objects = Province.objects.order_by("code")
    elif level == ScopeLevel.DISTRICT:
        objects = District.objects.filter(province=scope.province).order_by("code")
    else:
        objects = Organization.objects.laos().filter(district=scope.district).order_by("dla_code")
    is_lao = level == ScopeLevel.LAO
    objects = list(objects)
    positions = lao_positions([o.pk for o in objects]) if is_lao else {}
    out = []
    for obj in objects:
        c = counts.get(obj.pk) or empty_counts()
        if not is_lao and not c["total"]:
            continue
        row = {}
        if is_lao:  # one LAO: its state, and where each required position stands
            rows = positions.get(obj.pk, [])
            row = {
                "state": next((s for s in LaoState if c[s]), LaoState.NOT_STARTED),
                "positions": positions_summary(rows),
                "positions_verified": sum(r.done for r in rows),
                "positions_required": len(rows),
            }
        out.append(
            {
                **row,
                "object": obj,
                "code": obj.dla_code if is_lao else obj.code,
                "name_th": obj.display_name if is_lao else obj.name_th,
                "name_en": obj.name_en or (obj.display_name if is_lao else obj.name_th),
                "laos": c,
                "share_verified": share(c),
                "units": unit_counts.get(obj.pk, {"total": 0, "logged_in": 0}),
            }
        )
    return out


def _oldest_waiting(scope: Scope):
    return (
        VerificationRequest.objects.filter(
            scope.lao_filter("organization__"), state=RequestState.SUBMITTED
        )
        .select_related("organization__district__province")
        .order_by("submitted_at", "id")
        .first()
    )


def window(scope: Scope, at: dt.datetime) -> dict | None:
    """The verification window for unverified LAOs of the scope: open now, or next, and time
    left."""
    province = scope.province or (scope.district.province if scope.district else None)
    subject = Subject(
        EntityType.LAO,
        False,
        province_code=province.code if province else None,
        district_code=scope.district.code if scope.district else None,
    )
    decision = current_policy().decide(subject, Action.VERIFY_IDENTITY, at)
    if decision.allowed:
        left = (decision.valid_until - at) if decision.valid_until else None
        return {
            "open": True,
            "decision": decision,
            "opens": decision.valid_from,
            "ends": decision.valid_until,
            "days_left": left.days if left else None,
            "hours_left": (left.seconds // 3600) if left else None,
        }
    return {"open": False, "decision": decision, "opens": decision.valid_until, "ends": None}


def per_day(scope: Scope, at: dt.datetime) -> list[dict]:
    """LAOs verified per Bangkok day over the window (or the last 30 days), with days left."""
    w = window(scope, at)
    today = at.astimezone(BANGKOK).date()
    if w and w["open"] and w["opens"]:
        first = w["opens"].astimezone(BANGKOK).date()
        last = (
            (w["ends"] - dt.timedelta(seconds=1)).astimezone(BANGKOK).date() if w["ends"] else today
        )
    else:
        first, last = today - dt.timedelta(days=29), today
    if (last - first).days > 60:
        first = last - dt.timedelta(days=60)
    counts = dict(
        scope.laos()
        .filter(
            identity_verified_at__gte=bangkok_midnight(first),
            identity_verified_at__lt=bangkok_midnight(last + dt.timedelta(days=1)),
        )
        .filter(identity_verified_at__lte=at)
        .annotate(day=TruncDate("identity_verified_at", tzinfo=BANGKOK))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("day", "n")
    )
    out, day = [], first
    while day <= last:
        out.append(
            {
                "day": day,
                "verified": counts.get(day, 0),
                "days_left": (last - day).days,
                "is_today": day == today,
                "future": day > today,
            }
        )
        day += dt.timedelta(days=1)
    return out


def reminder_counts(scope: Scope) -> dict:

    notes = Notification.objects.all()
    if scope.level != ScopeLevel.COUNTRY:
        people = Role.objects.filter(
            scope.lao_filter("organization__") | _officer_filter(scope)
        ).values("user_id")
        notes = notes.filter(recipient_id__in=people)
    # Grouped by (status, kind) and summed here: the (status, kind, recipient) index answers it
    # alone (an index-only scan), where COUNT(id) FILTER (...) reads every row.
    counts = {"sent": 0, "failed": 0, "waiting": 0, "escalations": 0}
    for status, kind, n in notes.values_list("status", "kind").annotate(n=Count("*")).order_by():
        if status == Status.SENT:
            counts["sent"] += n
        elif status == Status.FAILED:
            counts["failed"] += n
        elif status in (Status.PENDING, Status.SENDING):
            counts["waiting"] += n
        if kind in (Kind.DISTRICT_DIGEST, Kind.PROVINCE_SUMMARY, Kind.DLA_SUMMARY):  # escalations
            counts["escalations"] += n
    return counts


def _officer_filter(scope: Scope) -> Q:
    if scope.district:
        return Q(kind=RoleKind.DISTRICT_OFFICER, district_id=scope.district.pk)
    return Q(kind=RoleKind.DISTRICT_OFFICER, district__province_id=scope.province.pk) | Q(
        kind=RoleKind.PROVINCE_OFFICER, province_id=scope.province.pk
    )


def circular_counts(scope: Scope) -> list[dict]:
    """Per level, deliveries of circulars to the scope and how many are not acknowledged."""
    country = scope.level == ScopeLevel.COUNTRY
    filters = {
        DeliveryLevel.PROVINCE: Q(province__isnull=False)
        & (Q() if country else Q(province_id=(scope.province or scope.district.province).pk)),
        DeliveryLevel.DISTRICT: Q(district__isnull=False)
        & (
            Q()
            if country
            else (
                Q(district_id=scope.district.pk)
                if scope.district
                else Q(district__province_id=scope.province.pk)
            )
        ),
        DeliveryLevel.ORGANIZATION: Q(organization__isnull=False)
        & scope.lao_filter("organization__"),
    }
    out = []
    for level, q in filters.items():
        row = Delivery.objects.filter(q).aggregate(
            total=Count("id"), acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False))
        )
        row["level"] = level
        row["not_acknowledged"] = row["total"] - row["acknowledged"]
        out.append(row)
    return out


def time_bucket(now: dt.datetime | None = None) -> int | None:
    """The COMPLIANCE_CACHE_SECONDS slice of time `now` (the portal's clock) falls in; None when
    nothing is cached. Everything cached from the figures (the figures, the rendered dashboard)
    is keyed by it, so all of it turns over together."""
    seconds = settings.COMPLIANCE_CACHE_SECONDS
    if not seconds:
        return None
    return int((now or clock.now()).timestamp() // seconds)


def cached_html(render, **parts) -> str:
    """`render()` (the dashboard's body built from the figures, the same for everyone who may see
    the scope) kept in the shared cache like the figures themselves: per time bucket, at most
    COMPLIANCE_CACHE_SECONDS (compliance.caches.DASHBOARD_BODY; `parts` are its key's parts
    besides the bucket). Access is decided before, on every request; what is kept holds no one's
    name or personal data."""
    bucket = time_bucket()
    if bucket is None:
        return render()
    html = caches.DASHBOARD_BODY.get(bucket=bucket, **parts)
    if html is None:
        html = render()
        caches.DASHBOARD_BODY.set(html, bucket=bucket, **parts)
    return html


def cached(scope: Scope) -> dict:
    """`compute` cached for COMPLIANCE_CACHE_SECONDS (at most 60): a new approval shows within
    it (compliance.caches.FIGURES)."""
    now = clock.now()
    bucket = time_bucket(now)
    if bucket is None:
        return compute(scope, now)
    data = caches.FIGURES.get(scope=scope.key, bucket=bucket)
    if data is None:
        data = compute(scope, now)
        caches.FIGURES.set(data, scope=scope.key, bucket=bucket)
    return data


def with_position_states(laos):
    """Annotate LAOs with `position_<i>`: the state (a PositionState) of the i-th required group
    of positions, computed in SQL as `onboarding.positions.position_states` computes it in Python
    (tests/compliance/test_late_positions_sql.py holds the two to the same answers).

    A group is verified by the earliest approved request (by decided_at, never-decided last, then
    id) for one of its positions whose holder (national ID) covers no earlier group; else it is
    as its most advanced live request: waiting, returned, rejected, or not filed.
    """
    requests = VerificationRequest.objects.filter(organization=OuterRef("pk"))
    approved = requests.filter(state=RequestState.APPROVED).order_by(
        F("decided_at").asc(nulls_last=True), "pk"
    )
    covers, states = {}, {}
    for i, group in enumerate(required_positions()):
        mine = approved.filter(position__in=group)
        for earlier in covers:  # one person covers one group only
            mine = mine.exclude(national_id_hash=Coalesce(OuterRef(earlier), Value("")))
        covers[f"_covered_by_{i}"] = Subquery(mine.values("national_id_hash")[:1])
        laos = laos.annotate(**{f"_covered_by_{i}": covers[f"_covered_by_{i}"]})
        filed = requests.filter(position__in=group)
        states[f"position_{i}"] = Case(
            When(**{f"_covered_by_{i}__isnull": False}, then=Value(PositionState.VERIFIED)),
            *(
                When(Exists(filed.filter(state=state)), then=Value(PositionState(state.value)))
                for state in (RequestState.SUBMITTED, RequestState.RETURNED, RequestState.REJECTED)
            ),
            default=Value(PositionState.NOT_FILED),
            output_field=CharField(),
        )
    return laos.annotate(**states)


def with_positions(laos) -> list:
    """The LAOs of a 'who is late' list (evaluated), each with `positions`: the state of each
    required position, computed in SQL for these LAOs in one query (`with_position_states`)."""
    laos = list(laos)
    groups = [tuple(group) for group in required_positions()]
    names = [f"position_{i}" for i in range(len(groups))]
    states = {
        pk: rest
        for pk, *rest in with_position_states(
            Organization.objects.filter(pk__in=[org.pk for org in laos])
        ).values_list("pk", *names)
    }
    for org in laos:
        org.positions = [
            PositionRow(group, PositionState(state), None)
            for group, state in zip(groups, states[org.pk], strict=True)
        ]
        org.positions_verified = sum(row.done for row in org.positions)
    return laos


class LateOrder(TextChoices):
    """How the 'who is late' list may be sorted."""

    DISTRICT = "district", _("district")
    NAME = "name", _("name")
    STATE = "state", _("state")
    ACTIVITY = "activity", _("last activity")


def _thai_state_label() -> Case:
    """Each LAO's state as its Thai label, to sort states as a Thai reader finds them listed."""
    with translation.override("th"):
        labels = [(state.value, str(state.label)) for state in LaoState]
    return Case(
        *(When(state=value, then=Value(label)) for value, label in labels),
        output_field=CharField(),
    )


def late_laos(
    scope: Scope,
    at: dt.datetime,
    *,
    district: str = "",
    kind: str = "",
    state: str = "",
    min_days: int | None = None,
    order: str = LateOrder.DISTRICT,
):
    """LAOs of the scope not yet verified, with the staff to call: the 'who is late' list."""

    qs = (
        with_state(scope.laos(), at)
        .exclude(state=LaoState.VERIFIED)
        .annotate(last_activity=Max("verification_requests__created_at"))
        .select_related("district__province")
        .prefetch_related(
            Prefetch(
                "staff_roles",
                queryset=Role.objects.vetted()
                .filter(kind=RoleKind.LAO_STAFF)
                .select_related("user")
                .order_by("id"),
                to_attr="staff",
            ),
        )
    )
    if district:
        qs = qs.filter(district__code=district)
    if kind in LAO_KINDS:
        qs = qs.filter(kind=kind)
    if state in LATE_STATES:
        qs = qs.filter(state=state)
    if min_days:
        cutoff = at - dt.timedelta(days=min_days)
        qs = qs.filter(Q(last_activity__isnull=True) | Q(last_activity__lte=cutoff))
    orders = {
        LateOrder.DISTRICT: ("district__province__code", "district__code", "dla_code"),
        LateOrder.NAME: (ThaiCollate("name_th").asc(), "dla_code"),
        LateOrder.STATE: (ThaiCollate(_thai_state_label()).asc(), "district__code", "dla_code"),
        # never active first, then the longest silent: NULLs sort first on SQLite, last on
        # PostgreSQL
        LateOrder.ACTIVITY: (F("last_activity").asc(nulls_first=True), "dla_code"),
    }
    return qs.order_by(*orders.get(order, orders[LateOrder.DISTRICT]))
