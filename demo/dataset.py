"""The national data set for measuring the compliance dashboards: demos and benchmarks only.

On top of the loaded registry and circulars it makes what the verification window of
5-21 April 2568 would have left behind in a national deployment:

* the generated units (about 22,000: `generate_units --national`) and the generated accounts
  (`generate_national_accounts`: three staff per LAO, an officer per district and province, one
  DLA officer), both idempotent, made first if missing;
* about 25,000 verification requests by the LAOs' generated staff, each with the history rows
  `onboarding.services` would have written (created, submitted, returned, resubmitted,
  approved / rejected / withdrawn: who, when, why), decided by the province's officer (some by
  DLA), all between 5 and 21 April 2568 (Bangkok);
* LAOs in a realistic mix of states (about 60% verified, with both required positions approved
  and `identity_verified_at` set at the second approval, with its history row, as
  `refresh_lao_verification` does; the others submitted, returned, rejected or not started);
* first logins of units (about half under verified LAOs, fewer under the others);
* a month of notifications (23 March to 21 April 2568): the reminder ladder run day by day as
  the daily pass would have, over the same LAOs and officers; mostly sent, some failed, the last
  day's partly still pending or being sent. The unique key (recipient, kind, subject, period)
  is respected.

Generated rows are marked where the model has a field for it (units: `is_generated`; users:
names "(generated)" and addresses @generated.invalid, by the accounts generator; a request's
full name and a notification's title end in "(generated)" too).

Deterministic: every LAO draws from its own random stream, seeded with the seed and its DLA
code, so the same registry and seed give the same data whatever the row ids. Fast: nothing goes
through the state machine (one locked transaction per change, far too slow for 25,000
requests); rows are built in memory and bulk-inserted in batches, national IDs hashed with the
portal's own keyed hash. Refuses to run a second time (`DatasetExists`). Never in production.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import translation

from accounts.models import Role, RoleKind
from compliance.states import LaoState
from core.history import HistoryEvent
from core.national_id import keyed_hash, with_check_digit
from core.thai import BANGKOK, bangkok_midnight
from demo.accounts import DOMAIN, MARK, generate_accounts
from demo.units import generate_units
from onboarding.models import RequestState, VerificationRequest
from onboarding.positions import required_position_values
from registry.models import Organization

DEFAULT_SEED = 2568
FIRST_DAY = dt.date(2025, 4, 5)  # the verification window (Bangkok days, both included)
LAST_DAY = dt.date(2025, 4, 21)
UNITS_OPEN = dt.date(2025, 4, 4)  # units may use the system from this day
NOTIFICATION_DAYS = 30  # the month of notifications ends on LAST_DAY

# The LAOs' states, in per cent of the LAOs (each LAO draws its own).
NEVER_FILED = "none"  # an outcome: the person never filed a request

LAO_STATE_MIX = {
    LaoState.VERIFIED: 60,
    LaoState.SUBMITTED: 17,
    LaoState.RETURNED: 9,
    LaoState.REJECTED: 5,
    LaoState.NOT_STARTED: 9,
}
# The last request of each staff member, by the LAO's planned state: "lead" is the person whose
# request makes the state (one of the required positions), "second" the other required position,
# "other" everyone else (the finance officer). NEVER_FILED: never filed.
OUTCOMES = {
    LaoState.VERIFIED: {
        "lead": {RequestState.APPROVED: 1},
        "second": {RequestState.APPROVED: 1},
        "other": {
            RequestState.APPROVED: 75,
            RequestState.SUBMITTED: 8,
            RequestState.RETURNED: 4,
            RequestState.DRAFT: 4,
            NEVER_FILED: 9,
        },
    },
    LaoState.SUBMITTED: {
        "lead": {RequestState.SUBMITTED: 1},
        "second": {
            RequestState.APPROVED: 45,
            RequestState.SUBMITTED: 30,
            RequestState.RETURNED: 5,
            NEVER_FILED: 20,
        },
        "other": {
            RequestState.APPROVED: 35,
            RequestState.SUBMITTED: 25,
            RequestState.DRAFT: 10,
            NEVER_FILED: 30,
        },
    },
    LaoState.RETURNED: {
        "lead": {RequestState.RETURNED: 1},
        "second": {
            RequestState.APPROVED: 45,
            RequestState.RETURNED: 20,
            RequestState.DRAFT: 10,
            NEVER_FILED: 25,
        },
        "other": {
            RequestState.APPROVED: 30,
            RequestState.RETURNED: 15,
            RequestState.DRAFT: 15,
            NEVER_FILED: 40,
        },
    },
    LaoState.REJECTED: {
        "lead": {RequestState.REJECTED: 1},
        "second": {
            RequestState.APPROVED: 45,
            RequestState.REJECTED: 15,
            RequestState.WITHDRAWN: 10,
            NEVER_FILED: 30,
        },
        "other": {RequestState.APPROVED: 30, RequestState.WITHDRAWN: 10, NEVER_FILED: 60},
    },
    LaoState.NOT_STARTED: {
        "lead": {RequestState.DRAFT: 45, RequestState.WITHDRAWN: 15, NEVER_FILED: 40},
        "second": {RequestState.DRAFT: 35, RequestState.WITHDRAWN: 10, NEVER_FILED: 55},
        "other": {RequestState.DRAFT: 25, NEVER_FILED: 75},
    },
}
EARLIER_ATTEMPT = 0.2  # a filer's earlier request that ended rejected or withdrawn
RETURN_LOOP = 0.2  # returned once, corrected and resubmitted, before its last state
DRAFT_FIRST = 0.3  # saved as a draft before it was submitted
BY_DLA = 0.1  # decided by the DLA officer rather than the province's
UNIT_LOGIN = {
    LaoState.VERIFIED: 0.55,
    "other": 0.25,
}  # share of units logged in, by the LAO's state

FIRST_NAMES = (
    "สมชาย",
    "สมศักดิ์",
    "ประเสริฐ",
    "วิชัย",
    "สุรชัย",
    "อนันต์",
    "ธนพล",
    "กิตติพงษ์",
    "ณัฐวุฒิ",
    "สมศรี",
    "สุภาพร",
    "วันเพ็ญ",
    "รัตนา",
    "กาญจนา",
    "นงลักษณ์",
    "พรทิพย์",
    "จิราพร",
    "อรุณี",
    "บุญมี",
    "ทองใบ",
    "สุนทร",
    "ปรีชา",
    "มาลัย",
    "ศิริพร",
    "อำนาจ",
    "เกศินี",
    "ชูชาติ",
    "ดวงใจ",
)
LAST_NAMES = (
    "ใจดี",
    "ศรีสุข",
    "บุญมา",
    "แก้วมณี",
    "ทองดี",
    "พรหมมา",
    "สุขสวัสดิ์",
    "วงศ์ใหญ่",
    "จันทร์หอม",
    "ประเสริฐศักดิ์",
    "มั่นคง",
    "ศรีวงศ์",
    "คำภา",
    "พันธ์ุดี",
    "สายทอง",
    "นาคสวัสดิ์",
    "ชัยมงคล",
    "อินทร์แก้ว",
    "บุญเรือง",
    "ทองคำ",
    "ศรีประเสริฐ",
    "แสนสุข",
    "ภูมิสะอาด",
    "หอมจันทร์",
)
RETURN_REMARKS = (
    "สำเนาคำสั่งแต่งตั้งไม่ชัดเจน กรุณาแนบใหม่",
    "เลขที่คำสั่งไม่ตรงกับเอกสารแนบ",
    "ชื่อ-สกุลไม่ตรงกับสำเนาบัตรประจำตัวประชาชน",
    "วันที่คำสั่งแต่งตั้งไม่ตรงกับเอกสาร",
)
REJECT_REASONS = (
    "ผู้ยื่นไม่ได้ดำรงตำแหน่งตามที่ระบุในคำขอ",
    "คำสั่งแต่งตั้งสิ้นผลแล้ว",
    "ยื่นคำขอซ้ำกับผู้ดำรงตำแหน่งที่ได้รับอนุมัติแล้ว",
)
APPROVE_REASONS = ("", "", "", "เอกสารครบถ้วน")
MAIL_ERRORS = (
    "SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable (generated)",
    "SMTPServerDisconnected: Connection unexpectedly closed (generated)",
    "TimeoutError: timed out (generated)",
)


ANALYZED = (
    "onboarding_organization",
    "onboarding_historicalorganization",
    "onboarding_verificationrequest",
    "onboarding_historicalverificationrequest",
    "accounts_user",
    "accounts_role",
    "account_emailaddress",
    "notifications_notification",
)


class DatasetError(Exception):
    """The data set cannot be built here; the message says why."""


class DatasetExists(DatasetError):
    """It was built already: a second run would double it."""


@dataclass
class DatasetResult:
    laos: int = 0
    units_created: int = 0
    accounts_created: int = 0
    lao_states: Counter = field(default_factory=Counter)
    requests: Counter = field(default_factory=Counter)  # by state
    request_history: int = 0
    organization_history: int = 0
    units: int = 0
    units_logged_in: int = 0
    notifications: Counter = field(default_factory=Counter)  # by kind
    notification_status: Counter = field(default_factory=Counter)
    seconds: dict = field(default_factory=dict)  # by step

    def lines(self) -> list[str]:
        def mix(counter: Counter) -> str:
            return ", ".join(
                f"{k} {v:,}" for k, v in sorted(counter.items(), key=lambda kv: -kv[1])
            )

        total = sum(self.seconds.values())
        return [
            f"units: {self.units_created:,} created now; {self.units:,} generated units, "
            f"{self.units_logged_in:,} logged in",
            f"accounts: {self.accounts_created:,} created now",
            f"LAOs: {self.laos:,} ({mix(self.lao_states)})",
            f"verification requests: {sum(self.requests.values()):,} ({mix(self.requests)}), "
            f"{self.request_history:,} history rows; "
            f"{self.organization_history:,} LAO history rows",
            f"notifications: {sum(self.notifications.values()):,} ({mix(self.notifications)}; "
            f"{mix(self.notification_status)})",
            "seconds: "
            + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items())
            + f"; total {total:.1f}",
        ]


# --- Times -----------------------------------------------------------------------------------
WINDOW_START = bangkok_midnight(FIRST_DAY)
WINDOW_END = bangkok_midnight(LAST_DAY + dt.timedelta(days=1))  # exclusive


def _working_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """An instant of a Bangkok working day (08:00-18:00), some evenings."""
    hour = rng.uniform(8.0, 18.0) if rng.random() < 0.9 else rng.uniform(18.0, 22.0)
    return bangkok_midnight(day) + dt.timedelta(hours=hour)


def _place(
    rng: random.Random,
    delays: list[float],
    *,
    end_after: dt.datetime | None = None,
    end: dt.datetime = WINDOW_END,
) -> list[dt.datetime]:
    """Times for a chain of events `delays` hours apart (the first 0), inside the window and
    before `end`; with `end_after`, the last event comes after that instant."""
    span = sum(delays)
    room = (end - WINDOW_START).total_seconds() / 3600 - 24  # leave the last evening
    if span > room:  # squeeze the chain (rare: many steps with long delays)
        delays = [d * room / span for d in delays]
        span = room
    length = dt.timedelta(hours=span)
    earliest = WINDOW_START + dt.timedelta(hours=8)
    if end_after is not None:
        earliest = max(earliest, end_after - length + dt.timedelta(minutes=rng.uniform(1, 600)))
    latest = end - dt.timedelta(minutes=rng.uniform(30, 300)) - length  # no two chains end alike
    first_day = earliest.astimezone(BANGKOK).date()
    days = max(((latest - dt.timedelta(hours=6)).astimezone(BANGKOK).date() - first_day).days, 0)
    start = _working_time(rng, first_day + dt.timedelta(days=rng.randint(0, days)))
    start = max(
        min(start, latest), earliest
    )  # `earliest` wins: ending after `end_after` matters more
    out, at = [], start
    for d in delays:
        at = at + dt.timedelta(hours=d)
        out.append(min(at, end - dt.timedelta(seconds=1)))
    return out


# --- People ----------------------------------------------------------------------------------
def national_id(rng: random.Random) -> str:
    """A 13-digit number with a valid check digit (made up)."""
    digits = str(rng.randint(1, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return with_check_digit(digits)


@dataclass
class Person:
    user_id: int
    position: str
    full_name: str
    nid_hash: str
    last4: str
    order_number: str
    order_date: dt.date


def _person(seed: int, user_id: int, email: str, position: str) -> Person:
    rng = random.Random(f"{seed}:person:{email}")
    title = rng.choice(("นาย", "นาง", "นางสาว"))
    nid = national_id(rng)
    year_be = rng.randint(2560, 2567)
    return Person(
        user_id=user_id,
        position=position,
        full_name=f"{title}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {MARK}",
        nid_hash=keyed_hash(nid),
        last4=nid[-4:],
        order_number=f"{rng.randint(1, 999)}/{year_be}",
        order_date=dt.date(year_be - 543, rng.randint(1, 12), rng.randint(1, 28)),
    )


# --- Requests --------------------------------------------------------------------------------
def _steps(rng: random.Random, outcome: str) -> list[str]:
    """The transitions of one request ending in `outcome` (approved, submitted, ... draft)."""
    if outcome == RequestState.DRAFT:
        return ["create_draft"]
    steps = ["create_draft", "submit"] if rng.random() < DRAFT_FIRST else ["create_submit"]
    if outcome == RequestState.WITHDRAWN:
        return (["create_draft"] if rng.random() < 0.3 else steps) + ["withdraw"]
    if rng.random() < RETURN_LOOP:
        steps += ["return", "resubmit"]
    return (
        steps
        + {
            RequestState.SUBMITTED: [],
            RequestState.RETURNED: ["return"],
            RequestState.APPROVED: ["approve"],
            RequestState.REJECTED: ["reject"],
        }[outcome]
    )


DELAY_HOURS = {  # the time before each step, in hours (uniform between the two)
    "create_draft": (0, 0),
    "create_submit": (0, 0),
    "submit": (0.2, 48),
    "resubmit": (6, 72),
    "return": (4, 96),
    "approve": (2, 96),
    "reject": (4, 96),
    "withdraw": (4, 72),
    "next_request": (12, 72),  # from an earlier request's end to the next one
}


def _labels() -> dict:
    """The history's event of each step, as onboarding.services writes them."""
    return {
        "create_draft": HistoryEvent.SAVED_AS_DRAFT,
        "create_submit": HistoryEvent.SUBMITTED,
        "submit": HistoryEvent.SUBMITTED,
        "resubmit": HistoryEvent.RESUBMITTED,
        "withdraw": HistoryEvent.WITHDRAWN,
        "approve": HistoryEvent.APPROVED,
        "return": HistoryEvent.RETURNED,
        "reject": HistoryEvent.REJECTED,
    }


