"""Where each required position of an LAO stands: the one reading of its requests that the LAO's
page, the officers' pages, their files and the API share.

`IDENTITY_REQUIRED_POSITIONS` lists groups (chief executive or permanent secretary; finance
director); an LAO is verified once an approved request covers each group, each by its own person.
A group not yet covered is as its most advanced request: waiting for review, returned for
correction, rejected, or not filed (drafts and withdrawn requests are not filed: no officer
has them to act on).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Position, Role, RoleKind

from .models import RequestState


class PositionState(models.TextChoices):
    VERIFIED = "verified", gettext_lazy("Verified")
    SUBMITTED = RequestState.SUBMITTED.value, gettext_lazy("Waiting for review")
    RETURNED = RequestState.RETURNED.value, RequestState.RETURNED.label
    REJECTED = RequestState.REJECTED.value, RequestState.REJECTED.label
    NOT_FILED = "not_filed", gettext_lazy("Not filed")


# Requests that say something about a position, most advanced first.
_RANK = {
    RequestState.SUBMITTED: PositionState.SUBMITTED,
    RequestState.RETURNED: PositionState.RETURNED,
    RequestState.REJECTED: PositionState.REJECTED,
}
LIVE_STATES = (RequestState.APPROVED, *_RANK)


def group_label(positions) -> str:
    """ "chief executive or permanent secretary", in the active language."""
    names = dict(Position.choices)
    return f" {_('or')} ".join(str(names.get(p, p)) for p in positions)


def required_positions() -> list[list[str]]:
    return settings.IDENTITY_REQUIRED_POSITIONS


def required_position_values() -> list[str]:
    """Every position that counts towards an LAO's verification."""
    return sorted({p for group in required_positions() for p in group})


@dataclass(frozen=True)
class PositionRow:
    positions: tuple[str, ...]
    state: PositionState
    request: object | None  # the VerificationRequest that gives the state, if any

    @property
    def done(self) -> bool:
        return self.state == PositionState.VERIFIED

    @property
    def label(self) -> str:
        return group_label(self.positions)

    def __getitem__(self, key):  # the dict-style reading older callers use: row["done"]
        return getattr(self, key)


def position_states(requests) -> list[PositionRow]:
    """For each required group, its state, from the LAO's requests (any order).

    Each group needs its own person: one national ID counts for one group only, however many
    positions its holder was approved for (the earliest decisions are counted first).
    """
    requests = list(requests)
    approved = sorted(
        (r for r in requests if r.state == RequestState.APPROVED),
        key=lambda r: (r.decided_at is None, r.decided_at, r.pk),
    )
    others = [r for r in requests if r.state in _RANK]
    used: set[str] = set()
    rows = []
    for group in required_positions():
        covering = next(
            (vr for vr in approved if vr.position in group and vr.national_id_hash not in used),
            None,
        )
        if covering is not None:
            used.add(covering.national_id_hash)
            rows.append(PositionRow(tuple(group), PositionState.VERIFIED, covering))
            continue
        mine = [r for r in others if r.position in group]
        best = None
        for state in _RANK:  # the most advanced; among equals the latest
            candidates = [r for r in mine if r.state == state]
            if candidates:
                best = max(candidates, key=lambda r: (r.decided_at or r.submitted_at, r.pk))
                break
        rows.append(
            PositionRow(tuple(group), _RANK[best.state] if best else PositionState.NOT_FILED, best)
        )
    return rows


def verified_count(rows: list[PositionRow]) -> tuple[int, int]:
    """(k, n): k of the n required positions verified."""
    return sum(row.done for row in rows), len(rows)


class NextAction(models.TextChoices):
    """What must happen for a required position not yet verified, and who does it."""

    FILE = "file", gettext_lazy("file an identity verification request")
    CORRECT = "correct", gettext_lazy("correct the returned request and submit it again")
    REVIEW = "review", gettext_lazy("wait: the provincial officer reviews the request")
    FILE_AGAIN = "file_again", gettext_lazy("file a new request (the last one was rejected)")


_NEXT = {
    PositionState.NOT_FILED: NextAction.FILE,
    PositionState.RETURNED: NextAction.CORRECT,
    PositionState.SUBMITTED: NextAction.REVIEW,
    PositionState.REJECTED: NextAction.FILE_AGAIN,
}


@dataclass(frozen=True)
class Left:
    """A required position not yet verified: its row, what must happen, and the LAO's staff in
    those positions (who must act, but for a review, which the province's officers do)."""

    row: PositionRow
    action: NextAction
    people: tuple  # Role rows (with their user) of the LAO's vetted staff in the positions

    @property
    def label(self) -> str:
        return self.row.label


def what_is_left(org, rows: list[PositionRow], roles=None) -> list[Left]:
    """For each required position of `org` not yet verified: what must happen and who must do
    it (one query for the LAO's staff, among `roles`: a page passes the roles its reader may
    see, `Role.objects.restrict(user, Action.FOLLOW)`; all of them by default)."""
    missing = [row for row in rows if not row.done]
    if not missing:
        return []
    staff = list(
        (Role.objects.all() if roles is None else roles)
        .vetted()
        .filter(kind=RoleKind.LAO_STAFF, organization_id=org.pk)
        .select_related("user")
        .order_by("id")
    )
    return [
        Left(row, _NEXT[row.state], tuple(r for r in staff if r.position in row.positions))
        for row in missing
    ]
