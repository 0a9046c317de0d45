"""The access policy: who may do what, when, and which circular says so.

Pure Python, no ORM: `Policy` is built from plain records (see `maintenance.snapshot` for the
database side) and answers `decide(subject, action, at)`.

Precedence, in this order (also in README.md):

1. What is not allowed is denied. With no matching rule the answer is "deny", by default.
2. A forwarding letter does not override its source. Where a letter forwards another (the
   province's letter encloses DLA's) and both carry a rule for the same who, action and effect,
   the source's rule governs and the forwarding letter's rule is set aside; if their dates
   differ the disagreement is recorded as a `Discrepancy` (4 vs 5 April; 1 vs 15 March).
3. A rule applies only inside its issuer's area: a province's letter binds that province's
   organisations, a district's that district's; DLA's binds the whole country.
4. Among the rules that match the instant, the deciding one is the one from the circular that
   ranks highest: higher authority first (DLA > province > district), then the later date.
   A later circular of the same or a higher authority so supersedes an earlier one; a lower
   authority never overrides a higher one.
5. Inside one circular the rule that starts latest wins (the closure from 27 March overrides
   the opening from 15 March; the units' reopening on 4 April overrides the closure); on a tie
   deny beats allow, and a rule for a specific identity status beats one for any status.

Windows are half-open: a rule holds from `starts_at` (inclusive) until `ends_at` (exclusive),
so "5 to 21 April" is stored as 5 April 00:00 to 22 April 00:00 Bangkok time and 21 April
23:59:59 is inside it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace

from django.db.models import IntegerChoices, TextChoices
from django.utils.translation import gettext_lazy as _

from core.thai import format_last_day


class EntityType(TextChoices):
    """Who a rule is for: an LAO or a unit under one."""

    LAO = "lao", _("LAO")
    UNIT = "unit", _("Unit under an LAO")


class Action(TextChoices):
    """What a rule allows or denies."""

    VERIFY_IDENTITY = "verify_identity", _("Verify identity")
    USE_SYSTEM = "use_system", _("Use New e-LAAS")


class Effect(TextChoices):
    ALLOW = "allow", _("Allow")
    DENY = "deny", _("Deny")


ENTITY_TYPES = tuple(EntityType.values)
ACTIONS = tuple(Action.values)
ALLOW, DENY = Effect.ALLOW, Effect.DENY

_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)

# How many (subject, action) timelines one `Policy` keeps before it starts afresh (see decide).
TIMELINES_MAX = 4096


class Authority(IntegerChoices):
    """Who issued a letter; the number is its rank in the policy's precedence."""

    DISTRICT = 1, _("District")
    PROVINCE = 2, _("Province")
    DLA = 3, _("Department of Local Administration")


# How data files and the intake name the issuing authority.
AUTHORITY_CODES = {
    "dla": Authority.DLA,
    "province": Authority.PROVINCE,
    "district": Authority.DISTRICT,
}

ACTION_LABELS = {
    Action.VERIFY_IDENTITY: ("ยืนยันตัวตน", "verify identity"),
    Action.USE_SYSTEM: ("ใช้งานระบบ New e-LAAS", "use New e-LAAS"),
}
SUBJECT_LABELS = {
    (EntityType.LAO, False): (
        "อปท. ที่ยังไม่ได้ยืนยันตัวตน",
        "LAOs that have not verified their identity",
    ),
    (EntityType.LAO, True): ("อปท. ที่ยืนยันตัวตนแล้ว", "LAOs that have verified their identity"),
    (EntityType.LAO, None): ("อปท.", "LAOs"),
    (EntityType.UNIT, None): ("หน่วยงานภายใต้สังกัด อปท.", "units under LAOs"),
}


@dataclass(frozen=True)
class CircularInfo:
    id: int
    number: str
    authority_level: int
    issued_on: dt.date
    province_code: str | None = None
    district_code: str | None = None
    forwards_id: int | None = None