class RequestBuilder:
    """Plays the transitions of a staff member's requests, keeping each state as a history row."""

    def __init__(self, labels: dict, end: dt.datetime = WINDOW_END):
        self.labels = labels
        self.end = end  # every change comes before it
        self.requests: list[dict] = []  # the final field values (attnames), one per request
        # per request: (at, user_id, (event, data), type, snapshot)
        self.history: list[list[tuple]] = []

    def person(
        self,
        rng,
        org_id: int,
        person: Person,
        outcomes: list[str],
        decider_id: int,
        *,
        end_after: dt.datetime | None = None,
    ) -> list[dict]:
        """All of a person's requests at one LAO (earlier ones closed); returns their fields.
        `end_after`: the last request's last change comes after that instant."""
        chains = [_steps(rng, o) for o in outcomes]
        delays, kinds = [], []
        for i, steps in enumerate(chains):
            for j, step in enumerate(steps):
                lo, hi = DELAY_HOURS["next_request" if (j == 0 and i > 0) else step]
                delays.append(0.0 if not kinds else rng.uniform(lo, hi))
                kinds.append((i, step))
        times = _place(rng, delays, end_after=end_after, end=self.end)
        made = []
        for i in range(len(chains)):
            fields, rows = None, []
            for (k, step), at in zip(kinds, times, strict=True):
                if k != i:
                    continue
                fields, reason, actor = self._apply(
                    rng, step, fields, at, org_id, person, decider_id
                )
                rows.append((at, actor, reason, "+" if len(rows) == 0 else "~", dict(fields)))
            self.requests.append(fields)
            self.history.append(rows)
            made.append(fields)
        return made

    def _apply(self, rng, step, fields, at, org_id, person, decider_id):
        label = self.labels[step]
        if step.startswith("create"):
            fields = {
                "organization_id": org_id,
                "requester_id": person.user_id,
                "full_name": person.full_name,
                "national_id_hash": person.nid_hash,
                "national_id_last4": person.last4,
                "position": person.position,
                "appointment_order_number": person.order_number,
                "appointment_date": person.order_date,
                "consent_at": at,
                "state": RequestState.DRAFT,
                "version": 1,
                "remarks": "",
                "created_at": at,
                "submitted_at": None,
                "decided_at": None,
                "decided_by_id": None,
            }
            if step == "create_submit":
                fields["state"], fields["submitted_at"] = RequestState.SUBMITTED, at
            return fields, (label, {}), person.user_id
        fields = dict(fields, version=fields["version"] + 1)
        if step in ("submit", "resubmit"):
            fields.update(state=RequestState.SUBMITTED, submitted_at=at)
            return fields, (label, {}), person.user_id
        if step == "withdraw":
            fields.update(state=RequestState.WITHDRAWN)
            return fields, (label, {}), person.user_id
        remarks = {
            "approve": lambda: rng.choice(APPROVE_REASONS),
            "return": lambda: rng.choice(RETURN_REMARKS),
            "reject": lambda: rng.choice(REJECT_REASONS),
        }[step]()
        state = {
            "approve": RequestState.APPROVED,
            "return": RequestState.RETURNED,
            "reject": RequestState.REJECTED,
        }[step]
        fields.update(state=state, decided_at=at, decided_by_id=decider_id, remarks=remarks)
        return fields, (label, {"remarks": remarks} if remarks else {}), decider_id


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _required_people(staff: list[Person]) -> list[Person] | None:
    """One distinct person per required group of positions, or None when some group is missing."""
    chosen: list[Person] = []
    for group in settings.IDENTITY_REQUIRED_POSITIONS:
        person = next((p for p in staff if p.position in group and p not in chosen), None)
        if person is None:
            return None
        chosen.append(person)
    return chosen


