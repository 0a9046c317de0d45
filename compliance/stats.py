"""The numbers officers see: computed with a fixed number of grouped queries, whatever the size.

An LAO is in exactly one state: verified (its identity_verified_at has passed), else in progress
(a request for a required position is approved: k of n verified), else submitted (a request waits
for review), else returned (a request waits for correction), else rejected (its last decision was
a rejection and nothing is open), else not started. The same function gives the
dashboard, the API and the exports their numbers, so the three always agree.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
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

from . import caches, version
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
    # The three flags as aliases: written once, inside the CASE, not also as columns of their own
    # (the late list's page, count and files compiled and sent each subquery twice).
    return laos.alias(
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


def compute(scope: Scope, at: dt.datetime | None = None, table: National | None = None) -> dict:
    """Every number of a dashboard for `scope` at `at` (default: the portal's now).

    With `table` (the whole country's grouped figures, `build_national`) the scope's numbers are
    read from it, as of the table's instant, with no query of their own but the breakdown's
    places (and a district's LAOs); without it each part runs its own queries on the scope."""
    if table is not None:
        at = table.at
    at = at or clock.now()
    level = child_level(scope)
    if table is None:
        laos, by_kind, children, units, unit_children = _scope_counts(scope, level, at)
    else:
        laos, by_kind, children, units, unit_children = table.counts(scope, level)
    return {
        "scope": scope,
        "level": level,
        "as_of": at,
        "laos": laos,
        "share_verified": share(laos),
        "by_kind": {k: v for k, v in by_kind.items() if v["total"]},
        "children": _children(scope, level, children, unit_children, at),
        "units": units,
        "oldest_waiting": _oldest_waiting(scope, table),
        "window": window(scope, at),
        "per_day": per_day(scope, at, table),
        "reminders": reminder_counts(scope, table),
        "circulars": circular_counts(scope, table),
    }


def _scope_counts(scope: Scope, level: ScopeLevel, at: dt.datetime):
    """(laos, by_kind, children, units, unit_children) of one scope, by its own queries."""
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
    units = empty_units()
    unit_children: dict[int, dict] = defaultdict(empty_units)
    for row in _unit_rows(scope.units(), unit_group, at):
        _add_units(units, row)
        _add_units(unit_children[row[unit_group]], row)
    return laos, by_kind, children, units, unit_children


def empty_units() -> dict:
    return {"total": 0, "logged_in": 0}


def _add_units(units: dict, row: dict) -> None:
    units["total"] += row["total"]
    units["logged_in"] += row["logged_in"]


def _unit_rows(units, group: str, at: dt.datetime, *more: str):
    return (
        units.values(group, *more)
        .annotate(
            total=Count("id"),
            logged_in=Count("id", filter=Q(first_login_at__isnull=False, first_login_at__lte=at)),
        )
        .order_by()
    )


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


def _oldest_waiting(scope: Scope, table: National | None = None):
    waiting = VerificationRequest.objects.select_related("organization__district__province")
    if table is not None:
        pk = table.oldest_waiting(scope)
        return waiting.filter(pk=pk).first() if pk else None
    return (
        waiting.filter(scope.lao_filter("organization__"), state=RequestState.SUBMITTED)
        .order_by("submitted_at", "id")
        .first()
    )


def window_subject(scope: Scope) -> Subject:
    """An unverified LAO of the scope, as the access policy is asked about it."""
    province = scope.province or (scope.district.province if scope.district else None)
    return Subject(
        EntityType.LAO,
        False,
        province_code=province.code if province else None,
        district_code=scope.district.code if scope.district else None,
    )


def window(scope: Scope, at: dt.datetime) -> dict | None:
    """The verification window for unverified LAOs of the scope: open now, or next, and time
    left."""
    decision = current_policy().decide(window_subject(scope), Action.VERIFY_IDENTITY, at)
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


def per_day(scope: Scope, at: dt.datetime, table: National | None = None) -> list[dict]:
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
    if table is not None:
        counts = table.verified_per_day(scope)
    else:
        counts = dict(
            _verified_days(scope.laos(), first, last, at)
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


def _verified_days(laos, first: dt.date, last: dt.date, at: dt.datetime):
    """`laos` verified from Bangkok day `first` to `last` and by `at`, each with its `day`."""
    return (
        laos.filter(
            identity_verified_at__gte=bangkok_midnight(first),
            identity_verified_at__lt=bangkok_midnight(last + dt.timedelta(days=1)),
        )
        .filter(identity_verified_at__lte=at)
        .annotate(day=TruncDate("identity_verified_at", tzinfo=BANGKOK))
    )


def reminder_counts(scope: Scope, table: National | None = None) -> dict:
    if table is not None:
        return table.reminders_of(scope)
    notes = Notification.objects.all()
    if scope.level != ScopeLevel.COUNTRY:
        people = Role.objects.filter(
            scope.lao_filter("organization__") | _officer_filter(scope)
        ).values("user_id")
        notes = notes.filter(recipient_id__in=people)
    # Grouped by (status, kind) and summed here: the (status, kind, recipient) index answers it
    # alone (an index-only scan), where COUNT(id) FILTER (...) reads every row.
    return _tally_reminders(notes.values_list("status", "kind").annotate(n=Count("*")).order_by())


def _tally_reminders(rows) -> dict:
    """The reminder counts of (status, kind, n) rows."""
    counts = {"sent": 0, "failed": 0, "waiting": 0, "escalations": 0}
    for status, kind, n in rows:
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


def circular_counts(scope: Scope, table: National | None = None) -> list[dict]:
    """Per level, deliveries of circulars to the scope and how many are not acknowledged."""
    if table is not None:
        return [_delivery_row(level, *table.deliveries(scope, level)) for level in DeliveryLevel]
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
        row = Delivery.objects.filter(q).aggregate(**_DELIVERY_COUNTS)
        out.append(_delivery_row(level, row["total"], row["acknowledged"]))
    return out


_DELIVERY_COUNTS = {
    "total": Count("id"),
    "acknowledged": Count("id", filter=Q(acknowledged_at__isnull=False)),
}


def _delivery_row(level: DeliveryLevel, total: int, acknowledged: int) -> dict:
    return {
        "total": total,
        "acknowledged": acknowledged,
        "level": level,
        "not_acknowledged": total - acknowledged,
    }


def data_version(
    counters: dict | None = None, now: dt.datetime | None = None, province: str | None = None
) -> str | None:
    """The version of the dashboards' data (compliance.version): the counters of the tables they
    show, national or, with `province`, of that province (and "*"), and the Bangkok hour; None
    when nothing is cached (COMPLIANCE_CACHE_SECONDS = 0). Everything kept from the figures (an
    area's figures and the dashboard's body by the area's version, the national table by the
    national one) is keyed by it: a write to any of those tables is seen by the next request."""
    if not settings.COMPLIANCE_CACHE_SECONDS:
        return None
    counters = version.read(province) if counters is None else counters
    instant = version.instant_part(now or clock.now())
    return version.of(counters, version.DASHBOARD, instant, province=province)


def scope_version(scope: Scope, data: str, at: dt.datetime) -> str:
    """`data` and the stretch of the access rules the scope's window is in (its figures say
    whether the window is open and until when): a rule boundary passing changes it."""
    boundary = current_policy().next_boundary(window_subject(scope), Action.VERIFY_IDENTITY, at)
    return f"{data}.{boundary.timestamp() if boundary else '-'}"


def cached_html(render, *, data: str | None, **parts) -> str:
    """`render()` (the dashboard's body built from the figures, the same for everyone who may see
    the scope) kept in the shared cache like the figures themselves, keyed by the scope's
    version `data` (`scope_version`; None: not kept) and `parts` (compliance.caches.
    DASHBOARD_BODY). Access is decided before, on every request; what is kept holds no one's
    name or personal data."""
    if data is None:
        return render()
    html = caches.DASHBOARD_BODY.get(data=data, **parts)
    if html is None:
        html = render()
        caches.DASHBOARD_BODY.set(html, data=data, **parts)
    return html


def cached(scope: Scope, counters: dict | None = None) -> dict:
    """`compute` kept per data version of the scope's province (compliance.caches.FIGURES; the
    country's: the national one): drawn again only when something it counts changes, seen by the
    next request; `counters` read with the scope's province (`version.read`). A scope not yet
    kept for this version is read from the national version's table (`national_table`,
    compliance.caches.NATIONAL), or, while another worker builds that table, computed by its own
    queries as of now."""
    now = clock.now()
    province = scope.province_code
    if counters is None and settings.COMPLIANCE_CACHE_SECONDS:
        counters = version.read(province)
    data = data_version(counters, now)
    if data is None:
        return compute(scope, now)
    key = scope_version(scope, data_version(counters, now, province), now)
    figures = caches.FIGURES.get(scope=scope.key, data=key)
    if figures is None:
        # An area drawn again because its province changed, when a table was already built
        # this hour (`keep_national`), computes its own figures rather than build the whole
        # country's again for one province's write; the country, or the first area of an hour,
        # builds it.
        build = scope.level == ScopeLevel.COUNTRY or not built_this_hour(now)
        figures = compute(scope, now, national_table(data, scope, build=build))
        caches.FIGURES.set(figures, scope=scope.key, data=key)
    return figures


def built_this_hour(at: dt.datetime) -> bool:
    """Whether a national table was built in the instant bucket of `at` (its hour)."""
    return bool(caches.NATIONAL.get(data=version.instant_part(at), part="built"))


def national_table(data: str, scope: Scope, *, build: bool = True) -> National | None:
    """The data version's national table from the shared cache, for `scope`; built here if it is
    missing and no other worker is building it (a lock taken with `cache.add`), else None: the
    caller computes its own scope rather than wait, so a new version never sends every worker to
    build it. Without `build`, None when it is missing.

    Kept in parts, so that an area reads little: the districts' sums in one entry, and the LAOs
    and units of each province's districts in an entry per province, read by the dashboards of
    its districts only (one entry per province, not per district: 78 entries fit a small
    cache)."""
    national = caches.NATIONAL
    table = national.get(data=data, part="all")
    if table is not None:
        if scope.district:
            province = table.province_of.get(scope.district.pk)
            table.detail = national.get(data=data, part=f"province:{province}")
            if table.detail is None:
                return None
        return table
    if not build:
        return None
    lock = national.key(data=data, part="building")
    if not national.cache.add(lock, 1, national.bound_seconds, version=national.version):
        return None
    try:
        table = build_national(clock.now())
        keep_national(data, table)
    finally:
        national.cache.delete(lock, version=national.version)
    return table


def keep_national(data: str, table: National) -> None:
    """Put `table` in the shared cache for the data version `data`, in the parts
    `national_table` reads."""
    by_province: dict = defaultdict(dict)
    for district, rows in table.detail.items():
        by_province[table.province_of.get(district)][district] = rows
    for province, rows in by_province.items():
        caches.NATIONAL.set(rows, data=data, part=f"province:{province}")
    caches.NATIONAL.set(replace(table, detail={}), data=data, part="all")
    caches.NATIONAL.set(True, data=version.instant_part(table.at), part="built")


@dataclass
class National:
    """Every area's dashboard counts at one instant, from a fixed number of grouped queries over
    the whole country (`build_national`): kept once per data version, read by every scope.

    Keyed by district (None for places without one); a province sums its districts, the country
    sums everything, as `compute`'s own queries would count them."""

    at: dt.datetime
    today_from: dt.date  # the first Bangkok day `verified` holds
    province_of: dict  # district id → province id
    laos: dict  # district id → {(kind, state): LAOs}
    units: dict  # district id → (units, logged in)
    detail: dict  # district id → ([(LAO id, kind, state)], {parent LAO id: (units, logged in)})
    verified: dict  # district id → {Bangkok day: LAOs verified that day, by `at`}
    oldest: dict  # district id → (submitted_at, id) of its first submitted request
    reminders: dict  # (scope level, area id) → [(status, kind, n)]; (COUNTRY, None): all
    deliveries_by: dict  # (delivery level, province or district id) → (total, acknowledged)

    def districts(self, scope: Scope) -> list:
        if scope.level == ScopeLevel.COUNTRY:
            return list(self.province_of)
        if scope.district:
            return [scope.district.pk] if scope.district.pk in self.province_of else []
        return [d for d, p in self.province_of.items() if p == scope.province.pk]

    def counts(self, scope: Scope, level: ScopeLevel):
        laos = empty_counts()
        by_kind: dict[str, dict] = {k: empty_counts() for k in sorted(LAO_KINDS)}
        children: dict[int, dict] = defaultdict(empty_counts)
        units = empty_units()
        unit_children: dict[int, dict] = defaultdict(empty_units)
        for district in self.districts(scope):
            if level == ScopeLevel.LAO:  # a district's breakdown: by LAO
                lao_rows, unit_rows = self.detail[district]
                for lao, kind, state in lao_rows:
                    _add(laos, state, 1)
                    _add(by_kind[kind], state, 1)
                    _add(children[lao], state, 1)
                for parent, (total, logged_in) in unit_rows.items():
                    row = {"total": total, "logged_in": logged_in}
                    _add_units(units, row)
                    _add_units(unit_children[parent], row)
                continue
            child = self.province_of[district] if level == ScopeLevel.PROVINCE else district
            for (kind, state), n in self.laos.get(district, {}).items():
                _add(laos, state, n)
                _add(by_kind[kind], state, n)
                _add(children[child], state, n)
            if district in self.units:
                total, logged_in = self.units[district]
                row = {"total": total, "logged_in": logged_in}
                _add_units(units, row)
                _add_units(unit_children[child], row)
        return laos, by_kind, children, units, unit_children

    def verified_per_day(self, scope: Scope) -> dict:
        counts: Counter = Counter()
        for district in self.districts(scope):
            counts.update(self.verified.get(district, {}))
        return dict(counts)

    def oldest_waiting(self, scope: Scope) -> int | None:
        keys = [self.oldest[d] for d in self.districts(scope) if d in self.oldest]
        # PostgreSQL's order: a request never submitted (NULL submitted_at) after every other
        return min(keys, key=lambda k: (k[0] is None, k[0] or self.at, k[1]))[1] if keys else None

    def reminders_of(self, scope: Scope) -> dict:
        area = scope.district or scope.province
        return _tally_reminders(self.reminders.get((scope.level, area.pk if area else None), ()))

    def deliveries(self, scope: Scope, level: DeliveryLevel) -> tuple[int, int]:
        if scope.level == ScopeLevel.COUNTRY:
            keys = [k for k in self.deliveries_by if k[0] == level]
        elif level == DeliveryLevel.PROVINCE:
            keys = [(level, (scope.province or scope.district.province).pk)]
        else:
            keys = [(level, d) for d in self.districts(scope)]
        rows = [self.deliveries_by.get(k, (0, 0)) for k in keys]
        return sum(r[0] for r in rows), sum(r[1] for r in rows)


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


@dataclass(frozen=True)
class Contact:
    """A member of an LAO's staff to call, as the late list and its files show them."""

    full_name: str
    phone: str
    email: str


def with_staff(laos: list, staff) -> list:
    """The LAOs of a 'who is late' list (evaluated), each with `staff`: the contacts of its LAO
    staff among `staff`, the roles the reader may see (`Role.objects.restrict(user,
    Action.VIEW)`; none without it), by role id, in one query of plain values (not a role and a
    user instance per person: a page's 150 were a sixth of its CPU)."""
    by_lao: dict[int, list] = defaultdict(list)
    if staff is not None and laos:
        listed = staff.filter(organization__in=[org.pk for org in laos])
        for lao, *contact in (
            listed.vetted()
            .filter(kind=RoleKind.LAO_STAFF)
            .order_by("id")
            .values_list("organization_id", "user__full_name", "user__phone", "user__email")
        ):
            by_lao[lao].append(Contact(*contact))
    for org in laos:
        org.staff = by_lao.get(org.pk, [])
    return laos


class LateOrder(TextChoices):
    """How the 'who is late' list may be sorted."""

    DISTRICT = "district", _("district")
    NAME = "name", _("name")
    STATE = "state", _("state")
    ACTIVITY = "activity", _("last activity")


class _Relabel(Func):
    """`CASE <expression> WHEN value THEN label … END`: the expression written once. Django's
    `Case(When(state=value, …))` writes it once per value: the state's whole CASE and its four
    subqueries six times over in the late list's ORDER BY (sorted by state, a page cost ~107 ms
    of CPU, bench/late_cpu.py)."""

    output_field = CharField()

    def __init__(self, expression, labels: list[tuple[str, str]]):
        super().__init__(expression)
        self.labels = labels

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        whens = " ".join("WHEN %s THEN %s" for _ in self.labels)
        return f"CASE {sql} {whens} END", (*params, *(x for pair in self.labels for x in pair))


def _thai_state_label() -> Func:
    """Each LAO's state as its Thai label, to sort states as a Thai reader finds them listed."""
    with translation.override("th"):
        labels = [(state.value, str(state.label)) for state in LaoState]
    return _Relabel(F("state"), labels)


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
    """LAOs of the scope not yet verified: the 'who is late' list (`with_staff` adds the staff to
    call to the LAOs listed)."""

    # Not verified, read from the column the state's first branch reads (`with_state`): the CASE
    # is not written again in the WHERE, nor compiled into the count. The last request by a
    # subquery, not a join grouped by LAO: the count needs neither (Django leaves unused
    # annotations out of it).
    last_request = (
        VerificationRequest.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    qs = (
        with_state(scope.laos(), at)
        .filter(Q(identity_verified_at__isnull=True) | Q(identity_verified_at__gt=at))
        .annotate(last_activity=Subquery(last_request))
        .select_related("district__province")
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


def build_national(at: dt.datetime) -> National:
    """The `National` table at `at`: the LAOs' states (computed in SQL by `with_state`, one row
    per LAO), the units, the days of verification, the oldest waiting requests, the reminders
    and the deliveries of circulars, each in one grouped query over the whole country."""
    province_of = {None: None, **dict(District.objects.values_list("pk", "province_id"))}
    detail: dict = {d: ([], {}) for d in province_of}
    laos: dict = defaultdict(Counter)
    for district, lao, kind, state in (
        with_state(Organization.objects.laos(), at)
        .values_list("district_id", "id", "kind", "state")
        .order_by()
    ):
        # the same few strings, interned: pickled once each, not once per LAO
        kind, state = sys.intern(kind), sys.intern(state)
        detail.setdefault(district, ([], {}))[0].append((lao, kind, state))
        laos[district][kind, state] += 1
    units: dict = {}
    for row in _unit_rows(Organization.objects.units(), "district_id", at, "parent_id"):
        district, total, logged_in = row["district_id"], row["total"], row["logged_in"]
        detail.setdefault(district, ([], {}))[1][row["parent_id"]] = (total, logged_in)
        mine = units.get(district, (0, 0))
        units[district] = (mine[0] + total, mine[1] + logged_in)
    today = at.astimezone(BANGKOK).date()
    today_from = today - dt.timedelta(days=62)  # `per_day` reaches back 61 days at most
    verified: dict = defaultdict(dict)
    for district, day, n in (
        _verified_days(Organization.objects.laos(), today_from, today, at)
        .values("district_id", "day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("district_id", "day", "n")
    ):
        verified[district][day] = n
    oldest: dict = {}
    for district, submitted, pk in VerificationRequest.objects.filter(
        state=RequestState.SUBMITTED
    ).values_list("organization__district_id", "submitted_at", "id"):
        mine = oldest.get(district)
        key = (submitted is None, submitted or at, pk)
        if mine is None or key < (mine[0] is None, mine[0] or at, mine[1]):
            oldest[district] = (submitted, pk)
    return National(
        at=at,
        today_from=today_from,
        province_of=province_of,
        laos={d: dict(c) for d, c in laos.items()},
        units=units,
        detail=detail,
        verified=dict(verified),
        oldest=oldest,
        reminders=_national_reminders(province_of),
        deliveries_by=_national_deliveries(),
    )


def _national_reminders(province_of: dict) -> dict:
    """(scope level, area id) → the (status, kind, n) rows of the reminders sent to the people of
    the area (`reminder_counts`): those with a role at one of its organisations or as one of its
    officers. One query for the roles, one for the reminders grouped by recipient."""
    areas: dict = defaultdict(set)  # user id → {(scope level, area id)}
    for user, kind, org_district, district, province in Role.objects.values_list(
        "user_id", "kind", "organization__district_id", "district_id", "province_id"
    ):
        places = set()
        if org_district is not None:
            places.add(org_district)
        if kind == RoleKind.DISTRICT_OFFICER and district is not None:
            places.add(district)
        for d in places:
            areas[user].add((ScopeLevel.DISTRICT, d))
            areas[user].add((ScopeLevel.PROVINCE, province_of.get(d)))
        if kind == RoleKind.PROVINCE_OFFICER and province is not None:
            areas[user].add((ScopeLevel.PROVINCE, province))
    out: dict = defaultdict(Counter)
    for user, status, kind, n in (
        Notification.objects.values_list("recipient_id", "status", "kind")
        .annotate(n=Count("*"))
        .order_by()
    ):
        out[(ScopeLevel.COUNTRY, None)][status, kind] += n
        for area in areas.get(user, ()):
            out[area][status, kind] += n
    return {
        area: [(sys.intern(s), sys.intern(k), n) for (s, k), n in c.items()]
        for area, c in out.items()
    }


def _national_deliveries() -> dict:
    """(delivery level, area id) → (total, acknowledged): deliveries to provinces by province,
    to districts and to organisations by district."""
    out = {}
    for level, group in (
        (DeliveryLevel.PROVINCE, "province_id"),
        (DeliveryLevel.DISTRICT, "district_id"),
        (DeliveryLevel.ORGANIZATION, "organization__district_id"),
    ):
        field = group.removesuffix("_id").split("__")[0]
        for row in (
            Delivery.objects.filter(**{f"{field}__isnull": False})
            .values(group)
            .annotate(**_DELIVERY_COUNTS)
            .order_by()
        ):
            out[level, row[group]] = (row["total"], row["acknowledged"])
    return out