@dataclass(frozen=True)
class Rule:
    id: int
    circular_id: int
    action: str
    effect: str
    entity_type: str | None = None  # None: LAOs and units alike
    identity_verified: bool | None = None  # None: any status (always None for units)
    starts_at: dt.datetime | None = None  # None: since ever
    ends_at: dt.datetime | None = None  # None: open-ended; exclusive
    clause: str = ""
    reason_th: str = ""
    reason_en: str = ""

    def covers(self, at: dt.datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= at) and (
            self.ends_at is None or at < self.ends_at
        )

    def concerns(self, subject: Subject, action: str) -> bool:
        if self.action != action:
            return False
        if self.entity_type is not None and self.entity_type != subject.entity_type:
            return False
        return self.identity_verified is None or (
            subject.entity_type == EntityType.LAO
            and self.identity_verified == subject.identity_verified
        )

    @property
    def pairing_key(self) -> tuple:
        return (self.entity_type, self.identity_verified, self.action, self.effect)


_RULE_DATA = (
    "action",
    "effect",
    "entity_type",
    "identity_verified",
    "starts_at",
    "ends_at",
    "clause",
    "reason_th",
    "reason_en",
)


def rule_from(record, *, id: int, circular_id: int) -> Rule:
    """A `Rule` from anything carrying its data by name: a model row, a proposal, a dict."""
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name, None)
    values = {name: get(name) for name in _RULE_DATA}
    values["clause"] = values["clause"] or ""
    values["reason_th"] = values["reason_th"] or ""
    values["reason_en"] = values["reason_en"] or ""
    return Rule(id=id, circular_id=circular_id, **values)


@dataclass(frozen=True)
class Subject:
    """Who asks: an LAO (identity verified or not) or a unit, optionally with its area."""

    entity_type: str
    identity_verified: bool | None = None
    province_code: str | None = None
    district_code: str | None = None

    def __post_init__(self):
        if self.entity_type not in ENTITY_TYPES:
            raise ValueError(f"entity_type must be one of {ENTITY_TYPES}")
        if self.entity_type == EntityType.UNIT:
            object.__setattr__(self, "identity_verified", None)
        elif self.identity_verified is None:
            object.__setattr__(self, "identity_verified", False)


def already_done(subject: Subject, action: str) -> bool:
    """True where the action is one the subject has already completed: an LAO whose identity is
    verified has nothing left to verify. The policy still answers "deny" to a second filing (no
    rule lets a verified LAO verify), but a page must say "done", not "not allowed"."""
    return (
        action == Action.VERIFY_IDENTITY
        and subject.entity_type == EntityType.LAO
        and bool(subject.identity_verified)
    )


@dataclass(frozen=True)
class Discrepancy:
    """A forwarding letter's rule whose dates differ from its source's rule."""

    forwarding_circular_id: int
    source_circular_id: int
    forwarding_rule_id: int
    source_rule_id: int
    field: str  # "starts_at" or "ends_at"
    forwarding_value: dt.datetime | None
    source_value: dt.datetime | None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason_th: str
    reason_en: str
    at: dt.datetime
    rule: Rule | None = None
    circular: CircularInfo | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    # What decides from `valid_until` on: the clause a page cites beside that date ("units may
    # log in from 4 April", under the letter's clause 2, not under the closure deciding now).
    next_rule: Rule | None = None
    next_circular: CircularInfo | None = None

    def reason(self, lang: str = "th") -> str:
        return self.reason_th if lang.startswith("th") else self.reason_en

    @property
    def key(self) -> tuple:
        return (self.allowed, self.rule.id if self.rule else None)