def plan_lao(
    rng: random.Random, staff: list[Person], mix: dict = LAO_STATE_MIX
) -> tuple[str, dict[int, list[str]], Person | None]:
    """The LAO's state; per staff member (user id), the outcomes of their requests in order; and
    the person whose request makes the state (None for verified LAOs)."""
    state = _pick(rng, mix)
    if not staff:
        return LaoState.NOT_STARTED, {}, None
    required = _required_people(staff)
    if required is None:  # cannot be verified: nobody for some required position
        state = LaoState.SUBMITTED if state == LaoState.VERIFIED else state
        required = staff[:1]
    lead = rng.choice(required) if state != LaoState.VERIFIED else None
    plan: dict[int, list[str]] = {}
    for person in staff:
        role = (
            "lead"
            if person is lead or (state == LaoState.VERIFIED and person in required)
            else ("second" if person in required else "other")
        )
        outcome = _pick(rng, OUTCOMES[state][role])
        if outcome == NEVER_FILED:
            continue
        outcomes = [outcome]
        if outcome != RequestState.DRAFT and rng.random() < EARLIER_ATTEMPT:
            earlier = (
                RequestState.WITHDRAWN
                if state == LaoState.NOT_STARTED
                else rng.choice((RequestState.REJECTED, RequestState.WITHDRAWN))
            )
            outcomes.insert(0, earlier)
        plan[person.user_id] = outcomes
    return state, plan, lead


