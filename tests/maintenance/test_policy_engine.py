"""The decision function alone: precedence as README.md writes it, with no database."""

import dataclasses
import datetime as dt

import pytest

from maintenance.policy import (
    Authority,
    CircularInfo,
    Policy,
    Rule,
    Subject,
)

BKK = dt.timezone(dt.timedelta(hours=7))


def at(day, hour=0, minute=0, second=0, month=4):
    return dt.datetime(2025, month, day, hour, minute, second, tzinfo=BKK)


DLA = CircularInfo(1, "มท 1", Authority.DLA, dt.date(2025, 4, 2))
DLA_LATER = CircularInfo(2, "มท 2", Authority.DLA, dt.date(2025, 4, 20))
PROVINCE = CircularInfo(
    3, "นพ 1", Authority.PROVINCE, dt.date(2025, 4, 9), province_code="48", forwards_id=1
)
PROVINCE_OWN = CircularInfo(4, "นพ 2", Authority.PROVINCE, dt.date(2025, 4, 25), province_code="48")

LAO = Subject("lao", False)
LAO_NP = Subject("lao", False, province_code="48")


def rule(id, circular, action="use_system", effect="allow", start=None, end=None, **kw):
    return Rule(
        id=id,
        circular_id=circular.id,
        action=action,
        effect=effect,
        starts_at=start,
        ends_at=end,
        clause=f"c{id}",
        reason_th=f"r{id}",
        reason_en=f"r{id}",
        **kw,
    )


def test_what_is_not_allowed_is_denied():
    decision = Policy([DLA], []).decide(LAO, "use_system", at(10))
    assert decision.allowed is False
    assert decision.rule is None and decision.valid_until is None


def test_the_denial_writes_the_lao_abbreviation_with_a_space_either_side():
    lao = Policy([DLA], []).decide(LAO, "use_system", at(10)).reason_th
    unit = Policy([DLA], []).decide(Subject("unit", None), "use_system", at(10)).reason_th
    assert "อนุญาตให้ อปท. ที่ยังไม่ได้ยืนยันตัวตน" in lao and "ให้อปท." not in lao
    assert "อนุญาตให้หน่วยงานภายใต้สังกัด อปท." in unit


def test_a_later_rule_of_the_same_circular_overrides_an_earlier_one():
    policy = Policy(
        [DLA],
        [rule(1, DLA, start=at(15, month=3)), rule(2, DLA, effect="deny", start=at(27, month=3))],
    )
    assert policy.decide(LAO, "use_system", at(26, 23, 59, 59, month=3)).allowed is True
    denied = policy.decide(LAO, "use_system", at(27, month=3))
    assert (denied.allowed, denied.rule.id, denied.valid_from) == (False, 2, at(27, month=3))


def test_a_later_circular_of_the_same_authority_supersedes_an_earlier_one():
    policy = Policy(
        [DLA, DLA_LATER],
        [rule(1, DLA, effect="deny", start=at(1)), rule(2, DLA_LATER, start=at(1))],
    )
    assert policy.decide(LAO, "use_system", at(5)).rule.id == 2


def test_a_province_never_overrides_dla():
    policy = Policy(
        [DLA, PROVINCE_OWN],
        [rule(1, DLA, effect="deny", start=at(1)), rule(2, PROVINCE_OWN, start=at(1))],
    )
    assert policy.decide(LAO_NP, "use_system", at(26)).allowed is False


def test_a_province_rule_binds_only_its_own_province():
    policy = Policy([PROVINCE_OWN], [rule(1, PROVINCE_OWN, start=at(1))])
    assert policy.decide(LAO_NP, "use_system", at(26)).allowed is True
    assert (
        policy.decide(Subject("lao", False, province_code="50"), "use_system", at(26)).allowed
        is False
    )
    assert policy.decide(LAO, "use_system", at(26)).allowed is False


def test_on_a_tie_deny_beats_allow():
    policy = Policy([DLA], [rule(1, DLA, start=at(1)), rule(2, DLA, effect="deny", start=at(1))])
    assert policy.decide(LAO, "use_system", at(2)).allowed is False


def test_the_source_governs_and_the_disagreement_is_recorded():
    policy = Policy(
        [DLA, PROVINCE],
        [
            rule(
                1,
                DLA,
                "verify_identity",
                start=at(5),
                end=at(22),
                entity_type="lao",
                identity_verified=False,
            ),
            rule(
                2,
                PROVINCE,
                "verify_identity",
                start=at(4),
                end=at(22),
                entity_type="lao",
                identity_verified=False,
            ),
        ],
    )
    assert policy.set_aside == {2: 1}
    [d] = policy.discrepancies
    assert (d.field, d.forwarding_value, d.source_value) == ("starts_at", at(4), at(5))
    decision = policy.decide(LAO_NP, "verify_identity", at(4))
    assert decision.allowed is False
    assert "นพ 1" in decision.reason_th and "มท 1" in decision.reason_th
    assert "Letter นพ 1" in decision.reason_en and "its source มท 1 governs" in decision.reason_en


