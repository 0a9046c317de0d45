"""Promises README makes that no other test kept: each test here fails when its rule is removed
(`python -m tests.promise_breaks` removes each rule in turn and checks that)."""

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from onboarding import services
from onboarding.models import RequestState, VerificationRequest
from tests.onboarding.test_verification_services import file_as

INSIDE = "2025-04-10T09:00:00+07:00"  # LAOs may file their requests


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["approve", "return", "reject"])
def test_when_the_outbox_refuses_a_decisions_message_the_decision_is_not_kept(
    circulars, portal_clock, actors, places, outbox_refusing_rows, action
):
    """A decision and the message telling the requester of it are one transaction: nothing
    around the service here, so only its own transaction can undo the decision."""
    portal_clock(INSIDE)
    vr = file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345")
    before = (vr.state, vr.version, vr.history.count())
    decide = {
        "approve": lambda: services.approve_request(
            vr.pk, actor=actors["province_officer"], expected_version=vr.version, reason=""
        ),
        "return": lambda: services.return_request(
            vr.pk, actor=actors["province_officer"], expected_version=vr.version, remarks="แก้"
        ),
        "reject": lambda: services.reject_request(
            vr.pk, actor=actors["province_officer"], expected_version=vr.version, reason="ไม่ใช่"
        ),
    }[action]

    with pytest.raises(IntegrityError, match=outbox_refusing_rows):
        decide()

    vr = VerificationRequest.objects.get(pk=vr.pk)
    assert (vr.state, vr.version, vr.history.count()) == before
    assert vr.state == RequestState.SUBMITTED and vr.decided_by is None


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL locks the rows it lists (SKIP LOCKED): tests/notifications/test_workers.py",
)
def test_a_row_another_worker_claims_between_listing_and_claiming_is_left_to_it(db):
    """Nothing twice in the outbox: on SQLite a worker lists the due rows, then claims each with
    an update conditional on the row still waiting. Here another worker claims them in between
    (its own conditional update, run by the database right after the listing): the first worker
    must come away with nothing."""
    from notifications.delivery import claim
    from notifications.models import Notification, Status
    from notifications.services import queue
    from tests.notifications.support import make_users, outgoing_for

    queue(outgoing_for(make_users(3, "waiting")), nudge_workers=False)
    listed = []

    def other_worker_claims_after_the_listing(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not listed and sql.lstrip().upper().startswith("SELECT") and "next_attempt_at" in sql:
            listed.append(sql)
            Notification.objects.filter(status=Status.PENDING).update(
                status=Status.SENDING, claimed_at=timezone.now(), claimed_by="worker-b"
            )
        return result

    with connection.execute_wrapper(other_worker_claims_after_the_listing):
        claimed = claim(10, worker="worker-a")

    assert listed, "the worker did not list the due rows"
    assert claimed == []
    assert set(Notification.objects.values_list("claimed_by", flat=True)) == {"worker-b"}