# --- The whole data set ----------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """What a data set covers: by default the whole country over the whole window; the demo
    (demo/life.py) one province up to an instant inside the window, with its own mix of states,
    and the demo accounts' LAOs left untouched (`quiet`: LAO ids) for a person to try."""

    province: str | None = None  # a 2-digit code, or the whole country
    until: dt.datetime = WINDOW_END  # every generated change comes before it
    mix: dict = field(default_factory=lambda: dict(LAO_STATE_MIX))
    quiet: frozenset = frozenset()

    def laos(self):
        laos = Organization.objects.laos()
        if self.province:
            laos = laos.filter(district__province__code=self.province)
        return laos

    @property
    def last_day(self) -> dt.date:
        """The last Bangkok day the data set reaches."""
        return min(LAST_DAY, (self.until - dt.timedelta(microseconds=1)).astimezone(BANGKOK).date())


def generated_requests(scope: Scope | None = None):
    requests = VerificationRequest.objects.filter(requester__email__endswith=f"@{DOMAIN}")
    if scope is not None and scope.province:
        requests = requests.filter(organization__district__province__code=scope.province)
    return requests


def generate_dataset(
    *,
    seed: int = DEFAULT_SEED,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
    scope: Scope | None = None,
) -> DatasetResult:
    """Build the national data set (see the module's docstring), or the part `scope` says, and
    say what was made."""
    if not settings.DEMO_FEATURES:
        raise PermissionDenied("No generated data set in production (DEMO_FEATURES is off).")
    scope = scope or Scope()
    say = progress or (lambda _message: None)
    if not scope.laos().exists():
        raise DatasetError("There are no LAOs yet: run load_registry (and load_circulars) first.")
    existing = generated_requests(scope).count()
    if existing:
        raise DatasetExists(
            f"The generated data set is already here ({existing:,} generated verification "
            "requests): running again would double it. Start from a fresh database to build "
            "it again."
        )
    result = DatasetResult()
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        result.seconds[name] = now - clock
        clock = now

    say("generated units (national profile)")
    result.units_created = generate_units(
        seed=seed, batch_size=batch_size, province=scope.province
    ).units_created
    lap("units")
    say("generated accounts")
    result.accounts_created = generate_accounts(
        batch_size=batch_size, province=scope.province
    ).users_created
    lap("accounts")

    with transaction.atomic():
        lao_state = _requests(result, scope, seed=seed, batch_size=batch_size, say=say)
        lap("requests")
        _first_logins(result, lao_state, scope, seed=seed, batch_size=batch_size, say=say)
        lap("units_logins")
        _notifications(result, scope, seed=seed, batch_size=batch_size, say=say)
        lap("notifications")
    if connection.vendor == "postgresql":  # the planner's statistics, before autovacuum's
        say("ANALYZE of the tables written")
        with connection.cursor() as cursor:
            for table in ANALYZED:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        lap("analyze")
    return result


