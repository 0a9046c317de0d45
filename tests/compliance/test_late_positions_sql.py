"""The late list's per-position states, computed in SQL (`stats.with_position_states`), agree
with the Python reading of the requests (`onboarding.positions.position_states`) that the LAO's
page and the verification service use, LAO by LAO, on a generated province of mixed states.

The province is generated from a seeded random stream: every LAO gets a few requests for any
position, in any state, by people who may hold more than one position (one person covers one
group only), with decisions that tie, come later or never come; and LAOs verified at the day's
last second (23:59:59) and at the next midnight (00:00), around the list's instant.
"""

import datetime as dt
import random

import pytest
from django.db.models import Count, F

from accounts.models import Position, User
from compliance import stats
from compliance.scope import Scope, ScopeLevel
from onboarding.models import RequestState, VerificationRequest
from onboarding.positions import position_states
from registry.models import Organization

from .support import bangkok, district, lao

MIDNIGHT = bangkok("2025-04-10 00:00")
LAST_SECOND = MIDNIGHT - dt.timedelta(seconds=1)
STATES = list(RequestState.values)
POSITIONS = list(Position.values)


def generated_province(seed: int, n_laos: int) -> list[Organization]:
    rng = random.Random(seed)
    places = [district(f"48{d:02d}") for d in range(1, 4)]
    # a requester per request: one open request per person and LAO
    requesters = iter(
        User.objects.bulk_create(
            User(email=f"gen{seed}-{i}@test.example") for i in range(7 * n_laos)
        )
    )
    laos, requests = [], []
    for n in range(n_laos):
        verified_at = rng.choice([None, None, None, None, LAST_SECOND, MIDNIGHT])
        org = lao(places[n % len(places)], n % 100, verified_at=verified_at)
        laos.append(org)
        people = [f"{seed:02d}{n:04d}{p:058d}" for p in range(rng.randint(1, 3))]
        for _ in range(rng.randint(0, 6)):
            state = rng.choice(STATES)
            decided = state in (RequestState.APPROVED, RequestState.RETURNED, RequestState.REJECTED)
            at = MIDNIGHT - dt.timedelta(days=rng.randint(0, 3), hours=rng.choice([0, 0, 5]))
            requests.append(
                VerificationRequest(
                    organization=org,
                    requester=next(requesters),
                    full_name="ผู้ยื่น",
                    national_id_hash=rng.choice(people),
                    national_id_last4="0001",
                    position=rng.choice(POSITIONS),
                    appointment_order_number="1/2568",
                    appointment_date=dt.date(2024, 10, 1),
                    consent_at=at,
                    state=state,
                    created_at=at,
                    submitted_at=None if state == RequestState.DRAFT else at,
                    # ties (the same instant), later decisions, and approvals never dated
                    decided_at=rng.choice([at, at + dt.timedelta(hours=1), None])
                    if decided
                    else None,
                )
            )
    VerificationRequest.objects.bulk_create(requests)
    return laos


def python_reading(org) -> list[tuple]:
    live = org.verification_requests.filter(state__in=stats.LIVE_STATES)
    return [(row.positions, str(row.state)) for row in position_states(live)]


@pytest.mark.parametrize("at", [LAST_SECOND, MIDNIGHT], ids=["at 23:59:59", "at 00:00"])
def test_the_late_lists_positions_computed_in_sql_are_those_the_python_reading_gives(db, at):
    generated_province(seed=23, n_laos=150)
    scope = Scope(level=ScopeLevel.PROVINCE, province=district("4801").province)
    listed = stats.with_positions(stats.late_laos(scope, at))
    # the generation reached the cases that matter: LAOs with several approvals by one person,
    # and every state of a position
    several = Organization.objects.annotate(
        n=Count("verification_requests", distinct=True),
        people=Count("verification_requests__national_id_hash", distinct=True),
    ).filter(n__gt=F("people"))
    assert several.exists()
    seen = {str(row.state) for org in listed for row in org.positions}
    assert seen == {"verified", "submitted", "returned", "rejected", "not_filed"}
    assert listed
    for org in listed:
        assert [(row.positions, str(row.state)) for row in org.positions] == python_reading(org)
        assert org.positions_verified == sum(s == "verified" for _, s in python_reading(org))


def test_an_lao_verified_at_midnight_is_late_at_the_last_second_before_and_not_at_midnight(db):
    laos = generated_province(seed=7, n_laos=60)
    scope = Scope(level=ScopeLevel.PROVINCE, province=district("4801").province)
    at_midnight = [o for o in laos if o.identity_verified_at == MIDNIGHT]
    at_last_second = [o for o in laos if o.identity_verified_at == LAST_SECOND]
    assert at_midnight and at_last_second
    before = {o.pk for o in stats.late_laos(scope, LAST_SECOND)}
    after = {o.pk for o in stats.late_laos(scope, MIDNIGHT)}
    assert {o.pk for o in at_midnight} <= before
    assert not {o.pk for o in at_last_second} & before
    assert not {o.pk for o in at_midnight + at_last_second} & after
    unverified = {o.pk for o in laos if o.identity_verified_at is None}
    assert after == unverified
    assert before == unverified | {o.pk for o in at_midnight}
