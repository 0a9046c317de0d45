"""The public "my LAO" lookup: an LAO found by part of its name or its DLA code, and the policy's
answer for it on a day, action by action.

Only what the public registry shows is read (name, kind, DLA code, district, province, whether its
identity is verified); no person, no document. The decision itself is the policy's
(`maintenance.access.decide_for`); a verified LAO's identity verification reads "done"
(`policy.already_done`), not "not allowed".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.thai import to_arabic_digits
from registry.models import Organization

from .access import decide_for, subject_for
from .policy import ACTION_LABELS, ACTIONS, Decision, already_done

# At most this many LAOs are offered to choose from; past it the clerk is asked to type more.
MATCHES_SHOWN = 20


@dataclass(frozen=True)
class Answer:
    action: str
    label_th: str
    label_en: str
    decision: Decision
    done: bool  # the action is already completed (a verified LAO's identity verification)

    @property
    def deadline_rule(self):
        """The rule whose clause stands beside the date shown: the deciding rule's while it is
        allowed (until when), the next rule's while it is not yet (from when)."""
        if self.decision.allowed or self.decision.next_rule is None:
            return self.decision.rule
        return self.decision.next_rule

    @property
    def deadline_circular(self):
        if self.decision.allowed or self.decision.next_circular is None:
            return self.decision.circular
        return self.decision.next_circular


def find_laos(text: str) -> tuple[list[Organization], bool]:
    """LAOs whose DLA code starts with the digits typed (Thai or Arabic), or whose name (or
    district's name) holds the words, in province, district and code order: at most
    MATCHES_SHOWN, and whether there are more."""
    if not to_arabic_digits(text or "").strip():
        return [], False
    found = list(
        Organization.objects.laos()
        .with_places()
        .search(text)
        .order_by("district__province__code", "district__code", "dla_code", "pk")[
            : MATCHES_SHOWN + 1
        ]
    )
    return found[:MATCHES_SHOWN], len(found) > MATCHES_SHOWN


def lao_by_pk(raw: str) -> Organization | None:
    """The LAO chosen from the list (`?org=<pk>`, digits in either script), or None."""
    value = to_arabic_digits((raw or "").strip())
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return Organization.objects.laos().with_places().filter(pk=int(value)).first()


def answers_for(org: Organization, at: dt.datetime) -> list[Answer]:
    """The policy's answer for this LAO at `at`, for every action."""
    subject = subject_for(org, at)
    return [
        Answer(
            action,
            *ACTION_LABELS[action],
            decide_for(org, action, at),
            already_done(subject, action),
        )
        for action in ACTIONS
    ]