def _requests(
    result: DatasetResult, scope: Scope, *, seed: int, batch_size: int, say
) -> dict[int, str]:
    laos = list(scope.laos().order_by("dla_code", "id"))
    result.laos = len(laos)
    staff: dict[int, list[Person]] = defaultdict(list)
    roles = (
        Role.objects.filter(
            kind=RoleKind.LAO_STAFF,
            user__email__endswith=f"@{DOMAIN}",
            organization__in=scope.laos(),
        )
        .order_by("organization_id", "id")
        .values_list("organization_id", "user_id", "user__email", "position")
    )
    for org_id, user_id, email, position in roles.iterator(chunk_size=5000):
        staff[org_id].append(_person(seed, user_id, email, position))
    officers = dict(
        Role.objects.filter(
            kind=RoleKind.PROVINCE_OFFICER, user__email__endswith=f"@{DOMAIN}"
        ).values_list("province_id", "user_id")
    )
    dla = (
        Role.objects.filter(kind=RoleKind.DLA_OFFICER, user__email__endswith=f"@{DOMAIN}")
        .values_list("user_id", flat=True)
        .first()
    )
    provinces = dict(scope.laos().values_list("id", "district__province_id"))
    say(f"planning requests for {len(laos):,} LAOs ({sum(map(len, staff.values())):,} staff)")

    builder = RequestBuilder(_labels(), end=scope.until)
    counted = set(required_position_values())  # as the dashboards count "in progress"
    lao_state: dict[int, str] = {}
    verified: dict[int, tuple[dt.datetime, int]] = {}
    for org in laos:
        rng = random.Random(f"{seed}:lao:{org.dla_code or org.pk}")
        people = [] if org.pk in scope.quiet else staff.get(org.pk, [])
        state, plan, lead = plan_lao(rng, people, scope.mix)
        province_officer = officers.get(provinces[org.pk]) or dla
        if province_officer is None:
            raise DatasetError("No generated provincial or DLA officer to decide requests.")
        approvals, decisions = [], []
        # A rejected LAO's rejection is its last decision (an approval after it would stand):
        # the lead's requests come last, after everyone else's decisions.
        for person in sorted(people, key=lambda p: p is lead):
            if person.user_id not in plan:
                continue
            decider = dla if (dla and rng.random() < BY_DLA) else province_officer
            end_after = (
                max(decisions)
                if (state == LaoState.REJECTED and person is lead and decisions)
                else None
            )
            for fields in builder.person(
                rng, org.pk, person, plan[person.user_id], decider, end_after=end_after
            ):
                if fields["decided_at"] is not None:
                    decisions.append(fields["decided_at"])
                if fields["state"] == RequestState.APPROVED:
                    approvals.append((fields["decided_at"], fields["decided_by_id"], person))
        if state == LaoState.VERIFIED:
            required = _required_people(people) or []
            times = [(at, by) for at, by, p in approvals if p in required]
            at, by = max(times)
            verified[org.pk] = (at, by)
        elif any(p.position in counted for _at, _by, p in approvals):
            # A required position approved, not all: in progress, as the dashboards count it.
            state = LaoState.IN_PROGRESS
        lao_state[org.pk] = state
    result.lao_states.update(lao_state.values())

    # Oldest first, so that ids and history ids grow with time as they would have.
    order = sorted(
        range(len(builder.requests)), key=lambda i: (builder.requests[i]["created_at"], i)
    )
    objs = [VerificationRequest(**builder.requests[i]) for i in order]
    say(f"creating {len(objs):,} verification requests")
    VerificationRequest.objects.bulk_create(objs, batch_size=batch_size)
    if any(o.pk is None for o in objs):
        raise DatasetError("the database did not return the new requests' ids")
    result.requests.update(o.state for o in objs)

    History = VerificationRequest.history.model
    tracked = [f.attname for f in History.tracked_fields]
    defaults = {f.attname: f.get_default() for f in History.tracked_fields}
    rows = []
    for obj, i in zip(objs, order, strict=True):
        for at, user_id, (event, data), kind, snapshot in builder.history[i]:
            values = {  # a field the builder does not set (ThaID's proof) keeps its default
                name: snapshot[name] if name in snapshot else defaults[name]
                for name in tracked
                if name != "id"
            }
            rows.append(
                History(
                    id=obj.pk,
                    history_date=at,
                    history_user_id=user_id,
                    history_event=event,
                    history_data=data,
                    history_type=kind,
                    **values,
                )
            )
    rows.sort(key=lambda r: r.history_date)
    say(f"creating {len(rows):,} request history rows")
    History.objects.bulk_create(rows, batch_size=batch_size)
    result.request_history = len(rows)

    # The LAOs verified: identity_verified_at at the second required approval, with its history.
    by_pk = {org.pk: org for org in laos}
    changed = []
    for pk, (at, _by) in verified.items():
        org = by_pk[pk]
        org.identity_verified_at = at
        changed.append(org)
    say(f"marking {len(changed):,} LAOs verified")
    Organization.objects.bulk_update(changed, ["identity_verified_at"], batch_size=batch_size)
    OrgHistory = Organization.history.model
    org_fields = [f.attname for f in OrgHistory.tracked_fields]
    org_rows = [
        OrgHistory(
            history_date=org.identity_verified_at,
            history_user_id=verified[org.pk][1],
            history_event=HistoryEvent.IDENTITY_VERIFIED,
            history_type="~",
            **{name: getattr(org, name) for name in org_fields},
        )
        for org in sorted(changed, key=lambda o: o.identity_verified_at)
    ]
    OrgHistory.objects.bulk_create(org_rows, batch_size=batch_size)
    result.organization_history = len(org_rows)
    return lao_state


