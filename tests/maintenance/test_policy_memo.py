"""The kept decisions (`Policy.decide`) against the decision worked out from the rules each time
(`Policy._decide_unmemoised`): the same answer, field by field, to the byte."""

import datetime as dt
import itertools
from dataclasses import fields, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from maintenance import policy as policy_module
from maintenance.policy import (
    ACTIONS,
    Authority,
    CircularInfo,
    Decision,
    Effect,
    EntityType,
    Policy,
    Rule,
    Subject,
)
from maintenance.snapshot import build_policy

BKK = dt.timezone(dt.timedelta(hours=7))
SECOND = dt.timedelta(seconds=1)

# Every kind of subject the tests ask about, in and out of Nakhon Phanom's area.
AREAS = [(None, None), ("48", None), ("48", "4801"), ("50", "5001")]
KINDS = [(EntityType.LAO, False), (EntityType.LAO, True), (EntityType.UNIT, None)]
SUBJECTS = [
    Subject(kind, verified, province_code=province, district_code=district)
    for (kind, verified), (province, district) in itertools.product(KINDS, AREAS)
]


def as_fields(decision: Decision) -> dict:
    """Each field with its repr, so that an instant in another zone would differ too."""
    return {
        f.name: (getattr(decision, f.name), repr(getattr(decision, f.name)))
        for f in fields(decision)
    }


def instants(policy: Policy) -> list[dt.datetime]:
    """Every boundary, a second either side, and each day's first and last second, March and
    April 2025 (Bangkok), in order."""
    out = set()
    for rule in policy.rules:
        for boundary in (rule.starts_at, rule.ends_at):
            if boundary is not None:
                out.update((boundary - SECOND, boundary, boundary + SECOND))
    day = dt.datetime(2025, 3, 1, tzinfo=BKK)
    while day <= dt.datetime(2025, 5, 1, tzinfo=BKK):
        out.update((day, day + dt.timedelta(hours=23, minutes=59, seconds=59)))
        day += dt.timedelta(days=1)
    return sorted(out)


def assert_kept_equals_worked_out(policy: Policy, subject: Subject, action: str, moments) -> None:
    for at in moments:
        kept = policy.decide(subject, action, at)
        assert as_fields(kept) == as_fields(policy._decide_unmemoised(subject, action, at)), (
            subject,
            action,
            at,
        )


def test_the_kept_decisions_equal_the_worked_out_ones_for_the_reference_circulars(circulars):
    reference = build_policy()
    moments = instants(reference)
    assert reference.set_aside, "the reference letters include a forwarding letter"
    # Asked forwards on one engine and backwards on another: whichever instant of a segment is
    # asked first, every other instant gets the same answer as worked out from the rules.
    for order in (moments, moments[::-1]):
        policy = build_policy()
        for subject, action in itertools.product(SUBJECTS, ACTIONS):
            assert_kept_equals_worked_out(policy, subject, action, order)


def test_the_kept_decisions_are_bounded(monkeypatch):
    monkeypatch.setattr(policy_module, "TIMELINES_MAX", 2)
    policy = Policy([], [])
    at = dt.datetime(2025, 4, 10, 12, tzinfo=BKK)
    for subject in SUBJECTS:
        policy.decide(subject, ACTIONS[0], at)
        assert len(policy._timelines) <= 2


def test_areas_no_letter_names_share_one_timeline(circulars):
    """Every district of the country asks (the daily pass, an org's question): a code that no
    circular names decides nothing, so it is kept under no area, not once per district."""
    policy = build_policy()
    at = dt.datetime(2025, 4, 10, 12, tzinfo=BKK)
    for province, district in [("50", "5001"), ("50", "5002"), ("10", "1001"), (None, None)]:
        policy.decide(Subject(EntityType.UNIT, None, province, district), ACTIONS[0], at)
    assert len(policy._timelines) == 1
    policy.decide(Subject(EntityType.UNIT, None, "48", "4801"), ACTIONS[0], at)  # named: its own
    assert len(policy._timelines) == 2


# Random rule sets over four letters, one of them forwarding another, with dates in April.
DLA = CircularInfo(1, "มท 1", Authority.DLA, dt.date(2025, 4, 2))
DLA_LATER = CircularInfo(2, "มท 2", Authority.DLA, dt.date(2025, 4, 20))
PROVINCE = CircularInfo(
    3, "นพ 1", Authority.PROVINCE, dt.date(2025, 4, 9), province_code="48", forwards_id=1
)
DISTRICT = CircularInfo(
    4, "นพ 2", Authority.DISTRICT, dt.date(2025, 4, 25), province_code="48", district_code="4801"
)
LETTERS = [DLA, DLA_LATER, PROVINCE, DISTRICT]
DAYS = st.one_of(st.none(), st.integers(1, 30).map(lambda d: dt.datetime(2025, 4, d, tzinfo=BKK)))


@st.composite
def windows(draw):
    start, end = draw(DAYS), draw(DAYS)
    if start is not None and end is not None and end <= start:
        start, end = end, start + SECOND
    return {"starts_at": start, "ends_at": end}


@st.composite
def rules(draw):
    """Up to 8 rules; a rule of DLA's letter may be forwarded by the province with other dates."""
    out = []
    for _ in range(draw(st.integers(0, 8))):
        id = len(out) + 1
        entity_type = draw(st.sampled_from([None, *EntityType]))
        rule = Rule(
            id=id,
            circular_id=draw(st.sampled_from(LETTERS)).id,
            action=draw(st.sampled_from(ACTIONS)),
            effect=draw(st.sampled_from(Effect)),
            entity_type=entity_type,
            identity_verified=(
                None
                if entity_type != EntityType.LAO
                else draw(st.sampled_from([None, False, True]))
            ),
            clause=f"c{id}",
            reason_th=f"r{id}",
            reason_en=f"r{id}",
            **draw(windows()),
        )
        out.append(rule)
        if rule.circular_id == DLA.id and draw(st.booleans()):
            out.append(
                replace(
                    rule,
                    id=id + 1,
                    circular_id=PROVINCE.id,
                    clause=f"c{id + 1}",
                    reason_th=f"r{id + 1}",
                    reason_en=f"r{id + 1}",
                    **draw(windows()),
                )
            )
    return out


@settings(derandomize=True, max_examples=150, deadline=None)
@given(
    rules=rules(),
    subject=st.sampled_from(SUBJECTS),
    action=st.sampled_from(ACTIONS),
    order=st.randoms(use_true_random=False),
)
def test_the_kept_decisions_equal_the_worked_out_ones_for_any_rules(rules, subject, action, order):
    policy = Policy(LETTERS, rules)
    moments = [
        at
        for day in range(1, 31)
        for at in (
            dt.datetime(2025, 4, day, tzinfo=BKK) - SECOND,
            dt.datetime(2025, 4, day, tzinfo=BKK),
            dt.datetime(2025, 4, day, 12, tzinfo=BKK).astimezone(dt.UTC),
        )
    ]
    order.shuffle(moments)
    assert_kept_equals_worked_out(policy, subject, action, moments)