def test_valid_until_skips_boundaries_where_the_answer_does_not_change():
    policy = Policy([DLA, DLA_LATER], [rule(1, DLA, start=at(1)), rule(2, DLA_LATER, start=at(10))])
    decision = policy.decide(LAO, "use_system", at(5))
    assert decision.allowed is True and decision.valid_until == at(10)  # the deciding rule changes
    assert policy.decide(LAO, "use_system", at(11)).valid_until is None


def test_changes_lists_each_instant_the_answer_changes():
    policy = Policy([DLA], [rule(1, DLA, "verify_identity", start=at(5), end=at(22))])
    changes = policy.changes(LAO, "verify_identity", at(1))
    assert [(c.at, c.allowed) for c in changes] == [(at(5), True), (at(22), False)]


def test_changes_lists_only_instants_after_the_start_and_up_to_the_end_asked():
    """The status page asks what changes next: not a change already past, nor one beyond the
    stretch it shows (mutmut: `or` turned into `and` in Policy.changes survived)."""
    policy = Policy(
        [DLA],
        [
            rule(1, DLA, "verify_identity", start=at(5), end=at(22)),
            rule(2, DLA, "verify_identity", start=at(25)),
        ],
    )
    after_closing = policy.changes(LAO, "verify_identity", at(23))
    assert [(c.at, c.allowed) for c in after_closing] == [(at(25), True)]
    until_closing = policy.changes(LAO, "verify_identity", at(1), until=at(23))
    assert [(c.at, c.allowed) for c in until_closing] == [(at(5), True), (at(22), False)]
    up_to_the_closing = policy.changes(LAO, "verify_identity", at(1), until=at(22))
    assert [c.at for c in up_to_the_closing] == [at(5), at(22)]  # the last instant included


def test_a_boundary_where_the_same_rule_still_decides_is_not_a_change():
    """The province's own rule starts and ends under DLA's, which outranks it: the answer and its
    rule stay DLA's, so the status page lists one change, not three."""
    policy = Policy(
        [DLA, PROVINCE_OWN],
        [
            rule(1, DLA, "verify_identity", start=at(5)),
            rule(2, PROVINCE_OWN, "verify_identity", start=at(10), end=at(15)),
        ],
    )
    changes = policy.changes(LAO_NP, "verify_identity", at(1))
    assert [(c.at, c.allowed, c.rule.id) for c in changes] == [(at(5), True, 1)]


def test_an_lao_is_read_as_unverified_unless_told_and_a_unit_as_neither():
    """mutmut survivors in Subject.__post_init__: what a caller leaves out decides the answer."""
    assert Subject("lao").identity_verified is False
    assert Subject("unit", True).identity_verified is None
    with pytest.raises(ValueError, match="entity_type must be one of"):
        Subject("school")
    policy = Policy([DLA], [rule(1, DLA, "verify_identity", start=at(5), identity_verified=False)])
    assert policy.decide(Subject("lao"), "verify_identity", at(6)).allowed is True


# --- until when an answer holds: what the HTTP caches and the status page count down to ---------


def test_the_next_boundary_is_the_next_start_or_end_strictly_after_the_instant():
    policy = Policy([DLA], [rule(1, DLA, start=at(4), end=at(10))])

    assert policy.next_boundary(LAO, "use_system", at(1)) == at(4)
    # at the very instant a rule starts, the answer holds until it ends, not until "now"
    assert policy.next_boundary(LAO, "use_system", at(4)) == at(10)
    assert policy.next_boundary(LAO, "use_system", at(4, second=1)) == at(10)
    # after the last boundary the answer holds for good
    assert policy.next_boundary(LAO, "use_system", at(10)) is None
    assert policy.next_boundary(LAO, "use_system", at(20)) is None


def test_the_next_boundary_of_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="action must be one of"):
        Policy([DLA], []).next_boundary(LAO, "fly", at(1))


def test_a_decision_gives_its_reason_in_thai_unless_english_is_asked_for():
    decision = Policy([DLA], [rule(1, DLA, start=at(4), end=at(10))]).decide(
        LAO, "use_system", at(5)
    )
    decision = dataclasses.replace(decision, reason_th="ไทย", reason_en="English")

    assert decision.reason() == "ไทย"
    assert (decision.reason("th"), decision.reason("th-TH")) == ("ไทย", "ไทย")
    assert (decision.reason("en"), decision.reason("en-GB")) == ("English", "English")