def _first_logins(
    result: DatasetResult,
    lao_state: dict[int, str],
    scope: Scope,
    *,
    seed: int,
    batch_size: int,
    say,
) -> None:
    units = list(
        Organization.objects.units()
        .filter(is_generated=True, parent__in=scope.laos())
        .select_related("parent")
        .only("id", "parent__dla_code", "parent_id", "first_login_at")
        .order_by("parent_id", "id")
    )
    result.units = len(units)
    days = (scope.last_day - UNITS_OPEN).days
    changed, rng, parent = [], None, None
    for unit in units:
        if unit.parent_id != parent:
            parent = unit.parent_id
            rng = random.Random(f"{seed}:units:{unit.parent.dla_code or parent}")
        share = UNIT_LOGIN[
            LaoState.VERIFIED if lao_state.get(parent) == LaoState.VERIFIED else "other"
        ]
        login = rng.random() < share
        at = _working_time(rng, UNITS_OPEN + dt.timedelta(days=rng.randint(0, days)))
        if login and unit.first_login_at is None and at < scope.until:
            unit.first_login_at = at
            changed.append(unit)
    say(f"recording the first login of {len(changed):,} of {len(units):,} units")
    Organization.objects.bulk_update(changed, ["first_login_at"], batch_size=batch_size)
    result.units_logged_in = sum(1 for u in units if u.first_login_at is not None)


