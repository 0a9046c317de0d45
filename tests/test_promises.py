"""Promises README makes that no other test kept: each test here fails when its rule is removed
(`python -m tests.promise_breaks` removes each rule in turn and checks that)."""

import pytest
from django.db import IntegrityError

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