@dataclass
class Policy:
    circulars: dict[int, CircularInfo]
    rules: list[Rule]
    effective: list[Rule] = field(init=False)
    set_aside: dict[int, int] = field(init=False)  # forwarding rule id -> governing source rule id
    discrepancies: list[Discrepancy] = field(init=False)

    def __init__(self, circulars, rules):
        self.circulars = {c.id: c for c in circulars}
        self.rules = [r for r in rules if r.circular_id in self.circulars]
        self._by_id = {r.id: r for r in self.rules}
        self._reconcile_forwarding()
        # (subject, action) -> (boundaries, the decision of each segment between them, filled in
        # when first asked): see `decide`. No expiry is needed: a Policy's rules never change, and
        # a change of rules builds a new Policy (maintenance.snapshot). Keyed on the subject with
        # any area no circular names set to None (`_as_key`): such a code decides nothing
        # (`_applies_to`), so the keys stay a handful, not one per district of the country.
        # Still bounded: past TIMELINES_MAX entries it is cleared.
        self._timelines: dict[tuple, tuple[list[dt.datetime], list[Decision | None]]] = {}
        self._named_provinces = {c.province_code for c in circulars if c.province_code}
        self._named_districts = {c.district_code for c in circulars if c.district_code}
        self.fingerprint = hashlib.sha256(
            repr((sorted(self.circulars.items()), sorted(self.rules, key=lambda r: r.id))).encode()
        ).hexdigest()[:16]

    # -- precedence 2: the source governs a forwarding letter ------------------------------
    def _reconcile_forwarding(self) -> None:
        by_circular: dict[int, list[Rule]] = {}
        for rule in self.rules:
            by_circular.setdefault(rule.circular_id, []).append(rule)
        self.set_aside, self.discrepancies = {}, []
        for circular in self.circulars.values():
            source_id = circular.forwards_id
            if source_id is None or source_id not in self.circulars:
                continue
            source_rules: dict[tuple, list[Rule]] = {}
            for rule in sorted(by_circular.get(source_id, []), key=_start_key):
                source_rules.setdefault(rule.pairing_key, []).append(rule)
            pending: dict[tuple, list[Rule]] = {}
            for rule in sorted(by_circular.get(circular.id, []), key=_start_key):
                pending.setdefault(rule.pairing_key, []).append(rule)
            for key, own in pending.items():
                for mine, theirs in zip(own, source_rules.get(key, []), strict=False):
                    self.set_aside[mine.id] = theirs.id
                    for name in ("starts_at", "ends_at"):
                        if getattr(mine, name) != getattr(theirs, name):
                            self.discrepancies.append(
                                Discrepancy(
                                    forwarding_circular_id=circular.id,
                                    source_circular_id=source_id,
                                    forwarding_rule_id=mine.id,
                                    source_rule_id=theirs.id,
                                    field=name,
                                    forwarding_value=getattr(mine, name),
                                    source_value=getattr(theirs, name),
                                )
                            )
        self.effective = [r for r in self.rules if r.id not in self.set_aside]

    # -- precedence 3 to 5 -------------------------------------------------------------------
    def _applies_to(self, rule: Rule, subject: Subject) -> bool:
        circular = self.circulars[rule.circular_id]
        if circular.province_code and circular.province_code != subject.province_code:
            return False
        return not (circular.district_code and circular.district_code != subject.district_code)

    def _rank(self, rule: Rule) -> tuple:
        circular = self.circulars[rule.circular_id]
        return (
            circular.authority_level,
            circular.issued_on,
            circular.id,
            rule.starts_at or _MIN,
            rule.effect == DENY,
            rule.identity_verified is not None,
        )

    def _deciding_rule(
        self, subject: Subject, action: str, at: dt.datetime, rules: list[Rule] | None = None
    ) -> Rule | None:
        best, best_rank = None, None
        for rule in self.effective if rules is None else rules:
            if (
                rule.concerns(subject, action)
                and rule.covers(at)
                and self._applies_to(rule, subject)
            ):
                rank = self._rank(rule)
                if best_rank is None or rank > best_rank:
                    best, best_rank = rule, rank
        return best

    def _relevant_boundaries(
        self, subject: Subject, action: str, rules: list[Rule] | None = None
    ) -> list[dt.datetime]:
        return sorted(
            {
                t
                for r in (self.effective if rules is None else rules)
                if r.concerns(subject, action) and self._applies_to(r, subject)
                for t in (r.starts_at, r.ends_at)
                if t is not None
            }
        )

    def _bare(self, subject: Subject, action: str, at: dt.datetime) -> Decision:
        rule = self._deciding_rule(subject, action, at)
        if rule is None:
            who_th, who_en = SUBJECT_LABELS[(subject.entity_type, subject.identity_verified)]
            act_th, act_en = ACTION_LABELS[action]
            return Decision(
                allowed=False,
                # "ให้ อปท." as Thai writes an abbreviation: a space either side
                reason_th=f"ไม่มีหนังสือสั่งการฉบับใดอนุญาตให้{' ' if who_th.startswith('อปท.') else ''}"
                f"{who_th} {act_th} ณ เวลานี้ "
                "(สิ่งที่ไม่ได้รับอนุญาตถือว่าไม่อนุญาต)"
                + self._set_aside_note(subject, action, at, DENY, "th"),
                reason_en=f"No circular allows {who_en} to {act_en} at this time; "
                "what is not allowed is denied."
                + self._set_aside_note(subject, action, at, DENY, "en"),
                at=at,
            )
        return Decision(
            allowed=rule.effect == ALLOW,
            reason_th=rule.reason_th + self._set_aside_note(subject, action, at, rule.effect, "th"),
            reason_en=rule.reason_en + self._set_aside_note(subject, action, at, rule.effect, "en"),
            at=at,
            rule=rule,
            circular=self.circulars[rule.circular_id],
        )

    def _set_aside_note(
        self, subject: Subject, action: str, at: dt.datetime, effect: str, lang: str
    ) -> str:
        """Say so when a forwarding letter set aside here would have answered otherwise.

        Only then: the subject's answer is worked out again with each forwarding letter that
        binds the subject read in place of its source, and the note names the forwarding letter
        only if that answer differs (4 April in Nakhon Phanom: the province's letter would let
        an LAO verify, DLA's does not). Dates that differ without changing this subject's
        answer at this instant (the 1 March opening, under the 27 March closure) say nothing.
        """
        swapped = {
            source_id: rule_id
            for rule_id, source_id in self.set_aside.items()
            if self._applies_to(self._by_id[rule_id], subject)
        }
        if not swapped:
            return ""
        as_forwarded = [r for r in self.rules if r.id not in swapped]
        other = self._deciding_rule(subject, action, at, as_forwarded)
        if (other is not None and other.effect == ALLOW) == (effect == ALLOW):
            return ""
        if other is not None and other.id in self.set_aside:
            rule = other
        else:  # the forwarding letter says nothing here where its source does
            current = self._deciding_rule(subject, action, at)
            if current is None or current.id not in swapped:
                return ""
            rule = self._by_id[swapped[current.id]]
        mine = self.circulars[rule.circular_id]
        source = self.circulars[mine.forwards_id]
        if lang == "th":
            return (
                f" หนังสือ {mine.number} ({rule.clause}) ระบุวันที่ต่างออกไป "
                f"แต่ถือตามหนังสือต้นเรื่อง {source.number}"
            )
        return (
            f" Letter {mine.number} ({rule.clause}) gives other dates, "
            f"but its source {source.number} governs."
        )

    def _as_key(self, subject: Subject) -> Subject:
        """The subject as the timelines are keyed: an area no circular names is None."""
        province = subject.province_code if subject.province_code in self._named_provinces else None
        district = subject.district_code if subject.district_code in self._named_districts else None
        if (province, district) == (subject.province_code, subject.district_code):
            return subject
        return replace(subject, province_code=province, district_code=district)

    def decide(self, subject: Subject, action: str, at: dt.datetime) -> Decision:
        """The decision at `at` (an aware datetime), with when it began and when it next changes.

        Worked out once per segment of the subject's timeline and kept: between two consecutive
        starts or ends of the rules that concern the subject and the action (those set aside by
        a forwarding letter too, since `_set_aside_note` reads them), every comparison of `at`
        with a rule's dates comes out alike (which rules cover it, which window ended last, the
        boundaries before and after it), so `_decide_unmemoised` gives the same decision
        throughout the segment but for its `at`.
        """
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}")
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        boundaries, decisions = self._timeline(subject, action)
        segment = bisect.bisect_right(boundaries, at)
        if decisions[segment] is None:
            decisions[segment] = self._decide_unmemoised(subject, action, at)
        return replace(decisions[segment], at=at)

    def next_boundary(self, subject: Subject, action: str, at: dt.datetime) -> dt.datetime | None:
        """The end of the stretch `decide` keeps one decision for: the first instant after `at`
        at which a rule that could change this subject's answer (its reasons included) starts or
        ends. None: no such instant is to come. Before it the answer to the same question is
        the same but for its `at` (an HTTP cache may keep it until then, maintenance.caching);
        from it on it may differ."""
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}")
        boundaries, _decisions = self._timeline(subject, action)
        segment = bisect.bisect_right(boundaries, at)
        return boundaries[segment] if segment < len(boundaries) else None

    def _timeline(self, subject: Subject, action: str) -> tuple[list, list]:
        key = (self._as_key(subject), action)
        timeline = self._timelines.get(key)
        if timeline is None:
            if len(self._timelines) >= TIMELINES_MAX:
                self._timelines.clear()
            boundaries = self._relevant_boundaries(subject, action, self.rules)
            timeline = (boundaries, [None] * (len(boundaries) + 1))
            self._timelines[key] = timeline
        return timeline

    def _decide_unmemoised(self, subject: Subject, action: str, at: dt.datetime) -> Decision:
        """The decision at `at` worked out from the rules: the definition `decide` keeps."""
        decision = self._bare(subject, action, at)
        boundaries = self._relevant_boundaries(subject, action)
        valid_until = next(
            (
                b
                for b in boundaries
                if b > at and self._bare(subject, action, b).key != decision.key
            ),
            None,
        )
        reason_th, reason_en, rule, circular = (
            decision.reason_th,
            decision.reason_en,
            decision.rule,
            decision.circular,
        )
        if rule is None:
            # Nothing allows it now: cite the window that has ended, so the answer names a letter.
            ended = self._last_ended_rule(subject, action, at)
            if ended is not None:
                rule, circular = ended, self.circulars[ended.circular_id]
                reason_th += (
                    f" ช่วงเวลาตามหนังสือ {circular.number} ({ended.clause}) สิ้นสุดแล้ว"
                    f"เมื่อวันที่ {format_last_day(ended.ends_at, 'th')}"
                )
                reason_en += (
                    f" The period under {circular.number} ({ended.clause})"
                    f" ended on {format_last_day(ended.ends_at, 'en')}."
                )
        following = self._bare(subject, action, valid_until) if valid_until else None
        return Decision(
            allowed=decision.allowed,
            reason_th=reason_th,
            reason_en=reason_en,
            at=at,
            rule=rule,
            circular=circular,
            valid_from=self._start_of_run(subject, action, at, decision, boundaries),
            valid_until=valid_until,
            next_rule=following.rule if following else None,
            next_circular=following.circular if following else None,
        )

    def _last_ended_rule(self, subject: Subject, action: str, at: dt.datetime) -> Rule | None:
        """The effective rule for this subject and action whose period ended last, before `at`."""
        ended = [
            r
            for r in self.effective
            if r.concerns(subject, action)
            and r.ends_at is not None
            and r.ends_at <= at
            and self._applies_to(r, subject)
        ]
        return max(ended, key=lambda r: r.ends_at, default=None)

    def _start_of_run(self, subject, action, at, decision, boundaries) -> dt.datetime | None:
        """The earliest boundary from which the answer has held without a break (None: ever)."""
        start = None
        for boundary in reversed([b for b in boundaries if b <= at]):
            if self._bare(subject, action, boundary).key != decision.key:
                break
            start = boundary
        if start is not None and start == boundaries[0]:
            before = self._bare(subject, action, start - dt.timedelta(microseconds=1))
            if before.key == decision.key:
                return None
        return start

    def changes(
        self, subject: Subject, action: str, after: dt.datetime, until: dt.datetime | None = None
    ) -> list[Decision]:
        """Every later instant at which the answer changes, with the new answer."""
        out, current = [], self._bare(subject, action, after).key
        for boundary in self._relevant_boundaries(subject, action):
            if boundary <= after or (until is not None and boundary > until):
                continue
            decision = self._bare(subject, action, boundary)
            if decision.key != current:
                out.append(self.decide(subject, action, boundary))
                current = decision.key
        return out


def _start_key(rule: Rule) -> tuple:
    return (rule.starts_at or _MIN, rule.id)