def _notifications(result: DatasetResult, scope: Scope, *, seed: int, batch_size: int, say) -> None:
    """The ladder day by day, as the daily pass writes it (notifications.reminders.collect),
    without rendering every message: a short text per row, its title marked (generated)."""
    from notifications.models import Kind, Notification, ReminderStep
    from notifications.reminders import _fires, verification_windows

    steps = list(ReminderStep.objects.filter(active=True))
    # The generated people only.
    roles = Role.objects.filter(user__email__endswith=f"@{DOMAIN}").order_by("id")
    staff = defaultdict(list)
    for org_id, user_id in roles.filter(kind=RoleKind.LAO_STAFF).values_list(
        "organization_id", "user_id"
    ):
        staff[org_id].append(user_id)
    district_officers = defaultdict(list)
    for district_id, user_id in roles.filter(kind=RoleKind.DISTRICT_OFFICER).values_list(
        "district_id", "user_id"
    ):
        district_officers[district_id].append(user_id)
    province_officers = defaultdict(list)
    for province_id, user_id in roles.filter(kind=RoleKind.PROVINCE_OFFICER).values_list(
        "province_id", "user_id"
    ):
        province_officers[province_id].append(user_id)
    dla = list(roles.filter(kind=RoleKind.DLA_OFFICER).values_list("user_id", flat=True))
    laos = list(
        scope.laos().values_list(
            "id", "district_id", "district__province_id", "identity_verified_at"
        )
    )
    existing = set(
        Notification.objects.values_list("recipient_id", "kind", "subject_key", "period")
    )
    titles = {}
    for kind, label in Kind.choices:
        with translation.override("th"):
            th = str(label)
        with translation.override("en"):
            titles[kind] = (th, str(label))

    first = scope.last_day - dt.timedelta(days=NOTIFICATION_DAYS - 1)
    rng = random.Random(f"{seed}:notifications")
    rows = []
    for n in range(NOTIFICATION_DAYS):
        day = first + dt.timedelta(days=n)
        windows = verification_windows(day)
        if not windows:
            continue
        cutoff = bangkok_midnight(day + dt.timedelta(days=1))
        unverified = defaultdict(list)  # district id -> LAO ids
        for org_id, district_id, _province_id, verified_at in laos:
            if district_id in windows and (verified_at is None or verified_at >= cutoff):
                unverified[district_id].append(org_id)
        wanted = []  # (recipient, kind, subject)
        for district_id, org_ids in unverified.items():
            if _fires(Kind.LAO_REMINDER, steps, day, windows[district_id]):
                wanted += [
                    (u, Kind.LAO_REMINDER, f"org:{o}") for o in org_ids for u in staff.get(o, [])
                ]
            if _fires(Kind.DISTRICT_DIGEST, steps, day, windows[district_id]):
                wanted += [
                    (u, Kind.DISTRICT_DIGEST, f"district:{district_id}")
                    for u in district_officers.get(district_id, [])
                ]
        # Per province, one of its districts with work to do (the province's window).
        provinces = {p: d for _o, d, p, _v in laos if d in unverified}
        summaries = [
            p for p, d in provinces.items() if _fires(Kind.PROVINCE_SUMMARY, steps, day, windows[d])
        ]
        for p in summaries:
            wanted += [
                (u, Kind.PROVINCE_SUMMARY, f"province:{p}") for u in province_officers.get(p, [])
            ]
        if any(_fires(Kind.DLA_SUMMARY, steps, day, windows[d]) for d in provinces.values()):
            wanted += [(u, Kind.DLA_SUMMARY, "country") for u in dla]
        period = day.isoformat()
        last = day == scope.last_day
        for recipient, kind, subject in wanted:
            key = (recipient, str(kind), subject, period)
            if key in existing:
                continue
            existing.add(key)
            row = _notification(
                rng, day, last, recipient, str(kind), subject, period, titles[str(kind)]
            )
            if row.created_at >= scope.until:
                continue
            if scope.until < WINDOW_END:  # a demo's "now": nothing sent or read after it
                if row.sent_at is not None:
                    row.sent_at = min(row.sent_at, scope.until - dt.timedelta(seconds=1))
                if row.read_at is not None and row.read_at >= scope.until:
                    row.read_at = None
            rows.append(row)
    rows.sort(key=lambda r: r.created_at)
    say(f"creating {len(rows):,} notifications")
    Notification.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    result.notifications.update(r.kind for r in rows)
    result.notification_status.update(r.status for r in rows)


