"""The daily pass: who has not done what, and who must be told, on one Bangkok day.

For every district the policy says whether an unverified LAO may verify its identity on that
day, and the window's opening and last day (the circular sets them; a province's own letter
can move them for its province). The ladder (`ReminderStep`) says which messages fire on the
day; the rows are written in one transaction with ON CONFLICT DO NOTHING, so a second pass
for the same day creates nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import Role, RoleKind
from core import clock
from core.links import absolute
from core.thai import BANGKOK, bangkok_midnight, format_date, format_deadline
from maintenance.policy import Action, Decision, EntityType, Subject
from maintenance.snapshot import current_policy
from registry.models import District, Organization, Province

from .messages import render_message
from .models import Anchor, Kind, PassRun, ReminderStep
from .services import Outgoing, queue


def today() -> dt.date:
    return clock.now().astimezone(BANGKOK).date()


@dataclass
class Window:
    opens: dt.date
    last_day: dt.date
    ends_at: dt.datetime | None
    decision: Decision

    @property
    def key(self) -> str:
        return f"{self.opens.isoformat()}/{self.last_day.isoformat()}"


@dataclass
class PassResult:
    day: dt.date
    created: int = 0
    already_existed: int = 0
    by_kind: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"created": self.created, "already_existed": self.already_existed}


def _window(decision: Decision, day: dt.date) -> Window | None:
    if not decision.allowed:
        return None
    opens = decision.valid_from.astimezone(BANGKOK).date() if decision.valid_from else day
    if decision.valid_until is not None:
        last_day = (decision.valid_until - dt.timedelta(seconds=1)).astimezone(BANGKOK).date()
    else:
        last_day = dt.date.max
    return Window(opens=opens, last_day=last_day, ends_at=decision.valid_until, decision=decision)


def _noon(day: dt.date) -> dt.datetime:
    return bangkok_midnight(day) + dt.timedelta(hours=12)


def verification_windows(day: dt.date) -> dict[int, Window]:
    """District id → the verify_identity window open for its unverified LAOs on `day`."""

    policy, at, out = current_policy(), _noon(day), {}
    for district_id, code, province_code in District.objects.values_list(
        "id", "code", "province__code"
    ):
        decision = policy.decide(
            Subject(EntityType.LAO, False, province_code=province_code, district_code=code),
            Action.VERIFY_IDENTITY,
            at,
        )
        window = _window(decision, day)
        if window is not None:
            out[district_id] = window
    return out


def unit_openings(day: dt.date) -> dict[str, tuple[dt.date, Decision]]:
    """Province code → (the day units could start using the system, the decision), if open on
    `day`."""

    policy, at, out = current_policy(), _noon(day), {}
    for code in Province.objects.values_list("code", flat=True):
        decision = policy.decide(
            Subject(EntityType.UNIT, None, province_code=code), Action.USE_SYSTEM, at
        )
        if decision.allowed:
            opens = decision.valid_from.astimezone(BANGKOK).date() if decision.valid_from else day
            out[code] = (opens, decision)
    return out


def _common(window: Window, day: dt.date) -> dict:
    d = window.decision
    return {
        "day": day,
        "day_th": format_date(day, "th", full=True),
        "day_en": format_date(day, "en"),
        "last_day": window.last_day,
        "until_th": format_deadline(window.ends_at, "th"),
        "until_en": format_deadline(window.ends_at, "en"),
        "days_left": (window.last_day - day).days,
        "reason_th": d.reason_th,
        "reason_en": d.reason_en,
        "circular": d.circular,
        "clause": d.rule.clause if d.rule else "",
    }


def fires(kind: str, steps, day: dt.date, window: Window) -> bool:
    return _fires(kind, steps, day, window)


def _fires(kind: str, steps, day: dt.date, window: Window) -> bool:
    return any(
        s.kind == kind
        and s.anchor in (Anchor.WINDOW_OPENS, Anchor.WINDOW_LAST_DAY)
        and s.fires_on(day, opens=window.opens, last_day=window.last_day)
        for s in steps
    )


@dataclass
class Ladder:
    """What the ladder's collectors read on `day`: its active steps, the open windows by
    district and, read once when a collector first asks, the LAOs not yet verified and the
    areas they are in."""

    day: dt.date
    steps: list
    windows: dict[int, Window]

    @property
    def period(self) -> str:
        return self.day.isoformat()

    def fires(self, kind: str, window: Window) -> bool:
        return _fires(kind, self.steps, self.day, window)

    @functools.cached_property
    def unverified(self) -> list[Organization]:
        cutoff = bangkok_midnight(self.day + dt.timedelta(days=1))  # verified by day's end counts
        return list(
            Organization.objects.laos()
            .filter(district_id__in=list(self.windows))
            .filter(Q(identity_verified_at__isnull=True) | Q(identity_verified_at__gte=cutoff))
            .select_related("district__province")
            .order_by("district__province__code", "district__code", "dla_code")
        )

    @functools.cached_property
    def by_district(self) -> dict[int, list]:
        by_district: dict[int, list] = defaultdict(list)
        for org in self.unverified:
            by_district[org.district_id].append(org)
        return by_district

    @functools.cached_property
    def districts(self) -> dict[int, District]:
        return {
            d.pk: d
            for d in District.objects.select_related("province").filter(
                pk__in=list(self.by_district)
            )
        }

    @functools.cached_property
    def totals(self) -> tuple[dict, dict]:
        """LAOs under a window, by district and by province ("X of Y not yet verified": Y counts
        every LAO of the area, those of fully verified districts too)."""
        under_window = Organization.objects.laos().filter(district_id__in=list(self.windows))
        by_district = dict(
            under_window.values_list("district_id")
            .annotate(n=Count("id"))
            .values_list("district_id", "n")
        )
        by_province = dict(
            under_window.values_list("district__province_id")
            .annotate(n=Count("id"))
            .values_list("district__province_id", "n")
        )
        return by_district, by_province

    @functools.cached_property
    def rows_by_province(self) -> dict[int, list]:
        totals, _by_province = self.totals
        rows: dict[int, list] = defaultdict(list)
        for district_id in self.windows:
            if district_id not in self.districts:
                continue  # every LAO of the district is verified
            d = self.districts[district_id]
            rows[d.province_id].append(
                {
                    "district": d,
                    "total": totals.get(district_id, 0),
                    "unverified": len(self.by_district[district_id]),
                }
            )
        return rows

    @functools.cached_property
    def provinces(self) -> dict[int, Province]:
        return {p.pk: p for p in Province.objects.filter(pk__in=list(self.rows_by_province))}

    @functools.cached_property
    def province_window(self) -> dict[int, Window]:
        return {
            pid: self.windows[rows[0]["district"].pk] for pid, rows in self.rows_by_province.items()
        }


# The ladder's message kinds: each a collector(ladder) that returns Outgoing rows, called in
# order. Kinds about things this app does not know (a returned request: `onboarding`) register
# theirs when their app loads, as the layers forbid importing them from here.
COLLECTORS: list = []


def register_collector(collector) -> None:
    if collector not in COLLECTORS:
        COLLECTORS.append(collector)


def collect(day: dt.date) -> list[Outgoing]:
    """Every message the ladder asks for on `day` (not yet written)."""
    ladder = Ladder(day, list(ReminderStep.objects.filter(active=True)), verification_windows(day))
    out: list[Outgoing] = []
    for collector in COLLECTORS:
        out.extend(collector(ladder))
    return out


def _lao_reminders(ladder: Ladder) -> list[Outgoing]:
    """LAO staff of unverified LAOs: on the opening day and 7, 3, 1 days before the last day."""
    windows, out = ladder.windows, []
    lao_ids = [
        org.pk
        for district_id, orgs in ladder.by_district.items()
        if ladder.fires(Kind.LAO_REMINDER, windows[district_id])
        for org in orgs
    ]
    if not lao_ids:
        return out
    wanted = set(lao_ids)
    orgs = {o.pk: o for o in ladder.unverified if o.pk in wanted}
    staff = Role.objects.vetted().filter(kind=RoleKind.LAO_STAFF, organization_id__in=lao_ids)
    staff = staff.values_list("user_id", "organization_id", "user__full_name", "user__email")
    rendered = {}
    for user_id, org_id, name, email in staff.iterator(chunk_size=5000):
        org = orgs[org_id]
        if org_id not in rendered:
            window = windows[org.district_id]
            rendered[org_id] = render_message(
                Kind.LAO_REMINDER,
                {
                    **_common(window, ladder.day),
                    "org": org,
                    "link": absolute(reverse("onboarding:my")),
                },
            )
        out.append(
            Outgoing(
                user_id,
                Kind.LAO_REMINDER,
                f"org:{org_id}",
                ladder.period,
                rendered[org_id],
                name or email,
                _circular_id(windows[org.district_id]),
            )
        )
    return out


def _district_digests(ladder: Ladder) -> list[Outgoing]:
    """District officers: a digest of the district's unverified LAOs (from 3 days before the
    end)."""
    windows, districts, out = ladder.windows, ladder.districts, []
    digest_ids = [d for d in ladder.by_district if ladder.fires(Kind.DISTRICT_DIGEST, windows[d])]
    for user_id, district_id, name, email in (
        Role.objects.vetted()
        .filter(kind=RoleKind.DISTRICT_OFFICER, district_id__in=digest_ids)
        .values_list("user_id", "district_id", "user__full_name", "user__email")
    ):
        window = windows[district_id]
        message = render_message(
            Kind.DISTRICT_DIGEST,
            {
                **_common(window, ladder.day),
                "district": districts[district_id],
                "laos": ladder.by_district[district_id],
                "link": absolute(
                    reverse("compliance:district", args=[districts[district_id].code])
                ),
            },
        )
        out.append(
            Outgoing(
                user_id,
                Kind.DISTRICT_DIGEST,
                f"district:{district_id}",
                ladder.period,
                message,
                name or email,
                _circular_id(window),
            )
        )
    return out


def _province_summaries(ladder: Ladder) -> list[Outgoing]:
    """Provincial officers: a summary of their province by district."""
    _totals, province_totals = ladder.totals
    provinces, province_window, out = ladder.provinces, ladder.province_window, []
    summary_ids = [
        pid for pid, w in province_window.items() if ladder.fires(Kind.PROVINCE_SUMMARY, w)
    ]
    for user_id, pid, name, email in (
        Role.objects.vetted()
        .filter(kind=RoleKind.PROVINCE_OFFICER, province_id__in=summary_ids)
        .values_list("user_id", "province_id", "user__full_name", "user__email")
    ):
        rows = sorted(ladder.rows_by_province[pid], key=lambda r: r["district"].code)
        message = render_message(
            Kind.PROVINCE_SUMMARY,
            {
                **_common(province_window[pid], ladder.day),
                "province": provinces[pid],
                "rows": rows,
                "unverified": sum(r["unverified"] for r in rows),
                "total": province_totals.get(pid, 0),
                "link": absolute(reverse("compliance:province", args=[provinces[pid].code])),
            },
        )
        out.append(
            Outgoing(
                user_id,
                Kind.PROVINCE_SUMMARY,
                f"province:{pid}",
                ladder.period,
                message,
                name or email,
                _circular_id(province_window[pid]),
            )
        )
    return out


def _dla_summary(ladder: Ladder) -> list[Outgoing]:
    """DLA officers: a summary of the country by province."""
    _totals, province_totals = ladder.totals
    provinces, province_window, rows_by_province = (
        ladder.provinces,
        ladder.province_window,
        ladder.rows_by_province,
    )
    national_rows = [
        {
            "province": provinces[pid],
            "unverified": sum(r["unverified"] for r in rows),
            "total": province_totals.get(pid, 0),
        }
        for pid, rows in sorted(rows_by_province.items(), key=lambda kv: provinces[kv[0]].code)
        if ladder.fires(Kind.DLA_SUMMARY, province_window[pid])
    ]
    if not national_rows:
        return []
    window = province_window[
        next(pid for pid in rows_by_province if provinces[pid] == national_rows[0]["province"])
    ]
    message = render_message(
        Kind.DLA_SUMMARY,
        {
            **_common(window, ladder.day),
            "rows": national_rows,
            "unverified": sum(len(v) for v in ladder.by_district.values()),
            "total": sum(province_totals.values()),
            "link": absolute(reverse("compliance:country")),
        },
    )
    return [
        Outgoing(
            user_id,
            Kind.DLA_SUMMARY,
            "country",
            ladder.period,
            message,
            name or email,
            _circular_id(window),
        )
        for user_id, name, email in (
            Role.objects.vetted()
            .filter(kind=RoleKind.DLA_OFFICER)
            .values_list("user_id", "user__full_name", "user__email")
        )
    ]


def _unit_reminders(ladder: Ladder) -> list[Outgoing]:
    """Unit staff whose unit nobody has logged in to yet, from the day units may use the portal."""
    day, steps, period = ladder.day, ladder.steps, ladder.period

    openings = unit_openings(day)
    due = [
        code
        for code, (opens, _d) in openings.items()
        if any(
            s.kind == Kind.UNIT_REMINDER
            and s.anchor == Anchor.UNIT_OPENING
            and s.fires_on(day, opens=opens, last_day=dt.date.max)
            for s in steps
        )
    ]
    if not due:
        return []
    out = []
    rendered = {}
    staff = (
        Role.objects.vetted()
        .filter(
            kind=RoleKind.UNIT_STAFF,
            organization__first_login_at__isnull=True,
            organization__district__province__code__in=due,
        )
        .select_related("organization__parent", "organization__district__province", "user")
    )
    for role in staff:
        unit = role.organization
        code = unit.district.province.code
        opens, decision = openings[code]
        if code not in rendered:
            rendered[code] = {
                "opens_th": format_date(opens, "th", full=True),
                "opens_en": format_date(opens, "en"),
                "reason_th": decision.reason_th,
                "reason_en": decision.reason_en,
                "circular": decision.circular,
                "clause": decision.rule.clause if decision.rule else "",
                "link": absolute(reverse("onboarding:my")),
            }
        message = render_message(Kind.UNIT_REMINDER, {**rendered[code], "unit": unit})
        out.append(
            Outgoing(
                role.user_id,
                Kind.UNIT_REMINDER,
                f"org:{unit.pk}",
                period,
                message,
                role.user.full_name or role.user.email,
                decision.circular.id if decision.circular else None,
            )
        )
    return out


def _circular_id(window: Window) -> int | None:
    return window.decision.circular.id if window.decision.circular else None


for _collector in (
    _lao_reminders,
    _district_digests,
    _province_summaries,
    _dla_summary,
    _unit_reminders,
):
    register_collector(_collector)


def run_pass(day: dt.date, *, trigger: str = "daily", nudge_workers: bool = True) -> PassResult:
    """Collect the day's messages, write them in chunks of NOTIFICATION_PASS_CHUNK rows, each in
    its own transaction that nudges the workers after its commit (so that delivery runs while
    the rest is written), then record the run.

    Each chunk is all or nothing, and the unique constraint makes any chunk a no-op the second
    time: a pass interrupted half-way (its task is delivered again, acks_late) writes the rest
    and nothing twice.
    """
    started = clock.now()
    items = collect(day)
    created = existed = 0
    chunk = settings.NOTIFICATION_PASS_CHUNK
    for first in range(0, len(items), chunk):
        with transaction.atomic():
            c, e = queue(items[first : first + chunk], nudge_workers=nudge_workers)
        created, existed = created + c, existed + e
    with transaction.atomic():
        PassRun.objects.update_or_create(
            day=day,
            trigger=trigger,
            defaults={
                "started_at": started,
                "finished_at": clock.now(),
                "created": created,
                "already_existed": existed,
            },
        )
    result = PassResult(day=day, created=created, already_existed=existed)
    for item in items:
        result.by_kind[item.kind] = result.by_kind.get(item.kind, 0) + 1
    return result


def run_opening_passes() -> list[str]:
    """Run a pass for today once per verification window that opened today."""
    day = today()
    ran = []
    opened = {w.key for w in verification_windows(day).values() if w.opens == day}
    for key in sorted(opened):
        trigger = f"opening:{key}"
        if not PassRun.objects.filter(day=day, trigger=trigger).exists():
            run_pass(day, trigger=trigger)
            ran.append(trigger)
    return ran
