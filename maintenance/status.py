"""What the public status page shows: the policy's answers for a day, and what changes next."""

import datetime as dt
from dataclasses import dataclass

from maintenance.policy import EntityType

from .policy import ACTION_LABELS, ACTIONS, SUBJECT_LABELS, Decision, Policy, Subject

SUBJECTS = (
    Subject(EntityType.LAO, False),
    Subject(EntityType.LAO, True),
    Subject(EntityType.UNIT),
)


@dataclass(frozen=True)
class Row:
    subject: Subject
    label_th: str
    label_en: str
    decisions: list[tuple[str, str, str, Decision]]  # (action, label_th, label_en, decision)


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    subject_th: str
    subject_en: str
    action_th: str
    action_en: str
    decision: Decision


def board(policy: Policy, at: dt.datetime) -> list[Row]:
    rows = []
    for subject in SUBJECTS:
        label_th, label_en = SUBJECT_LABELS[(subject.entity_type, subject.identity_verified)]
        decisions = [
            (action, *ACTION_LABELS[action], policy.decide(subject, action, at))
            for action in ACTIONS
        ]
        rows.append(Row(subject, label_th, label_en, decisions))
    return rows


def timeline(policy: Policy, after: dt.datetime, until: dt.datetime | None = None) -> list[Change]:
    """Every coming change for every kind of organisation and action, in time order."""
    changes = []
    for subject in SUBJECTS:
        subject_th, subject_en = SUBJECT_LABELS[(subject.entity_type, subject.identity_verified)]
        for action in ACTIONS:
            action_th, action_en = ACTION_LABELS[action]
            for decision in policy.changes(subject, action, after, until):
                changes.append(
                    Change(decision.at, subject_th, subject_en, action_th, action_en, decision)
                )
    changes.sort(key=lambda c: (c.at, c.subject_en, c.action_en))
    return changes


def next_boundary(policy: Policy, at: dt.datetime) -> dt.datetime | None:
    """The first instant after `at` at which a rule behind any answer of the board starts or
    ends (None: none to come): the board and the coming changes hold until then."""
    coming = [
        b
        for subject in SUBJECTS
        for action in ACTIONS
        if (b := policy.next_boundary(subject, action, at)) is not None
    ]
    return min(coming, default=None)