def _notification(rng, day, last: bool, recipient, kind, subject, period, titles):
    from notifications.models import Notification

    created = bangkok_midnight(day) + dt.timedelta(hours=8, minutes=30, seconds=rng.uniform(0, 900))
    roll = rng.random()
    # The last day's mail is partly still on its way; some addresses fail every day.
    thresholds = (
        ((0.10, "pending"), (0.13, "sending"), (0.15, "failed")) if last else ((0.02, "failed"),)
    )
    status = next((s for limit, s in thresholds if roll < limit), "sent")
    row = Notification(
        recipient_id=recipient,
        kind=kind,
        subject_key=subject,
        period=period,
        title_th=f"{titles[0]} {MARK}"[:255],
        title_en=f"{titles[1]} {MARK}"[:255],
        body_text=f"{titles[0]}\n{titles[1]}\n{subject}, {period} {MARK}\n",
        body_html=f"<p>{titles[0]}</p><p>{titles[1]}</p><p>{subject}, {period} {MARK}</p>",
        created_at=created,
        next_attempt_at=created,
        status=status,
    )
    if status == "sent":
        row.attempts = 1 if rng.random() < 0.97 else 2
        row.sent_at = created + dt.timedelta(seconds=rng.uniform(2, 600))
        if rng.random() < 0.4:
            row.read_at = row.sent_at + dt.timedelta(hours=rng.uniform(0.1, 48))
    elif status == "failed":
        row.attempts = settings.NOTIFICATION_MAX_ATTEMPTS
        row.last_error = rng.choice(MAIL_ERRORS)
        row.next_attempt_at = created + dt.timedelta(hours=2)
    elif status == "sending":
        row.attempts = 1
        row.claimed_at = created + dt.timedelta(seconds=rng.uniform(1, 60))
        row.claimed_by = "generated-worker"
    return row
